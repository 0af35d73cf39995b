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
  // Even bytes carry the high halves and odd bytes the low ones: two sums, shifted once.
  // The 20-byte header without options, nearly every packet, is summed without a loop.
  let high = 0;
  let low = 0;
  let i = offset;
  const end = offset + headerLength;
  if (headerLength >= IPV4_MINIMUM_HEADER_LENGTH) {
    high = (data[i] as number) + (data[i + 2] as number) + (data[i + 4] as number) + (data[i + 6] as number) + (data[i + 8] as number) +
      (data[i + 10] as number) + (data[i + 12] as number) + (data[i + 14] as number) + (data[i + 16] as number) + (data[i + 18] as number);
    low = (data[i + 1] as number) + (data[i + 3] as number) + (data[i + 5] as number) + (data[i + 7] as number) + (data[i + 9] as number) +
      (data[i + 11] as number) + (data[i + 13] as number) + (data[i + 15] as number) + (data[i + 17] as number) + (data[i + 19] as number);
    i += IPV4_MINIMUM_HEADER_LENGTH;
  }
  for (; i < end; i += 2) {
    high += data[i] as number;
    low += data[i + 1] as number;
  }
  let sum = high * 256 + low;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}
