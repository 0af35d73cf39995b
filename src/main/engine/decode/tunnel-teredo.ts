import type { DecodedPacket } from './decoded-packet';
import { readUint16BigEndian } from './decode-problem';
import { decodeIpv6 } from './ipv6';

/** IANA port of Teredo (RFC 4380), on either side of the datagram. */
export const TEREDO_PORT = 3544;
const TEREDO_AUTHENTICATION_INDICATOR = 0x0001;
const TEREDO_ORIGIN_INDICATOR = 0x0000;
const TEREDO_ORIGIN_INDICATION_LENGTH = 8;
/** Indicator, client id length, authentication length, nonce (8) and confirmation byte. */
const TEREDO_AUTHENTICATION_FIXED_LENGTH = 4 + 8 + 1;

/** Next-header values a Teredo-carried IPv6 packet plausibly starts with. */
const PLAUSIBLE_NEXT_HEADERS = new Set([0, 6, 17, 43, 44, 58, 59, 60]);

/**
 * Whether a UDP payload on a port other than 3544 is a Teredo packet.
 *
 * Teredo relays and clients talk on any port once a session exists, so Zeek
 * tries Teredo on every UDP payload. To keep false positives rare this
 * demands what Teredo guarantees: the IPv6 payload length fills the UDP
 * datagram exactly, the next header is a plausible one, and one address is in
 * the Teredo prefix 2001::/32 (RFC 4380 section 2.6).
 */
export function isTeredoPayload(data: Uint8Array, offset: number, end: number, claimedEnd: number): boolean {
  const position = skipTeredoIndications(data, offset, end);
  if (end - position < 40) return false;
  if ((data[position] as number) >> 4 !== 6) return false;
  const payloadLength = readUint16BigEndian(data, position + 4);
  if (40 + payloadLength !== claimedEnd - position) return false;
  if (!PLAUSIBLE_NEXT_HEADERS.has(data[position + 6] as number)) return false;
  return hasTeredoPrefix(data, position + 8) || hasTeredoPrefix(data, position + 24);
}

function hasTeredoPrefix(data: Uint8Array, addressOffset: number): boolean {
  return (
    data[addressOffset] === 0x20 &&
    data[addressOffset + 1] === 0x01 &&
    data[addressOffset + 2] === 0 &&
    data[addressOffset + 3] === 0
  );
}

/** Skip the optional authentication and origin indication headers; returns the offset of the IPv6 header. */
function skipTeredoIndications(data: Uint8Array, offset: number, end: number): number {
  let position = offset;
  if (end - position >= 4 && readUint16BigEndian(data, position) === TEREDO_AUTHENTICATION_INDICATOR) {
    const clientIdLength = data[position + 2] as number;
    const authenticationLength = data[position + 3] as number;
    position += TEREDO_AUTHENTICATION_FIXED_LENGTH + clientIdLength + authenticationLength;
  }
  if (end - position >= 2 && readUint16BigEndian(data, position) === TEREDO_ORIGIN_INDICATOR) {
    position += TEREDO_ORIGIN_INDICATION_LENGTH;
  }
  return position;
}

/**
 * Decode a Teredo payload at `offset`: skip the optional authentication and
 * origin indication headers, then decode IPv6 (tunnel 'teredo') when the
 * first nibble is 6 and the IPv6 payload length fits in `claimedEnd`.
 * Anything else is ordinary UDP data and records no problem.
 */
export function decodeTeredo(
  data: Uint8Array,
  offset: number,
  end: number,
  claimedEnd: number,
  out: DecodedPacket,
): void {
  const position = skipTeredoIndications(data, offset, end);
  if (end - position < 40) return;
  if ((data[position] as number) >> 4 !== 6) return;
  const payloadLength = readUint16BigEndian(data, position + 4);
  if (40 + payloadLength > claimedEnd - position) return;
  decodeIpv6(data, position, end, out, 'teredo', false);
}
