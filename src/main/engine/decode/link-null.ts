import type { DecodedPacket } from './decoded-packet';
import { readUint32BigEndian, readUint32LittleEndian, recordProblem } from './decode-problem';
import { decodeEtherTypePayload, ETHER_TYPE } from './ether-type';

const NULL_HEADER_LENGTH = 4;

/**
 * Address-family values in BSD loopback headers. IPv6 differs by system:
 * 24 on NetBSD and OpenBSD, 28 on FreeBSD, 30 on macOS; 10 is Linux's.
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
 */
export function decodeNullLoopback(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < NULL_HEADER_LENGTH) {
    recordProblem(out, 'truncated-link-header', offset, true);
    return;
  }
  let family = readUint32LittleEndian(data, offset);
  if (family > 0xffff) family = readUint32BigEndian(data, offset);

  const etherType = getEtherTypeOfFamily(family);
  if (etherType === 0) return;
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
