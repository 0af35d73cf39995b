import { describe, expect, it } from 'vitest';

import { escapeHtml } from '../../src/renderer/format/escape-html';
import { formatBytes, formatCompact, formatCount, formatMeasurement } from '../../src/renderer/format/quantity';
import { formatRowsAsCsv, formatRowsAsJson, type ExportColumn } from '../../src/renderer/format/table-export';
import { formatDuration, formatTimestamp } from '../../src/renderer/format/time';
import { formatZeekSeconds } from '../../src/renderer/components/flow-columns';

describe('formatTimestamp', () => {
  it('keeps microseconds in UTC', () => {
    // 2023-11-14T22:13:20.000001Z
    expect(formatTimestamp(1_700_000_000_000_001, 'utc')).toBe('2023-11-14 22:13:20.000001Z');
  });

  it('keeps microseconds below one millisecond', () => {
    expect(formatTimestamp(1_700_000_000_123_456, 'utc')).toBe('2023-11-14 22:13:20.123456Z');
  });

  it('shows the local offset in local time', () => {
    expect(formatTimestamp(1_700_000_000_000_000, 'local')).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000000[+-]\d\d:\d\d$/,
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 µs'],
    [840, '840 µs'],
    [12_500, '12.5 ms'],
    [3_200_000, '3.20 s'],
    [245_000_000, '4 m 05 s'],
    [7_620_000_000, '2 h 07 m'],
    [-1, '–'],
  ])('formats %d µs as %s', (microseconds, expected) => {
    expect(formatDuration(microseconds)).toBe(expected);
  });
});

describe('quantities', () => {
  it('formats bytes with IEC units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(10 * 1024 * 1024)).toBe('10.0 MiB');
  });

  it('groups thousands with commas', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(999)).toBe('999');
  });

  it('keeps the decimals of measurements', () => {
    expect(formatMeasurement(0.245)).toBe('0.245');
    expect(formatMeasurement(1234.5)).toBe('1,234.5');
    expect(formatMeasurement(2.0004)).toBe('2');
    expect(formatMeasurement(-0.5)).toBe('-0.5');
    expect(formatMeasurement(30)).toBe('30');
    expect(formatMeasurement(Number.NaN)).toBe('–');
  });

  it('shortens axis labels', () => {
    expect(formatCompact(1500)).toBe('1.5k');
    expect(formatCompact(2_500_000)).toBe('2.5M');
  });

  it('writes Zeek seconds with six decimals', () => {
    expect(formatZeekSeconds(1_700_000_000_000_042)).toBe('1700000000.000042');
    expect(formatZeekSeconds(5)).toBe('0.000005');
  });
});

describe('escapeHtml', () => {
  it('escapes markup from packet strings', () => {
    expect(escapeHtml('<img src=x onerror="alert(1)">&\'')).toBe(
      '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;',
    );
  });
});

describe('table export', () => {
  interface Row {
    name: string;
    count: number;
  }
  const columns: ExportColumn<Row>[] = [
    { key: 'name', value: (row) => row.name },
    { key: 'count', value: (row) => row.count },
  ];

  it('quotes commas, quotes and newlines in CSV', () => {
    const csv = formatRowsAsCsv(columns, [
      { name: 'a,b', count: 1 },
      { name: 'say "hi"', count: 2 },
      { name: 'two\nlines', count: 3 },
    ]);
    expect(csv).toBe('name,count\r\n"a,b",1\r\n"say ""hi""",2\r\n"two\nlines",3\r\n');
  });

  it('defuses spreadsheet formulas in CSV', () => {
    const csv = formatRowsAsCsv(columns, [
      { name: '=HYPERLINK("x")', count: 1 },
      { name: '-2+3', count: 2 },
      { name: '@SUM(A1)', count: 3 },
    ]);
    expect(csv.split('\r\n')).toEqual(['name,count', `"'=HYPERLINK(""x"")",1`, "'-2+3,2", "'@SUM(A1),3", '']);
  });

  it('writes JSON objects keyed by column', () => {
    const json = formatRowsAsJson(columns, [{ name: '<b>', count: 7 }]);
    expect(JSON.parse(json)).toEqual([{ name: '<b>', count: 7 }]);
  });
});
