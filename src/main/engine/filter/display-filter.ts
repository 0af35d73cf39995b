/**
 * The display filter's entry points: check a filter for the filter box,
 * compile it for the store or for memory, and complete field names.
 */
import type { FilterCheckResult, FilterSyntaxError } from '../../../shared/domain/filter';
import { type FlowFilterPredicate, type SqlCondition, compileFilterToPredicate, compileFilterToSql } from './filter-compiler';
import { parseFilter } from './filter-parser';
import type { RecordLookup } from './record-columns';

export { completeFilterField } from './filter-fields';
export { RecordLookup, type StoredRecord } from './record-columns';
export type { FlowFilterPredicate, SqlCondition } from './filter-compiler';

/** Parse and type-check `text` without compiling it. */
export function checkDisplayFilter(text: string): FilterCheckResult {
  const parsed = parseFilter(text);
  return parsed.ok ? { ok: true } : { ok: false, error: parsed.error };
}

export type CompiledSqlFilter = { ok: true; condition: SqlCondition } | { ok: false; error: FilterSyntaxError };
export type CompiledPredicateFilter = { ok: true; predicate: FlowFilterPredicate } | { ok: false; error: FilterSyntaxError };

/** Compile `text` to a SQL condition over `flows f`; blank text selects every flow. */
export function compileDisplayFilterToSql(text: string): CompiledSqlFilter {
  if (text.trim() === '') return { ok: true, condition: { sql: 'TRUE', parameters: [] } };
  const parsed = parseFilter(text);
  if (!parsed.ok) return parsed;
  return { ok: true, condition: compileFilterToSql(parsed.expression) };
}

/** Compile `text` to a predicate over FlowRecord; record fields read `records`. Blank text keeps every flow. */
export function compileDisplayFilterToPredicate(text: string, records?: RecordLookup): CompiledPredicateFilter {
  if (text.trim() === '') return { ok: true, predicate: () => true };
  const parsed = parseFilter(text);
  if (!parsed.ok) return parsed;
  return { ok: true, predicate: compileFilterToPredicate(parsed.expression, records) };
}
