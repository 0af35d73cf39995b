import { hash } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Longest key plus the two 8-byte suffix numbers. */
const SCRATCH_BYTES = 64 + 16;
const scratch = new Uint8Array(SCRATCH_BYTES);
const scratchView = new DataView(scratch.buffer);
/** Character codes of one uid, reused so that only the final string is allocated. */
const uidCodes: number[] = new Array<number>(18).fill(0x43);

/**
 * Derive a Zeek-style uid ("C" + 17 base62 characters) from the flow key,
 * its first timestamp and its first packet number. The same capture yields
 * the same uids on every run, and two flows of one key never share a uid.
 *
 * The digest is SHA-256 over the key bytes followed by both numbers as
 * big-endian float64, hashed in one call over a reused buffer (once per flow).
 */
export function deriveFlowUid(keyBytes: Uint8Array, firstTimestampUs: number, firstPacketNumber: number): string {
  const keyLength = Math.min(keyBytes.length, SCRATCH_BYTES - 16);
  scratch.set(keyBytes.subarray(0, keyLength));
  scratchView.setFloat64(keyLength, firstTimestampUs);
  scratchView.setFloat64(keyLength + 8, firstPacketNumber);
  const digest = hash('sha256', scratch.subarray(0, keyLength + 16), 'buffer');

  // One base62 digit per digest byte: the slight bias of `byte % 62` still leaves about 100 bits.
  uidCodes[0] = 0x43; // "C"
  for (let i = 0; i < 17; i++) uidCodes[i + 1] = BASE62.charCodeAt((digest[i] ?? 0) % 62);
  return String.fromCharCode(...uidCodes);
}
