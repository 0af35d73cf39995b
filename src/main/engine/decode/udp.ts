import type { DecodedPacket, NetworkLayer } from './decoded-packet';
import { readUint16BigEndian, recordProblem } from './decode-problem';
import { AYIYA_PORT, decodeAyiya } from './tunnel-ayiya';
import { decodeGeneve, GENEVE_PORT } from './tunnel-geneve';
import { decodeGtpUser, GTP_USER_PORT } from './tunnel-gtp';
import { decodeTeredo, isTeredoPayload, TEREDO_PORT } from './tunnel-teredo';
import { decodeVxlan, VXLAN_PORT } from './tunnel-vxlan';

const UDP_HEADER_LENGTH = 8;

/**
 * Decode a UDP header at `offset` into `layer`, then a tunnel by its port
 * (VXLAN, Geneve, Teredo, GTP-U, AYIYA) when the datagram is unfragmented.
 * A length below 8 or beyond the IP payload is 'invalid-udp-length'. The
 * ports are then kept and the payload is limited to the IP payload.
 */
export function decodeUdp(
  data: Uint8Array,
  offset: number,
  end: number,
  claimedEnd: number,
  layer: NetworkLayer,
  out: DecodedPacket,
): void {
  if (end - offset < UDP_HEADER_LENGTH) {
    recordProblem(out, 'truncated-udp-header', offset, true);
    return;
  }
  layer.hasTransport = true;
  layer.transportOffset = offset;
  layer.sourcePort = readUint16BigEndian(data, offset);
  layer.destinationPort = readUint16BigEndian(data, offset + 2);
  const payloadOffset = offset + UDP_HEADER_LENGTH;
  layer.payloadOffset = payloadOffset;

  // The UDP length must cover its own header and fit in the IP payload. In a
  // first fragment it covers the whole datagram, so only the first check applies.
  const udpLength = readUint16BigEndian(data, offset + 4);
  const isLengthValid = udpLength >= UDP_HEADER_LENGTH && (layer.isFragment || udpLength <= claimedEnd - offset);
  const udpClaimedEnd = isLengthValid && !layer.isFragment ? offset + udpLength : claimedEnd;
  layer.claimedPayloadLength = udpClaimedEnd - payloadOffset;
  const payloadEnd = Math.min(end, udpClaimedEnd);
  layer.payloadLength = payloadEnd - payloadOffset;
  if (!isLengthValid) {
    recordProblem(out, 'invalid-udp-length', offset + 4, false);
    return;
  }
  if (layer.isFragment) return;

  // Tunnels are recognised by their port on either side, as Wireshark 4.0 does,
  // and Teredo also by its payload, as Zeek does.
  const sourcePort = layer.sourcePort;
  const destinationPort = layer.destinationPort;
  if (sourcePort === VXLAN_PORT || destinationPort === VXLAN_PORT) {
    decodeVxlan(data, payloadOffset, payloadEnd, out);
  } else if (sourcePort === GENEVE_PORT || destinationPort === GENEVE_PORT) {
    decodeGeneve(data, payloadOffset, payloadEnd, out);
  } else if (sourcePort === TEREDO_PORT || destinationPort === TEREDO_PORT) {
    decodeTeredo(data, payloadOffset, payloadEnd, udpClaimedEnd, out);
  } else if (sourcePort === GTP_USER_PORT || destinationPort === GTP_USER_PORT) {
    decodeGtpUser(data, payloadOffset, payloadEnd, out);
  } else if (sourcePort === AYIYA_PORT || destinationPort === AYIYA_PORT) {
    decodeAyiya(data, payloadOffset, payloadEnd, out);
  } else if (isTeredoPayload(data, payloadOffset, payloadEnd, udpClaimedEnd)) {
    // Teredo sessions move off port 3544 once established; Zeek follows them by payload.
    decodeTeredo(data, payloadOffset, payloadEnd, udpClaimedEnd, out);
  }
}
