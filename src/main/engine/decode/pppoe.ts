import type { DecodedPacket, TunnelKind } from './decoded-packet';
import { readUint16BigEndian, recordProblem } from './decode-problem';
import { decodePppPayload } from './link-ppp';

const PPPOE_HEADER_LENGTH = 6;

/**
 * Decode a PPPoE session header (RFC 2516) at `offset` and the PPP frame it
 * carries, limited to the PPPoE length field. Records the session id.
 */
export function decodePppoeSession(
  data: Uint8Array,
  offset: number,
  end: number,
  out: DecodedPacket,
  tunnel: TunnelKind,
): void {
  if (end - offset < PPPOE_HEADER_LENGTH) {
    recordProblem(out, 'truncated-pppoe', offset, true);
    return;
  }
  if (out.layerCount === 0) out.pppoeSessionId = readUint16BigEndian(data, offset + 2);
  const payloadLength = readUint16BigEndian(data, offset + 4);
  const payloadOffset = offset + PPPOE_HEADER_LENGTH;
  let payloadEnd = payloadOffset + payloadLength;
  if (payloadEnd > end) {
    payloadEnd = end;
    out.isTruncated = true;
  }
  decodePppPayload(data, payloadOffset, payloadEnd, out, tunnel);
}
