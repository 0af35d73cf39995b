import { MAX_VLAN_TAGS, type DecodedPacket } from './decoded-packet';
import { recordProblem } from './decode-problem';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';
import { decodeEthernet } from './link-ethernet';
import { decodeIeee80211, decodeRadiotap } from './link-ieee80211';
import { decodeIpnet } from './link-ipnet';
import { decodeLinuxSll, decodeLinuxSll2 } from './link-linux-sll';
import { decodeNflog } from './link-nflog';
import { decodeNullLoopback } from './link-null';
import { decodeHdlc, decodePppPayload } from './link-ppp';
import { LINK_TYPE_MASK } from './link-types';

/** LINKTYPE_* values the decoder handles. */
export const LINK_TYPE = {
  NULL: 0,
  ETHERNET: 1,
  PPP: 9,
  /** DLT_RAW on most systems, written as the link type by some old captures. */
  RAW_PLATFORM_12: 12,
  /** DLT_RAW on OpenBSD. */
  RAW_PLATFORM_14: 14,
  PPP_HDLC: 50,
  RAW: 101,
  C_HDLC: 104,
  IEEE802_11: 105,
  LOOP: 108,
  LINUX_SLL: 113,
  IEEE802_11_RADIOTAP: 127,
  IPNET: 226,
  IPV4: 228,
  IPV6: 229,
  NFLOG: 239,
  LINUX_SLL2: 276,
} as const;

/** pcap link-type field bits 26-31: F (an FCS length is given) and the FCS length in 16-bit words. */
const FCS_PRESENT_FLAG = 0x04000000;

/**
 * Decode one packet of link type `linkType` into `out`, which is reset
 * first. Never throws and allocates nothing: offsets in `out` point into
 * `data`, which the caller owns. A malformed or cut packet keeps every layer
 * decoded before the problem, which is recorded in `out.problem`.
 */
export function decodePacket(data: Uint8Array, linkType: number, out: DecodedPacket): void {
  resetDecodedPacket(out, linkType);
  let end = data.length;

  // The upper bits of a pcap link-type field can announce an FCS at the end of every frame.
  if ((linkType & FCS_PRESENT_FLAG) !== 0) end = Math.max(0, end - ((linkType >>> 28) & 0x0f) * 2);
  const baseLinkType = linkType & LINK_TYPE_MASK;

  switch (baseLinkType) {
    case LINK_TYPE.ETHERNET:
      decodeEthernet(data, 0, end, out, 'none');
      return;
    case LINK_TYPE.NULL:
    case LINK_TYPE.LOOP:
      decodeNullLoopback(data, 0, end, out);
      return;
    case LINK_TYPE.RAW:
    case LINK_TYPE.RAW_PLATFORM_12:
    case LINK_TYPE.RAW_PLATFORM_14:
      decodeRawIp(data, end, out);
      return;
    case LINK_TYPE.IPV4:
      decodeIpv4(data, 0, end, out, 'none', false);
      return;
    case LINK_TYPE.IPV6:
      decodeIpv6(data, 0, end, out, 'none', false);
      return;
    case LINK_TYPE.LINUX_SLL:
      decodeLinuxSll(data, 0, end, out);
      return;
    case LINK_TYPE.LINUX_SLL2:
      decodeLinuxSll2(data, 0, end, out);
      return;
    case LINK_TYPE.PPP:
      decodePppPayload(data, 0, end, out, 'none');
      return;
    case LINK_TYPE.PPP_HDLC:
    case LINK_TYPE.C_HDLC:
      decodeHdlc(data, 0, end, out);
      return;
    case LINK_TYPE.NFLOG:
      decodeNflog(data, 0, end, out);
      return;
    case LINK_TYPE.IPNET:
      decodeIpnet(data, 0, end, out);
      return;
    case LINK_TYPE.IEEE802_11:
      decodeIeee80211(data, 0, end, out, false);
      return;
    case LINK_TYPE.IEEE802_11_RADIOTAP:
      decodeRadiotap(data, 0, end, out);
      return;
    default:
      recordProblem(out, 'unsupported-link-type', 0, false);
  }
}

/** Raw IP: the version nibble picks IPv4 or IPv6. */
function decodeRawIp(data: Uint8Array, end: number, out: DecodedPacket): void {
  if (end < 1) {
    recordProblem(out, 'truncated-ipv4-header', 0, true);
    return;
  }
  const version = (data[0] as number) >> 4;
  if (version === 4) decodeIpv4(data, 0, end, out, 'none', false);
  else if (version === 6) decodeIpv6(data, 0, end, out, 'none', false);
  else recordProblem(out, 'invalid-ip-version', 0, false);
}

function resetDecodedPacket(out: DecodedPacket, linkType: number): void {
  out.linkType = linkType;
  out.isTruncated = false;
  out.problem = null;
  out.problemOffset = 0;
  out.sourceMacOffset = -1;
  out.destinationMacOffset = -1;
  out.etherType = 0;
  for (let i = 0; i < MAX_VLAN_TAGS; i++) out.vlanIds[i] = 0;
  out.vlanCount = 0;
  out.mplsLabelCount = 0;
  out.pppoeSessionId = -1;
  out.hasArp = false;
  out.layerCount = 0;
}
