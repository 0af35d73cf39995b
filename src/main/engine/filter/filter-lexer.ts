/**
 * Splits a display filter into tokens with their columns.
 *
 * Words are runs of letters, digits and `_ . : / -`, which covers field
 * names, numbers, IPv4 and IPv6 addresses, CIDR blocks and unquoted values
 * (`conn_state == REJ`). Keywords (`and`, `eq`, `contains`, ...) are words
 * that the parser reads by their text, case-insensitively as Wireshark does.
 */
import type { FilterSyntaxError } from '../../../shared/domain/filter';

export type FilterTokenKind = 'word' | 'string' | 'symbol' | 'end';

export interface FilterToken {
  kind: FilterTokenKind;
  /** Word or symbol text, or a string literal's value after escapes. */
  text: string;
  column: number;
  /** Characters in the source text, quotes included. */
  length: number;
}

export type LexResult = { ok: true; tokens: FilterToken[] } | { ok: false; error: FilterSyntaxError };

/** Longest first, so `==` wins over `=` and `&&` over `&`. */
const SYMBOLS = ['==', '!=', '>=', '<=', '&&', '||', '>', '<', '!', '(', ')', '{', '}', ',', '~'] as const;
/** Filters longer than this are refused before lexing. */
export const MAX_FILTER_LENGTH = 4096;

function isWordCharacter(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || // 0-9
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    code === 0x5f || // _
    code === 0x2e || // .
    code === 0x3a || // :
    code === 0x2f || // /
    code === 0x2d // -
  );
}

/** Tokenise `text`; the last token is always `end`, at the column past the text. */
export function lexFilter(text: string): LexResult {
  if (text.length > MAX_FILTER_LENGTH) {
    return fail(`Filter is ${text.length} characters; the limit is ${MAX_FILTER_LENGTH}.`, MAX_FILTER_LENGTH, 1);
  }
  const tokens: FilterToken[] = [];
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) {
      index++;
      continue;
    }
    if (code === 0x22 || code === 0x27) {
      const literal = readString(text, index);
      if (!literal.ok) return literal;
      tokens.push(literal.token);
      index += literal.token.length;
      continue;
    }
    if (isWordCharacter(code)) {
      let end = index + 1;
      while (end < text.length && isWordCharacter(text.charCodeAt(end))) end++;
      tokens.push({ kind: 'word', text: text.slice(index, end), column: index, length: end - index });
      index = end;
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => text.startsWith(candidate, index));
    if (symbol === undefined) {
      return fail(`Unexpected character "${text[index]}".`, index, 1);
    }
    tokens.push({ kind: 'symbol', text: symbol, column: index, length: symbol.length });
    index += symbol.length;
  }
  tokens.push({ kind: 'end', text: '', column: text.length, length: 1 });
  return { ok: true, tokens };
}

type StringResult = { ok: true; token: FilterToken } | { ok: false; error: FilterSyntaxError };

/**
 * Read a quoted string starting at `start` (a `"` or `'`). Escapes: \\ \" \'
 * \n \r \t \0, \xHH and \uHHHH. Anything else after a backslash is an error.
 */
function readString(text: string, start: number): StringResult {
  const quote = text[start];
  let value = '';
  let index = start + 1;
  while (index < text.length) {
    const character = text[index] ?? '';
    if (character === quote) {
      return { ok: true, token: { kind: 'string', text: value, column: start, length: index + 1 - start } };
    }
    if (character !== '\\') {
      value += character;
      index++;
      continue;
    }
    const escape = readEscape(text, index);
    if (escape === null) {
      const found = index + 1 < text.length ? `\\${text[index + 1]}` : 'a backslash at the end';
      return fail(`Unknown escape ${found} in string; use \\\\ for a backslash.`, index, Math.min(2, text.length - index));
    }
    value += escape.value;
    index += escape.length;
  }
  return fail('String is not closed; add the closing quote.', start, text.length - start);
}

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n', r: '\r', t: '\t', '0': '\0' };

function readEscape(text: string, index: number): { value: string; length: number } | null {
  const next = text[index + 1];
  if (next === undefined) return null;
  const simple = SIMPLE_ESCAPES[next];
  if (simple !== undefined) return { value: simple, length: 2 };
  const hexDigits: Record<string, number> = { x: 2, u: 4 };
  const digits = hexDigits[next];
  if (digits === undefined) return null;
  const hex = text.slice(index + 2, index + 2 + digits);
  if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) return null;
  return { value: String.fromCharCode(Number.parseInt(hex, 16)), length: 2 + digits };
}

function fail(message: string, column: number, length: number): { ok: false; error: FilterSyntaxError } {
  return { ok: false, error: { message, column, length: Math.max(1, length) } };
}
