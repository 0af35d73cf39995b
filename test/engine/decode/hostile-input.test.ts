import { describe, expect, it } from 'vitest';
import { createDecodedPacket, MAX_NETWORK_LAYERS, type DecodedPacket } from '../../../src/main/engine/decode/decoded-packet';
import { decodePacket } from '../../../src/main/engine/decode/packet-decoder';
import { decode, layerOf } from './decode-test-helpers';
import {
  ethernet,
  gre,
  icmp,
  ipv4,
  ipv6,
  ipv6ExtensionHeader,
  MAC_A,
  tcp,
  udp,
  uint16,
  uint16Le,
  uint32Le,
  vlanTag,
  vxlan,
  type Bytes,
} from './packet-bytes';

const IPV4_TCP = ipv4({ protocol: 6, payload: tcp({ options: [2, 4, 5, 0xb4], payload: [1, 2, 3] }) });
const IPV6_UDP = ipv6({ nextHeader: 0, payload: ipv6ExtensionHeader(17, 0, udp(1, 2, [3, 4])) });

/**
 * Valid packets whose every prefix must decode without throwing and be
 * marked as cut, except prefixes listed in `wholeAt`, which are themselves
 * valid packets.
 */
const VALID_PACKETS: [name: string, linkType: number, bytes: Bytes, wholeAt?: number[]][] = [
  ['Ethernet/IPv4/TCP with options', 1, ethernet(0x0800, IPV4_TCP)],
  ['Ethernet/VLAN/IPv6/hop-by-hop/UDP', 1, ethernet(0x8100, vlanTag(7, 0x86dd, IPV6_UDP))],
  ['Ethernet/MPLS/IPv4', 1, ethernet(0x8847, [0, 1, 0, 64, 0, 1, 1, 64, ...IPV4_TCP])],
  ['Ethernet/PPPoE/IPv4', 1, ethernet(0x8864, [0x11, 0, 0, 1, ...uint16(2 + IPV4_TCP.length), 0, 0x21, ...IPV4_TCP])],
  ['Ethernet/ARP', 1, ethernet(0x0806, [0, 1, 8, 0, 6, 4, 0, 2, ...MAC_A, 1, 2, 3, 4, ...MAC_A, 5, 6, 7, 8])],
  ['Ethernet/802.3 SNAP/IPv4', 1, [...MAC_A, ...MAC_A, ...uint16(8 + IPV4_TCP.length), 0xaa, 0xaa, 3, 0, 0, 0, 8, 0, ...IPV4_TCP]],
  ['SLL/IPv4', 113, [0, 0, 0, 1, 0, 6, ...MAC_A, 0, 0, 8, 0, ...IPV4_TCP]],
  ['SLL2/IPv6', 276, [0x86, 0xdd, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, ...MAC_A, 0, 0, ...IPV6_UDP]],
  ['null/IPv4', 0, [...uint32Le(2), ...IPV4_TCP]],
  ['PPP/IPv6', 9, [0xff, 0x03, 0x00, 0x57, ...IPV6_UDP]],
  ['Cisco HDLC/IPv4', 104, [0x0f, 0x00, 0x08, 0x00, ...IPV4_TCP]],
  ['ipnet/IPv4', 226, [2, 2, 0, 0, ...new Array<number>(20).fill(0), ...IPV4_TCP]],
  // An NFLOG record of the 4-byte header alone is a record without payload (NFULNL_COPY_NONE).
  ['NFLOG/IPv4', 239, [2, 0, 0, 0, ...uint16Le(4 + IPV4_TCP.length), ...uint16Le(9), ...IPV4_TCP], [4]],
  ['radiotap/802.11 QoS/IPv4', 127, [0, 0, ...uint16Le(8), ...uint32Le(0), 0x88, 0x01, 0, 0, ...MAC_A, ...MAC_A, ...MAC_A, 0, 0, 0, 0, 0xaa, 0xaa, 3, 0, 0, 0, 8, 0, ...IPV4_TCP]],
  ['IPv4/ICMP unreachable quote', 228, ipv4({ protocol: 1, payload: icmp(3, 1, IPV4_TCP.slice(0, 28)) })],
  ['IPv4/GRE key+sequence/IPv4', 228, ipv4({ protocol: 47, payload: gre({ protocol: 0x0800, key: 1, sequence: 2 }, IPV4_TCP) })],
  ['IPv4/UDP/VXLAN/Ethernet/IPv4', 228, ipv4({ protocol: 17, payload: udp(1, 4789, vxlan(5, ethernet(0x0800, IPV4_TCP))) })],
  ['IPv4/IPv6 (6in4)', 228, ipv4({ protocol: 41, payload: IPV6_UDP })],
  ['IPv4/UDP/Geneve/IPv6', 228, ipv4({ protocol: 17, payload: udp(1, 6081, [0x01, 0, 0x86, 0xdd, 0, 0, 1, 0, 0, 1, 2, 0, ...IPV6_UDP]) })],
  ['IPv4/UDP/GTP-U/IPv4', 228, ipv4({ protocol: 17, payload: udp(2152, 2152, [0x32, 0xff, 0, 44, 0, 0, 0, 1, 0, 1, 0, 0, ...IPV4_TCP]) })],
  ['IPv4/UDP/Teredo/IPv6', 228, ipv4({ protocol: 17, payload: udp(3544, 1, [0, 0, 1, 2, 3, 4, 5, 6, ...IPV6_UDP]) })],
  ['IPv4/UDP/AYIYA/IPv4', 228, ipv4({ protocol: 17, payload: udp(5072, 5072, [0x00, 0x10, 0x01, 4, 0, 0, 0, 0, 9, 0, 0, 0, 0, ...IPV4_TCP]) })],
];

function repeatBytes(bytes: Bytes, count: number): Bytes {
  const result: Bytes = [];
  for (let i = 0; i < count; i++) result.push(...bytes);
  return result;
}

/** Check that every offset the decoder reports lies inside the `length` bytes it was given. */
function expectOffsetsInside(out: DecodedPacket, length: number): void {
  for (let i = 0; i < out.layerCount; i++) {
    const layer = layerOf(out, i);
    const addressLength = layer.ipVersion === 4 ? 4 : 16;
    expect(layer.destinationAddressOffset + addressLength).toBeLessThanOrEqual(length);
    expect(layer.sourceAddressOffset + addressLength).toBeLessThanOrEqual(length);
    if (layer.hasTransport) expect(layer.transportOffset).toBeLessThanOrEqual(length);
    expect(layer.payloadOffset + layer.payloadLength).toBeLessThanOrEqual(length);
    expect(layer.payloadLength).toBeGreaterThanOrEqual(0);
  }
  if (out.sourceMacOffset >= 0) expect(out.sourceMacOffset + 6).toBeLessThanOrEqual(length);
  if (out.hasArp) expect(out.arp.targetProtocolOffset + out.arp.protocolLength).toBeLessThanOrEqual(length);
}

describe('hostile input', () => {
  it.each(VALID_PACKETS)('marks every prefix of %s as cut', (_name, linkType, bytes, wholeAt = []) => {
    const whole = decode(bytes, linkType);
    // The whole packet is clean, so any flag on a prefix comes from the cut.
    expect(whole.problem).toBeNull();
    expect(whole.isTruncated).toBe(false);

    const out = createDecodedPacket();
    for (let length = 0; length < bytes.length; length++) {
      const prefix = Uint8Array.from(bytes.slice(0, length));
      expect(() => decodePacket(prefix, linkType, out)).not.toThrow();
      expect(out.isTruncated, `prefix of ${length} bytes`).toBe(!wholeAt.includes(length));
      // A 'truncated-*' problem always comes with isTruncated; the reverse may hold alone (a cut payload).
      if (out.problem?.startsWith('truncated-') === true) expect(out.isTruncated).toBe(true);
      expect(out.layerCount).toBeLessThanOrEqual(whole.layerCount);
      expectOffsetsInside(out, length);
    }
  });

  it.each<[rule: string, linkType: number, bytes: Bytes, problem: string | null, isTruncated: boolean]>([
    // IHL 15 claims 60 header bytes, but only 20 follow.
    ['IPv4 header length beyond the bytes', 228, [0x4f, ...IPV4_TCP.slice(1, 20)], 'truncated-ipv4-header', true],
    // A total length of 65535 is a claim: kept as ipLength, the payload limited to the bytes present.
    ['IPv4 oversized total length', 228, ipv4({ protocol: 6, totalLength: 65535, payload: tcp() }), null, true],
    // An IPv6 payload length of 65535 is a claim too.
    ['IPv6 oversized payload length', 229, ipv6({ nextHeader: 17, payloadLength: 65535, payload: udp(1, 2, []) }), null, true],
    // Extension length 255 claims 2048 bytes.
    ['IPv6 oversized extension header', 229, ipv6({ nextHeader: 60, payload: [17, 255, 0, 0, 0, 0, 0, 0] }), 'truncated-ipv6-extension', true],
    // Destination options pointing to destination options: the walk gives up after 8.
    ['IPv6 extension loop', 229, ipv6({ nextHeader: 60, payload: repeatBytes([60, 0, 0, 0, 0, 0, 0, 0], 10) }), 'ipv6-extension-chain-too-long', false],
    // No label sets bottom-of-stack: the walk ends with the frame.
    ['MPLS stack without bottom-of-stack', 1, ethernet(0x8847, repeatBytes([0, 1, 0, 64], 40)), 'truncated-mpls', true],
    // A hundred VLAN tags each naming another VLAN tag.
    ['endless VLAN tags', 1, ethernet(0x8100, repeatBytes([0, 1, 0x81, 0x00], 100)), 'truncated-vlan-tag', true],
    // TCP data offset 0.
    ['TCP zero data offset', 228, ipv4({ protocol: 6, payload: tcp({ dataOffset: 0 }) }), 'invalid-tcp-header-length', false],
    // UDP length 0 (only valid in IPv6 jumbograms).
    ['UDP zero length', 228, ipv4({ protocol: 17, payload: udp(1, 2, [1], 0) }), 'invalid-udp-length', false],
    // GRE with checksum, key and sequence flags but only the base header.
    ['GRE optional fields missing', 228, ipv4({ protocol: 47, payload: [0xb0, 0x00, 0x08, 0x00] }), 'truncated-tunnel-header', true],
    // GRE version 5 is not defined: outer layer only.
    ['GRE unknown version', 228, ipv4({ protocol: 47, payload: gre({ protocol: 0x0800, version: 5 }, IPV4_TCP) }), null, false],
    // Geneve options length 63 (252 bytes) beyond the datagram.
    ['Geneve oversized options', 228, ipv4({ protocol: 17, payload: udp(1, 6081, [0x3f, 0, 0x65, 0x58, 0, 0, 0, 0]) }), 'truncated-tunnel-header', true],
    // Teredo authentication lengths 255 + 255 run past the datagram: treated as plain UDP.
    ['Teredo oversized authentication', 228, ipv4({ protocol: 17, payload: udp(3544, 1, [0, 1, 255, 255, ...IPV6_UDP]) }), null, false],
    // GTP-U extension length 0 would never advance.
    ['GTP-U zero extension length', 228, ipv4({ protocol: 17, payload: udp(2152, 2152, [0x34, 0xff, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 0, 0, 0, 0]) }), 'truncated-tunnel-header', true],
    // NFLOG TLV length 0xFFFF beyond the record.
    ['NFLOG oversized TLV', 239, [2, 0, 0, 0, 0xff, 0xff, 9, 0, ...IPV4_TCP], 'truncated-nflog', true],
    // Radiotap length 0 is below its own 8-byte header.
    ['radiotap zero length', 127, [0, 0, 0, 0, 0, 0, 0, 0, ...IPV4_TCP], 'truncated-radiotap', true],
    // ARP hardware length 255 claims 2 * 259 address bytes.
    ['ARP oversized address lengths', 1, ethernet(0x0806, [0, 1, 8, 0, 255, 4, 0, 1, ...new Array<number>(20).fill(0)]), 'truncated-arp', true],
    // PPPoE length 0xFFFF beyond the frame: the PPP payload is limited to the bytes present.
    ['PPPoE oversized length', 1, ethernet(0x8864, [0x11, 0, 0, 1, 0xff, 0xff, 0, 0x21, ...IPV4_TCP]), null, true],
    // Empty packets on every link type.
    ['empty Ethernet frame', 1, [], 'truncated-link-header', true],
    ['empty raw packet', 101, [], 'truncated-ipv4-header', true],
    ['empty NFLOG record', 239, [], 'truncated-nflog', true],
    ['empty 802.11 frame', 105, [], 'truncated-ieee80211', true],
  ])('handles %s', (_rule, linkType, bytes, problem, isTruncated) => {
    const out = decode(bytes, linkType);
    expect(out.problem).toBe(problem);
    expect(out.isTruncated).toBe(isTruncated);
    expectOffsetsInside(out, bytes.length);
  });

  it('does not quote a quote', () => {
    // An ICMP error quoting an ICMP error: the inner quote is read for type and code only.
    const innerError = ipv4({ protocol: 1, payload: icmp(3, 1, IPV4_TCP.slice(0, 28)) });
    const out = decode(ipv4({ protocol: 1, payload: icmp(11, 0, innerError) }), 228);
    expect(out.layerCount).toBe(2);
    expect(layerOf(out, 1).isIcmpQuote).toBe(true);
    expect(layerOf(out, 1).icmpType).toBe(3);
  });

  it('skips a quote when all layers are taken', () => {
    let packet: Bytes = ipv4({ protocol: 1, payload: icmp(3, 1, IPV4_TCP.slice(0, 28)) });
    for (let i = 1; i < MAX_NETWORK_LAYERS; i++) packet = ipv4({ protocol: 4, payload: packet });
    const out = decode(packet, 228);
    expect(out.problem).toBeNull();
    expect(out.layerCount).toBe(MAX_NETWORK_LAYERS);
    expect(layerOf(out, MAX_NETWORK_LAYERS - 1).isIcmpQuote).toBe(false);
  });

  it('survives random bytes on every link type', () => {
    // Deterministic xorshift generator; headers of valid packets are mutated so decoding goes deep.
    let state = 0x9e3779b9;
    const next = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state >>> 0;
    };
    const out = createDecodedPacket();
    let decodedLayers = 0;
    for (const [, linkType, bytes] of VALID_PACKETS) {
      for (let round = 0; round < 300; round++) {
        const mutated = Uint8Array.from(bytes);
        for (let flips = 1 + (next() % 4); flips > 0; flips--) mutated[next() % mutated.length] = next() & 0xff;
        const length = next() % (mutated.length + 1);
        const input = mutated.subarray(0, length);
        expect(() => decodePacket(input, linkType, out)).not.toThrow();
        expectOffsetsInside(out, length);
        decodedLayers += out.layerCount;
      }
    }
    // The mutated packets must still reach the IP decoders often, or the run tested only link headers.
    expect(decodedLayers).toBeGreaterThan(1000);
  });
});
