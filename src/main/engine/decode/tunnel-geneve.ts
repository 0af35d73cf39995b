import type { DecodedPacket } from './decoded-packet';
import { readUint16BigEndian, recordProblem } from './decode-problem';
import { decodeEtherTypePayload, ETHER_TYPE } from './ether-type';
import { decodeEthernet } from './link-ethernet';

/** IANA port of Geneve (RFC 8926). */
export const GENEVE_PORT = 6081;
const GENEVE_BASE_HEADER_LENGTH = 8;

/**
 * Decode a Geneve header at `offset` (version 0 only), skip its options and
 * decode the payload by its protocol type: Ethernet (0x6558) or an EtherType.
 */
export function decodeGeneve(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < GENEVE_BASE_HEADER_LENGTH) {
    recordProblem(out, 'truncated-tunnel-header', offset, true);
    return;
  }
  const versionAndOptionsLength = data[offset] as number;
  if (versionAndOptionsLength >> 6 !== 0) return;
  const headerLength = GENEVE_BASE_HEADER_LENGTH + (versionAndOptionsLength & 0x3f) * 4;
  if (end - offset < headerLength) {
    recordProblem(out, 'truncated-tunnel-header', offset, true);
    return;
  }
  const protocol = readUint16BigEndian(data, offset + 2);
  if (protocol === ETHER_TYPE.TRANSPARENT_ETHERNET_BRIDGING) {
    decodeEthernet(data, offset + headerLength, end, out, 'geneve');
    return;
  }
  decodeEtherTypePayload(data, offset + headerLength, end, protocol, out, 'geneve');
}
