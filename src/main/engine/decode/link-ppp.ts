import type { DecodedPacket, TunnelKind } from './decoded-packet';
import { readUint16BigEndian, recordProblem } from './decode-problem';
import { decodeEtherTypePayload, ETHER_TYPE } from './ether-type';

/** PPP protocol numbers (RFC 1661 registry) that carry a network packet. */
export const PPP_PROTOCOL = {
  IPV4: 0x0021,
  IPV6: 0x0057,
  MPLS_UNICAST: 0x0281,
  MPLS_MULTICAST: 0x0283,
} as const;

const HDLC_ALL_STATIONS = 0xff;
const HDLC_UNNUMBERED_INFORMATION = 0x03;
const CISCO_HDLC_UNICAST = 0x0f;
const CISCO_HDLC_MULTICAST = 0x8f;
const CISCO_HDLC_HEADER_LENGTH = 4;

/**
 * Decode a PPP frame at `offset`: an optional HDLC-like address and control
 * (FF 03), then the protocol (one byte when compressed, which an odd first
 * byte shows), then IPv4, IPv6 or MPLS. Control protocols (LCP, IPCP, CHAP)
 * end decoding without a problem.
 */
export function decodePppPayload(
  data: Uint8Array,
  offset: number,
  end: number,
  out: DecodedPacket,
  tunnel: TunnelKind,
): void {
  // FF is never a protocol byte (0xff is reserved), so it always starts an address and control pair.
  let position = offset;
  if (end - position >= 1 && data[position] === HDLC_ALL_STATIONS) {
    if (end - position < 2) {
      recordProblem(out, 'truncated-link-header', position, true);
      return;
    }
    if (data[position + 1] !== HDLC_UNNUMBERED_INFORMATION) return;
    position += 2;
  }
  if (end - position < 1) {
    recordProblem(out, 'truncated-link-header', position, true);
    return;
  }
  let protocol = data[position] as number;
  if ((protocol & 0x01) !== 0) {
    position += 1;
  } else {
    if (end - position < 2) {
      recordProblem(out, 'truncated-link-header', position, true);
      return;
    }
    protocol = readUint16BigEndian(data, position);
    position += 2;
  }

  const etherType = getEtherTypeOfPppProtocol(protocol);
  if (etherType === 0) return;
  decodeEtherTypePayload(data, position, end, etherType, out, tunnel);
}

/**
 * Decode a frame of LINKTYPE_PPP_HDLC (50) or LINKTYPE_C_HDLC (104): Cisco
 * HDLC (address 0F or 8F, control, EtherType) or PPP in HDLC-like framing.
 */
export function decodeHdlc(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < 1) {
    recordProblem(out, 'truncated-link-header', offset, true);
    return;
  }
  const address = data[offset] as number;
  if (address !== CISCO_HDLC_UNICAST && address !== CISCO_HDLC_MULTICAST) {
    decodePppPayload(data, offset, end, out, 'none');
    return;
  }
  if (end - offset < CISCO_HDLC_HEADER_LENGTH) {
    recordProblem(out, 'truncated-link-header', offset, true);
    return;
  }
  const etherType = readUint16BigEndian(data, offset + 2);
  decodeEtherTypePayload(data, offset + CISCO_HDLC_HEADER_LENGTH, end, etherType, out, 'none');
}

function getEtherTypeOfPppProtocol(protocol: number): number {
  switch (protocol) {
    case PPP_PROTOCOL.IPV4:
      return ETHER_TYPE.IPV4;
    case PPP_PROTOCOL.IPV6:
      return ETHER_TYPE.IPV6;
    case PPP_PROTOCOL.MPLS_UNICAST:
      return ETHER_TYPE.MPLS_UNICAST;
    case PPP_PROTOCOL.MPLS_MULTICAST:
      return ETHER_TYPE.MPLS_MULTICAST;
    default:
      return 0;
  }
}
