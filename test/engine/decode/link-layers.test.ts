import { describe, expect, it } from 'vitest';
import { createDecodedPacket, type DecodedPacket } from '../../../src/main/engine/decode/decoded-packet';
import { decodePacket } from '../../../src/main/engine/decode/packet-decoder';
import {
  ethernet,
  ipv4,
  ipv6,
  MAC_A,
  MAC_B,
  tcp,
  toBytes,
  udp,
  uint16,
  uint16Le,
  uint32,
  uint32Le,
  type Bytes,
} from './packet-bytes';

function decode(bytes: Bytes | Uint8Array, linkType: number): DecodedPacket {
  const out = createDecodedPacket();
  decodePacket(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes), linkType, out);
  return out;
}

const IPV4_TCP = ipv4({ protocol: 6, payload: tcp({ destinationPort: 443 }) });
const IPV6_UDP = ipv6({ nextHeader: 17, payload: udp(5353, 53, [1, 2, 3, 4]) });

/** Expect one clean IPv4/TCP layer to port 443 starting at `ipOffset`. */
function expectIpv4Tcp(out: DecodedPacket, ipOffset: number): void {
  expect(out.problem).toBeNull();
  expect(out.isTruncated).toBe(false);
  expect(out.layerCount).toBe(1);
  expect(out.layers[0]?.ipVersion).toBe(4);
  expect(out.layers[0]?.ipOffset).toBe(ipOffset);
  expect(out.layers[0]?.destinationPort).toBe(443);
}

describe('Ethernet', () => {
  it('decodes Ethernet II with MAC offsets', () => {
    const out = decode(ethernet(0x0800, IPV4_TCP), 1);
    expectIpv4Tcp(out, 14);
    expect(out.destinationMacOffset).toBe(0);
    expect(out.sourceMacOffset).toBe(6);
    expect(out.etherType).toBe(0x0800);
    expect(out.linkType).toBe(1);
  });

  it('ignores Ethernet padding after the IP total length', () => {
    // A 40-byte IPv4/TCP packet padded to the 60-byte Ethernet minimum.
    const out = decode([...ethernet(0x0800, IPV4_TCP), ...new Array<number>(6).fill(0)], 1);
    expectIpv4Tcp(out, 14);
    expect(out.layers[0]?.ipLength).toBe(40);
    expect(out.layers[0]?.payloadLength).toBe(0);
  });

  it('follows 802.3 LLC/SNAP to IPv4', () => {
    // Length field 48 = SNAP header (8) + IPv4/TCP (40); DSAP AA, SSAP AA, UI, OUI 000000, EtherType 0800.
    const snap = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, ...uint16(0x0800)];
    const out = decode([...MAC_B, ...MAC_A, ...uint16(snap.length + IPV4_TCP.length), ...snap, ...IPV4_TCP], 1);
    expectIpv4Tcp(out, 22);
    expect(out.etherType).toBe(0x0800);
  });

  it('stops quietly at 802.3 LLC without SNAP', () => {
    // STP BPDU: DSAP 42, SSAP 42, UI.
    const out = decode([...MAC_B, ...MAC_A, ...uint16(3), 0x42, 0x42, 0x03], 1);
    expect(out.problem).toBeNull();
    expect(out.layerCount).toBe(0);
  });

  it('keeps an ARP record', () => {
    // Ethernet/IPv4 request: hardware type 1, protocol 0800, lengths 6 and 4, operation 1.
    const arp = [...uint16(1), ...uint16(0x0800), 6, 4, ...uint16(1), ...MAC_A, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 192, 0, 2, 2];
    const out = decode(ethernet(0x0806, arp), 1);
    expect(out.hasArp).toBe(true);
    expect(out.etherType).toBe(0x0806);
    expect(out.arp.operation).toBe(1);
    expect(out.arp.senderHardwareOffset).toBe(22);
    expect(out.arp.senderProtocolOffset).toBe(28);
    expect(out.arp.targetHardwareOffset).toBe(32);
    expect(out.arp.targetProtocolOffset).toBe(38);
    expect(out.layerCount).toBe(0);
  });

  it('strips an FCS announced in the link-type field', () => {
    // F flag (bit 26) with FCS length 2 words (bits 28-31): 4 bytes at the end of each frame.
    // The IPv4 total length claims the FCS bytes too, so only a trimmed frame looks cut.
    const packet = ipv4({ protocol: 17, payload: udp(1, 2, []), totalLength: 32 });
    const frame = [...ethernet(0x0800, packet), 0xde, 0xad, 0xbe, 0xef];
    expect(decode(frame, 1).isTruncated).toBe(false);
    const out = decode(frame, 0x24000001);
    expect(out.isTruncated).toBe(true);
    expect(out.layers[0]?.ipLength).toBe(32);
  });
});

describe('VLAN, MPLS and PPPoE', () => {
  it('records 802.1Q and QinQ ids', () => {
    // Outer 802.1ad tag 100, inner 802.1Q tag 200, then IPv4.
    const out = decode(ethernet(0x88a8, [...uint16(100), ...uint16(0x8100), ...uint16(0x2000 | 200), ...uint16(0x0800), ...IPV4_TCP]), 1);
    expectIpv4Tcp(out, 22);
    expect(out.vlanCount).toBe(2);
    expect(out.vlanIds).toEqual([100, 200]);
    expect(out.etherType).toBe(0x0800);
  });

  it('walks tags beyond the recorded maximum', () => {
    // Three 0x9100 tags: ids 1, 2, 3; only two are recorded.
    const tags = [...uint16(1), ...uint16(0x9100), ...uint16(2), ...uint16(0x9100), ...uint16(3), ...uint16(0x0800)];
    const out = decode(ethernet(0x9100, [...tags, ...IPV4_TCP]), 1);
    expectIpv4Tcp(out, 26);
    expect(out.vlanCount).toBe(2);
  });

  it('walks an MPLS stack to IPv6', () => {
    // Label 16 (no S), label 17 with bottom-of-stack (byte 2 bit 0), TTL 64.
    const labels = [0x00, 0x01, 0x00, 64, 0x00, 0x01, 0x11, 64];
    const out = decode(ethernet(0x8847, [...labels, ...IPV6_UDP]), 1);
    expect(out.problem).toBeNull();
    expect(out.mplsLabelCount).toBe(2);
    expect(out.layers[0]?.ipVersion).toBe(6);
    expect(out.layers[0]?.ipOffset).toBe(22);
    expect(out.etherType).toBe(0x8847);
  });

  it('reads an Ethernet pseudowire behind a control word', () => {
    // One label with bottom-of-stack, 4-byte control word of zeros, then an inner Ethernet frame.
    const out = decode(ethernet(0x8847, [0x00, 0x01, 0x01, 64, 0, 0, 0, 0, ...ethernet(0x0800, IPV4_TCP)]), 1);
    expectIpv4Tcp(out, 14 + 4 + 4 + 14);
  });

  it('decodes PPPoE session IPv4', () => {
    // Version/type 0x11, code 0 (session data), session 0x1234, length 2 + 40, PPP protocol 0x0021.
    const pppoe = [0x11, 0x00, ...uint16(0x1234), ...uint16(2 + IPV4_TCP.length), ...uint16(0x0021), ...IPV4_TCP];
    const out = decode(ethernet(0x8864, pppoe), 1);
    expectIpv4Tcp(out, 22);
    expect(out.pppoeSessionId).toBe(0x1234);
  });

  it('accepts PPPoE discovery without a problem', () => {
    // PADI: version/type 0x11, code 0x09, session 0, length 0.
    const out = decode(ethernet(0x8863, [0x11, 0x09, 0, 0, 0, 0]), 1);
    expect(out.problem).toBeNull();
    expect(out.etherType).toBe(0x8863);
    expect(out.layerCount).toBe(0);
  });
});

describe('other link types', () => {
  it('decodes Linux cooked SLL', () => {
    // Packet type 0 (to us), ARPHRD_ETHER 1, address length 6, address padded to 8, protocol 0800.
    const sll = [...uint16(0), ...uint16(1), ...uint16(6), ...MAC_A, 0, 0, ...uint16(0x0800)];
    const out = decode([...sll, ...IPV4_TCP], 113);
    expectIpv4Tcp(out, 16);
    expect(out.sourceMacOffset).toBe(6);
    expect(out.destinationMacOffset).toBe(-1);
  });

  it('decodes Linux cooked SLL2', () => {
    // Protocol 86DD, reserved, interface index 2, ARPHRD_ETHER, packet type 4 (outgoing), address length 6, address.
    const sll2 = [...uint16(0x86dd), 0, 0, ...uint32(2), ...uint16(1), 4, 6, ...MAC_A, 0, 0];
    const out = decode([...sll2, ...IPV6_UDP], 276);
    expect(out.problem).toBeNull();
    expect(out.layers[0]?.ipOffset).toBe(20);
    expect(out.layers[0]?.destinationPort).toBe(53);
    expect(out.sourceMacOffset).toBe(12);
  });

  it.each([101, 12, 14, 228])('decodes raw IPv4 as link type %i', (linkType) => {
    expectIpv4Tcp(decode(IPV4_TCP, linkType), 0);
  });

  it.each([101, 229])('decodes raw IPv6 as link type %i', (linkType) => {
    const out = decode(IPV6_UDP, linkType);
    expect(out.layers[0]?.ipVersion).toBe(6);
    expect(out.layers[0]?.sourcePort).toBe(5353);
  });

  it('rejects a raw packet of IP version 5', () => {
    const out = decode([0x50, ...IPV4_TCP.slice(1)], 101);
    expect(out.problem).toBe('invalid-ip-version');
    expect(out.layerCount).toBe(0);
  });

  it.each([
    ['little-endian AF_INET', uint32Le(2), IPV4_TCP, 4],
    ['big-endian AF_INET', uint32(2), IPV4_TCP, 4],
    ['NetBSD AF_INET6 24', uint32Le(24), IPV6_UDP, 6],
    ['FreeBSD AF_INET6 28', uint32Le(28), IPV6_UDP, 6],
    ['macOS AF_INET6 30', uint32(30), IPV6_UDP, 6],
    ['Linux AF_INET6 10', uint32Le(10), IPV6_UDP, 6],
    ['EtherType in bytes 2-3', [0x0f, 0x00, 0x08, 0x00], IPV4_TCP, 4],
  ])('decodes null/loopback with %s', (_name, header, packet, version) => {
    for (const linkType of [0, 108]) {
      const out = decode([...header, ...packet], linkType);
      expect(out.problem).toBeNull();
      expect(out.layers[0]?.ipVersion).toBe(version);
      expect(out.layers[0]?.ipOffset).toBe(4);
    }
  });

  it('ignores an unknown loopback family', () => {
    // AF_APPLETALK 16 (BSD).
    const out = decode([...uint32Le(16), ...IPV4_TCP], 0);
    expect(out.problem).toBeNull();
    expect(out.layerCount).toBe(0);
  });

  it.each([
    ['HDLC-like framing', [0xff, 0x03, ...uint16(0x0021)]],
    ['no address and control', uint16(0x0021)],
    ['compressed protocol', [0x21]],
  ])('decodes PPP with %s', (_name, header) => {
    expectIpv4Tcp(decode([...header, ...IPV4_TCP], 9), header.length);
  });

  it('decodes PPP IPv6 over HDLC framing', () => {
    const out = decode([0xff, 0x03, ...uint16(0x0057), ...IPV6_UDP], 50);
    expect(out.layers[0]?.ipVersion).toBe(6);
    expect(out.layers[0]?.ipOffset).toBe(4);
  });

  it('stops quietly at PPP LCP', () => {
    const out = decode([0xff, 0x03, ...uint16(0xc021), 1, 1, 0, 4], 9);
    expect(out.problem).toBeNull();
    expect(out.layerCount).toBe(0);
  });

  it('decodes Cisco HDLC', () => {
    // Address 0F (unicast), control 00, EtherType 0800.
    expectIpv4Tcp(decode([0x0f, 0x00, ...uint16(0x0800), ...IPV4_TCP], 104), 4);
  });

  it('walks NFLOG TLVs to the payload', () => {
    // Header: AF_INET, version 0, resource id 0 (big-endian).
    // TLV 1 (packet header, 7 bytes, padded to 8); TLV 10 (prefix "ab\0", 7 bytes, padded); TLV 9 payload.
    const tlv = (type: number, value: Bytes): Bytes => {
      const length = 4 + value.length;
      const padding = new Array<number>((4 - (length % 4)) % 4).fill(0);
      return [...uint16Le(length), ...uint16Le(type), ...value, ...padding];
    };
    const record = [2, 0, 0, 0, ...tlv(1, [0x08, 0x00, 0]), ...tlv(10, [0x61, 0x62, 0]), ...tlv(9, IPV4_TCP)];
    expectIpv4Tcp(decode(record, 239), 4 + 8 + 8 + 4);
  });

  it('reports an NFLOG TLV length below 4', () => {
    const out = decode([2, 0, 0, 0, ...uint16Le(2), ...uint16Le(1)], 239);
    expect(out.problem).toBe('truncated-nflog');
    expect(out.problemOffset).toBe(4);
  });

  it('decodes Solaris ipnet', () => {
    // Version 2, family 26 (IPv6), hook 0, packet length, interface ids and zone ids.
    const header = [2, 26, ...uint16(0), ...uint32(IPV6_UDP.length), ...uint32(1), ...uint32(0), ...uint32(0), ...uint32(0)];
    const out = decode([...header, ...IPV6_UDP], 226);
    expect(out.layers[0]?.ipVersion).toBe(6);
    expect(out.layers[0]?.ipOffset).toBe(24);
  });

  it('reports an unsupported link type', () => {
    const out = decode(IPV4_TCP, 147);
    expect(out.problem).toBe('unsupported-link-type');
    expect(out.isTruncated).toBe(false);
  });
});

describe('802.11', () => {
  const snapIpv4 = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, ...uint16(0x0800), ...IPV4_TCP];
  const address3: Bytes = [0x02, 0, 0, 0, 0, 0x0c];

  /** Frame control, duration, three addresses, sequence control. */
  function header80211(control: number, flags: number): Bytes {
    return [control, flags, 0, 0, ...MAC_B, ...MAC_A, ...address3, 0x10, 0x00];
  }

  it('decodes a data frame to an access point', () => {
    // Type data (0x08), ToDS: addr1 BSSID, addr2 source, addr3 destination.
    const out = decode([...header80211(0x08, 0x01), ...snapIpv4], 105);
    expectIpv4Tcp(out, 32);
    expect(out.sourceMacOffset).toBe(10);
    expect(out.destinationMacOffset).toBe(16);
  });

  it('skips QoS control in QoS data frames', () => {
    // Subtype 8 (QoS data): 0x88, FromDS; QoS control 2 bytes.
    const out = decode([...header80211(0x88, 0x02), 0x00, 0x00, ...snapIpv4], 105);
    expectIpv4Tcp(out, 34);
    expect(out.sourceMacOffset).toBe(16);
    expect(out.destinationMacOffset).toBe(4);
  });

  it('skips the fourth address of WDS frames', () => {
    const out = decode([...header80211(0x08, 0x03), ...MAC_A, ...snapIpv4], 105);
    expectIpv4Tcp(out, 38);
    expect(out.sourceMacOffset).toBe(24);
  });

  it('stops quietly at protected and management frames', () => {
    for (const [control, flags] of [[0x08, 0x41], [0x80, 0x00], [0x48, 0x01]] as const) {
      // Protected data, beacon, null function.
      const out = decode([...header80211(control, flags), ...snapIpv4], 105);
      expect(out.problem).toBeNull();
      expect(out.layerCount).toBe(0);
    }
  });

  it('decodes radiotap with an FCS flag', () => {
    // Radiotap v0, length 17: present = TSFT | Flags; TSFT at 8 (already aligned), Flags 0x10 (FCS at end).
    const radiotap = [0, 0, ...uint16Le(17), ...uint32Le(0x00000003), ...new Array<number>(8).fill(0), 0x10];
    const frame = [...radiotap, ...header80211(0x08, 0x01), ...snapIpv4, 0xde, 0xad, 0xbe, 0xef];
    const out = decode(frame, 127);
    expectIpv4Tcp(out, 17 + 32);
  });

  it('trims the radiotap FCS before LLC', () => {
    // Flags only (present bit 1) at offset 8, with FCS at end. The 4 bytes after AA AA 03 00 are the FCS,
    // so the SNAP header is cut. Read untrimmed, they would look like a whole SNAP header.
    const radiotap = [0, 0, ...uint16Le(9), ...uint32Le(0x00000002), 0x10];
    const out = decode([...radiotap, ...header80211(0x08, 0x01), 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00], 127);
    expect(out.problem).toBe('truncated-link-header');
    expect(out.problemOffset).toBe(9 + 24);
  });

  it('reports a radiotap length beyond the packet', () => {
    const out = decode([0, 0, ...uint16Le(200), 0, 0, 0, 0], 127);
    expect(out.problem).toBe('truncated-radiotap');
    expect(out.isTruncated).toBe(true);
  });
});

describe('decoder reuse', () => {
  it('resets every packet-level field', () => {
    const out = createDecodedPacket();
    decodePacket(toBytes(ethernet(0x8100, [...uint16(5), ...uint16(0x0800), ...IPV4_TCP.slice(0, 30)])), 1, out);
    expect(out.problem).not.toBeNull();
    decodePacket(toBytes(IPV6_UDP), 229, out);
    expect(out.problem).toBeNull();
    expect(out.isTruncated).toBe(false);
    expect(out.vlanCount).toBe(0);
    expect(out.sourceMacOffset).toBe(-1);
    expect(out.layerCount).toBe(1);
    expect(out.layers[0]?.tcpSequence).toBe(0);
  });
});
