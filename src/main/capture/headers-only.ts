/**
 * The "headers only" privacy setting: each packet is cut after its last
 * transport header before it is written or analysed, and the original
 * length stays in the record, so flow byte counts do not change.
 *
 * What is kept:
 * - IP packets: link header, every IP header and tunnel header, up to the
 *   end of the innermost TCP (with options), UDP, SCTP common, ICMP or
 *   ICMPv6 header. An ICMP error keeps its own 8-byte header but not the
 *   packet it quotes. Payload (HTTP, DNS, TLS, ...) is dropped.
 * - IP packets whose protocol the decoder does not follow (ESP, OSPF, ...):
 *   up to the end of the IP header (IPv6: the fixed 40 bytes when no
 *   extension header walk reached a transport).
 * - ARP: the whole ARP message, which is all header.
 * - Anything else: on Ethernet the 14-byte header and its VLAN tags, on
 *   other link types nothing.
 */
import type { DecodedPacket } from '../engine/decode/decoded-packet';

const ETHERNET_LINK_TYPE = 1;
const ETHERNET_HEADER_BYTES = 14;
const VLAN_TAG_BYTES = 4;
/** Type, code, checksum and the 4-byte rest of header (echo id and sequence, or the next-hop MTU). */
const ICMP_HEADER_BYTES = 8;

/** Bytes of `data` (already decoded into `decoded`) that the headers-only setting keeps. */
export function getHeadersOnlyLength(decoded: DecodedPacket, data: Uint8Array): number {
  const layerIndex = findInnermostLayer(decoded);
  if (layerIndex >= 0) {
    const layer = decoded.layers[layerIndex];
    if (layer !== undefined) {
      let end: number;
      if (layer.hasTransport && (layer.protocol === 1 || layer.protocol === 58)) {
        end = layer.transportOffset + ICMP_HEADER_BYTES;
      } else if (layer.hasTransport) {
        end = Math.max(layer.payloadOffset, layer.transportOffset);
      } else if (layer.transportOffset > layer.ipOffset) {
        end = layer.transportOffset;
      } else if (layer.ipVersion === 4 && layer.ipOffset < data.length) {
        end = layer.ipOffset + ((data[layer.ipOffset] as number) & 0x0f) * 4;
      } else {
        end = layer.ipOffset + 40;
      }
      return Math.min(end, data.length);
    }
  }

  if (decoded.hasArp) {
    const arp = decoded.arp;
    return Math.min(arp.targetProtocolOffset + arp.protocolLength, data.length);
  }
  if ((decoded.linkType & 0xffff) === ETHERNET_LINK_TYPE) {
    return Math.min(ETHERNET_HEADER_BYTES + decoded.vlanCount * VLAN_TAG_BYTES, data.length);
  }
  return 0;
}

function findInnermostLayer(decoded: DecodedPacket): number {
  for (let i = decoded.layerCount - 1; i >= 0; i--) {
    const layer = decoded.layers[i];
    if (layer !== undefined && !layer.isIcmpQuote) return i;
  }
  return -1;
}
