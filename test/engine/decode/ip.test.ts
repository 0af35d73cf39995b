import { describe, expect, it } from 'vitest';
import { decode, layerOf } from './decode-test-helpers';
import {
  ethernet,
  ipv4,
  ipv6,
  ipv6ExtensionHeader,
  ipv6FragmentHeader,
  tcp,
  udp,
  uint32,
  type Bytes,
} from './packet-bytes';

const RAW_IP = 101;

describe('IPv4', () => {
  it('reads header fields', () => {
    const out = decode(ipv4({ protocol: 17, ttl: 33, identification: 0xbeef, payload: udp(1000, 2000, [9, 9]) }), RAW_IP);
    const layer = layerOf(out, 0);
    expect(out.problem).toBeNull();
    expect(layer.ipVersion).toBe(4);
    expect(layer.protocol).toBe(17);
    expect(layer.hopLimit).toBe(33);
    expect(layer.ipLength).toBe(30);
    expect(layer.sourceAddressOffset).toBe(12);
    expect(layer.destinationAddressOffset).toBe(16);
    expect(layer.fragmentId).toBe(0xbeef);
    expect(layer.isFragment).toBe(false);
    expect(layer.isIpChecksumBad).toBe(false);
    expect(layer.tunnel).toBe('none');
  });

  it('skips options by header length', () => {
    // 8 bytes of options: NOP NOP NOP NOP, then end-of-list padding.
    const out = decode(ipv4({ protocol: 6, options: [1, 1, 1, 1, 0, 0, 0, 0], payload: tcp() }), RAW_IP);
    expect(layerOf(out, 0).transportOffset).toBe(28);
    expect(layerOf(out, 0).destinationPort).toBe(80);
  });

  it('flags a bad checksum without dropping', () => {
    const out = decode(ipv4({ protocol: 6, checksum: 0x1234, payload: tcp() }), RAW_IP);
    expect(out.problem).toBeNull();
    expect(layerOf(out, 0).isIpChecksumBad).toBe(true);
    expect(layerOf(out, 0).hasTransport).toBe(true);
  });

  it('decodes the first fragment with ports', () => {
    // More fragments (0x2000), offset 0.
    const out = decode(ipv4({ protocol: 17, flagsAndOffset: 0x2000, payload: udp(53, 5353, [1, 2, 3, 4], 1000) }), RAW_IP);
    const layer = layerOf(out, 0);
    // The UDP length covers the whole datagram, not this fragment: no problem.
    expect(out.problem).toBeNull();
    expect(layer.isFragment).toBe(true);
    expect(layer.hasMoreFragments).toBe(true);
    expect(layer.fragmentOffset).toBe(0);
    expect(layer.hasTransport).toBe(true);
    expect(layer.destinationPort).toBe(5353);
    expect(layer.payloadLength).toBe(4);
  });

  it('gives later fragments no transport', () => {
    // Offset 185 units = 1480 bytes, last fragment.
    const out = decode(ipv4({ protocol: 17, flagsAndOffset: 185, payload: [1, 2, 3, 4, 5, 6, 7, 8] }), RAW_IP);
    const layer = layerOf(out, 0);
    expect(out.problem).toBeNull();
    expect(layer.isFragment).toBe(true);
    expect(layer.hasMoreFragments).toBe(false);
    expect(layer.fragmentOffset).toBe(1480);
    expect(layer.hasTransport).toBe(false);
  });

  it('keeps the claimed length of a cut packet', () => {
    // 1500-byte packet captured with a 54-byte snaplen (Ethernet 14 + IP 20 + TCP 20).
    const full = ethernet(0x0800, ipv4({ protocol: 6, payload: tcp({ flags: 0x18, payload: new Array<number>(1460).fill(0x41) }) }));
    const out = decode(full.slice(0, 54), 1);
    const layer = layerOf(out, 0);
    expect(out.isTruncated).toBe(true);
    expect(out.problem).toBeNull();
    expect(layer.ipLength).toBe(1500);
    expect(layer.payloadLength).toBe(0);
    expect(layer.claimedPayloadLength).toBe(1460);
    expect(layer.tcpFlags).toBe(0x18);
  });

  it('takes a zero total length as offloaded', () => {
    const out = decode(ipv4({ protocol: 6, totalLength: 0, payload: tcp({ payload: [1, 2, 3] }) }), RAW_IP);
    expect(out.problem).toBeNull();
    expect(layerOf(out, 0).ipLength).toBe(43);
    expect(layerOf(out, 0).payloadLength).toBe(3);
  });

  it('rejects a total length below the header', () => {
    const out = decode(ipv4({ protocol: 6, totalLength: 19, payload: tcp() }), RAW_IP);
    expect(out.problem).toBe('invalid-ipv4-total-length');
    expect(out.problemOffset).toBe(2);
    expect(out.layerCount).toBe(0);
  });

  it('rejects a header length below 20', () => {
    const bytes = ipv4({ protocol: 6, payload: tcp() });
    bytes[0] = 0x44; // IHL 4 = 16 bytes
    const out = decode(bytes, RAW_IP);
    expect(out.problem).toBe('invalid-ipv4-header-length');
    expect(out.isTruncated).toBe(false);
  });
});

describe('IPv6', () => {
  it('reads header fields', () => {
    const out = decode(ipv6({ nextHeader: 6, hopLimit: 7, payload: tcp({ destinationPort: 22 }) }), RAW_IP);
    const layer = layerOf(out, 0);
    expect(layer.ipVersion).toBe(6);
    expect(layer.ipLength).toBe(60);
    expect(layer.hopLimit).toBe(7);
    expect(layer.sourceAddressOffset).toBe(8);
    expect(layer.destinationAddressOffset).toBe(24);
    expect(layer.destinationPort).toBe(22);
  });

  it('walks hop-by-hop, routing and destination options', () => {
    // Hop-by-hop (8 bytes) -> routing (16 bytes) -> destination options (8 bytes) -> UDP.
    const chain = ipv6ExtensionHeader(43, 0, ipv6ExtensionHeader(60, 1, ipv6ExtensionHeader(17, 0, udp(7, 9, [0]))));
    const out = decode(ipv6({ nextHeader: 0, payload: chain }), RAW_IP);
    const layer = layerOf(out, 0);
    expect(out.problem).toBeNull();
    expect(layer.protocol).toBe(17);
    expect(layer.transportOffset).toBe(40 + 8 + 16 + 8);
    expect(layer.destinationPort).toBe(9);
  });

  it('skips AH by 4-byte units', () => {
    // AH: next header 6, payload length 4 -> (4 + 2) * 4 = 24 bytes.
    const ah: Bytes = [6, 4, 0, 0, ...uint32(0x100), ...uint32(1), ...new Array<number>(12).fill(0)];
    const out = decode(ipv6({ nextHeader: 51, payload: [...ah, ...tcp()] }), RAW_IP);
    expect(layerOf(out, 0).transportOffset).toBe(64);
    expect(layerOf(out, 0).protocol).toBe(6);
  });

  it('records fragment header fields', () => {
    const first = decode(ipv6({ nextHeader: 44, payload: ipv6FragmentHeader(17, 0, true, 0xcafe, udp(1, 2, [3])) }), RAW_IP);
    expect(layerOf(first, 0).isFragment).toBe(true);
    expect(layerOf(first, 0).hasMoreFragments).toBe(true);
    expect(layerOf(first, 0).fragmentId).toBe(0xcafe);
    expect(layerOf(first, 0).hasTransport).toBe(true);

    const later = decode(ipv6({ nextHeader: 44, payload: ipv6FragmentHeader(17, 1232, false, 0xcafe, [1, 2, 3, 4]) }), RAW_IP);
    expect(layerOf(later, 0).fragmentOffset).toBe(1232);
    expect(layerOf(later, 0).hasTransport).toBe(false);
    expect(later.problem).toBeNull();
  });

  it.each([
    ['ESP', 50],
    ['no next header', 59],
    ['mobility', 135],
  ])('stops at %s without a problem', (_name, nextHeader) => {
    const out = decode(ipv6({ nextHeader, payload: [59, 0, 0, 0, 0, 0, 0, 0] }), RAW_IP);
    expect(out.problem).toBeNull();
    expect(layerOf(out, 0).protocol).toBe(nextHeader);
    expect(layerOf(out, 0).hasTransport).toBe(false);
  });

  it('rejects more than 8 extension headers', () => {
    let chain: Bytes = udp(1, 2, []);
    for (let i = 0; i < 9; i++) chain = ipv6ExtensionHeader(i === 0 ? 17 : 60, 0, chain);
    const out = decode(ipv6({ nextHeader: 60, payload: chain }), RAW_IP);
    expect(out.problem).toBe('ipv6-extension-chain-too-long');
    expect(out.problemOffset).toBe(40 + 8 * 8);
    expect(out.layerCount).toBe(1);
  });

  it('accepts exactly 8 extension headers', () => {
    let chain: Bytes = udp(1, 2, []);
    for (let i = 0; i < 8; i++) chain = ipv6ExtensionHeader(i === 0 ? 17 : 60, 0, chain);
    const out = decode(ipv6({ nextHeader: 60, payload: chain }), RAW_IP);
    expect(out.problem).toBeNull();
    expect(layerOf(out, 0).destinationPort).toBe(2);
  });

  it('measures a jumbogram by the bytes present', () => {
    // Payload length 0 with a hop-by-hop header: jumbo payload option C2, length 4, value 28.
    const hopByHop: Bytes = [17, 0, 0xc2, 4, ...uint32(28)];
    const out = decode(ipv6({ nextHeader: 0, payloadLength: 0, payload: [...hopByHop, ...udp(1, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 0)] }), RAW_IP);
    expect(layerOf(out, 0).ipLength).toBe(40 + 28);
  });
});
