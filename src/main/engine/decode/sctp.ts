import type { DecodedPacket, NetworkLayer } from './decoded-packet';
import { readUint16BigEndian, recordProblem } from './decode-problem';

const SCTP_COMMON_HEADER_LENGTH = 12;

/** Decode the SCTP common header's ports into `layer`. Chunks are not walked. */
export function decodeSctp(
  data: Uint8Array,
  offset: number,
  end: number,
  claimedEnd: number,
  layer: NetworkLayer,
  out: DecodedPacket,
): void {
  if (end - offset < SCTP_COMMON_HEADER_LENGTH) {
    recordProblem(out, 'truncated-sctp-header', offset, true);
    return;
  }
  layer.hasTransport = true;
  layer.transportOffset = offset;
  layer.sourcePort = readUint16BigEndian(data, offset);
  layer.destinationPort = readUint16BigEndian(data, offset + 2);
  layer.payloadOffset = offset + SCTP_COMMON_HEADER_LENGTH;
  layer.claimedPayloadLength = Math.max(0, claimedEnd - layer.payloadOffset);
  layer.payloadLength = Math.max(0, Math.min(end, claimedEnd) - layer.payloadOffset);
}
