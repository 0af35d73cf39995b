/**
 * Compares dns.log, http.log and dhcp.log with the Zeek baselines kept beside
 * the public captures, row by row and field by field. Zeek's btest masks
 * timestamps and derives uids from its own seed, so `ts`, `uid` and `uids`
 * are left out, and rows are compared as sorted lists because Zeek writes
 * some rows (unmatched DNS messages) at connection end in its own order.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/main/engine/analyze-capture';
import { DHCP_LOG_COLUMNS, DNS_LOG_COLUMNS, HTTP_LOG_COLUMNS } from '../../src/main/engine/analyzers/analyzer-log-columns';
import { ApplicationAnalyzers } from '../../src/main/engine/analyzers/application-analyzers';
import { formatZeekTsvValue, type ZeekLogColumn } from '../../src/main/engine/output/zeek-log-writer';
import { acceptedBaselineDifferences } from './analyzers-accepted-differences';
import { findPublicCaptures } from './public-captures';

const captures = findPublicCaptures();
const expectedFolder = path.join(captures?.root ?? '', 'zeek', 'expected');
/**
 * Columns left out of the comparison: ts (masked by btest), uid and uids
 * (Zeek's seed), and the file-analysis columns, which Zeek fills from its
 * files framework (file ids, names and sniffed MIME types) and Tideline
 * does not have; http.log's mime types come from Content-Type instead.
 */
const skippedColumns = new Set([
  'ts', 'uid', 'uids', 'orig_fuids', 'orig_filenames', 'orig_mime_types', 'resp_fuids', 'resp_filenames', 'resp_mime_types',
]);

interface Baseline {
  name: string;
  pcap: string;
  log: 'dns' | 'http' | 'dhcp';
  logPath: string;
  /** Options that the btest set with `redef`, replayed here. */
  maxDhcpUids?: number;
}

function findBaselines(): Baseline[] {
  if (captures === null || !existsSync(expectedFolder)) return [];
  const baselines: Baseline[] = [];
  for (const name of readdirSync(expectedFolder).sort()) {
    const match = /^(.*)\.(dns|http|dhcp)\.log$/.exec(name);
    if (match === null) continue;
    const meta = JSON.parse(readFileSync(path.join(expectedFolder, `${match[1] ?? ''}.meta.json`), 'utf8')) as { pcap: string; zeek_invocation: string[] };
    const redef = /max_uids_per_log_entry=(\d+)/.exec(meta.zeek_invocation.join(' '));
    baselines.push({
      name,
      pcap: path.join(captures.root, 'zeek', meta.pcap),
      log: match[2] as Baseline['log'],
      logPath: path.join(expectedFolder, name),
      maxDhcpUids: redef === null ? undefined : Number(redef[1]),
    });
  }
  return baselines;
}

/** The baseline's data rows without the skipped columns. */
function readBaselineRows(logPath: string): string[] {
  let fields: string[] = [];
  const rows: string[] = [];
  for (const line of readFileSync(logPath, 'utf8').split('\n')) {
    if (line.startsWith('#fields\t')) fields = line.split('\t').slice(1);
    if (line === '' || line.startsWith('#')) continue;
    rows.push(line.split('\t').filter((_value, index) => !skippedColumns.has(fields[index] ?? '')).join('\t'));
  }
  return rows.sort();
}

function formatRows<Row>(rows: Row[], columns: readonly ZeekLogColumn<Row>[]): string[] {
  const kept = columns.filter((column) => !skippedColumns.has(column.name));
  return rows.map((row) => kept.map((column) => formatZeekTsvValue(column.type, column.read(row))).join('\t')).sort();
}

describe.skipIf(captures === null)('analyzer logs against Zeek baselines', () => {
  it.each(findBaselines().map((baseline) => [baseline.name, baseline] as const))('%s', async (_name, baseline) => {
    const dns: Parameters<NonNullable<ConstructorParameters<typeof ApplicationAnalyzers>[0]['onDns']>>[0][] = [];
    const http: Parameters<NonNullable<ConstructorParameters<typeof ApplicationAnalyzers>[0]['onHttp']>>[0][] = [];
    const dhcp: Parameters<NonNullable<ConstructorParameters<typeof ApplicationAnalyzers>[0]['onDhcp']>>[0][] = [];
    const analyzers = new ApplicationAnalyzers(
      { onDns: (record) => dns.push(record), onHttp: (record) => http.push(record), onDhcp: (record) => dhcp.push(record) },
      { maxDhcpUidsPerRecord: baseline.maxDhcpUids },
    );
    await analyzeCapture(baseline.pcap, { analyzers });

    const ours =
      baseline.log === 'dns' ? formatRows(dns, DNS_LOG_COLUMNS) : baseline.log === 'http' ? formatRows(http, HTTP_LOG_COLUMNS) : formatRows(dhcp, DHCP_LOG_COLUMNS);
    const theirs = readBaselineRows(baseline.logPath);
    const accepted = acceptedBaselineDifferences[baseline.name] ?? [];
    const isAccepted = (row: string, side: 'extra' | 'missing'): boolean =>
      accepted.some((difference) => difference.side === side && row.startsWith(difference.item));
    const extra = ours.filter((row) => !theirs.includes(row) && !isAccepted(row, 'extra'));
    const missing = theirs.filter((row) => !ours.includes(row) && !isAccepted(row, 'missing'));
    expect({ extra, missing }, `${baseline.name}: rows only in ours (extra) or only in Zeek's (missing)`).toEqual({ extra: [], missing: [] });
  });
});
