/**
 * Canonical bidirectional flow key, written as 32-bit words into a reused
 * scratch array, so that a lookup builds no string, allocates nothing, and
 * hashes and compares 11 words instead of 44 bytes.
 *
 * Word layout (FLOW_KEY_WORDS): 0 IP version | protocol << 8 | VLAN count
 * << 16 | kind << 24 (kind is 0, or IP_ONLY_KEY_KIND for an IP-level flow
 * without ports); 1 outer VLAN | inner VLAN << 16; 2-5 endpoint A's address
 * and 6-9 endpoint B's, each as big-endian words (IPv4 in the first word,
 * the rest 0); 10 port A << 16 | port B. Endpoint A is the smaller
 * (address, port) pair, so both directions write the same key.
 *
 * The flow uid and the community id are computed over the byte form of the
 * key (FLOW_KEY_LENGTH bytes, see writeFlowKeyBytes), which is the layout
 * the key had before it was kept as words, so uids did not change with it.
 */
export const FLOW_KEY_WORDS = 11;
/** Length of the byte form of a key (writeFlowKeyBytes). */
export const FLOW_KEY_LENGTH = 44;
/** Kind of an IP-level flow, so it never meets a transport flow whose ports are 0. */
export const IP_ONLY_KEY_KIND = 1;
/** Offsets of the two endpoints' addresses in the byte form; each port follows its 16 address bytes. */
export const KEY_BYTES_ENDPOINT_A = 8;
export const KEY_BYTES_ENDPOINT_B = 26;
const WORD_ENDPOINT_A = 2;
const WORD_ENDPOINT_B = 6;
const WORD_PORTS = 10;

/** Direction of the packet, as writeFlowKey found it. */
export const KeyDirection = {
  /** The source is endpoint A. */
  sourceFirst: 0,
  /** The source is endpoint B. */
  destinationFirst: 1,
  /** Source and destination (address and port) are the same, so the source is both endpoints. */
  same: 2,
} as const;
export type KeyDirectionValue = (typeof KeyDirection)[keyof typeof KeyDirection];

/**
 * Fill `key` (FLOW_KEY_WORDS words) for a packet from (source,
 * sourcePort) to (destination, destinationPort), the addresses read from
 * `data` at the two offsets (`addressLength` 4 or 16 bytes each, present:
 * the caller has checked them). Returns the KeyDirection of the source.
 */
export function writeFlowKey(
  key: Int32Array,
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
  kind: number,
): KeyDirectionValue {
  key[0] = ipVersion | (protocol << 8) | (vlanCount << 16) | (kind << 24);
  key[1] = outerVlan | (innerVlan << 16);

  const source0 = readWord(data, sourceOffset);
  const destination0 = readWord(data, destinationOffset);
  let source1 = 0;
  let source2 = 0;
  let source3 = 0;
  let destination1 = 0;
  let destination2 = 0;
  let destination3 = 0;
  if (addressLength === 16) {
    source1 = readWord(data, sourceOffset + 4);
    source2 = readWord(data, sourceOffset + 8);
    source3 = readWord(data, sourceOffset + 12);
    destination1 = readWord(data, destinationOffset + 4);
    destination2 = readWord(data, destinationOffset + 8);
    destination3 = readWord(data, destinationOffset + 12);
  }

  // Byte order of the addresses is the unsigned order of their big-endian words; the ports break a tie.
  let order = compareUnsigned(source0, destination0);
  if (order === 0) order = compareUnsigned(source1, destination1);
  if (order === 0) order = compareUnsigned(source2, destination2);
  if (order === 0) order = compareUnsigned(source3, destination3);
  if (order === 0) order = sourcePort - destinationPort;

  if (order <= 0) {
    key[2] = source0;
    key[3] = source1;
    key[4] = source2;
    key[5] = source3;
    key[6] = destination0;
    key[7] = destination1;
    key[8] = destination2;
    key[9] = destination3;
    key[10] = (sourcePort << 16) | destinationPort;
    return order < 0 ? KeyDirection.sourceFirst : KeyDirection.same;
  }
  key[2] = destination0;
  key[3] = destination1;
  key[4] = destination2;
  key[5] = destination3;
  key[6] = source0;
  key[7] = source1;
  key[8] = source2;
  key[9] = source3;
  key[10] = (destinationPort << 16) | sourcePort;
  return KeyDirection.destinationFirst;
}

/**
 * Hash of a key's FLOW_KEY_WORDS words: a multiply-xorshift round per word
 * and a final mix, so the low bits that pick a bucket depend on every word.
 * Returns a value below 2^30, a small integer in V8 on every build.
 */
export function hashFlowKey(key: Int32Array): number {
  // One round per word, written out in place: V8 ran a loop of 11, or a helper per
  // round, slower than the rounds themselves (it did not inline the helper).
  let hash = Math.imul((0x811c9dc5 | 0) ^ (key[0] as number), 0x5bd1e995);
  hash ^= hash >>> 15;
  hash = Math.imul(hash ^ (key[1] as number), 0x5bd1e995);
  hash ^= hash >>> 15;
  hash = Math.imul(hash ^ (key[2] as number), 0x5bd1e995);
  hash ^= hash >>> 15;
  hash = Math.imul(hash ^ (key[3] as number), 0x5bd1e995);
  hash ^= hash >>> 15;
  hash = Math.imul(hash ^ (key[4] as number), 0x5bd1e995);
  hash ^= hash >>> 15;
  hash = Math.imul(hash ^ (key[5] as number), 0x5bd1e995);
  hash ^= hash >>> 15;
  hash = Math.imul(hash ^ (key[6] as number), 0x5bd1e995);
  hash ^= hash >>> 15;
  hash = Math.imul(hash ^ (key[7] as number), 0x5bd1e995);
  hash ^= hash >>> 15;
  hash = Math.imul(hash ^ (key[8] as number), 0x5bd1e995);
  hash ^= hash >>> 15;
  hash = Math.imul(hash ^ (key[9] as number), 0x5bd1e995);
  hash ^= hash >>> 15;
  hash = Math.imul(hash ^ (key[10] as number), 0x5bd1e995);
  hash ^= hash >>> 15;
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash & 0x3fffffff;
}

/**
 * Return true when the address at `offset` in `data` (`addressLength`
 * bytes) is the address of the endpoint whose words start at word
 * `endpointWord` of `key` (2 for A, 6 for B; see endpointWordOf).
 */
export function isAddressAt(key: Int32Array, endpointWord: number, data: Uint8Array, offset: number, addressLength: number): boolean {
  for (let i = 0; i < addressLength; i += 4) {
    if (readWord(data, offset + i) !== key[endpointWord + (i >> 2)]) return false;
  }
  return true;
}

/** First word of an endpoint's address in a key, from its offset in the byte form. */
export function endpointWordOf(keyBytesOffset: number): number {
  return keyBytesOffset === KEY_BYTES_ENDPOINT_A ? WORD_ENDPOINT_A : WORD_ENDPOINT_B;
}

/**
 * Write the byte form of `key` into `out` (FLOW_KEY_LENGTH bytes): IP
 * version, protocol, VLAN count, kind, outer VLAN (2, big-endian), inner
 * VLAN (2), then endpoint A's address (16, IPv4 zero-padded) and port (2),
 * then endpoint B's.
 */
export function writeFlowKeyBytes(key: Int32Array, out: Uint8Array): void {
  const meta = key[0] as number;
  const vlans = key[1] as number;
  const ports = key[WORD_PORTS] as number;
  out[0] = meta & 0xff;
  out[1] = (meta >>> 8) & 0xff;
  out[2] = (meta >>> 16) & 0xff;
  out[3] = (meta >>> 24) & 0xff;
  out[4] = (vlans >>> 8) & 0xff;
  out[5] = vlans & 0xff;
  out[6] = (vlans >>> 24) & 0xff;
  out[7] = (vlans >>> 16) & 0xff;
  for (let i = 0; i < 4; i++) {
    writeWord(out, KEY_BYTES_ENDPOINT_A + 4 * i, key[WORD_ENDPOINT_A + i] as number);
    writeWord(out, KEY_BYTES_ENDPOINT_B + 4 * i, key[WORD_ENDPOINT_B + i] as number);
  }
  out[KEY_BYTES_ENDPOINT_A + 16] = (ports >>> 24) & 0xff;
  out[KEY_BYTES_ENDPOINT_A + 17] = (ports >>> 16) & 0xff;
  out[KEY_BYTES_ENDPOINT_B + 16] = (ports >>> 8) & 0xff;
  out[KEY_BYTES_ENDPOINT_B + 17] = ports & 0xff;
}

/** Big-endian 32-bit word at `offset`, as a signed integer. The caller has checked the bounds. */
function readWord(data: Uint8Array, offset: number): number {
  return (
    ((data[offset] as number) << 24) |
    ((data[offset + 1] as number) << 16) |
    ((data[offset + 2] as number) << 8) |
    (data[offset + 3] as number)
  );
}

function writeWord(out: Uint8Array, offset: number, word: number): void {
  out[offset] = (word >>> 24) & 0xff;
  out[offset + 1] = (word >>> 16) & 0xff;
  out[offset + 2] = (word >>> 8) & 0xff;
  out[offset + 3] = word & 0xff;
}

function compareUnsigned(a: number, b: number): number {
  if (a === b) return 0;
  return a >>> 0 < b >>> 0 ? -1 : 1;
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
