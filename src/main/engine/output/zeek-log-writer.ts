/**
 * Generic Zeek log writer: TSV with Zeek's ASCII header lines, or Zeek's
 * JSON lines. Records are formatted one at a time and handed to a sink, so a
 * log keeps no more than one record in memory.
 *
 * Formatting rules (Zeek 6 ASCII writer, checked against its btest
 * baselines): unset fields are "-", empty strings and empty containers are
 * "(empty)", set and vector elements are joined with ",", and in strings a
 * tab becomes "\x09", a backslash "\\", every other byte below 0x20 or from
 * 0x7f up "\xHH". Inside a set or vector a comma becomes "\x2c". A string
 * that reads exactly "-" or "(empty)" has its first byte escaped so it
 * cannot be mistaken for the markers.
 */

/** Zeek log column types used by Tideline's logs. */
export type ZeekFieldType =
  | 'time'
  | 'interval'
  | 'string'
  | 'addr'
  | 'port'
  | 'enum'
  | 'count'
  | 'int'
  | 'double'
  | 'bool'
  | 'set[string]'
  | 'set[enum]'
  | 'set[addr]'
  | 'vector[string]'
  | 'vector[interval]'
  | 'vector[count]';

/**
 * A column's value: null or undefined is unset. Strings hold one byte per
 * character (0..255) as decoded from traffic. `time` and `interval` values
 * and their vector elements are integer microseconds.
 */
export type ZeekValue = string | number | boolean | null | undefined | readonly string[] | readonly number[];

export interface ZeekLogColumn<Row> {
  name: string;
  type: ZeekFieldType;
  read(row: Row): ZeekValue;
}

export type ZeekLogFormat = 'zeek' | 'json';

/** Zeek's #open/#close time format: YYYY-MM-DD-HH-MM-SS in UTC. */
export function formatZeekTime(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}-${pad(date.getUTCHours())}-${pad(date.getUTCMinutes())}-${pad(date.getUTCSeconds())}`;
}

/** Seconds with six decimals from integer microseconds, as Zeek prints time and interval. */
export function formatZeekSeconds(us: number): string {
  const sign = us < 0 ? '-' : '';
  const magnitude = Math.abs(Math.round(us));
  const seconds = Math.floor(magnitude / 1_000_000);
  return `${sign}${seconds}.${String(magnitude % 1_000_000).padStart(6, '0')}`;
}

/** Escape one string for a TSV column (or, with `isElement`, for a set or vector element). */
export function escapeZeekString(value: string, isElement = false): string {
  if (value === '-' || value === '(empty)') return `\\x${value.charCodeAt(0).toString(16)}${value.slice(1)}`;
  // Most values (uids, addresses, names) need no escape: find the first character that does, if any.
  let first = 0;
  for (; first < value.length; first++) {
    const code = value.charCodeAt(first);
    if (code === 0x5c || code < 0x20 || (code >= 0x7f && code <= 0xff) || (isElement && code === 0x2c)) break;
  }
  if (first === value.length) return value;
  let text = value.slice(0, first);
  for (let i = first; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x5c) text += '\\\\';
    else if (code < 0x20 || (code >= 0x7f && code <= 0xff) || (isElement && code === 0x2c)) {
      text += `\\x${code.toString(16).padStart(2, '0')}`;
    } else text += value[i];
  }
  return text;
}

/** Format one value for a TSV column. */
export function formatZeekTsvValue(type: ZeekFieldType, value: ZeekValue): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) {
    if (value.length === 0) return '(empty)';
    const elementType = type.slice(type.indexOf('[') + 1, -1) as ZeekFieldType;
    return (value as readonly (string | number)[]).map((element) => formatScalar(elementType, element, true)).join(',');
  }
  return formatScalar(type, value as string | number | boolean, false);
}

function formatScalar(type: ZeekFieldType, value: string | number | boolean, isElement: boolean): string {
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  if (type === 'time' || type === 'interval') return formatZeekSeconds(Number(value));
  if (typeof value === 'number') return type === 'double' ? value.toFixed(6) : String(value);
  if (value === '' && !isElement) return '(empty)';
  return escapeZeekString(value, isElement);
}

/**
 * Convert a byte string (one byte per character) to text for JSON as Zeek's
 * JSON writer does. Printable ASCII and the controls JSON has short escapes
 * for (backspace, form feed, newline, carriage return, tab) stay characters,
 * and JSON.stringify escapes the latter as Zeek's writer does. While every
 * other byte belongs to a valid UTF-8 character that is not a control,
 * private-use or specials character, the characters are kept. From the first
 * byte that is not, Zeek writes the escaped form of the whole string instead:
 * every byte outside that ASCII set, before and after, as the text "\xHH".
 */
export function decodeZeekJsonString(value: string): string {
  let text = '';
  let escaped = '';
  let isBad = false;
  let i = 0;
  while (i < value.length) {
    const byte = value.charCodeAt(i);
    if ((byte >= 0x20 && byte < 0x7f) || byte === 0x08 || byte === 0x0c || byte === 0x0a || byte === 0x0d || byte === 0x09) {
      if (!isBad) text += value[i];
      escaped += value[i];
      i++;
      continue;
    }
    if (!isBad) {
      const length = getUtf8SequenceLength(byte);
      const sequence = decodeUtf8Sequence(value, i, length);
      if (sequence !== null && isLoggableCharacter(sequence)) {
        text += sequence;
        for (let j = 0; j < length; j++) escaped += escapeByte(value.charCodeAt(i + j));
        i += length;
        continue;
      }
      isBad = true;
    }
    escaped += escapeByte(byte);
    i++;
  }
  return isBad ? escaped : text;
}

function escapeByte(byte: number): string {
  return `\\x${(byte & 0xff).toString(16).padStart(2, '0')}`;
}

/** False for the characters Zeek escapes even in valid UTF-8: controls, private use and specials. */
function isLoggableCharacter(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  if (code <= 0x1f || code === 0x7f || (code >= 0x80 && code <= 0x9f)) return false;
  if (code >= 0xe000 && code <= 0xf8ff) return false;
  return !(code >= 0xfff0 && code <= 0xffff);
}

/** Length of the UTF-8 sequence a byte starts: 1 for ASCII, 0 for a byte that cannot lead one. */
function getUtf8SequenceLength(byte: number): number {
  if (byte < 0x80) return 1;
  if (byte >= 0xc2 && byte <= 0xdf) return 2;
  if (byte >= 0xe0 && byte <= 0xef) return 3;
  if (byte >= 0xf0 && byte <= 0xf4) return 4;
  return 0;
}

function decodeUtf8Sequence(value: string, start: number, length: number): string | null {
  if (length === 0 || start + length > value.length) return null;
  const bytes = new Uint8Array(length);
  for (let j = 0; j < length; j++) {
    const code = value.charCodeAt(start + j);
    if (code > 0xff || (j > 0 && (code & 0xc0) !== 0x80)) return null;
    bytes[j] = code;
  }
  const decoded = utf8Decoder.decode(bytes);
  return decoded.includes('\ufffd') ? null : decoded;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

function toJsonValue(type: ZeekFieldType, value: ZeekValue): unknown {
  if (Array.isArray(value)) {
    const elementType = type.slice(type.indexOf('[') + 1, -1) as ZeekFieldType;
    return (value as readonly (string | number)[]).map((element) => toJsonValue(elementType, element));
  }
  if (type === 'time' || type === 'interval') return Number(value) / 1_000_000;
  if (typeof value === 'string') return decodeZeekJsonString(value);
  return value;
}

/** Sink that receives the log text in order; `end` is called once, after the last write. */
export interface ZeekLogSink {
  write(text: string): void;
  end(): void;
}

/**
 * Writes one Zeek log. The sink is opened lazily: like Zeek, a log that
 * receives no record produces no file, so `openSink` is called on the first
 * record only.
 */
export class ZeekLogWriter<Row> {
  private sink: ZeekLogSink | null = null;
  private count = 0;

  constructor(
    private readonly path: string,
    private readonly columns: readonly ZeekLogColumn<Row>[],
    private readonly format: ZeekLogFormat,
    private readonly openSink: () => ZeekLogSink,
    private readonly openedAt: Date = new Date(),
  ) {}

  /** Records written so far. */
  get recordCount(): number {
    return this.count;
  }

  /** Header lines of the TSV log, each ending in "\n". */
  formatHeader(): string {
    return [
      '#separator \\x09',
      '#set_separator\t,',
      '#empty_field\t(empty)',
      '#unset_field\t-',
      `#path\t${this.path}`,
      `#open\t${formatZeekTime(this.openedAt)}`,
      `#fields\t${this.columns.map((column) => column.name).join('\t')}`,
      `#types\t${this.columns.map((column) => column.type).join('\t')}`,
      '',
    ].join('\n');
  }

  /** Format one record as a line ending in "\n", in the writer's format. */
  formatRow(row: Row): string {
    if (this.format === 'json') {
      const record: Record<string, unknown> = {};
      for (const column of this.columns) {
        const value = column.read(row);
        if (value === null || value === undefined) continue;
        record[column.name] = toJsonValue(column.type, value);
      }
      return `${JSON.stringify(record)}\n`;
    }
    const columns = this.columns;
    let line = formatZeekTsvValue(columns[0]!.type, columns[0]!.read(row));
    for (let i = 1; i < columns.length; i++) line += `\t${formatZeekTsvValue(columns[i]!.type, columns[i]!.read(row))}`;
    return `${line}\n`;
  }

  write(row: Row): void {
    if (this.sink === null) {
      this.sink = this.openSink();
      if (this.format === 'zeek') this.sink.write(this.formatHeader());
    }
    this.sink.write(this.formatRow(row));
    this.count++;
  }

  /** Write the #close line (TSV) and end the sink; does nothing when no record was written. */
  close(closedAt: Date = new Date()): void {
    if (this.sink === null) return;
    if (this.format === 'zeek') this.sink.write(`#close\t${formatZeekTime(closedAt)}\n`);
    this.sink.end();
    this.sink = null;
  }
}
