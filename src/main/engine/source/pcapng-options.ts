/**
 * pcapng option lists and Name Resolution Block records: both are
 * type-length-value entries padded to 4 bytes inside a block.
 */

const utf8 = new TextDecoder('utf-8');

/** Option code that ends an option list, in every block type. */
export const OPTION_END = 0;
/** opt_comment, valid in every block type. */
export const OPTION_COMMENT = 1;

/**
 * Calls `visit(code, valueStart, valueLength)` for each option in
 * bytes[start, end). Returns the byte offset (relative to `view`) of an option
 * whose length runs past `end`, or -1 when the list is well formed.
 */
export function forEachOption(
  view: DataView,
  start: number,
  end: number,
  isLittleEndian: boolean,
  visit: (code: number, valueStart: number, valueLength: number) => void,
): number {
  let position = start;
  while (end - position >= 4) {
    const code = view.getUint16(position, isLittleEndian);
    const length = view.getUint16(position + 2, isLittleEndian);
    if (code === OPTION_END) {
      return -1;
    }
    if (position + 4 + length > end) {
      return position;
    }
    visit(code, position + 4, length);
    position += 4 + padTo4(length);
  }
  return -1;
}

/** Rounds a length up to the next multiple of 4. */
export function padTo4(length: number): number {
  return (length + 3) & ~3;
}

/** Decodes UTF-8 text, dropping a trailing NUL that some writers add. */
export function decodeText(bytes: Uint8Array, start: number, length: number): string {
  let textEnd = start + length;
  while (textEnd > start && bytes[textEnd - 1] === 0) {
    textEnd -= 1;
  }
  return utf8.decode(bytes.subarray(start, textEnd));
}

const NameRecordType = {
  end: 0,
  ipv4: 1,
  ipv6: 2,
} as const;

/**
 * Walks Name Resolution Block records in bytes[start, end) and calls
 * `onEntry` for each IPv4 or IPv6 record. Returns the offset just past the
 * end record (where options begin), or -1 with `badOffset` set when a record
 * runs past `end`.
 */
export function readNameRecords(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  isLittleEndian: boolean,
  onEntry: (entry: { address: string; names: string[] }) => void,
): { optionsStart: number; badOffset: number } {
  let position = start;
  while (end - position >= 4) {
    const type = view.getUint16(position, isLittleEndian);
    const length = view.getUint16(position + 2, isLittleEndian);
    const valueStart = position + 4;
    if (type === NameRecordType.end) {
      return { optionsStart: valueStart, badOffset: -1 };
    }
    if (valueStart + length > end) {
      return { optionsStart: -1, badOffset: position };
    }

    const addressLength = type === NameRecordType.ipv4 ? 4 : type === NameRecordType.ipv6 ? 16 : 0;
    if (addressLength !== 0 && length > addressLength) {
      const address = bytes.subarray(valueStart, valueStart + addressLength);
      const names = splitNames(bytes, valueStart + addressLength, valueStart + length);
      onEntry({ address: addressLength === 4 ? formatIpv4(address) : formatIpv6(address), names });
    }
    position = valueStart + padTo4(length);
  }
  return { optionsStart: end, badOffset: -1 };
}

/** Splits NUL-terminated names; a last name without its NUL is kept. */
function splitNames(bytes: Uint8Array, start: number, end: number): string[] {
  const names: string[] = [];
  let nameStart = start;
  for (let index = start; index <= end; index++) {
    if (index === end || bytes[index] === 0) {
      if (index > nameStart) {
        names.push(utf8.decode(bytes.subarray(nameStart, index)));
      }
      nameStart = index + 1;
    }
  }
  return names;
}

export function formatIpv4(address: Uint8Array): string {
  return `${address[0]}.${address[1]}.${address[2]}.${address[3]}`;
}

/** Formats 16 bytes as RFC 5952 text: lowercase, longest run of two or more zero groups as "::". */
export function formatIpv6(address: Uint8Array): string {
  const groups: number[] = [];
  for (let index = 0; index < 16; index += 2) {
    groups.push(((address[index] ?? 0) << 8) | (address[index + 1] ?? 0));
  }

  let bestStart = -1;
  let bestLength = 0;
  for (let index = 0; index < 8;) {
    if (groups[index] !== 0) {
      index += 1;
      continue;
    }
    let runEnd = index;
    while (runEnd < 8 && groups[runEnd] === 0) {
      runEnd += 1;
    }
    if (runEnd - index > bestLength) {
      bestStart = index;
      bestLength = runEnd - index;
    }
    index = runEnd;
  }

  const text = groups.map((group) => group.toString(16));
  if (bestLength < 2) {
    return text.join(':');
  }
  const head = text.slice(0, bestStart).join(':');
  const tail = text.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}
