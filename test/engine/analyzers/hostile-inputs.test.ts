/**
 * Hostile-input tables for the smaller parsers: DHCP options, the SOCKS
 * handshake, UDP fragment reassembly and service identification. None may
 * throw or hang; each case states the rule it checks.
 */
import { describe, expect, it } from 'vitest';
import { parseDhcpMessage } from '../../../src/main/engine/analyzers/dhcp-message';
import { identifyTcpService, identifyUdpService } from '../../../src/main/engine/analyzers/service-identification';
import { SocksHandshake } from '../../../src/main/engine/analyzers/socks-handshake';
import { UdpFragmentReassembler } from '../../../src/main/engine/analyzers/udp-fragment-reassembler';
import { createNetworkLayer, type NetworkLayer } from '../../../src/main/engine/decode/decoded-packet';

/** A BOOTP header with the magic cookie, followed by `options`. */
function buildDhcp(options: number[]): Uint8Array {
  const message = new Uint8Array(240 + options.length);
  message.set([2, 1, 6, 0, 0, 0, 0, 1], 0);
  message.set([0x63, 0x82, 0x53, 0x63], 236);
  message.set(options, 240);
  return message;
}

describe('parseDhcpMessage hostile inputs', () => {
  const cases: [string, Uint8Array, string | null][] = [
    ['option length past the end', buildDhcp([12, 200, 0x61]), 'DHCP_option_truncated'],
    ['option code with no length byte', buildDhcp([12]), 'DHCP_option_truncated'],
    ['lease time of 3 bytes is ignored, not read past', buildDhcp([51, 3, 1, 2, 3, 255]), null],
    ['message type of 2 bytes is ignored', buildDhcp([53, 2, 1, 1, 255]), null],
    ['255 pad bytes then more: the walk stops at its cap', buildDhcp([...new Array<number>(300).fill(0), 53, 1, 1]), null],
    ['overload into file with a truncated option there', (() => {
      const message = buildDhcp([52, 1, 1, 255]);
      message[108] = 12;
      message[109] = 200;
      return message;
    })(), 'DHCP_option_truncated'],
    ['wrong magic cookie', (() => {
      const message = buildDhcp([255]);
      message[239] = 0;
      return message;
    })(), 'DHCP_bad_magic_cookie'],
  ];
  it.each(cases)('%s', (_name, bytes, problem) => {
    expect(parseDhcpMessage(bytes).problem).toBe(problem);
  });

  it('caps the options walked per area', () => {
    const { message } = parseDhcpMessage(buildDhcp([...new Array<number>(300).fill(0), 53, 1, 1]));
    // The type option sits after 300 pad bytes, past the 255-option cap, so it is not read.
    expect(message?.messageType).toBeNull();
  });
});

describe('SocksHandshake hostile inputs', () => {
  it('rejects a version that is neither 4 nor 5', () => {
    const socks = new SocksHandshake();
    socks.consume(Uint8Array.of(6, 1, 0), true);
    expect(socks.hasFailed()).toBe(true);
  });

  it('fails a SOCKS 4 user id that never ends', () => {
    const socks = new SocksHandshake();
    socks.consume(Uint8Array.from([4, 1, 0, 80, 10, 0, 0, 1, ...new Array<number>(700).fill(0x61)]), true);
    expect(socks.hasFailed()).toBe(true);
  });

  it('fails an unknown SOCKS 5 address type', () => {
    const socks = new SocksHandshake();
    socks.consume(Uint8Array.of(5, 1, 0), true);
    socks.consume(Uint8Array.of(5, 0), false);
    socks.consume(Uint8Array.of(5, 1, 0, 9, 0, 0), true);
    expect(socks.hasFailed()).toBe(true);
  });

  it('reads a SOCKS 5 exchange with user name authentication one byte at a time', () => {
    const socks = new SocksHandshake();
    const feed = (bytes: number[], isFromOriginator: boolean): number => bytes.reduce((used, byte) => used + socks.consume(Uint8Array.of(byte), isFromOriginator), 0);
    feed([5, 1, 2], true);
    feed([5, 2], false);
    feed([1, 3, 0x61, 0x6e, 0x61, 2, 0x70, 0x77], true);
    feed([1, 0], false);
    feed([5, 1, 0, 3, 4, 0x68, 0x6f, 0x73, 0x74, 0, 80], true);
    feed([5, 0, 0, 1, 0, 0, 0, 0, 0, 0], false);
    expect(socks.isDone(true)).toBe(true);
    expect(socks.isDone(false)).toBe(true);
    expect(socks.consume(Uint8Array.of(0x47), true)).toBe(0);
  });
});

describe('UdpFragmentReassembler hostile inputs', () => {
  function fragment(id: number, offset: number, payload: number[], udpLength?: number): { layer: NetworkLayer; data: Uint8Array } {
    const header = offset === 0 ? [0, 53, 0x9c, 0x40, (udpLength ?? 0) >> 8, (udpLength ?? 0) & 0xff, 0, 0] : [];
    const data = Uint8Array.from([0x45, ...new Array<number>(19).fill(0), ...header, ...payload]);
    const layer = { ...createNetworkLayer(), ipVersion: 4, protocol: 17, ipLength: data.length, isFragment: true, fragmentId: id, fragmentOffset: offset, transportOffset: 20, payloadOffset: 28, payloadLength: data.length - 28 };
    return { layer, data };
  }

  it('waits while a hole remains', () => {
    const reassembler = new UdpFragmentReassembler();
    const first = fragment(1, 0, [1, 2, 3, 4, 5, 6, 7, 8], 8 + 24);
    const last = fragment(1, 24, [9, 9, 9, 9, 9, 9, 9, 9]);
    expect(reassembler.addFragment(first.layer, first.data)).toBeNull();
    expect(reassembler.addFragment(last.layer, last.data)).toBeNull();
  });

  it('keeps the first copy of overlapping bytes', () => {
    const reassembler = new UdpFragmentReassembler();
    const first = fragment(2, 0, [1, 2, 3, 4, 5, 6, 7, 8], 8 + 12);
    // IP offset 8 is UDP payload offset 0: the same bytes as the first fragment carried.
    const overlap = fragment(2, 8, [0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee]);
    const tail = fragment(2, 16, [9, 10, 11, 12]);
    reassembler.addFragment(first.layer, first.data);
    reassembler.addFragment(overlap.layer, overlap.data);
    expect(Array.from(reassembler.addFragment(tail.layer, tail.data) ?? [])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('ignores a UDP length shorter than its header', () => {
    const reassembler = new UdpFragmentReassembler();
    const first = fragment(3, 0, [1, 2, 3], 4);
    expect(reassembler.addFragment(first.layer, first.data)).toBeNull();
  });

  it('drops the oldest datagram past eight pending ones', () => {
    const reassembler = new UdpFragmentReassembler();
    for (let id = 10; id < 20; id++) {
      const piece = fragment(id, 0, [1, 2, 3, 4, 5, 6, 7, 8], 8 + 16);
      reassembler.addFragment(piece.layer, piece.data);
    }
    const lateTail = fragment(10, 16, [1, 2, 3, 4, 5, 6, 7, 8]);
    // Datagram 10 was dropped, so its tail alone completes nothing.
    expect(reassembler.addFragment(lateTail.layer, lateTail.data)).toBeNull();
    const keptTail = fragment(19, 16, [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(reassembler.addFragment(keptTail.layer, keptTail.data)?.length).toBe(16);
  });
});

describe('service identification hostile inputs', () => {
  it('never throws on every prefix of each signature', () => {
    const samples = [
      'GET / HTTP/1.1\r\n', 'SSH-2.0-x\r\n', '\x16\x03\x01\x00\x05\x01', '\x00\x00\x00\x40\xfeSMB', '\x03\x00\x00\x13\x0e\xe0',
      '220 mail ESMTP\r\n', '* OK IMAP\r\n', '\x05\x01\x00', '\x04\x01\x00\x50\x0a\x00\x00\x01\x00',
    ];
    for (const sample of samples) {
      const bytes = Buffer.from(sample, 'latin1');
      for (let length = 0; length <= bytes.length; length++) {
        expect(() => identifyTcpService(bytes.subarray(0, length), true)).not.toThrow();
        expect(() => identifyTcpService(bytes.subarray(0, length), false)).not.toThrow();
        expect(() => identifyUdpService(bytes.subarray(0, length))).not.toThrow();
      }
    }
  });

  it('does not call a 300-byte zero datagram DNS, DHCP or NTP', () => {
    expect(identifyUdpService(new Uint8Array(300))).toBeNull();
  });
});
