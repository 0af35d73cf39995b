/** SHA-256 of a capture file, read on its own stream beside the analysis: the overview's chain of custody. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * Hash the file at `path` opened read-only. Returns the digest as lowercase
 * hex; rejects with the stream's error (ENOENT, EACCES, or AbortError when
 * `signal` fires).
 */
export async function hashFileSha256(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const stream = createReadStream(path, { flags: 'r', highWaterMark: 1 << 20, signal });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
