/**
 * A bounds-checked big/little-endian reader over a borrowed byte view.
 *
 * A read past `end` returns 0 (or an empty view) and sets `isShort`, so a
 * parser reads a whole structure and checks the flag once at each step
 * instead of testing every field. Nothing here throws or copies.
 */
export class ByteCursor {
  bytes: Uint8Array;
  offset: number;
  end: number;
  /** Set by the first read that wanted more bytes than remain before `end`. */
  isShort = false;

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    this.bytes = bytes;
    this.offset = offset;
    this.end = Math.min(end, bytes.length);
  }

  remaining(): number {
    return this.end - this.offset;
  }

  /** Marks the cursor short when fewer than `length` bytes remain; returns whether they do. */
  has(length: number): boolean {
    if (length < 0 || this.offset + length > this.end) {
      this.isShort = true;
      return false;
    }
    return true;
  }

  readUint8(): number {
    if (!this.has(1)) return 0;
    return this.bytes[this.offset++]!;
  }

  readUint16(): number {
    if (!this.has(2)) return 0;
    const value = (this.bytes[this.offset]! << 8) | this.bytes[this.offset + 1]!;
    this.offset += 2;
    return value;
  }

  readUint24(): number {
    if (!this.has(3)) return 0;
    const b = this.bytes;
    const value = (b[this.offset]! << 16) | (b[this.offset + 1]! << 8) | b[this.offset + 2]!;
    this.offset += 3;
    return value;
  }

  readUint32(): number {
    if (!this.has(4)) return 0;
    const b = this.bytes;
    const value =
      b[this.offset]! * 0x1000000 + ((b[this.offset + 1]! << 16) | (b[this.offset + 2]! << 8) | b[this.offset + 3]!);
    this.offset += 4;
    return value;
  }

  readUint16Le(): number {
    if (!this.has(2)) return 0;
    const value = this.bytes[this.offset]! | (this.bytes[this.offset + 1]! << 8);
    this.offset += 2;
    return value;
  }

  readUint32Le(): number {
    if (!this.has(4)) return 0;
    const b = this.bytes;
    const value =
      b[this.offset + 3]! * 0x1000000 + ((b[this.offset + 2]! << 16) | (b[this.offset + 1]! << 8) | b[this.offset]!);
    this.offset += 4;
    return value;
  }

  /** Reads a little-endian 64-bit unsigned value as a number (exact up to 2^53). */
  readUint64Le(): number {
    const low = this.readUint32Le();
    const high = this.readUint32Le();
    return high * 0x100000000 + low;
  }

  /** Returns a view of the next `length` bytes (valid as long as `bytes` is), or an empty view when short. */
  borrowBytes(length: number): Uint8Array {
    if (!this.has(length)) return this.bytes.subarray(0, 0);
    const view = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return view;
  }

  skip(length: number): void {
    if (!this.has(length)) {
      this.offset = this.end;
      return;
    }
    this.offset += length;
  }

  /**
   * Returns a cursor limited to the next `length` bytes and moves past them.
   * A claim longer than what remains marks both cursors short and limits the
   * child to what is present.
   */
  takeCursor(length: number): ByteCursor {
    const available = Math.min(Math.max(length, 0), this.remaining());
    const child = new ByteCursor(this.bytes, this.offset, this.offset + available);
    if (available < length) {
      this.isShort = true;
      child.isShort = true;
    }
    this.offset += available;
    return child;
  }
}

/** Lower-case hex of `bytes`. */
export function formatHex(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += bytes[i]!.toString(16).padStart(2, '0');
  return text;
}

/** Decodes Latin-1 bytes, one character per byte, so no byte from traffic is lost or replaced. */
export function decodeLatin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

const UTF8_DECODER = new TextDecoder('utf-8', { fatal: false });

/** Decodes UTF-8, replacing invalid sequences with U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  return UTF8_DECODER.decode(bytes);
}

const UTF16LE_DECODER = new TextDecoder('utf-16le', { fatal: false });

/** Decodes UTF-16LE (SMB and NTLMSSP strings); an odd trailing byte is dropped. */
export function decodeUtf16Le(bytes: Uint8Array): string {
  return UTF16LE_DECODER.decode(bytes.subarray(0, bytes.length & ~1));
}
