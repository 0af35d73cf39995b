import type { DecodedPacket, NetworkLayer } from './decoded-packet';
import { readUint16BigEndian, readUint32BigEndian } from './decode-problem';
import { decodeIcmp, decodeIcmpv6 } from './icmp';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';
import { decodeSctp } from './sctp';
import { decodeTcp } from './tcp';
import { decodeGre } from './tunnel-gre';
import { decodeUdp } from './udp';

/** IP protocol numbers the decoder follows. */
export const IP_PROTOCOL = {
  ICMP: 1,
  IPV4: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  GRE: 47,
  ICMPV6: 58,
  SCTP: 132,
} as const;

/**
 * Decode what follows an IP header: the transport header, or a tunnelled
 * packet. `end` is the end of the bytes present and `claimedEnd` the end the
 * IP length claims (larger when the capture cut the packet).
 */
export function decodeIpPayload(
  data: Uint8Array,
  offset: number,
  end: number,
  claimedEnd: number,
  layer: NetworkLayer,
  out: DecodedPacket,
): void {
  if (layer.isIcmpQuote) {
    decodeQuotedTransport(data, offset, end, layer);
    return;
  }
  switch (layer.protocol) {
    case IP_PROTOCOL.TCP:
      decodeTcp(data, offset, end, claimedEnd, layer, out);
      return;
    case IP_PROTOCOL.UDP:
      decodeUdp(data, offset, end, claimedEnd, layer, out);
      return;
    case IP_PROTOCOL.ICMP:
      decodeIcmp(data, offset, end, claimedEnd, layer, out);
      return;
    case IP_PROTOCOL.ICMPV6:
      decodeIcmpv6(data, offset, end, claimedEnd, layer, out);
      return;
    case IP_PROTOCOL.SCTP:
      decodeSctp(data, offset, end, claimedEnd, layer, out);
      return;
    case IP_PROTOCOL.GRE:
      decodeGre(data, offset, end, out);
      return;
    case IP_PROTOCOL.IPV4:
      decodeIpv4(data, offset, end, out, 'ip-in-ip', false);
      return;
    case IP_PROTOCOL.IPV6:
      decodeIpv6(data, offset, end, out, 'ip-in-ip', false);
      return;
    default:
      return;
  }
}

/**
 * Read what an ICMP error quotes of the transport header: the first 8 bytes,
 * which hold the ports (and the TCP sequence number) or the ICMP type and
 * code. Nothing past them is read and nothing is recorded as a problem.
 */
function decodeQuotedTransport(data: Uint8Array, offset: number, end: number, layer: NetworkLayer): void {
  const protocol = layer.protocol;
  layer.transportOffset = offset;
  if (protocol === IP_PROTOCOL.ICMP || protocol === IP_PROTOCOL.ICMPV6) {
    if (end - offset < 2) return;
    layer.icmpType = data[offset] as number;
    layer.icmpCode = data[offset + 1] as number;
    layer.hasTransport = true;
    return;
  }
  if (protocol !== IP_PROTOCOL.TCP && protocol !== IP_PROTOCOL.UDP && protocol !== IP_PROTOCOL.SCTP) return;
  if (end - offset < 4) return;
  layer.sourcePort = readUint16BigEndian(data, offset);
  layer.destinationPort = readUint16BigEndian(data, offset + 2);
  layer.hasTransport = true;
  if (protocol === IP_PROTOCOL.TCP && end - offset >= 8) {
    layer.tcpSequence = readUint32BigEndian(data, offset + 4);
  }
}
