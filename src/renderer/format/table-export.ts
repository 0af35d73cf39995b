/**
 * Turns table rows into CSV (RFC 4180) or JSON text for export. Cells contain
 * strings from packets, so a CSV cell that a spreadsheet would run as a
 * formula (starting with =, +, -, @, tab or CR) gets an apostrophe in front.
 */

export type ExportFormat = 'csv' | 'json';

export type ExportCell = string | number | boolean | null;

export interface ExportColumn<Row> {
  /** Header in CSV and key in JSON. */
  key: string;
  value: (row: Row) => ExportCell;
}

const FORMULA_PREFIXES = ['=', '+', '-', '@', '\t', '\r'];

function quoteCsvCell(cell: ExportCell): string {
  if (cell === null) return '';
  if (typeof cell !== 'string') return String(cell);
  const isFormula = FORMULA_PREFIXES.some((prefix) => cell.startsWith(prefix));
  const text = isFormula ? `'${cell}` : cell;
  if (/[",\r\n]/.test(text)) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

/** Returns CSV text with a header line and CRLF line ends. */
export function formatRowsAsCsv<Row>(columns: readonly ExportColumn<Row>[], rows: readonly Row[]): string {
  const lines = [columns.map((column) => quoteCsvCell(column.key)).join(',')];
  for (const row of rows) {
    lines.push(columns.map((column) => quoteCsvCell(column.value(row))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Returns a JSON array of objects keyed by column key, one object per line. */
export function formatRowsAsJson<Row>(columns: readonly ExportColumn<Row>[], rows: readonly Row[]): string {
  const objects = rows.map((row) => {
    const entry: Record<string, ExportCell> = {};
    for (const column of columns) entry[column.key] = column.value(row);
    return JSON.stringify(entry);
  });
  return `[\n${objects.join(',\n')}\n]\n`;
}

/** Formats rows in the requested format; returns the text and its MIME type. */
export function formatRows<Row>(
  format: ExportFormat,
  columns: readonly ExportColumn<Row>[],
  rows: readonly Row[],
): { text: string; mimeType: string } {
  if (format === 'csv') return { text: formatRowsAsCsv(columns, rows), mimeType: 'text/csv' };
  return { text: formatRowsAsJson(columns, rows), mimeType: 'application/json' };
}
