import { describe, expect, it } from 'vitest';
import { MAX_NETWORK_LAYERS } from '../../../src/main/engine/decode/decoded-packet';
import { decode, layerOf } from './decode-test-helpers';
import { ethernet, gre, ipv4, ipv6, tcp, udp, uint16, uint32, vxlan, type Bytes } from './packet-bytes';

const INNER_A: Bytes = [10, 0, 0, 1];
const INNER_B: Bytes = [10, 0, 0, 2];
const INNER_IPV4_TCP = ipv4({ protocol: 6, source: INNER_A, destination: INNER_B, payload: tcp({ destinationPort: 8080 }) });
const INNER_IPV6_UDP = ipv6({ nextHeader: 17, payload: udp(1234, 53, [0, 0]) });

/** Expect an outer layer and an inner IPv4/TCP layer to port 8080 reached through `tunnel`. */
function expectInnerTcp(bytes: Bytes, linkType: number, tunnel: string, innerIpOffset: number): void {
  const out = decode(bytes, linkType);
  expect(out.problem).toBeNull();
  expect(out.layerCount).toBe(2);
  expect(layerOf(out, 0).tunnel).toBe('none');
  const inner = layerOf(out, 1);
  expect(inner.tunnel).toBe(tunnel);
  expect(inner.ipOffset).toBe(innerIpOffset);
  expect(inner.destinationPort).toBe(8080);
  expect(inner.isIcmpQuote).toBe(false);
}

describe('GRE', () => {
  it('decodes IPv4 in plain GRE', () => {
    expectInnerTcp(ipv4({ protocol: 47, payload: gre({ protocol: 0x0800 }, INNER_IPV4_TCP) }), 101, 'gre', 24);
  });

  it('skips checksum, key and sequence', () => {
    const packet = gre({ protocol: 0x0800, checksum: true, key: 7, sequence: 9 }, INNER_IPV4_TCP);
    expectInnerTcp(ipv4({ protocol: 47, payload: packet }), 101, 'gre', 20 + 16);
  });

  it('decodes transparent Ethernet bridging', () => {
    const packet = gre({ protocol: 0x6558 }, ethernet(0x0800, INNER_IPV4_TCP));
    expectInnerTcp(ethernet(0x0800, ipv4({ protocol: 47, payload: packet })), 1, 'gre', 14 + 20 + 4 + 14);
  });

  it('decodes PPTP enhanced GRE with PPP', () => {
    // Version 1, key (payload length 0x002c, call id 6) and sequence and acknowledgement, then PPP FF 03 0021.
    const packet = gre({ protocol: 0x880b, version: 1, key: 0x002c0006, sequence: 1, acknowledgement: 2 }, [0xff, 0x03, ...uint16(0x0021), ...INNER_IPV4_TCP]);
    expectInnerTcp(ipv4({ protocol: 47, payload: packet }), 101, 'gre', 20 + 16 + 4);
  });

  it('accepts a PPTP acknowledgement without payload', () => {
    const out = decode(ipv4({ protocol: 47, payload: gre({ protocol: 0x880b, version: 1, key: 6, acknowledgement: 2 }, []) }), 101);
    expect(out.problem).toBeNull();
    expect(out.layerCount).toBe(1);
  });

  it('decodes ERSPAN type II', () => {
    // GRE sequence flag set. ERSPAN II header: version 1, VLAN 0, session 1, index 0.
    const erspan: Bytes = [0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00];
    const packet = gre({ protocol: 0x88be, sequence: 1 }, [...erspan, ...ethernet(0x0800, INNER_IPV4_TCP)]);
    expectInnerTcp(ipv4({ protocol: 47, payload: packet }), 101, 'gre', 20 + 8 + 8 + 14);
  });

  it('decodes ERSPAN type I', () => {
    const packet = gre({ protocol: 0x88be }, ethernet(0x0800, INNER_IPV4_TCP));
    expectInnerTcp(ipv4({ protocol: 47, payload: packet }), 101, 'gre', 20 + 4 + 14);
  });

  it('decodes ERSPAN type III with subheader', () => {
    // 12-byte header with the O flag (lowest bit of byte 11), then an 8-byte platform subheader.
    const erspan: Bytes = [0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x01, ...new Array<number>(8).fill(0)];
    const packet = gre({ protocol: 0x22eb, sequence: 1 }, [...erspan, ...ethernet(0x0800, INNER_IPV4_TCP)]);
    expectInnerTcp(ipv4({ protocol: 47, payload: packet }), 101, 'gre', 20 + 8 + 20 + 14);
  });

  it('decodes MPLS in GRE', () => {
    const packet = gre({ protocol: 0x8847 }, [0x00, 0x01, 0x01, 64, ...INNER_IPV4_TCP]);
    expectInnerTcp(ipv4({ protocol: 47, payload: packet }), 101, 'gre', 28);
  });
});

describe('UDP tunnels', () => {
  it('decodes VXLAN', () => {
    const frame = ethernet(0x0800, ipv4({ protocol: 17, payload: udp(54321, 4789, vxlan(100, ethernet(0x0800, INNER_IPV4_TCP))) }));
    expectInnerTcp(frame, 1, 'vxlan', 14 + 20 + 8 + 8 + 14);
    // The outer frame keeps its MAC offsets and EtherType.
    const out = decode(frame, 1);
    expect(out.sourceMacOffset).toBe(6);
    expect(out.destinationMacOffset).toBe(0);
    expect(out.etherType).toBe(0x0800);
  });

  it('decodes VXLAN from source port 4789', () => {
    const packet = udp(4789, 54321, vxlan(100, ethernet(0x0800, INNER_IPV4_TCP)));
    expectInnerTcp(ipv4({ protocol: 17, payload: packet }), 101, 'vxlan', 20 + 8 + 8 + 14);
  });

  it('ignores VXLAN without the I flag', () => {
    const packet = udp(54321, 4789, [0x00, ...vxlan(100, ethernet(0x0800, INNER_IPV4_TCP)).slice(1)]);
    const out = decode(ipv4({ protocol: 17, payload: packet }), 101);
    expect(out.problem).toBeNull();
    expect(out.layerCount).toBe(1);
  });

  it('decodes Geneve with options', () => {
    // Version 0, options length 2 (8 bytes), protocol 6558; VNI; one option of 8 bytes.
    const geneve: Bytes = [0x02, 0x00, ...uint16(0x6558), 0, 0, 1, 0, ...uint16(0x0102), 0x03, 0x01, ...uint32(0)];
    const packet = udp(1, 6081, [...geneve, ...ethernet(0x0800, INNER_IPV4_TCP)]);
    expectInnerTcp(ipv4({ protocol: 17, payload: packet }), 101, 'geneve', 20 + 8 + 16 + 14);
  });

  it('decodes Teredo with origin indication', () => {
    // Origin indication: 0000, obfuscated port, obfuscated IPv4 address.
    const origin: Bytes = [0x00, 0x00, 0xf2, 0x27, 0x3f, 0xff, 0xfd, 0xfe];
    const out = decode(ipv4({ protocol: 17, payload: udp(3544, 40000, [...origin, ...INNER_IPV6_UDP]) }), 101);
    expect(out.problem).toBeNull();
    expect(layerOf(out, 1).tunnel).toBe('teredo');
    expect(layerOf(out, 1).ipOffset).toBe(36);
    expect(layerOf(out, 1).destinationPort).toBe(53);
  });

  it('decodes Teredo with authentication', () => {
    // Authentication: 0001, client id length 2, auth length 1, id, auth value, nonce (8), confirmation.
    const authentication: Bytes = [0x00, 0x01, 2, 1, 0xaa, 0xbb, 0xcc, ...new Array<number>(8).fill(1), 0];
    const out = decode(ipv4({ protocol: 17, payload: udp(40000, 3544, [...authentication, ...INNER_IPV6_UDP]) }), 101);
    expect(layerOf(out, 1).ipOffset).toBe(28 + authentication.length);
  });

  it('treats Teredo port data that is not IPv6 as UDP', () => {
    // An IPv6 header whose payload length exceeds the datagram.
    const notIpv6 = ipv6({ nextHeader: 17, payloadLength: 500, payload: [] });
    const out = decode(ipv4({ protocol: 17, payload: udp(3544, 3544, notIpv6) }), 101);
    expect(out.problem).toBeNull();
    expect(out.layerCount).toBe(1);
  });

  it('decodes Teredo off port 3544 by payload', () => {
    // Client 2001:0:4137:9e50::1 (Teredo prefix 2001::/32) to a native IPv6 host, UDP 40000 -> 32900.
    const teredoClient: Bytes = [0x20, 0x01, 0, 0, 0x41, 0x37, 0x9e, 0x50, 0, 0, 0, 0, 0, 0, 0, 1];
    const inner = ipv6({ nextHeader: 6, source: teredoClient, payload: tcp({ sourcePort: 1286, destinationPort: 80 }) });
    const out = decode(ipv4({ protocol: 17, payload: udp(40000, 32900, inner) }), 101);
    expect(out.layerCount).toBe(2);
    expect(layerOf(out, 1).tunnel).toBe('teredo');
    expect(layerOf(out, 1).destinationPort).toBe(80);
  });

  it('leaves IPv6-looking UDP without the Teredo prefix alone', () => {
    // Same datagram, but neither address is in 2001::/32, so it stays plain UDP data.
    const inner = ipv6({ nextHeader: 6, payload: tcp({ sourcePort: 1286, destinationPort: 80 }) });
    const out = decode(ipv4({ protocol: 17, payload: udp(40000, 32900, inner) }), 101);
    expect(out.layerCount).toBe(1);
  });

  it('leaves off-port IPv6 with a loose length alone', () => {
    // A Teredo-prefixed header whose payload length leaves trailing bytes in the datagram.
    const teredoClient: Bytes = [0x20, 0x01, 0, 0, 0x41, 0x37, 0x9e, 0x50, 0, 0, 0, 0, 0, 0, 0, 1];
    const inner = ipv6({ nextHeader: 59, source: teredoClient, payload: [] });
    const out = decode(ipv4({ protocol: 17, payload: udp(40000, 32900, [...inner, 0, 0]) }), 101);
    expect(out.layerCount).toBe(1);
  });

  it('decodes GTP-U with an extension header', () => {
    // Flags 0x34 (version 1, PT, E), G-PDU, length, TEID; sequence, N-PDU, next type 0x85 (PDU session container);
    // extension: length 1 (4 bytes), 2 content bytes, next type 0.
    const gtp: Bytes = [0x34, 0xff, ...uint16(8 + INNER_IPV4_TCP.length), ...uint32(0x1234), 0, 0, 0, 0x85, 1, 0x10, 0x05, 0x00];
    expectInnerTcp(ipv4({ protocol: 17, payload: udp(2152, 2152, [...gtp, ...INNER_IPV4_TCP]) }), 101, 'gtp', 20 + 8 + 16);
  });

  it('decodes AYIYA forwarding IPv6', () => {
    // IdLen 4 (16-byte identity), id type 1; SigLen 5 (20-byte SHA-1), hash 2; auth 1, opcode 1 (forward);
    // next header 41; epoch; identity; signature.
    const ayiya: Bytes = [0x41, 0x52, 0x11, 41, ...uint32(0x5f000000), ...new Array<number>(16 + 20).fill(0)];
    const out = decode(ipv4({ protocol: 17, payload: udp(5072, 5072, [...ayiya, ...INNER_IPV6_UDP]) }), 101);
    expect(out.problem).toBeNull();
    expect(layerOf(out, 1).tunnel).toBe('ayiya');
    expect(layerOf(out, 1).ipOffset).toBe(20 + 8 + 44);
    expect(layerOf(out, 1).destinationPort).toBe(53);
  });

  it('ignores AYIYA echo messages', () => {
    // Opcode 2 (echo request) carries no packet.
    const ayiya: Bytes = [0x00, 0x00, 0x02, 59, ...uint32(0), 0];
    const out = decode(ipv4({ protocol: 17, payload: udp(5072, 5072, ayiya) }), 101);
    expect(out.problem).toBeNull();
    expect(out.layerCount).toBe(1);
  });
});

describe('IP in IP', () => {
  it('decodes IPv4 in IPv4', () => {
    expectInnerTcp(ipv4({ protocol: 4, payload: INNER_IPV4_TCP }), 101, 'ip-in-ip', 20);
  });

  it('decodes IPv6 in IPv4 and in IPv6', () => {
    for (const outer of [ipv4({ protocol: 41, payload: INNER_IPV6_UDP }), ipv6({ nextHeader: 41, payload: INNER_IPV6_UDP })]) {
      const out = decode(outer, 101);
      expect(out.layerCount).toBe(2);
      expect(layerOf(out, 1).tunnel).toBe('ip-in-ip');
      expect(layerOf(out, 1).ipVersion).toBe(6);
    }
  });

  it('stops at the maximum tunnel depth', () => {
    // MAX_NETWORK_LAYERS + 1 nested IPv4 headers.
    let packet: Bytes = INNER_IPV4_TCP;
    for (let i = 0; i < MAX_NETWORK_LAYERS; i++) packet = ipv4({ protocol: 4, payload: packet });
    const out = decode(packet, 101);
    expect(out.problem).toBe('tunnel-depth-exceeded');
    expect(out.problemOffset).toBe(20 * MAX_NETWORK_LAYERS);
    expect(out.isTruncated).toBe(false);
    expect(out.layerCount).toBe(MAX_NETWORK_LAYERS);
  });

  it('stops nested GRE at the maximum depth', () => {
    let packet: Bytes = INNER_IPV4_TCP;
    for (let i = 0; i < MAX_NETWORK_LAYERS + 2; i++) packet = ipv4({ protocol: 47, payload: gre({ protocol: 0x0800 }, packet) });
    const out = decode(packet, 101);
    expect(out.problem).toBe('tunnel-depth-exceeded');
    expect(out.layerCount).toBe(MAX_NETWORK_LAYERS);
  });

  it('stops nested Teredo at the maximum depth', () => {
    // IPv6/UDP/Teredo repeated: each level is an IPv6 header, a UDP header to port 3544 and the next level.
    let packet: Bytes = INNER_IPV6_UDP;
    for (let i = 0; i < MAX_NETWORK_LAYERS + 1; i++) packet = ipv6({ nextHeader: 17, payload: udp(3544, 3544, packet) });
    const out = decode(packet, 101);
    expect(out.problem).toBe('tunnel-depth-exceeded');
    expect(out.layerCount).toBe(MAX_NETWORK_LAYERS);
  });
});
