/**
 * A minimal DER (ITU-T X.690) reader: one tag-length-value at a time, over a
 * borrowed view, with no copies. Only definite lengths of at most 4 length
 * bytes are accepted, so a length can never overflow a 32-bit offset. A
 * length that runs past the enclosing element is rejected.
 */

export interface DerElement {
  /** Identifier octet: class, constructed bit and tag number (tag numbers above 30 are rejected). */
  tag: number;
  /** Offset of the identifier octet. */
  start: number;
  contentStart: number;
  contentEnd: number;
}

export const DER_TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  objectIdentifier: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  t61String: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  universalString: 0x1c,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const;

/**
 * Reads the element at `offset`, which must end by `end`. Returns null for a
 * high tag number, an indefinite or over-long length, or a length past `end`.
 */
export function readDerElement(bytes: Uint8Array, offset: number, end: number): DerElement | null {
  const limit = Math.min(end, bytes.length);
  if (offset + 2 > limit) return null;
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) return null;
  let lengthByte = bytes[offset + 1]!;
  let position = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    lengthByte &= 0x7f;
    if (lengthByte === 0 || lengthByte > 4 || position + lengthByte > limit) return null;
    length = 0;
    for (let i = 0; i < lengthByte; i++) length = length * 256 + bytes[position + i]!;
    position += lengthByte;
  }
  if (length > limit - position) return null;
  return { tag, start: offset, contentStart: position, contentEnd: position + length };
}

/** Reads the element at `offset` and checks its tag; null when absent or different. */
export function expectDerElement(bytes: Uint8Array, offset: number, end: number, tag: number): DerElement | null {
  const element = readDerElement(bytes, offset, end);
  return element !== null && element.tag === tag ? element : null;
}

/** Dotted text of an OBJECT IDENTIFIER's content; null when an arc is cut off or longer than 2^53. */
export function formatObjectIdentifier(bytes: Uint8Array, start: number, end: number): string | null {
  if (start >= end) return null;
  const arcs: number[] = [];
  let value = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) return null;
    if (byte & 0x80) continue;
    if (arcs.length === 0) {
      const first = value < 80 ? Math.floor(value / 40) : 2;
      arcs.push(first, value - first * 40);
    } else {
      arcs.push(value);
    }
    value = 0;
  }
  if (bytes[end - 1]! & 0x80) return null;
  return arcs.join('.');
}
