import { describe, expect, it } from 'vitest';

import { getHeadersOnlyLength } from '../../src/main/capture/headers-only';
import { createDecodedPacket } from '../../src/main/engine/decode/decoded-packet';
import { decodePacket } from '../../src/main/engine/decode/packet-decoder';
import { type Bytes, ethernet, icmp, ipv4, ipv6, tcp, toBytes, udp, vlanTag, vxlan } from '../engine/decode/packet-bytes';

function keptLength(frame: Bytes, linkType = 1): number {
  const data = toBytes(frame);
  const decoded = createDecodedPacket();
  decodePacket(data, linkType, decoded);
  return getHeadersOnlyLength(decoded, data);
}

const payload = (length: number): Bytes => new Array<number>(length).fill(0x41);

describe('getHeadersOnlyLength', () => {
  it.each([
    // Ethernet 14 + IPv4 20 + TCP 20; the 100 payload bytes go.
    ['TCP', ethernet(0x0800, ipv4({ protocol: 6, payload: tcp({ payload: payload(100) }) })), 54],
    // TCP with 12 bytes of options keeps them: 14 + 20 + 32.
    ['TCP options', ethernet(0x0800, ipv4({ protocol: 6, payload: tcp({ options: payload(12), payload: payload(10) }) })), 66],
    // Ethernet 14 + IPv4 20 + UDP 8; the DNS message goes.
    ['UDP', ethernet(0x0800, ipv4({ protocol: 17, payload: udp(5353, 53, payload(40)) })), 42],
    // VLAN tag adds 4; ICMP keeps its 8-byte header.
    ['VLAN ICMP', ethernet(0x8100, vlanTag(10, 0x0800, ipv4({ protocol: 1, payload: icmp(8, 0, payload(56)) }))), 46],
    // IPv6 40 + UDP 8.
    ['IPv6 UDP', ethernet(0x86dd, ipv6({ nextHeader: 17, payload: udp(1000, 2000, payload(30)) })), 62],
    // ESP (50) is not followed: keep through the IPv4 header.
    ['IPv4 ESP', ethernet(0x0800, ipv4({ protocol: 50, payload: payload(60) })), 34],
    // Outer 14+20+8 + VXLAN 8 + inner 14+20+20 = 104; inner payload goes.
    ['VXLAN TCP', ethernet(0x0800, ipv4({ protocol: 17, payload: udp(49152, 4789, vxlan(7, ethernet(0x0800, ipv4({ protocol: 6, payload: tcp({ payload: payload(64) }) })))) })), 104],
    // Unknown EtherType keeps only the Ethernet header.
    ['unknown EtherType', ethernet(0x88b5, payload(50)), 14],
  ] as const)('keeps headers of %s', (_name, frame, expected) => {
    expect(keptLength([...frame])).toBe(expected);
  });

  it('keeps a whole ARP message', () => {
    const arp = [0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 10, 10, 66, 0, 1, 0, 0, 0, 0, 0, 0, 10, 66, 0, 2];
    expect(keptLength(ethernet(0x0806, [...arp, ...payload(18)]))).toBe(14 + 28);
  });

  it('never exceeds the captured bytes', () => {
    const frame = ethernet(0x0800, ipv4({ protocol: 6, payload: tcp() }));
    expect(keptLength(frame.slice(0, 40))).toBeLessThanOrEqual(40);
  });
});
