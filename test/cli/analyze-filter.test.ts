/**
 * `tideline analyze --filter` on the bundled sample: conn.log keeps the
 * flows that match the display filter (counts from the fixture), and a
 * filter that does not parse is a usage error naming its column.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { parseAnalyzeArguments } from '../../src/main/cli/parse-analyze-arguments';
import expected from '../fixtures/sample.expected.json';

const root = join(import.meta.dirname, '..', '..');
const TSX = join(root, 'node_modules', '.bin', 'tsx');
const MAIN = join(root, 'src', 'main', 'cli', 'main.ts');
const samplePath = join(root, 'assets', 'sample.pcapng');
const folder = mkdtempSync(join(tmpdir(), 'tideline-analyze-filter-'));

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('analyze --filter', () => {
  it('parses the filter and reports the column of an error', () => {
    expect(parseAnalyzeArguments(['a.pcap', '--filter', 'tcp.port == 80'])).toMatchObject({ displayFilter: 'tcp.port == 80' });
    expect(parseAnalyzeArguments(['a.pcap', '--filter=udp'])).toMatchObject({ displayFilter: 'udp' });
    expect(parseAnalyzeArguments(['a.pcap'])).toMatchObject({ displayFilter: null });
    const bad = parseAnalyzeArguments(['a.pcap', '--filter', 'tcp.port == == 80']);
    expect('error' in bad && bad.error).toMatch(/^--filter is invalid at column 13: /);
    const missing = parseAnalyzeArguments(['a.pcap', '--filter']);
    expect('error' in missing && missing.error).toContain('--filter requires');
  });

  it('keeps the REJ flows of the sample in conn.log', () => {
    const out = join(folder, 'rej');
    const result = spawnSync(TSX, [MAIN, 'analyze', samplePath, '--out', out, '--format', 'json', '--filter', 'conn_state == "REJ"'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    // The summary says that conn.log was filtered and how many of the sample's flows matched.
    expect(result.stdout).toContain(
      `conn.log: ${join(out, 'conn.log')} (${expected.connectionStates.states.REJ} of ${expected.flows.total} flows ` +
        `match the filter 'conn_state == "REJ"', Zeek JSON lines)`,
    );
    expect(result.stdout).toContain(`notice.log: ${join(out, 'notice.log')} (`);
    const rows = readFileSync(join(out, 'conn.log'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { conn_state: string });
    expect(rows).toHaveLength(expected.connectionStates.states.REJ);
    expect(new Set(rows.map((row) => row.conn_state))).toEqual(new Set(['REJ']));
  }, 60_000);

  // The expectation comes from dns.log and ssl.log of the same run, which --filter does not thin.
  it.each([
    ['dns.qry.name contains "example"', 'dns.log', (row: Record<string, unknown>) => typeof row.query === 'string' && row.query.includes('example')],
    ['tls.sni == "www.example.com"', 'ssl.log', (row: Record<string, unknown>) => row.server_name === 'www.example.com'],
  ] as const)('keeps the flows whose records match %s', (filter, logName, isExpected) => {
    const out = join(folder, logName);
    const result = spawnSync(TSX, [MAIN, 'analyze', samplePath, '--out', out, '--format', 'json', '--filter', filter], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    const readRows = (name: string): Array<Record<string, unknown>> =>
      readFileSync(join(out, name), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const expectedUids = new Set(readRows(logName).filter(isExpected).map((row) => String(row.uid)));
    const keptUids = readRows('conn.log').map((row) => String(row.uid));
    expect(expectedUids.size).toBeGreaterThan(0);
    expect(new Set(keptUids)).toEqual(expectedUids);
    expect(keptUids).toHaveLength(expectedUids.size);
  }, 60_000);

  it('finds the sample\'s TLS server name in ssl.log', () => {
    const rows = readFileSync(join(folder, 'ssl.log', 'ssl.log'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { server_name?: string });
    expect(expected.tlsServerNames).toContain('www.example.com');
    expect(rows.some((row) => row.server_name === 'www.example.com')).toBe(true);
  });
});
