import { createHash } from 'node:crypto';

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
  let firstAddress = sourceAddress;
  let secondAddress = destinationAddress;
  let firstPort = sourcePort;
  let secondPort = destinationPort;

  const order = compareBytes(sourceAddress, destinationAddress);
  const isSwapNeeded = !options.isOneWay && (order > 0 || (order === 0 && sourcePort > destinationPort));
  if (isSwapNeeded) {
    firstAddress = destinationAddress;
    secondAddress = sourceAddress;
    firstPort = destinationPort;
    secondPort = sourcePort;
  }

  const seed = options.seed ?? 0;
  const addressLength = firstAddress.length;
  const buffer = new Uint8Array(2 + 2 * addressLength + 2 + (options.hasPorts ? 4 : 0));
  buffer[0] = (seed >> 8) & 0xff;
  buffer[1] = seed & 0xff;
  buffer.set(firstAddress, 2);
  buffer.set(secondAddress, 2 + addressLength);
  let offset = 2 + 2 * addressLength;
  buffer[offset++] = protocol;
  buffer[offset++] = 0;
  if (options.hasPorts) {
    buffer[offset++] = (firstPort >> 8) & 0xff;
    buffer[offset++] = firstPort & 0xff;
    buffer[offset++] = (secondPort >> 8) & 0xff;
    buffer[offset] = secondPort & 0xff;
  }

  return `1:${createHash('sha1').update(buffer).digest('base64')}`;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}
