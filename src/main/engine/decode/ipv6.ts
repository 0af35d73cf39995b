import type { DecodedPacket, NetworkLayer, TunnelKind } from './decoded-packet';
import { readUint16BigEndian, readUint32BigEndian, recordProblem } from './decode-problem';
import { decodeIpPayload } from './ip-payload';
import { beginNetworkLayer } from './network-layer';

const IPV6_HEADER_LENGTH = 40;
/** Extension headers walked before giving up ('ipv6-extension-chain-too-long'). */
export const MAX_IPV6_EXTENSION_HEADERS = 8;

/** IPv6 next-header values that the extension walk knows. */
export const IPV6_NEXT_HEADER = {
  HOP_BY_HOP: 0,
  ROUTING: 43,
  FRAGMENT: 44,
  ESP: 50,
  AUTHENTICATION: 51,
  NO_NEXT_HEADER: 59,
  DESTINATION_OPTIONS: 60,
  MOBILITY: 135,
} as const;

/**
 * Decode an IPv6 header at `offset`, walk its extension headers and decode
 * the protocol above them into the next network layer. The fragment header
 * fills the layer's fragment fields. ESP, mobility and "no next header" end
 * the walk with `protocol` set to them and no transport.
 */
export function decodeIpv6(
  data: Uint8Array,
  offset: number,
  end: number,
  out: DecodedPacket,
  tunnel: TunnelKind,
  isIcmpQuote: boolean,
): void {
  if (end - offset < IPV6_HEADER_LENGTH) {
    if (!isIcmpQuote) recordProblem(out, 'truncated-ipv6-header', offset, true);
    return;
  }
  if ((data[offset] as number) >> 4 !== 6) {
    if (!isIcmpQuote) recordProblem(out, 'invalid-ip-version', offset, false);
    return;
  }
  const layer = beginNetworkLayer(out, offset, tunnel, isIcmpQuote);
  if (layer === null) return;

  // NOTE: a jumbogram (payload length 0 with a hop-by-hop jumbo option) is
  // measured by the bytes present without reading the option, so a cut
  // jumbogram is not marked truncated.
  const payloadLengthField = readUint16BigEndian(data, offset + 4);
  const nextHeaderField = data[offset + 6] as number;
  const isJumbogram = payloadLengthField === 0 && nextHeaderField === IPV6_NEXT_HEADER.HOP_BY_HOP;
  const ipLength = isJumbogram ? end - offset : payloadLengthField + IPV6_HEADER_LENGTH;
  layer.ipVersion = 6;
  layer.ipOffset = offset;
  layer.ipLength = ipLength;
  layer.hopLimit = data[offset + 7] as number;
  layer.sourceAddressOffset = offset + 8;
  layer.destinationAddressOffset = offset + 24;
  layer.protocol = nextHeaderField;
  out.layerCount++;

  const claimedEnd = offset + ipLength;
  let payloadEnd = claimedEnd;
  if (claimedEnd > end) {
    payloadEnd = end;
    if (!isIcmpQuote) out.isTruncated = true;
  }
  const transportOffset = walkExtensionHeaders(data, offset + IPV6_HEADER_LENGTH, payloadEnd, layer, out);
  if (transportOffset < 0 || layer.fragmentOffset !== 0) return;
  decodeIpPayload(data, transportOffset, payloadEnd, claimedEnd, layer, out);
}

/**
 * Walk the extension headers from `offset`, leaving the upper-layer protocol
 * in `layer.protocol`. Return the upper-layer offset, or -1 when the walk
 * stopped (problem recorded, or a protocol with no transport to decode).
 */
function walkExtensionHeaders(
  data: Uint8Array,
  offset: number,
  end: number,
  layer: NetworkLayer,
  out: DecodedPacket,
): number {
  const isQuote = layer.isIcmpQuote;
  let position = offset;
  for (let count = 0; ; count++) {
    const nextHeader = layer.protocol;
    if (
      nextHeader === IPV6_NEXT_HEADER.ESP ||
      nextHeader === IPV6_NEXT_HEADER.NO_NEXT_HEADER ||
      nextHeader === IPV6_NEXT_HEADER.MOBILITY
    ) {
      return -1;
    }
    if (!isExtensionHeader(nextHeader)) return position;
    if (count >= MAX_IPV6_EXTENSION_HEADERS) {
      if (!isQuote) recordProblem(out, 'ipv6-extension-chain-too-long', position, false);
      return -1;
    }
    if (end - position < 8) {
      if (!isQuote) recordProblem(out, 'truncated-ipv6-extension', position, true);
      return -1;
    }

    // The fragment header is 8 bytes, AH counts 4-byte units minus 2, and the others 8-byte units minus 1.
    const lengthField = data[position + 1] as number;
    let headerLength = (lengthField + 1) * 8;
    if (nextHeader === IPV6_NEXT_HEADER.FRAGMENT) headerLength = 8;
    if (nextHeader === IPV6_NEXT_HEADER.AUTHENTICATION) headerLength = (lengthField + 2) * 4;
    if (end - position < headerLength) {
      if (!isQuote) recordProblem(out, 'truncated-ipv6-extension', position, true);
      return -1;
    }
    if (nextHeader === IPV6_NEXT_HEADER.FRAGMENT) {
      const offsetAndFlags = readUint16BigEndian(data, position + 2);
      layer.isFragment = true;
      layer.fragmentOffset = offsetAndFlags & 0xfff8;
      layer.hasMoreFragments = (offsetAndFlags & 0x0001) !== 0;
      layer.fragmentId = readUint32BigEndian(data, position + 4);
    }
    layer.protocol = data[position] as number;
    position += headerLength;
  }
}

function isExtensionHeader(nextHeader: number): boolean {
  return (
    nextHeader === IPV6_NEXT_HEADER.HOP_BY_HOP ||
    nextHeader === IPV6_NEXT_HEADER.ROUTING ||
    nextHeader === IPV6_NEXT_HEADER.FRAGMENT ||
    nextHeader === IPV6_NEXT_HEADER.AUTHENTICATION ||
    nextHeader === IPV6_NEXT_HEADER.DESTINATION_OPTIONS
  );
}
