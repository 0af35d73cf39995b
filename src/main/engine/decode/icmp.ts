import type { DecodedPacket, NetworkLayer } from './decoded-packet';
import { recordProblem } from './decode-problem';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';

const ICMP_HEADER_LENGTH = 4;
/** The quoted IP header of an error message starts after type, code, checksum and 4 unused bytes. */
const ICMP_ERROR_QUOTE_OFFSET = 8;

/** ICMPv4 error types that quote the offending IP header: unreachable, source quench, redirect, time exceeded, parameter problem. */
const ICMPV4_ERROR_TYPES = [3, 4, 5, 11, 12] as const;

/**
 * Decode an ICMP header's type and code into `layer`. An error message's
 * quoted IPv4 header goes into the next layer with `isIcmpQuote` set, so
 * that it is decoded but creates no flow.
 */
export function decodeIcmp(
  data: Uint8Array,
  offset: number,
  end: number,
  claimedEnd: number,
  layer: NetworkLayer,
  out: DecodedPacket,
): void {
  if (!decodeIcmpHeader(data, offset, end, claimedEnd, layer, out)) return;
  if (!(ICMPV4_ERROR_TYPES as readonly number[]).includes(layer.icmpType)) return;
  if (end - offset > ICMP_ERROR_QUOTE_OFFSET) {
    decodeIpv4(data, offset + ICMP_ERROR_QUOTE_OFFSET, end, out, layer.tunnel, true);
  }
}

/**
 * Decode an ICMPv6 header's type and code into `layer`. Error messages
 * (types 1 to 4: unreachable, packet too big, time exceeded, parameter
 * problem) quote the offending IPv6 header into the next layer.
 */
export function decodeIcmpv6(
  data: Uint8Array,
  offset: number,
  end: number,
  claimedEnd: number,
  layer: NetworkLayer,
  out: DecodedPacket,
): void {
  if (!decodeIcmpHeader(data, offset, end, claimedEnd, layer, out)) return;
  if (layer.icmpType < 1 || layer.icmpType > 4) return;
  if (end - offset > ICMP_ERROR_QUOTE_OFFSET) {
    decodeIpv6(data, offset + ICMP_ERROR_QUOTE_OFFSET, end, out, layer.tunnel, true);
  }
}

function decodeIcmpHeader(
  data: Uint8Array,
  offset: number,
  end: number,
  claimedEnd: number,
  layer: NetworkLayer,
  out: DecodedPacket,
): boolean {
  if (end - offset < ICMP_HEADER_LENGTH) {
    recordProblem(out, 'truncated-icmp-header', offset, true);
    return false;
  }
  layer.hasTransport = true;
  layer.transportOffset = offset;
  layer.icmpType = data[offset] as number;
  layer.icmpCode = data[offset + 1] as number;
  layer.payloadOffset = offset + ICMP_HEADER_LENGTH;
  layer.claimedPayloadLength = Math.max(0, claimedEnd - layer.payloadOffset);
  layer.payloadLength = Math.max(0, Math.min(end, claimedEnd) - layer.payloadOffset);
  return true;
}
