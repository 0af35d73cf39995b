/**
 * The engine's memory ceiling: the resident memory that analyzing and
 * ingesting one capture may use, whatever its size. DuckDB gets a fixed
 * share of it as its `memory_limit`. The rest is for the V8 heap (flow table,
 * the session's flows and records) and Node itself.
 */

/** Default ceiling: 2 GiB. */
export const DEFAULT_MEMORY_CEILING_BYTES = 2 * 1024 ** 3;
/** Environment variable that sets the ceiling, e.g. "2GiB", "1536MiB" or a byte count. */
export const MEMORY_CEILING_VARIABLE = 'TIDELINE_MEMORY_CEILING';
/**
 * DuckDB's share of the ceiling: an eighth, 256 MiB of the default. DuckDB
 * keeps the case's blocks cached up to its limit, so a larger share goes to
 * cache: with 512 MiB, ingesting a 10 GiB capture peaked 290 MiB higher than
 * with 128 MiB (measured with test/engine/store/measure-ingest-memory.ts),
 * and the queries were no faster. DuckDB spills to the case's tmp/ past it.
 */
const DATABASE_SHARE = 1 / 8;
/** DuckDB gets at least this much, whatever the ceiling. */
const MIN_DATABASE_BYTES = 64 * 1024 * 1024;

const UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1e3, mb: 1e6, gb: 1e9 };

/**
 * Return the ceiling in bytes from `TIDELINE_MEMORY_CEILING`, or the
 * default when it is unset. Throws naming the variable when its value is not a size of at
 * least 256 MiB.
 */
export function readMemoryCeilingBytes(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const text = env[MEMORY_CEILING_VARIABLE]?.trim();
  if (text === undefined || text === '') return DEFAULT_MEMORY_CEILING_BYTES;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text);
  const unit = match === null ? undefined : UNITS[(match[2] ?? '').toLowerCase()];
  const bytes = match === null || unit === undefined ? Number.NaN : Math.floor(Number(match[1]) * unit);
  if (!(bytes >= 256 * 1024 ** 2)) {
    throw new Error(`${MEMORY_CEILING_VARIABLE}="${text}" is not a memory size of at least 256MiB; give one like 2GiB or 1536MiB.`);
  }
  return bytes;
}

/** DuckDB's memory_limit for a ceiling, in bytes. */
export function getDatabaseMemoryBytes(ceilingBytes: number): number {
  return Math.max(MIN_DATABASE_BYTES, Math.floor(ceilingBytes * DATABASE_SHARE));
}
