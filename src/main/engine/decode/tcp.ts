import type { DecodedPacket, NetworkLayer } from './decoded-packet';
import { readUint16BigEndian, readUint32BigEndian, recordProblem } from './decode-problem';

const TCP_MINIMUM_HEADER_LENGTH = 20;

/**
 * Decode a TCP header at `offset` into `layer`. Options are skipped. The
 * payload length comes from the IP length (`claimedEnd`), never from the
 * frame, because Ethernet pads short frames. A header cut inside its options
 * keeps the ports and flags and reports 'truncated-tcp-header'.
 */
export function decodeTcp(
  data: Uint8Array,
  offset: number,
  end: number,
  claimedEnd: number,
  layer: NetworkLayer,
  out: DecodedPacket,
): void {
  if (end - offset < TCP_MINIMUM_HEADER_LENGTH) {
    recordProblem(out, 'truncated-tcp-header', offset, true);
    return;
  }
  const headerLength = ((data[offset + 12] as number) >> 4) * 4;
  if (headerLength < TCP_MINIMUM_HEADER_LENGTH || headerLength > claimedEnd - offset) {
    recordProblem(out, 'invalid-tcp-header-length', offset + 12, false);
    return;
  }

  layer.hasTransport = true;
  layer.transportOffset = offset;
  layer.sourcePort = readUint16BigEndian(data, offset);
  layer.destinationPort = readUint16BigEndian(data, offset + 2);
  layer.tcpSequence = readUint32BigEndian(data, offset + 4);
  layer.tcpAcknowledgement = readUint32BigEndian(data, offset + 8);
  layer.tcpFlags = data[offset + 13] as number;
  layer.tcpWindow = readUint16BigEndian(data, offset + 14);

  const payloadOffset = offset + headerLength;
  layer.payloadOffset = payloadOffset;
  layer.claimedPayloadLength = claimedEnd - payloadOffset;
  layer.payloadLength = Math.max(0, Math.min(end, claimedEnd) - payloadOffset);
  if (headerLength > end - offset) {
    layer.payloadOffset = end;
    recordProblem(out, 'truncated-tcp-header', offset, true);
  }
}
