import { createHash } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Derive a Zeek-style uid ("C" + 17 base62 characters) from the flow key,
 * its first timestamp and its first packet number. The same capture yields
 * the same uids on every run, and two flows of one key never share a uid.
 */
export function deriveFlowUid(keyBytes: Uint8Array, firstTimestampUs: number, firstPacketNumber: number): string {
  const suffix = new DataView(new ArrayBuffer(16));
  suffix.setFloat64(0, firstTimestampUs);
  suffix.setFloat64(8, firstPacketNumber);
  const digest = createHash('sha256').update(keyBytes).update(new Uint8Array(suffix.buffer)).digest();

  // One base62 digit per digest byte: the slight bias of `byte % 62` still leaves about 100 bits.
  let text = 'C';
  for (let i = 0; i < 17; i++) text += BASE62[(digest[i] ?? 0) % 62];
  return text;
}
