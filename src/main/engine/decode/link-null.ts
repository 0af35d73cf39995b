import type { DecodedPacket } from './decoded-packet';
import { readUint16BigEndian, readUint32BigEndian, readUint32LittleEndian, recordProblem } from './decode-problem';
import { decodeEtherTypePayload, ETHER_TYPE } from './ether-type';

const NULL_HEADER_LENGTH = 4;
const ETHER_TYPE_MINIMUM = 0x0600;

/**
 * Address-family values in BSD loopback headers. IPv6 differs by system:
 * 24 on NetBSD and OpenBSD, 28 on FreeBSD, 30 on macOS, and 10 on Linux.
 */
export const LOOPBACK_ADDRESS_FAMILY = {
  INET: 2,
  INET6_LINUX: 10,
  INET6_BSD: 24,
  INET6_FREEBSD: 28,
  INET6_DARWIN: 30,
} as const;

/**
 * Decode a BSD loopback header (LINKTYPE_NULL in the capturing host's byte
 * order, LINKTYPE_LOOP in network byte order) and its IP payload. Either
 * byte order is accepted for both, because a family value fits in the low
 * 16 bits: a 32-bit value with upper bits set was read in the wrong order.
 * When neither order fits, bytes 2-3 are taken as a big-endian EtherType,
 * as Wireshark 4.0 does for headers such as `0f 00 08 00`.
 */
export function decodeNullLoopback(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < NULL_HEADER_LENGTH) {
    recordProblem(out, 'truncated-link-header', offset, true);
    return;
  }
  const littleEndianFamily = readUint32LittleEndian(data, offset);
  const bigEndianFamily = readUint32BigEndian(data, offset);
  let etherType = 0;
  if (littleEndianFamily <= 0xffff) etherType = getEtherTypeOfFamily(littleEndianFamily);
  else if (bigEndianFamily <= 0xffff) etherType = getEtherTypeOfFamily(bigEndianFamily);
  else etherType = readUint16BigEndian(data, offset + 2);
  if (etherType < ETHER_TYPE_MINIMUM) return;
  decodeEtherTypePayload(data, offset + NULL_HEADER_LENGTH, end, etherType, out, 'none');
}

function getEtherTypeOfFamily(family: number): number {
  switch (family) {
    case LOOPBACK_ADDRESS_FAMILY.INET:
      return ETHER_TYPE.IPV4;
    case LOOPBACK_ADDRESS_FAMILY.INET6_LINUX:
    case LOOPBACK_ADDRESS_FAMILY.INET6_BSD:
    case LOOPBACK_ADDRESS_FAMILY.INET6_FREEBSD:
    case LOOPBACK_ADDRESS_FAMILY.INET6_DARWIN:
      return ETHER_TYPE.IPV6;
    default:
      return 0;
  }
}
