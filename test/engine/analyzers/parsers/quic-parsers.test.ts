import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  QuicConnectionParser,
  parseQuicInitial,
  parseQuicLongHeader,
} from '../../../../src/main/engine/analyzers/parsers/quic-initial';
import {
  computeHeaderProtectionMask,
  deriveQuicInitialKeys,
  type QuicPacketKeys,
} from '../../../../src/main/engine/analyzers/parsers/quic-keys';
import { toZeekQuicRecord } from '../../../../src/main/engine/analyzers/parsers/zeek-smb-quic-records';
import { ascii, clientHello, extension, hex, u16, u32, zeros, type Bytes } from './bytes';
import { RFC9001_CLIENT_INITIAL_HEX } from './rfc9001-vectors';

const RFC_DCID = new Uint8Array(hex('8394c8f03e515708'));
const RFC_PACKET = new Uint8Array(hex(RFC9001_CLIENT_INITIAL_HEX));

describe('QUIC Initial keys', () => {
  it('derives the RFC 9001 A.1 keys', () => {
    const keys = deriveQuicInitialKeys(1, RFC_DCID)!;
    // RFC 9001 Appendix A.1, client and server key, iv and hp.
    expect(keys.client.key.toString('hex')).toBe('1f369613dd76d5467730efcbe3b1a22d');
    expect(keys.client.iv.toString('hex')).toBe('fa044b2f42a3fd3b46fb255c');
    expect(keys.client.headerProtection.toString('hex')).toBe('9f50449e04a0e810283a1e9933adedd2');
    expect(keys.server.key.toString('hex')).toBe('cf3a5331653c364c88f0f379b6067e37');
    expect(keys.server.iv.toString('hex')).toBe('0ac1493ca1905853b0bba03e');
    expect(keys.server.headerProtection.toString('hex')).toBe('c206b8d9b9f0f37644430b490eeaa314');
  });

  it('computes the RFC 9001 A.2 header protection mask', () => {
    const keys = deriveQuicInitialKeys(1, RFC_DCID)!;
    const mask = computeHeaderProtectionMask(
      keys.client.headerProtection,
      new Uint8Array(hex('d1b1c98dd7689fb8ec11d242b123dc9b')),
    );
    expect(mask.toString('hex')).toBe('437b9aec36');
  });

  it('derives the RFC 9369 A.1 v2 keys', () => {
    const keys = deriveQuicInitialKeys(0x6b3343cf, RFC_DCID)!;
    // RFC 9369 Appendix A.1: the same connection id with the v2 salt and "quicv2" labels.
    expect(keys.client.key.toString('hex')).toBe('8b1a0bc121284290a29e0971b5cd045d');
    expect(keys.client.iv.toString('hex')).toBe('91f73e2351d8fa91660e909f');
    expect(keys.client.headerProtection.toString('hex')).toBe('45b95e15235d6f45a6b19cbcb0294ba9');
    expect(keys.server.key.toString('hex')).toBe('82db637861d55e1d011f19ea71d5d2a7');
    expect(keys.server.iv.toString('hex')).toBe('dd13c276499c0249d3310652');
    expect(keys.server.headerProtection.toString('hex')).toBe('edf6d05c83121201b436e16877593c3a');
  });

  it('returns null for an unknown version', () => {
    expect(deriveQuicInitialKeys(0x12345678, RFC_DCID)).toBeNull();
  });
});

describe('QuicConnectionParser', () => {
  it('recovers the RFC 9001 A.2 ClientHello', () => {
    const record = parseQuicInitial(RFC_PACKET, true);
    expect(record).not.toBeNull();
    expect(record!.version).toBe(1);
    expect(record!.clientInitialDcidHex).toBe('8394c8f03e515708');
    expect(record!.serverName).toBe('example.com');
    expect(record!.alpnProtocols).toEqual(['alpn']);
    expect(record!.clientHello!.cipherSuites).toEqual([0x1301, 0x1302]);
    expect(record!.clientHello!.ja4.startsWith('q13d0211an_')).toBe(true);
    expect(record!.history).toBe('IS');
    const row = toZeekQuicRecord(
      {
        timestampUs: 0,
        uid: 'C',
        originatorAddress: 'a',
        originatorPort: 1,
        responderAddress: 'b',
        responderPort: 443,
      },
      record!,
    );
    expect(row.version).toBe('1');
    expect(row.client_protocol).toBe('alpn');
    expect(row.client_scid).toBeNull(); // the RFC example has an empty source connection id
  });

  it('reads the long header without keys', () => {
    const header = parseQuicLongHeader(RFC_PACKET);
    expect(header?.version).toBe(1);
    expect(header?.destinationConnectionId.length).toBe(8);
    expect(header?.sourceConnectionId.length).toBe(0);
  });

  it('reports a tampered packet as failing authentication', () => {
    const tampered = RFC_PACKET.slice();
    tampered[1199] = tampered[1199]! ^ 1; // last byte of the tag
    const parser = new QuicConnectionParser();
    parser.pushDatagram(tampered, true);
    expect(parser.record.clientHello).toBeNull();
    expect(parser.record.problems).toEqual(['client Initial packet 2 failed authentication']);
  });

  it('joins CRYPTO frames across datagrams and coalesced packets', () => {
    const dcid = hex('0011223344556677');
    const keys = deriveQuicInitialKeys(1, new Uint8Array(dcid))!;
    const helloBody = clientHello({
      ciphers: [0x1301],
      extensions: [
        ...extension(0, [...u16(8), 0, ...u16(5), ...ascii('a.com')]),
        ...extension(16, [...u16(3), 2, ...ascii('h3')]),
      ],
    });
    const cut = 20;
    // Second half first, in its own datagram; then the first half coalesced with a Handshake packet.
    const late = sealInitial(keys.client, dcid, 1, cryptoFrame(cut, helloBody.slice(cut)));
    const early = sealInitial(keys.client, dcid, 0, cryptoFrame(0, helloBody.slice(0, cut)));
    const handshake = [0xe0, 0, 0, 0, 1, dcid.length, ...dcid, 0, 0x40, 20, ...zeros(20)]; // long header type 2, 20-byte body
    const parser = new QuicConnectionParser();
    parser.pushDatagram(new Uint8Array(late), true);
    expect(parser.record.serverName).toBeNull();
    parser.pushDatagram(new Uint8Array([...early, ...handshake]), true);
    expect(parser.record.serverName).toBe('a.com');
    expect(parser.record.alpnProtocols).toEqual(['h3']);
    expect(parser.record.history).toBe('ISH');
  });

  it('decrypts a QUIC v2 Initial', () => {
    const dcid = hex('8394c8f03e515708');
    const keys = deriveQuicInitialKeys(0x6b3343cf, new Uint8Array(dcid))!;
    const hello = clientHello({
      ciphers: [0x1301],
      extensions: extension(0, [...u16(8), 0, ...u16(5), ...ascii('b.org')]),
    });
    const parser = new QuicConnectionParser();
    parser.pushDatagram(new Uint8Array(sealInitial(keys.client, dcid, 0, cryptoFrame(0, hello), 0x6b3343cf)), true);
    expect(parser.record.problems).toEqual([]);
    expect(parser.record.serverName).toBe('b.org');
    expect(parser.record.version).toBe(0x6b3343cf);
    const row = toZeekQuicRecord(
      {
        timestampUs: 0,
        uid: 'C',
        originatorAddress: 'a',
        originatorPort: 1,
        responderAddress: 'b',
        responderPort: 443,
      },
      parser.record,
    );
    expect(row.version).toBe('quicv2');
  });
});

function cryptoFrame(offset: number, data: Bytes): Bytes {
  // Frame type 0x06, offset and length as 2-byte varints (0x40 prefix).
  return [0x06, 0x40 | (offset >> 8), offset & 0xff, 0x40 | (data.length >> 8), data.length & 0xff, ...data];
}

/**
 * Protects a client Initial with a 2-byte packet number, padded so the sample
 * exists (RFC 9001 section 5). Initial is type 0 in v1 and type 1 in v2.
 */
function sealInitial(keys: QuicPacketKeys, dcid: Bytes, packetNumber: number, frames: Bytes, version = 1): Bytes {
  const payload = [...frames, ...zeros(Math.max(0, 40 - frames.length))];
  const length = 2 + payload.length + 16;
  const firstByte = version === 0x6b3343cf ? 0xd1 : 0xc1;
  const header = [
    firstByte,
    ...u32(version),
    dcid.length,
    ...dcid,
    0,
    0,
    0x40 | (length >> 8),
    length & 0xff,
    ...u16(packetNumber),
  ];
  const nonce = Buffer.from(keys.iv);
  nonce[11] = nonce[11]! ^ (packetNumber & 0xff);
  nonce[10] = nonce[10]! ^ (packetNumber >> 8);
  const cipher = createCipheriv('aes-128-gcm', keys.key, nonce);
  cipher.setAAD(Buffer.from(header));
  const sealed = [...cipher.update(Buffer.from(payload)), ...cipher.final(), ...cipher.getAuthTag()];
  const packet = [...header, ...sealed];
  const packetNumberOffset = header.length - 2;
  const mask = computeHeaderProtectionMask(
    keys.headerProtection,
    new Uint8Array(packet.slice(packetNumberOffset + 4, packetNumberOffset + 20)),
  );
  packet[0] = packet[0]! ^ (mask[0]! & 0x0f);
  packet[packetNumberOffset] = packet[packetNumberOffset]! ^ mask[1]!;
  packet[packetNumberOffset + 1] = packet[packetNumberOffset + 1]! ^ mask[2]!;
  return packet;
}

const QUIC_HOSTILE: [rule: string, bytes: Bytes][] = [
  ['connection id length 255', [0xc0, 0, 0, 0, 1, 255, ...zeros(20)]],
  ['Length larger than the datagram', [0xc0, 0, 0, 0, 1, 0, 0, 0, 0x7f, 0xff, ...zeros(30)]],
  ['token length varint of 8 bytes', [0xc0, 0, 0, 0, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
  ['Initial too short for a sample', [0xc0, 0, 0, 0, 1, 1, 9, 0, 0, 5, 1, 2, 3, 4, 5]],
  ['version negotiation with odd length', [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff]],
  ['unknown version', [0xc0, 0x0a, 0x0a, 0x0a, 0x0a, 0, 0, 0, 5, 1, 2, 3, 4, 5]],
];

describe('QUIC hostile input', () => {
  it.each(QUIC_HOSTILE)('%s', (_rule, bytes) => {
    for (let end = 0; end <= bytes.length; end++) {
      const parser = new QuicConnectionParser();
      expect(() => parser.pushDatagram(new Uint8Array(bytes.slice(0, end)), true)).not.toThrow();
      expect(parser.record.clientHello).toBeNull();
    }
  });

  it('survives every prefix of the RFC packet', () => {
    for (let end = 0; end < RFC_PACKET.length; end += 7) {
      const parser = new QuicConnectionParser();
      expect(() => parser.pushDatagram(RFC_PACKET.subarray(0, end), true)).not.toThrow();
      expect(parser.record.clientHello).toBeNull();
    }
  });

  it('stops at an ACK range count of 2^62', () => {
    const dcid = hex('0102030405060708');
    const keys = deriveQuicInitialKeys(1, new Uint8Array(dcid))!;
    // ACK: largest 0, delay 0, range count 0x3fffffffffffffff (8-byte varint), first range 0, then padding.
    const frame = [0x02, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0];
    const parser = new QuicConnectionParser();
    parser.pushDatagram(new Uint8Array(sealInitial(keys.client, dcid, 0, frame)), true);
    expect(parser.record.clientHello).toBeNull();
    expect(parser.record.problems).toEqual([]);
    expect(parser.record.history).toBe('I');
  });

  it('drops CRYPTO data past the 64 KiB cap', () => {
    const dcid = hex('0102030405060708');
    const keys = deriveQuicInitialKeys(1, new Uint8Array(dcid))!;
    const frame = [0x06, 0x80, 0x01, 0x00, 0x00, 0x04, 1, 2, 3, 4]; // offset 65536 (4-byte varint), 4 bytes
    const parser = new QuicConnectionParser();
    parser.pushDatagram(new Uint8Array(sealInitial(keys.client, dcid, 0, frame)), true);
    expect(parser.record.problems).toEqual(['client CRYPTO data beyond 65536 bytes dropped']);
  });
});
