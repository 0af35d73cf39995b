/**
 * Display-filter types the renderer needs: the filter box shows errors at
 * their column and completes field names. JSON-safe.
 */

/** Value type of a filter field, which decides the literals and operators it accepts; a protocol is tested alone (`tcp`, `dns`). */
export type FilterFieldType = 'address' | 'integer' | 'number' | 'string' | 'protocol';

/** One field the filter language knows, as completion lists it. */
export interface FilterFieldInfo {
  /** Wireshark or Zeek name, e.g. "ip.addr" or "conn_state". */
  name: string;
  description: string;
  type: FilterFieldType;
}

/** A filter that did not parse or did not type-check. */
export interface FilterSyntaxError {
  message: string;
  /** 0-based column of the first character of the problem in the filter text. */
  column: number;
  /** Characters the problem spans, at least 1 (a problem at the end points past the last character). */
  length: number;
}

/** What checking a filter returns to the filter box. */
export type FilterCheckResult = { ok: true } | { ok: false; error: FilterSyntaxError };
