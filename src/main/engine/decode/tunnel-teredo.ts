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
  let position = offset;
  if (end - position >= 4 && readUint16BigEndian(data, position) === TEREDO_AUTHENTICATION_INDICATOR) {
    const clientIdLength = data[position + 2] as number;
    const authenticationLength = data[position + 3] as number;
    position += TEREDO_AUTHENTICATION_FIXED_LENGTH + clientIdLength + authenticationLength;
  }
  if (end - position >= 2 && readUint16BigEndian(data, position) === TEREDO_ORIGIN_INDICATOR) {
    position += TEREDO_ORIGIN_INDICATION_LENGTH;
  }
  if (end - position < 40) return;
  if ((data[position] as number) >> 4 !== 6) return;
  const payloadLength = readUint16BigEndian(data, position + 4);
  if (40 + payloadLength > claimedEnd - position) return;
  decodeIpv6(data, position, end, out, 'teredo', false);
}
