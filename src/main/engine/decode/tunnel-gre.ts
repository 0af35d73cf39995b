import type { DecodedPacket } from './decoded-packet';
import { readUint16BigEndian, recordProblem } from './decode-problem';
import { decodeEtherTypePayload, ETHER_TYPE } from './ether-type';
import { decodeEthernet } from './link-ethernet';
import { decodePppPayload } from './link-ppp';

const GRE_FLAG_CHECKSUM = 0x8000;
const GRE_FLAG_ROUTING = 0x4000;
const GRE_FLAG_KEY = 0x2000;
const GRE_FLAG_SEQUENCE = 0x1000;
/** Enhanced GRE (version 1, PPTP) acknowledgement-number flag. */
const GRE_FLAG_ACKNOWLEDGEMENT = 0x0080;
const ERSPAN_TYPE_2_HEADER_LENGTH = 8;
const ERSPAN_TYPE_3_HEADER_LENGTH = 12;
const ERSPAN_TYPE_3_SUBHEADER_LENGTH = 8;

/**
 * Decode a GRE header (RFC 2784/2890, and PPTP's enhanced GRE version 1 of
 * RFC 2637) at `offset` and the packet it carries: IPv4, IPv6, Ethernet
 * (transparent bridging and ERSPAN types I to III), PPP or MPLS. Inner IP
 * layers get tunnel 'gre'.
 */
export function decodeGre(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < 4) {
    recordProblem(out, 'truncated-tunnel-header', offset, true);
    return;
  }
  const flags = readUint16BigEndian(data, offset);
  const protocol = readUint16BigEndian(data, offset + 2);
  const version = flags & 0x0007;
  // NOTE: version-0 source routing (R flag with routing entries) is obsolete
  // and not walked, so such packets keep their outer layer only.
  if (version > 1 || (version === 0 && (flags & GRE_FLAG_ROUTING) !== 0)) return;

  // Optional fields follow in this order: checksum+reserved, key, sequence, acknowledgement.
  let headerLength = 4;
  if ((flags & GRE_FLAG_CHECKSUM) !== 0) headerLength += 4;
  if ((flags & GRE_FLAG_KEY) !== 0) headerLength += 4;
  if ((flags & GRE_FLAG_SEQUENCE) !== 0) headerLength += 4;
  if (version === 1 && (flags & GRE_FLAG_ACKNOWLEDGEMENT) !== 0) headerLength += 4;
  if (end - offset < headerLength) {
    recordProblem(out, 'truncated-tunnel-header', offset, true);
    return;
  }

  const payloadOffset = offset + headerLength;
  switch (protocol) {
    case ETHER_TYPE.TRANSPARENT_ETHERNET_BRIDGING:
      decodeEthernet(data, payloadOffset, end, out, 'gre');
      return;
    case ETHER_TYPE.PPP:
      // A PPTP acknowledgement-only packet carries no PPP frame at all.
      if (payloadOffset === end) return;
      decodePppPayload(data, payloadOffset, end, out, 'gre');
      return;
    case ETHER_TYPE.ERSPAN_TYPE_2:
      decodeErspan(data, payloadOffset, end, out, (flags & GRE_FLAG_SEQUENCE) !== 0 ? ERSPAN_TYPE_2_HEADER_LENGTH : 0);
      return;
    case ETHER_TYPE.ERSPAN_TYPE_3:
      decodeErspanType3(data, payloadOffset, end, out);
      return;
    default:
      decodeEtherTypePayload(data, payloadOffset, end, protocol, out, 'gre');
  }
}

/** Skip an ERSPAN header of `headerLength` bytes: 0 for type I (GRE without sequence number), 8 for type II. */
function decodeErspan(data: Uint8Array, offset: number, end: number, out: DecodedPacket, headerLength: number): void {
  if (end - offset < headerLength) {
    recordProblem(out, 'truncated-tunnel-header', offset, true);
    return;
  }
  decodeEthernet(data, offset + headerLength, end, out, 'gre');
}

/** ERSPAN type III: 12 bytes, plus an 8-byte platform subheader when the O flag (lowest bit of byte 11) is set. */
function decodeErspanType3(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < ERSPAN_TYPE_3_HEADER_LENGTH) {
    recordProblem(out, 'truncated-tunnel-header', offset, true);
    return;
  }
  const hasSubheader = ((data[offset + 11] as number) & 0x01) !== 0;
  const headerLength = ERSPAN_TYPE_3_HEADER_LENGTH + (hasSubheader ? ERSPAN_TYPE_3_SUBHEADER_LENGTH : 0);
  decodeErspan(data, offset, end, out, headerLength);
}
