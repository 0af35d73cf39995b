/**
 * Turns a parsed filter into a parameterised SQL condition over the store's
 * `flows` table (aliased `f`) and into an in-memory predicate over
 * FlowRecord. Both read the same tree with the same rules, so they select
 * the same flows:
 * - `==`, `in`, `>`, `contains`, `matches`: true when any value of the field
 *   passes (ip.addr is both ends, dns.qry.name every query of the flow);
 * - `!=`: the field is present and no value equals (Wireshark 4's all-not-equal);
 * - a test on a field the flow lacks is false, so `not x == 1` keeps flows without x.
 * SQL text comes only from the field map; every literal is a parameter.
 */
import type { FlowRecord } from '../../../shared/domain/flow';
import type { FieldValue, FilterField } from './filter-fields';
import type { FilterExpression, ValueRange } from './filter-parser';
import type { RecordLookup } from './record-columns';

export type SqlParameter = string | number;

export interface SqlCondition {
  /** Boolean SQL over `f` (the flows table); never NULL. */
  sql: string;
  /** Values for the `?` placeholders, in order. */
  parameters: SqlParameter[];
}

/** Compile to SQL. The condition refers to the flows table as `f` and to record tables by name. */
export function compileFilterToSql(expression: FilterExpression): SqlCondition {
  const parameters: SqlParameter[] = [];
  const sql = toSql(expression, parameters);
  return { sql, parameters };
}

function toSql(expression: FilterExpression, parameters: SqlParameter[]): string {
  switch (expression.kind) {
    case 'and':
    case 'or': {
      const left = toSql(expression.left, parameters);
      const right = toSql(expression.right, parameters);
      return `(${left} ${expression.kind.toUpperCase()} ${right})`;
    }
    case 'not':
      return `(NOT ${toSql(expression.operand, parameters)})`;
    case 'exists':
      return presentSql(expression.field);
    case 'in-range': {
      const any = anySql(expression.field, (column) => rangesSql(column, expression.ranges, parameters));
      if (!expression.isNegated) return any;
      // The presence test has no placeholders, so it can follow `any` without reordering them.
      return `(NOT ${any} AND ${presentSql(expression.field)})`;
    }
    case 'order': {
      const operator = { gt: '>', ge: '>=', lt: '<', le: '<=' }[expression.operator];
      return anySql(expression.field, (column) => {
        parameters.push(expression.value);
        return `${column} ${operator} ?`;
      });
    }
    case 'contains':
      return anySql(expression.field, (column) => {
        parameters.push(expression.text);
        return `contains(${column}, ?)`;
      });
    case 'matches':
      return anySql(expression.field, (column) => {
        parameters.push(expression.pattern);
        return `regexp_matches(${column}, ?, 'i')`;
      });
  }
}

function rangesSql(column: string, ranges: ValueRange[], parameters: SqlParameter[]): string {
  const parts = ranges.map((range) => {
    if (range.low === range.high) {
      parameters.push(range.low);
      return `${column} = ?`;
    }
    parameters.push(range.low, range.high);
    return `${column} BETWEEN ? AND ?`;
  });
  return parts.length === 1 ? (parts[0] ?? 'FALSE') : `(${parts.join(' OR ')})`;
}

/** True when `test` holds for any value of the field; FALSE (never NULL) when none does or none exists. */
function anySql(field: FilterField, test: (column: string) => string): string {
  if (field.source === 'record') {
    return `EXISTS (SELECT 1 FROM ${field.table} r WHERE r.uid = f.uid AND ${test(`r.${field.column}`)})`;
  }
  const parts = field.columns.map((column) => `(${test(`(${column})`)})`);
  return `COALESCE(${parts.join(' OR ')}, FALSE)`;
}

function presentSql(field: FilterField): string {
  if (field.source === 'record') {
    return `EXISTS (SELECT 1 FROM ${field.table} r WHERE r.uid = f.uid AND r.${field.column} IS NOT NULL)`;
  }
  return `(${field.columns.map((column) => `(${column}) IS NOT NULL`).join(' OR ')})`;
}

export type FlowFilterPredicate = (flow: FlowRecord) => boolean;

/**
 * Compile to a predicate over FlowRecord. Record fields (dns.qry.name, ...)
 * read `records`; without it they have no values, so tests on them are false.
 */
export function compileFilterToPredicate(expression: FilterExpression, records?: RecordLookup): FlowFilterPredicate {
  return (flow) => evaluate(expression, flow, records);
}

function evaluate(expression: FilterExpression, flow: FlowRecord, records: RecordLookup | undefined): boolean {
  switch (expression.kind) {
    case 'and':
      return evaluate(expression.left, flow, records) && evaluate(expression.right, flow, records);
    case 'or':
      return evaluate(expression.left, flow, records) || evaluate(expression.right, flow, records);
    case 'not':
      return !evaluate(expression.operand, flow, records);
    case 'exists':
      return readValues(expression.field, flow, records).length > 0;
    case 'in-range': {
      const values = readValues(expression.field, flow, records);
      const isAnyInside = values.some((value) => expression.ranges.some((range) => isInside(value, range)));
      return expression.isNegated ? values.length > 0 && !isAnyInside : isAnyInside;
    }
    case 'order': {
      const { operator, value: bound } = expression;
      return readValues(expression.field, flow, records).some((value) => {
        if (operator === 'gt') return value > bound;
        if (operator === 'ge') return value >= bound;
        if (operator === 'lt') return value < bound;
        return value <= bound;
      });
    }
    case 'contains': {
      const { text } = expression;
      return readValues(expression.field, flow, records).some((value) => String(value).includes(text));
    }
    case 'matches': {
      const regex = getRegex(expression.pattern);
      return readValues(expression.field, flow, records).some((value) => regex.test(String(value)));
    }
  }
}

function isInside(value: string | number, range: ValueRange): boolean {
  return value >= range.low && value <= range.high;
}

function readValues(field: FilterField, flow: FlowRecord, records: RecordLookup | undefined): Array<string | number> {
  if (field.source === 'record') {
    const values = records?.getValues(flow.uid, field.table, field.column) ?? [];
    return values.filter((value): value is string | number => value !== null);
  }
  return field.read(flow).filter((value: FieldValue): value is string | number => value !== null);
}

/** Compiled patterns, kept so a predicate does not recompile per flow. Patterns were checked by the parser. */
const regexCache = new Map<string, RegExp>();

function getRegex(pattern: string): RegExp {
  let regex = regexCache.get(pattern);
  if (regex === undefined) {
    if (regexCache.size > 256) regexCache.clear();
    regex = new RegExp(pattern, 'i');
    regexCache.set(pattern, regex);
  }
  return regex;
}
