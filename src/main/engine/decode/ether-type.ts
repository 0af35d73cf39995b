import type { DecodedPacket, TunnelKind } from './decoded-packet';
import { decodeArp } from './arp';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';
import { decodeMpls } from './mpls';
import { decodePppoeSession } from './pppoe';
import { decodeVlanTag } from './vlan';

/** EtherTypes (and GRE/Geneve protocol types, which share the registry) the decoder follows. */
export const ETHER_TYPE = {
  IPV4: 0x0800,
  ARP: 0x0806,
  ERSPAN_TYPE_3: 0x22eb,
  TRANSPARENT_ETHERNET_BRIDGING: 0x6558,
  VLAN: 0x8100,
  IPV6: 0x86dd,
  PPP: 0x880b,
  MPLS_UNICAST: 0x8847,
  MPLS_MULTICAST: 0x8848,
  PPPOE_DISCOVERY: 0x8863,
  PPPOE_SESSION: 0x8864,
  QINQ: 0x88a8,
  ERSPAN_TYPE_2: 0x88be,
  QINQ_LEGACY: 0x9100,
} as const;

/**
 * Decode the payload of a frame by its EtherType: IPv4, IPv6, ARP, VLAN
 * tags, MPLS and PPPoE. `out.etherType` records the first EtherType other
 * than a VLAN tag of the outermost frame. An unknown EtherType (and PPPoE
 * discovery) ends decoding without a problem.
 */
export function decodeEtherTypePayload(
  data: Uint8Array,
  offset: number,
  end: number,
  etherType: number,
  out: DecodedPacket,
  tunnel: TunnelKind,
): void {
  const isVlan = etherType === ETHER_TYPE.VLAN || etherType === ETHER_TYPE.QINQ || etherType === ETHER_TYPE.QINQ_LEGACY;
  if (!isVlan && out.etherType === 0 && out.layerCount === 0) out.etherType = etherType;

  switch (etherType) {
    case ETHER_TYPE.IPV4:
      decodeIpv4(data, offset, end, out, tunnel, false);
      return;
    case ETHER_TYPE.IPV6:
      decodeIpv6(data, offset, end, out, tunnel, false);
      return;
    case ETHER_TYPE.VLAN:
    case ETHER_TYPE.QINQ:
    case ETHER_TYPE.QINQ_LEGACY:
      decodeVlanTag(data, offset, end, out, tunnel);
      return;
    case ETHER_TYPE.MPLS_UNICAST:
    case ETHER_TYPE.MPLS_MULTICAST:
      decodeMpls(data, offset, end, out, tunnel);
      return;
    case ETHER_TYPE.PPPOE_SESSION:
      decodePppoeSession(data, offset, end, out, tunnel);
      return;
    case ETHER_TYPE.ARP:
      decodeArp(data, offset, end, out);
      return;
    default:
      return;
  }
}
