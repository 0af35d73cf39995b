/**
 * Canonical bidirectional flow key, written into a reused scratch buffer so
 * that a lookup builds no string and allocates nothing.
 *
 * Layout (44 bytes): IP version, protocol, VLAN count, kind (0, or
 * IP_ONLY_KEY_KIND for an IP-level flow without ports), outer VLAN (2),
 * inner VLAN (2), then two endpoints of address (16, IPv4 zero-padded) and
 * port (2), the smaller endpoint first.
 */
export const FLOW_KEY_LENGTH = 44;
/** Key byte 3 of an IP-level flow, so it never meets a transport flow whose ports are 0. */
export const IP_ONLY_KEY_KIND = 1;
export const FLOW_KEY_KIND_OFFSET = 3;
const ENDPOINT_A = 8;
const ENDPOINT_B = 26;

/**
 * Fill `key` for a packet from (source, sourcePort) to (destination,
 * destinationPort). Returns true when the source is endpoint A.
 */
export function writeFlowKey(
  key: Uint8Array,
  data: Uint8Array,
  sourceOffset: number,
  destinationOffset: number,
  addressLength: number,
  ipVersion: number,
  protocol: number,
  vlanCount: number,
  outerVlan: number,
  innerVlan: number,
  sourcePort: number,
  destinationPort: number,
): boolean {
  key.fill(0);
  key[0] = ipVersion;
  key[1] = protocol;
  key[2] = vlanCount;
  key[4] = outerVlan >> 8;
  key[5] = outerVlan & 0xff;
  key[6] = innerVlan >> 8;
  key[7] = innerVlan & 0xff;

  let order = 0;
  for (let i = 0; i < addressLength && order === 0; i++) {
    order = (data[sourceOffset + i] ?? 0) - (data[destinationOffset + i] ?? 0);
  }
  if (order === 0) order = sourcePort - destinationPort;
  const isSourceFirst = order <= 0;

  writeEndpoint(key, isSourceFirst ? ENDPOINT_A : ENDPOINT_B, data, sourceOffset, addressLength, sourcePort);
  writeEndpoint(key, isSourceFirst ? ENDPOINT_B : ENDPOINT_A, data, destinationOffset, addressLength, destinationPort);
  return isSourceFirst;
}

function writeEndpoint(
  key: Uint8Array,
  at: number,
  data: Uint8Array,
  offset: number,
  length: number,
  port: number,
): void {
  for (let i = 0; i < length; i++) key[at + i] = data[offset + i] ?? 0;
  key[at + 16] = port >> 8;
  key[at + 17] = port & 0xff;
}

/** FNV-1a over the first `length` bytes. */
export function hashBytes(bytes: Uint8Array, length: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < length; i++) {
    hash ^= bytes[i] ?? 0;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function areBytesEqual(a: Uint8Array, b: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}
