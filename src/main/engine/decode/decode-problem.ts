import type { DecodeProblemCode, DecodedPacket } from './decoded-packet';

/**
 * Record the first problem of a packet. Later calls keep the first one, so
 * a decoder can report and return without checking. `isTruncated` marks
 * bytes that the capture or a header's own length cut off, as opposed to a
 * field with an impossible value.
 */
export function recordProblem(
  out: DecodedPacket,
  code: DecodeProblemCode,
  offset: number,
  isTruncated: boolean,
): void {
  if (isTruncated) out.isTruncated = true;
  if (out.problem !== null) return;
  out.problem = code;
  out.problemOffset = offset;
}

/** Read an unsigned 16-bit big-endian value. The caller has checked the bounds. */
export function readUint16BigEndian(data: Uint8Array, offset: number): number {
  return ((data[offset] as number) << 8) | (data[offset + 1] as number);
}

/** Read an unsigned 16-bit little-endian value. The caller has checked the bounds. */
export function readUint16LittleEndian(data: Uint8Array, offset: number): number {
  return (data[offset] as number) | ((data[offset + 1] as number) << 8);
}

/** Read an unsigned 32-bit big-endian value. The caller has checked the bounds. */
export function readUint32BigEndian(data: Uint8Array, offset: number): number {
  return (
    (((data[offset] as number) << 24) |
      ((data[offset + 1] as number) << 16) |
      ((data[offset + 2] as number) << 8) |
      (data[offset + 3] as number)) >>>
    0
  );
}

/** Read an unsigned 32-bit little-endian value. The caller has checked the bounds. */
export function readUint32LittleEndian(data: Uint8Array, offset: number): number {
  return (
    ((data[offset] as number) |
      ((data[offset + 1] as number) << 8) |
      ((data[offset + 2] as number) << 16) |
      ((data[offset + 3] as number) << 24)) >>>
    0
  );
}
