import type { DecodedPacket } from './decoded-packet';
import { recordProblem } from './decode-problem';
import { decodeEtherTypePayload, ETHER_TYPE } from './ether-type';

const IPNET_HEADER_LENGTH = 24;
/** Solaris ipnet address families (IPH_AF_INET, IPH_AF_INET6). */
const IPNET_FAMILY_INET = 2;
const IPNET_FAMILY_INET6 = 26;

/**
 * Decode a Solaris ipnet header (LINKTYPE_IPNET, 24 bytes: version, family,
 * hook type, packet length, interface ids and zone ids) and its IP payload.
 */
export function decodeIpnet(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < IPNET_HEADER_LENGTH) {
    recordProblem(out, 'truncated-link-header', offset, true);
    return;
  }
  const family = data[offset + 1] as number;
  let etherType = 0;
  if (family === IPNET_FAMILY_INET) etherType = ETHER_TYPE.IPV4;
  else if (family === IPNET_FAMILY_INET6) etherType = ETHER_TYPE.IPV6;
  if (etherType === 0) return;
  decodeEtherTypePayload(data, offset + IPNET_HEADER_LENGTH, end, etherType, out, 'none');
}
