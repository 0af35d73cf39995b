/**
 * Mutations of valid captures: bit flips, byte sets, truncations, records
 * spliced from a second capture, and length fields set to boundary values.
 * Each returns a new buffer and a short description for the failure report.
 */
import type { CaptureLayout, LengthField } from './capture-layout';
import type { Prng } from './prng';

/** A seed capture with its layout, computed once. */
export interface FuzzSeed {
  name: string;
  bytes: Uint8Array;
  layout: CaptureLayout;
}

export interface Mutation {
  bytes: Uint8Array;
  description: string;
}

/** Values a length field is set to: zero, one, the 16-bit and 32-bit maximums. */
const BOUNDARY_VALUES = [0, 1, 0xffff, 0xffffffff] as const;
/** Bytes most likely to cross a parser's limits. */
const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff] as const;

export type MutationKind = 'bit-flip' | 'byte-set' | 'truncate' | 'splice' | 'length-field';
export const MUTATION_KINDS: readonly MutationKind[] = ['bit-flip', 'byte-set', 'truncate', 'splice', 'length-field'];

/** Applies one mutation of `kind` to `bytes`; `other` supplies records for a splice. */
export function mutate(kind: MutationKind, bytes: Uint8Array, seed: FuzzSeed, other: FuzzSeed, prng: Prng): Mutation {
  switch (kind) {
    case 'bit-flip':
      return flipBits(bytes, prng);
    case 'byte-set':
      return setBytes(bytes, prng);
    case 'truncate':
      return truncate(bytes, seed, prng);
    case 'splice':
      return splice(bytes, seed, other, prng);
    case 'length-field':
      return setLengthField(bytes, seed, prng);
  }
}

function flipBits(bytes: Uint8Array, prng: Prng): Mutation {
  const out = bytes.slice();
  if (out.length === 0) return { bytes: out, description: 'bit-flip (empty input)' };
  const count = prng.between(1, 8);
  const positions: number[] = [];
  for (let i = 0; i < count; i++) {
    const position = prng.below(out.length);
    out[position] = (out[position] ?? 0) ^ (1 << prng.below(8));
    positions.push(position);
  }
  return { bytes: out, description: `bit-flip at ${positions.join(',')}` };
}

function setBytes(bytes: Uint8Array, prng: Prng): Mutation {
  const out = bytes.slice();
  if (out.length === 0) return { bytes: out, description: 'byte-set (empty input)' };
  const count = prng.between(1, 4);
  const changes: string[] = [];
  for (let i = 0; i < count; i++) {
    const position = prng.below(out.length);
    const value = prng.below(2) === 0 ? prng.pick(INTERESTING_BYTES) : prng.below(256);
    out[position] = value;
    changes.push(`${position}=0x${value.toString(16)}`);
  }
  return { bytes: out, description: `byte-set ${changes.join(',')}` };
}

/** Cuts at a random byte, or just inside a record so the cut lands in a header or body. */
function truncate(bytes: Uint8Array, seed: FuzzSeed, prng: Prng): Mutation {
  const records = seed.layout.recordOffsets;
  let length = prng.below(bytes.length + 1);
  if (records.length > 0 && prng.below(2) === 0) {
    length = Math.min(bytes.length, prng.pick(records) + prng.below(40));
  }
  return { bytes: bytes.slice(0, length), description: `truncate to ${length}` };
}

/** Inserts a run of records from `other` at a record boundary of `bytes`, or a random span at a random offset. */
function splice(bytes: Uint8Array, seed: FuzzSeed, other: FuzzSeed, prng: Prng): Mutation {
  const at =
    seed.layout.recordOffsets.length > 0 && prng.below(4) !== 0
      ? prng.pick(seed.layout.recordOffsets)
      : prng.below(bytes.length + 1);
  const otherRecords = other.layout.recordOffsets;
  let from: number;
  let to: number;
  if (otherRecords.length > 0) {
    const first = prng.below(otherRecords.length);
    const last = Math.min(otherRecords.length, first + prng.between(1, 8));
    from = otherRecords[first] ?? 0;
    to = otherRecords[last] ?? other.bytes.length;
  } else {
    from = prng.below(other.bytes.length + 1);
    to = Math.min(other.bytes.length, from + prng.between(1, 512));
  }
  const safeAt = Math.min(at, bytes.length);
  const piece = other.bytes.subarray(from, to);
  const out = new Uint8Array(bytes.length + piece.length);
  out.set(bytes.subarray(0, safeAt), 0);
  out.set(piece, safeAt);
  out.set(bytes.subarray(safeAt), safeAt + piece.length);
  return { bytes: out, description: `splice ${other.name}[${from},${to}) at ${safeAt}` };
}

/** Sets a length field of the seed (record, block, IP, TCP or UDP) to a boundary value. */
function setLengthField(bytes: Uint8Array, seed: FuzzSeed, prng: Prng): Mutation {
  const fields = seed.layout.lengthFields.filter((field) => field.offset + field.width <= bytes.length);
  if (fields.length === 0) return setBytes(bytes, prng);
  const field = prng.pick(fields);
  const value = prng.pick(BOUNDARY_VALUES);
  const out = bytes.slice();
  writeField(out, field, value);
  return { bytes: out, description: `${field.name} at ${field.offset} = 0x${value.toString(16)}` };
}

function writeField(bytes: Uint8Array, field: LengthField, value: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (field.width === 4) view.setUint32(field.offset, value >>> 0, field.isLittleEndian);
  else if (field.width === 2) view.setUint16(field.offset, value & 0xffff, field.isLittleEndian);
  else {
    // A nibble field keeps the other half of its byte.
    const mask = field.nibbleMask ?? 0xff;
    const shift = mask === 0xf0 ? 4 : 0;
    // 0 and 1 map to themselves, the larger boundary values to the nibble's maximum.
    const nibble = Math.min(value, 0xf);
    bytes[field.offset] = ((bytes[field.offset] ?? 0) & ~mask) | ((nibble << shift) & mask);
  }
}
