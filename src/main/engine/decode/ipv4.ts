import type { DecodedPacket, TunnelKind } from './decoded-packet';
import { readUint16BigEndian, recordProblem } from './decode-problem';
import { decodeIpPayload } from './ip-payload';
import { beginNetworkLayer } from './network-layer';

const IPV4_MINIMUM_HEADER_LENGTH = 20;

/**
 * Decode an IPv4 header at `offset` and the protocol above it into the next
 * network layer. `end` is the end of the bytes present for this header.
 * The layer's payload is limited to the smaller of the total length and the
 * bytes present, which drops Ethernet padding and marks a snaplen cut as
 * truncated. An ICMP quote (`isIcmpQuote`) records no problem: a quoted
 * header is expected to be cut short.
 */
export function decodeIpv4(
  data: Uint8Array,
  offset: number,
  end: number,
  out: DecodedPacket,
  tunnel: TunnelKind,
  isIcmpQuote: boolean,
): void {
  if (end - offset < IPV4_MINIMUM_HEADER_LENGTH) {
    if (!isIcmpQuote) recordProblem(out, 'truncated-ipv4-header', offset, true);
    return;
  }
  const versionAndLength = data[offset] as number;
  if (versionAndLength >> 4 !== 4) {
    if (!isIcmpQuote) recordProblem(out, 'invalid-ip-version', offset, false);
    return;
  }
  const headerLength = (versionAndLength & 0x0f) * 4;
  if (headerLength < IPV4_MINIMUM_HEADER_LENGTH) {
    if (!isIcmpQuote) recordProblem(out, 'invalid-ipv4-header-length', offset, false);
    return;
  }
  if (end - offset < headerLength) {
    if (!isIcmpQuote) recordProblem(out, 'truncated-ipv4-header', offset, true);
    return;
  }

  // A total length of 0 comes from TCP segmentation offload on the capturing host,
  // so the bytes present stand in for it, as Wireshark 4.0 does by default.
  let totalLength = readUint16BigEndian(data, offset + 2);
  if (totalLength === 0 && !isIcmpQuote) totalLength = end - offset;
  if (totalLength < headerLength) {
    if (!isIcmpQuote) recordProblem(out, 'invalid-ipv4-total-length', offset + 2, false);
    return;
  }

  const layer = beginNetworkLayer(out, offset, tunnel, isIcmpQuote);
  if (layer === null) return;
  const flagsAndOffset = readUint16BigEndian(data, offset + 6);
  layer.ipVersion = 4;
  layer.ipOffset = offset;
  layer.ipLength = totalLength;
  layer.hopLimit = data[offset + 8] as number;
  layer.protocol = data[offset + 9] as number;
  layer.sourceAddressOffset = offset + 12;
  layer.destinationAddressOffset = offset + 16;
  layer.fragmentId = readUint16BigEndian(data, offset + 4);
  layer.fragmentOffset = (flagsAndOffset & 0x1fff) * 8;
  layer.hasMoreFragments = (flagsAndOffset & 0x2000) !== 0;
  layer.isFragment = layer.hasMoreFragments || layer.fragmentOffset !== 0;
  layer.isIpChecksumBad = !isIcmpQuote && !isIpv4ChecksumValid(data, offset, headerLength);
  out.layerCount++;

  // The payload ends at the claimed total length or at the last byte present.
  const claimedEnd = offset + totalLength;
  let payloadEnd = claimedEnd;
  if (claimedEnd > end) {
    payloadEnd = end;
    if (!isIcmpQuote) out.isTruncated = true;
  }
  if (layer.fragmentOffset !== 0) return;
  decodeIpPayload(data, offset + headerLength, payloadEnd, claimedEnd, layer, out);
}

/** Return whether the one's complement sum over the header, checksum included, is 0xffff. */
function isIpv4ChecksumValid(data: Uint8Array, offset: number, headerLength: number): boolean {
  let sum = 0;
  for (let i = offset; i < offset + headerLength; i += 2) {
    sum += ((data[i] as number) << 8) | (data[i + 1] as number);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}
