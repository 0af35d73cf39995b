import type { DecodedPacket } from './decoded-packet';
import { recordProblem } from './decode-problem';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';

/** IANA port of AYIYA (Anything In Anything), on either side of the datagram. */
export const AYIYA_PORT = 5072;
const AYIYA_FIXED_HEADER_LENGTH = 8;
const AYIYA_OPCODE_FORWARD = 1;
const AYIYA_NEXT_HEADER_IPV4 = 4;
const AYIYA_NEXT_HEADER_IPV6 = 41;

/**
 * Decode an AYIYA header at `offset` (8 fixed bytes, then an identity of
 * 2^IdLen bytes and a signature of SigLen 4-byte words) and, for a forward
 * message, the IPv4 or IPv6 packet it carries (tunnel 'ayiya').
 */
export function decodeAyiya(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < AYIYA_FIXED_HEADER_LENGTH) {
    recordProblem(out, 'truncated-tunnel-header', offset, true);
    return;
  }
  const identityLength = 1 << ((data[offset] as number) >> 4);
  const signatureLength = ((data[offset + 1] as number) >> 4) * 4;
  const opcode = (data[offset + 2] as number) & 0x0f;
  const nextHeader = data[offset + 3] as number;
  const headerLength = AYIYA_FIXED_HEADER_LENGTH + identityLength + signatureLength;
  if (end - offset < headerLength) {
    recordProblem(out, 'truncated-tunnel-header', offset, true);
    return;
  }
  if (opcode !== AYIYA_OPCODE_FORWARD) return;
  if (nextHeader === AYIYA_NEXT_HEADER_IPV4) decodeIpv4(data, offset + headerLength, end, out, 'ayiya', false);
  else if (nextHeader === AYIYA_NEXT_HEADER_IPV6) decodeIpv6(data, offset + headerLength, end, out, 'ayiya', false);
}
