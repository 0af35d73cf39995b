/**
 * Parses Wireshark display-filter syntax into a typed expression tree.
 *
 * Grammar (`and` binds tighter than `or`, as in Wireshark's grammar):
 *   or      := and (("or" | "||") and)*
 *   and     := unary (("and" | "&&") unary)*
 *   unary   := ("not" | "!") unary | primary
 *   primary := "(" or ")" | FIELD [test]
 *   test    := relation value | "in" "{" item ("," ? item)* "}"
 *            | "contains" value | ("matches" | "~") value
 *   relation:= "==" | "eq" | "!=" | "ne" | ">" | "gt" | ">=" | "ge" | "<" | "lt" | "<=" | "le"
 *   item    := value | value ".." value
 * A field alone tests that it is present. Literals are checked against the
 * field's type here, so the compilers get only well-typed values.
 */
import type { FilterSyntaxError } from '../../../shared/domain/filter';
import { getAddressKeyRange } from './address-key';
import { type FilterField, getFilterField } from './filter-fields';
import { type FilterToken, lexFilter } from './filter-lexer';

export type OrderOperator = 'gt' | 'ge' | 'lt' | 'le';

/** An inclusive range of one field's values: an address, a CIDR block, `a..b`, or one value (low = high). */
export interface ValueRange {
  low: string | number;
  high: string | number;
}

export type FilterExpression =
  | { kind: 'and' | 'or'; left: FilterExpression; right: FilterExpression }
  | { kind: 'not'; operand: FilterExpression }
  | { kind: 'exists'; field: FilterField }
  /** `==` (any value in a range) and `in` (isNegated false); `!=`: present and no value in any range. */
  | { kind: 'in-range'; field: FilterField; ranges: ValueRange[]; isNegated: boolean }
  | { kind: 'order'; field: FilterField; operator: OrderOperator; value: string | number }
  | { kind: 'contains'; field: FilterField; text: string }
  | { kind: 'matches'; field: FilterField; pattern: string };

export type ParseResult = { ok: true; expression: FilterExpression } | { ok: false; error: FilterSyntaxError };

const RELATIONS: Record<string, 'eq' | 'ne' | OrderOperator> = {
  '==': 'eq', eq: 'eq', '!=': 'ne', ne: 'ne', '>': 'gt', gt: 'gt', '>=': 'ge', ge: 'ge', '<': 'lt', lt: 'lt', '<=': 'le', le: 'le',
};
const MAX_NESTING = 64;
const MAX_SET_ITEMS = 1024;

/** Thrown inside the parser only, caught by `parseFilter`. */
class FilterParseFailure extends Error {
  constructor(readonly detail: FilterSyntaxError) {
    super(detail.message);
  }
}

/** Parse `text`; an empty or blank filter is an error (callers treat "no filter" before calling). */
export function parseFilter(text: string): ParseResult {
  const lexed = lexFilter(text);
  if (!lexed.ok) return lexed;
  const parser = new Parser(lexed.tokens);
  try {
    return { ok: true, expression: parser.parseAll() };
  } catch (error) {
    if (error instanceof FilterParseFailure) return { ok: false, error: error.detail };
    throw error;
  }
}

class Parser {
  private position = 0;
  private depth = 0;

  constructor(private readonly tokens: FilterToken[]) {}

  parseAll(): FilterExpression {
    if (this.peek().kind === 'end') this.fail('Filter is empty; type a field name such as ip.addr.', this.peek());
    const expression = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end') this.fail(`Expected "and", "or" or the end of the filter, found "${next.text}".`, next);
    return expression;
  }

  private parseOr(): FilterExpression {
    let left = this.parseAnd();
    while (this.isKeyword(['or', '||'])) {
      this.position++;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterExpression {
    let left = this.parseUnary();
    while (this.isKeyword(['and', '&&'])) {
      this.position++;
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterExpression {
    if (this.isKeyword(['not', '!'])) {
      const token = this.next();
      this.enter(token);
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'not', operand };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): FilterExpression {
    const token = this.next();
    if (token.kind === 'symbol' && token.text === '(') {
      this.enter(token);
      const inner = this.parseOr();
      this.depth--;
      const close = this.next();
      if (close.kind !== 'symbol' || close.text !== ')') {
        this.fail(`Expected ")" to close the "(" at column ${token.column + 1}, found ${describe(close)}.`, close);
      }
      return inner;
    }
    if (token.kind !== 'word') this.fail(`Expected a field name, found ${describe(token)}.`, token);
    const field = getFilterField(token.text);
    if (field === undefined) {
      this.fail(`Unknown field "${token.text}"; field names are case-sensitive (ip.addr, tcp.port, conn_state, dns.qry.name, ...).`, token);
    }
    return this.parseTest(field, token);
  }

  private parseTest(field: FilterField, fieldToken: FilterToken): FilterExpression {
    const operatorToken = this.peek();
    const operatorText = operatorToken.kind === 'end' ? '' : operatorToken.text.toLowerCase();
    const relation = operatorToken.kind === 'string' ? undefined : RELATIONS[operatorText];
    const isTest = relation !== undefined || ['in', 'contains', 'matches', '~'].includes(operatorText);
    if (!isTest || operatorToken.kind === 'string') return { kind: 'exists', field };
    if (field.type === 'protocol') {
      this.fail(`"${field.name}" is a protocol: test it alone ("${field.name}" or "not ${field.name}").`, operatorToken);
    }
    this.position++;

    if (operatorText === 'in') return { kind: 'in-range', field, ranges: this.parseSet(field), isNegated: false };
    if (operatorText === 'contains' || operatorText === 'matches' || operatorText === '~') {
      return this.parseTextTest(field, operatorText === 'contains' ? 'contains' : 'matches', operatorToken);
    }
    const valueToken = this.expectValue(fieldToken);
    if (relation === 'eq' || relation === 'ne') {
      return { kind: 'in-range', field, ranges: [this.toRange(field, valueToken)], isNegated: relation === 'ne' };
    }
    const range = this.toRange(field, valueToken);
    if (range.low !== range.high) this.fail(`A CIDR block cannot be ordered; use "==" or "in".`, valueToken);
    return { kind: 'order', field, operator: relation as OrderOperator, value: range.low };
  }

  private parseTextTest(field: FilterField, kind: 'contains' | 'matches', operatorToken: FilterToken): FilterExpression {
    if (field.type !== 'string') {
      this.fail(`"${operatorToken.text}" needs a text field; ${field.name} holds ${field.type === 'address' ? 'addresses' : 'numbers'}.`, operatorToken);
    }
    const valueToken = this.expectValue(operatorToken);
    if (kind === 'contains') return { kind: 'contains', field, text: valueToken.text };
    const problem = checkPattern(valueToken.text);
    if (problem !== null) this.fail(problem, valueToken);
    return { kind: 'matches', field, pattern: valueToken.text };
  }

  /** `{ a b c..d }`, items separated by spaces or commas. */
  private parseSet(field: FilterField): ValueRange[] {
    const open = this.next();
    if (open.kind !== 'symbol' || open.text !== '{') this.fail(`Expected "{" after "in", found ${describe(open)}.`, open);
    const ranges: ValueRange[] = [];
    for (;;) {
      const token = this.next();
      if (token.kind === 'symbol' && token.text === '}') break;
      if (token.kind === 'symbol' && token.text === ',' && ranges.length > 0) continue;
      if (token.kind !== 'word' && token.kind !== 'string') {
        this.fail(`Expected a value or "}" in the set opened at column ${open.column + 1}, found ${describe(token)}.`, token);
      }
      if (ranges.length >= MAX_SET_ITEMS) this.fail(`A set holds at most ${MAX_SET_ITEMS} values.`, token);
      ranges.push(this.toSetItem(field, token));
    }
    if (ranges.length === 0) this.fail('The set is empty; put at least one value between the braces.', open);
    return ranges;
  }

  private toSetItem(field: FilterField, token: FilterToken): ValueRange {
    const dots = token.kind === 'word' ? token.text.indexOf('..') : -1;
    if (dots < 0) return this.toRange(field, token);
    if (field.type !== 'integer' && field.type !== 'number') {
      this.fail(`Ranges "a..b" need a numeric field; ${field.name} is ${field.type}.`, token);
    }
    const lowToken = { ...token, text: token.text.slice(0, dots), length: dots };
    const highToken = { ...token, text: token.text.slice(dots + 2), column: token.column + dots + 2, length: token.length - dots - 2 };
    const low = this.toRange(field, lowToken).low;
    const high = this.toRange(field, highToken).low;
    if (high < low) this.fail(`Range ${token.text} ends below its start.`, token);
    return { low, high };
  }

  /** Convert a literal to the field's type; addresses may be CIDR blocks. */
  private toRange(field: FilterField, token: FilterToken): ValueRange {
    const text = token.text;
    if (field.type === 'string') return { low: text, high: text };
    if (field.type === 'address') {
      const range = getAddressKeyRange(text);
      if (range === null) this.fail(`"${text}" is not an IP address or CIDR block (10.0.0.5, 10.0.0.0/8, 2001:db8::/32).`, token);
      if (field.name.startsWith('ip.') && !range.isIpv4) this.fail(`${field.name} holds IPv4 addresses; use ipv6.addr for "${text}".`, token);
      if (field.name.startsWith('ipv6.') && range.isIpv4) this.fail(`${field.name} holds IPv6 addresses; use ip.addr for "${text}".`, token);
      return { low: range.low, high: range.high };
    }
    const value = parseNumber(text, field.type === 'integer');
    if (value === null) {
      const expected = field.type === 'integer' ? 'a whole number' : 'a number';
      this.fail(`${field.name} expects ${expected}, found "${text}".`, token);
    }
    return { low: value, high: value };
  }

  private expectValue(after: FilterToken): FilterToken {
    const token = this.next();
    if (token.kind === 'word' || token.kind === 'string') return token;
    this.fail(`Expected a value after "${after.text}", found ${describe(token)}.`, token);
  }

  private enter(token: FilterToken): void {
    this.depth++;
    if (this.depth > MAX_NESTING) this.fail(`Filter nests deeper than ${MAX_NESTING} levels.`, token);
  }

  private isKeyword(words: string[]): boolean {
    const token = this.peek();
    return (token.kind === 'word' || token.kind === 'symbol') && words.includes(token.text.toLowerCase());
  }

  private peek(): FilterToken {
    return this.tokens[this.position] ?? this.tokens[this.tokens.length - 1]!;
  }

  private next(): FilterToken {
    const token = this.peek();
    if (token.kind !== 'end') this.position++;
    return token;
  }

  private fail(message: string, token: FilterToken): never {
    throw new FilterParseFailure({ message, column: token.column, length: Math.max(1, token.length) });
  }
}

function describe(token: FilterToken): string {
  if (token.kind === 'end') return 'the end of the filter';
  if (token.kind === 'string') return `the string "${token.text}"`;
  return `"${token.text}"`;
}

/** Decimal or 0x hex integers; decimals with a fraction when `isInteger` is false. */
function parseNumber(text: string, isInteger: boolean): number | null {
  if (/^0x[0-9a-f]+$/i.test(text) || /^\d+$/.test(text)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : null;
  }
  if (!isInteger && /^\d+\.\d+$/.test(text)) return Number(text);
  return null;
}

/**
 * The store evaluates `matches` with RE2 and memory with JavaScript; refuse
 * the constructs only one of them has, so both give the same matches.
 */
function checkPattern(pattern: string): string | null {
  if (/\(\?<?[=!]/.test(pattern)) return 'Look-ahead and look-behind are not supported in "matches".';
  if (/\\[1-9]/.test(pattern)) return 'Back-references are not supported in "matches".';
  try {
    new RegExp(pattern, 'i');
  } catch (error) {
    return `Invalid regular expression: ${(error as Error).message}.`;
  }
  return null;
}
