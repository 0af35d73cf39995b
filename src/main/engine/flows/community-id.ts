import { hash } from 'node:crypto';

/** Seed, two IPv6 addresses, protocol, pad and two ports. */
const MAX_INPUT_BYTES = 2 + 32 + 2 + 4;
const scratch = new Uint8Array(MAX_INPUT_BYTES);

/**
 * Community ID v1 (corelight/community-id-spec): "1:" + base64 of SHA-1
 * over seed (2 bytes, big endian), both addresses, protocol, one zero pad
 * byte and, for protocols with ports, both ports, with the smaller
 * (address, port) endpoint first. ICMP passes (type, counterpart type) for
 * request/reply messages and (type, code) for one-way messages, which are
 * not reordered.
 *
 * Returns the ID string. Called once per flow.
 */
export function computeCommunityId(
  sourceAddress: Uint8Array,
  destinationAddress: Uint8Array,
  protocol: number,
  sourcePort: number,
  destinationPort: number,
  options: { hasPorts: boolean; isOneWay: boolean; seed?: number },
): string {
  const addressLength = Math.min(sourceAddress.length, destinationAddress.length, 16);
  const bytes = new Uint8Array(2 * addressLength);
  bytes.set(sourceAddress.subarray(0, addressLength));
  bytes.set(destinationAddress.subarray(0, addressLength), addressLength);
  return computeCommunityIdAt(
    bytes,
    0,
    addressLength,
    addressLength,
    protocol,
    sourcePort,
    destinationPort,
    options.hasPorts,
    options.isOneWay,
    options.seed ?? 0,
  );
}

/**
 * Community ID v1 of addresses read from `bytes` at `sourceOffset` and
 * `destinationOffset` (`addressLength` bytes each, 4 or 16), for callers
 * that keep addresses in a larger buffer such as a flow key. Allocates
 * nothing but the result.
 */
export function computeCommunityIdAt(
  bytes: Uint8Array,
  sourceOffset: number,
  destinationOffset: number,
  addressLength: number,
  protocol: number,
  sourcePort: number,
  destinationPort: number,
  hasPorts: boolean,
  isOneWay: boolean,
  seed = 0,
): string {
  let order = 0;
  for (let i = 0; i < addressLength && order === 0; i++)
    order = (bytes[sourceOffset + i] ?? 0) - (bytes[destinationOffset + i] ?? 0);
  const isSwapNeeded = !isOneWay && (order > 0 || (order === 0 && sourcePort > destinationPort));
  const firstOffset = isSwapNeeded ? destinationOffset : sourceOffset;
  const secondOffset = isSwapNeeded ? sourceOffset : destinationOffset;
  const firstPort = isSwapNeeded ? destinationPort : sourcePort;
  const secondPort = isSwapNeeded ? sourcePort : destinationPort;

  scratch[0] = (seed >> 8) & 0xff;
  scratch[1] = seed & 0xff;
  for (let i = 0; i < addressLength; i++) {
    scratch[2 + i] = bytes[firstOffset + i] ?? 0;
    scratch[2 + addressLength + i] = bytes[secondOffset + i] ?? 0;
  }
  let offset = 2 + 2 * addressLength;
  scratch[offset++] = protocol;
  scratch[offset++] = 0;
  if (hasPorts) {
    scratch[offset++] = (firstPort >> 8) & 0xff;
    scratch[offset++] = firstPort & 0xff;
    scratch[offset++] = (secondPort >> 8) & 0xff;
    scratch[offset++] = secondPort & 0xff;
  }
  return `1:${hash('sha1', scratch.subarray(0, offset), 'base64')}`;
}
