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

  // 17 base62 digits carry about 101 bits; take them from 13 bytes (104 bits).
  let value = 0n;
  for (let i = 0; i < 13; i++) value = (value << 8n) | BigInt(digest[i] ?? 0);
  let text = '';
  for (let i = 0; i < 17; i++) {
    text = BASE62[Number(value % 62n)] + text;
    value /= 62n;
  }
  return `C${text}`;
}
