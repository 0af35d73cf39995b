/** Byte builders for parser tests. */
export type Bytes = number[];

export const u8 = (value: number): Bytes => [value & 0xff];
export const u16 = (value: number): Bytes => [(value >> 8) & 0xff, value & 0xff];
export const u24 = (value: number): Bytes => [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
export const u32 = (value: number): Bytes => [
  (value >>> 24) & 0xff,
  (value >> 16) & 0xff,
  (value >> 8) & 0xff,
  value & 0xff,
];
export const u16le = (value: number): Bytes => [value & 0xff, (value >> 8) & 0xff];
export const u32le = (value: number): Bytes => [
  value & 0xff,
  (value >> 8) & 0xff,
  (value >> 16) & 0xff,
  (value >>> 24) & 0xff,
];
export const ascii = (text: string): Bytes => [...Buffer.from(text, 'latin1')];
export const utf16le = (text: string): Bytes => [...Buffer.from(text, 'utf16le')];
export const zeros = (count: number): Bytes => new Array<number>(count).fill(0);
export const hex = (text: string): Bytes => [...Buffer.from(text.replace(/\s+/g, ''), 'hex')];

/** A TLS extension: type, 16-bit length, body. */
export const extension = (type: number, body: Bytes): Bytes => [...u16(type), ...u16(body.length), ...body];

/** Builds a ClientHello handshake message (type 1) from the given parts. */
export function clientHello(options: {
  version?: number;
  ciphers: number[];
  extensions: Bytes;
  sessionId?: Bytes;
}): Bytes {
  const sessionId = options.sessionId ?? [];
  const body = [
    ...u16(options.version ?? 0x0303), // legacy_version
    ...zeros(32), // random
    ...u8(sessionId.length),
    ...sessionId,
    ...u16(options.ciphers.length * 2),
    ...options.ciphers.flatMap(u16),
    1,
    0, // one compression method: null
    ...u16(options.extensions.length),
    ...options.extensions,
  ];
  return [1, ...u24(body.length), ...body];
}

/** A TLS record: content type, version 0x0301, 16-bit length. */
export const tlsRecord = (contentType: number, payload: Bytes): Bytes => [
  contentType,
  3,
  1,
  ...u16(payload.length),
  ...payload,
];
