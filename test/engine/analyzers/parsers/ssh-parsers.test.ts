import { describe, expect, it } from 'vitest';
import { SshStreamParser } from '../../../../src/main/engine/analyzers/parsers/ssh-stream-parser';
import { toZeekSshRecord } from '../../../../src/main/engine/analyzers/parsers/zeek-ssh-records';
import { ascii, u32, zeros, type Bytes } from './bytes';

const nameList = (names: string): Bytes => [...u32(names.length), ...ascii(names)];

/** Builds an SSH binary packet: uint32 packet_length, padding_length, payload, padding (RFC 4253 section 6). */
function sshPacket(payload: Bytes): Bytes {
  const padding = 4;
  return [...u32(1 + payload.length + padding), padding, ...payload, ...zeros(padding)];
}

function kexInit(lists: string[]): Bytes {
  return sshPacket([20, ...zeros(16), ...lists.flatMap(nameList), 0, ...u32(0)]);
}

const CLIENT_LISTS = [
  'curve25519-sha256,ecdh-sha2-nistp256', // kex
  'ssh-ed25519,rsa-sha2-512', // host key
  'aes128-ctr,aes256-gcm@openssh.com', // encryption c2s
  'aes128-ctr', // encryption s2c
  'hmac-sha2-256', // mac c2s
  'hmac-sha2-256', // mac s2c
  'none,zlib@openssh.com', // compression c2s
  'none', // compression s2c
  '', // languages c2s
  '', // languages s2c
];
const SERVER_LISTS = [
  'ecdh-sha2-nistp256,curve25519-sha256',
  'rsa-sha2-512',
  'aes256-gcm@openssh.com,aes128-ctr',
  'aes256-gcm@openssh.com',
  'hmac-sha2-512,hmac-sha2-256',
  'hmac-sha2-512',
  'zlib@openssh.com,none',
  'none',
  '',
  '',
];

describe('SshStreamParser', () => {
  it('reads banners split across segments and fed a byte at a time', () => {
    const parser = new SshStreamParser();
    for (const byte of ascii('SSH-2.0-OpenSSH_9.6\r\n')) parser.push(true, new Uint8Array([byte]));
    parser.push(false, new Uint8Array(ascii('Welcome\r\nSSH-1.99-Cisco')));
    parser.push(false, new Uint8Array(ascii('-1.25\r\n')));
    expect(parser.record.clientBanner).toBe('SSH-2.0-OpenSSH_9.6');
    expect(parser.record.serverBanner).toBe('SSH-1.99-Cisco-1.25');
    expect(parser.record.version).toBe(2);
  });

  it('computes HASSH and the negotiated algorithms', () => {
    const parser = new SshStreamParser();
    parser.push(true, new Uint8Array([...ascii('SSH-2.0-client\r\n'), ...kexInit(CLIENT_LISTS)]));
    const server = [...ascii('SSH-2.0-server\n'), ...kexInit(SERVER_LISTS)];
    parser.push(false, new Uint8Array(server.slice(0, 30)));
    parser.push(false, new Uint8Array(server.slice(30)));
    const record = parser.record;
    expect(record.hasshAlgorithms).toBe(
      'curve25519-sha256,ecdh-sha2-nistp256;aes128-ctr,aes256-gcm@openssh.com;hmac-sha2-256;none,zlib@openssh.com',
    );
    expect(record.hasshServerAlgorithms).toBe(
      'ecdh-sha2-nistp256,curve25519-sha256;aes256-gcm@openssh.com;hmac-sha2-512;none',
    );
    expect(record.hassh).toMatch(/^[0-9a-f]{32}$/);
    expect(record.kexAlgorithm).toBe('curve25519-sha256'); // first client choice the server offers
    expect(record.cipherAlgorithm).toBe('aes128-ctr');
    expect(record.macAlgorithm).toBe('hmac-sha2-256');
    expect(record.compressionAlgorithm).toBe('none');
    expect(record.hostKeyAlgorithm).toBe('rsa-sha2-512');
  });

  it('fingerprints the host key of the ECDH reply', () => {
    const parser = new SshStreamParser();
    parser.push(true, new Uint8Array([...ascii('SSH-2.0-c\r\n'), ...kexInit(CLIENT_LISTS)]));
    const hostKey = [...u32(11), ...ascii('ssh-ed25519'), ...u32(32), ...zeros(32)];
    parser.push(
      false,
      new Uint8Array([
        ...ascii('SSH-2.0-s\r\n'),
        ...kexInit(SERVER_LISTS),
        ...sshPacket([31, ...u32(hostKey.length), ...hostKey, ...u32(0)]),
      ]),
    );
    // SHA-256 of that 51-byte blob, base64 without padding, as ssh-keygen -l prints it.
    expect(parser.record.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const row = toZeekSshRecord(
      { timestampUs: 0, uid: 'C', originatorAddress: 'a', originatorPort: 1, responderAddress: 'b', responderPort: 22 },
      parser.record,
    );
    expect(row.host_key_fingerprint).toBe(parser.record.hostKeyFingerprint);
    expect(row.kex_alg).toBe('curve25519-sha256');
    expect(row.version).toBe(2);
  });

  it('reports version 1 for an SSH-1.5 client', () => {
    const parser = new SshStreamParser();
    parser.push(true, new Uint8Array(ascii('SSH-1.5-OpenSSH_6.2\n')));
    parser.push(false, new Uint8Array(ascii('SSH-1.99-OpenSSH_6.6\n')));
    expect(parser.record.version).toBe(1);
  });
});

const SSH_HOSTILE: [rule: string, bytes: Bytes][] = [
  ['line longer than 255 bytes', ascii('x'.repeat(300))],
  ['33 lines without a banner', ascii('hello\n'.repeat(33))],
  ['packet length 2^32-1', [...ascii('SSH-2.0-x\n'), 0xff, 0xff, 0xff, 0xff, 0]],
  ['padding longer than the packet', [...ascii('SSH-2.0-x\n'), ...u32(5), 200, 20, 0, 0, 0]],
  ['name-list length past the packet', [...ascii('SSH-2.0-x\n'), ...sshPacket([20, ...zeros(16), ...u32(0x7fffffff)])]],
  ['KEX reply host key length past the payload', [...ascii('SSH-2.0-x\n'), ...sshPacket([31, ...u32(1000), 1, 2])]],
];

describe('SSH hostile input', () => {
  it.each(SSH_HOSTILE)('%s', (_rule, bytes) => {
    for (let end = 0; end <= bytes.length; end++) {
      for (const isFromOriginator of [true, false]) {
        const parser = new SshStreamParser();
        expect(() => parser.push(isFromOriginator, new Uint8Array(bytes.slice(0, end)))).not.toThrow();
        expect(parser.record.hassh).toBeNull();
      }
    }
  });

  it('reports an oversized packet', () => {
    const parser = new SshStreamParser();
    parser.push(true, new Uint8Array([...ascii('SSH-2.0-x\n'), 0, 1, 0, 0]));
    expect(parser.record.problems).toEqual(['originator: packet length over 35000 bytes before NEWKEYS']);
  });
});

describe('SSH authentication heuristic', () => {
  const newKeys = sshPacket([21]);

  /** Runs a handshake with the given server compression list, then the encrypted segment sizes in order. */
  function runSession(
    serverCompression: string,
    segments: [isFromOriginator: boolean, length: number][],
  ): SshStreamParser {
    const serverLists = [...SERVER_LISTS];
    serverLists[6] = serverCompression;
    const parser = new SshStreamParser();
    parser.push(true, new Uint8Array([...ascii('SSH-2.0-c\r\n'), ...kexInit(CLIENT_LISTS)]));
    parser.push(false, new Uint8Array([...ascii('SSH-2.0-s\r\n'), ...kexInit(serverLists), ...newKeys]));
    // The client's NEWKEYS shares its segment with 48 encrypted bytes (the SERVICE_REQUEST).
    parser.push(true, new Uint8Array([...newKeys, ...new Array<number>(48).fill(0xee)]));
    for (const [isFromOriginator, length] of segments) parser.push(isFromOriginator, new Uint8Array(length).fill(0xee));
    return parser;
  }

  it('counts a failure then a success', () => {
    const parser = runSession('none', [
      [false, 48], // SERVICE_ACCEPT
      [true, 80],
      [false, 64], // first USERAUTH_FAILURE: sets the failure size
      [true, 80],
      [false, 64], // same size again: a failed attempt
      [true, 80],
      [false, 32], // 16 bytes under SERVICE_ACCEPT: USERAUTH_SUCCESS
    ]);
    expect(parser.record.problems).toEqual([]);
    expect(parser.record.authSuccess).toBe(true);
    expect(parser.record.authAttempts).toBe(2);
  });

  it('skips one pre-auth banner', () => {
    const parser = runSession('none', [
      [false, 48],
      [false, 600], // more than 256 bytes over SERVICE_ACCEPT: a banner
      [false, 64],
      [false, 64],
    ]);
    expect(parser.record.authSuccess).toBe(false);
    expect(parser.record.authAttempts).toBe(1);
  });

  it('counts nothing with zlib compression', () => {
    const parser = runSession('zlib@openssh.com', [
      [false, 48],
      [false, 64],
      [false, 64],
    ]);
    expect(parser.record.compressionAlgorithm).toBe('zlib@openssh.com');
    expect(parser.record.authSuccess).toBeNull();
    expect(parser.record.authAttempts).toBe(0);
  });
});
