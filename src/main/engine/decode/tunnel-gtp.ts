import type { DecodedPacket } from './decoded-packet';
import { recordProblem } from './decode-problem';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';

/** IANA port of GTP-U (3GPP TS 29.281), on either side of the datagram. */
export const GTP_USER_PORT = 2152;
const GTP_MANDATORY_HEADER_LENGTH = 8;
/** Sequence number, N-PDU number and next extension type, present when any of E, S, PN is set. */
const GTP_OPTIONAL_FIELDS_LENGTH = 4;
const GTP_MESSAGE_TYPE_G_PDU = 0xff;
const GTP_FLAG_EXTENSION = 0x04;
const GTP_FLAGS_OPTIONAL = 0x07;

/**
 * Decode a GTP-U version 1 header at `offset`, walk its extension headers
 * and decode the user IP packet (tunnel 'gtp'). Only G-PDU messages carry
 * user packets, so echo and error messages stop without a problem.
 */
export function decodeGtpUser(data: Uint8Array, offset: number, end: number, out: DecodedPacket): void {
  if (end - offset < GTP_MANDATORY_HEADER_LENGTH) {
    recordProblem(out, 'truncated-tunnel-header', offset, true);
    return;
  }
  const flags = data[offset] as number;
  // Version 1 (top three bits 001) with protocol type GTP (bit 0x10).
  if ((flags & 0xf0) !== 0x30 || data[offset + 1] !== GTP_MESSAGE_TYPE_G_PDU) return;

  let position = offset + GTP_MANDATORY_HEADER_LENGTH;
  if ((flags & GTP_FLAGS_OPTIONAL) !== 0) {
    if (end - position < GTP_OPTIONAL_FIELDS_LENGTH) {
      recordProblem(out, 'truncated-tunnel-header', offset, true);
      return;
    }
    let nextExtensionType = (flags & GTP_FLAG_EXTENSION) !== 0 ? (data[position + 3] as number) : 0;
    position += GTP_OPTIONAL_FIELDS_LENGTH;

    // Each extension header gives its length in 4-byte units (at least 1, so the walk ends) and ends with the next type.
    while (nextExtensionType !== 0) {
      const extensionLength = end - position >= 1 ? (data[position] as number) * 4 : 0;
      if (extensionLength === 0 || end - position < extensionLength) {
        recordProblem(out, 'truncated-tunnel-header', position, true);
        return;
      }
      nextExtensionType = data[position + extensionLength - 1] as number;
      position += extensionLength;
    }
  }

  if (end - position < 1) return;
  const version = (data[position] as number) >> 4;
  if (version === 4) decodeIpv4(data, position, end, out, 'gtp', false);
  else if (version === 6) decodeIpv6(data, position, end, out, 'gtp', false);
}
