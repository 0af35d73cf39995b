/**
 * Every analyzer record type survives a case's round trip. Each capture is
 * analyzed by the application analyzers directly, then opened in the engine
 * (analysis, then ingest into a case), then reopened from the case with no
 * packet read. The stored records equal the analyzers' output field by
 * field, and the record tables, alerts and record-field display filters
 * (tls.sni, dns.qry.name, http.host) return the same before and after.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { analyzeCapture } from '../../../src/main/engine/analyze-capture';
import { ApplicationAnalyzers } from '../../../src/main/engine/analyzers/application-analyzers';
import type { ZeekRow } from '../../../src/main/engine/analyzers/parsers/zeek-row';
import { analyzeWithAnalyzers } from '../../../src/main/engine/host/analyze-with-analyzers';
import { EngineService } from '../../../src/main/engine/host/engine-service';
import { readCaseRecords } from '../../../src/main/engine/store/case-queries';
import { CaseStore } from '../../../src/main/engine/store/case-store';
import type { AlertList, FlowPage } from '../../../src/shared/contract';
import type { OpenedCase } from '../../../src/shared/contract/case-contract';
import type { CaseListEntry } from '../../../src/shared/domain/case';
import { recordTypes, type RecordPage, type RecordRow } from '../../../src/shared/domain/record-table';
import { buildPcap } from '../../support/capture-writer';
import { ethernet, ipv4, toBytes, udp } from '../decode/packet-bytes';
import { RFC9001_CLIENT_INITIAL_HEX } from '../analyzers/parsers/rfc9001-vectors';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const workFolder = mkdtempSync(join(tmpdir(), 'tideline-record-round-trip-'));
afterAll(() => rmSync(workFolder, { recursive: true, force: true }));

/** Write a QUIC v1 Initial (the RFC 9001 A.2 client packet) from 192.0.2.1:50000 to 198.51.100.2:443. */
function writeQuicCapture(path: string): string {
  const payload = [...Buffer.from(RFC9001_CLIENT_INITIAL_HEX, 'hex')];
  const frame = toBytes(ethernet(0x0800, ipv4({ protocol: 17, payload: udp(50_000, 443, payload) })));
  writeFileSync(path, buildPcap({ packets: [{ timestampUs: 1_700_000_000_000_000, data: frame }] }));
  return path;
}

/** Captures that together make every record type the app stores. */
const captures: Array<{ name: string; path: () => string }> = [
  { name: 'analyzers-web.pcap (HTTP, TLS, x509, SSH)', path: () => join(FIXTURES, 'analyzers/analyzers-web.pcap') },
  { name: 'analyzers-dhcp.pcap (DHCP)', path: () => join(FIXTURES, 'analyzers/analyzers-dhcp.pcap') },
  { name: 'proto-benign.pcap (DNS, TLS, x509, SMB)', path: () => join(FIXTURES, 'scenarios-proto/proto-benign.pcap') },
  { name: 'proto-dns-tunnel.pcap (DNS, weird)', path: () => join(FIXTURES, 'scenarios-proto/proto-dns-tunnel.pcap') },
  { name: 'generated QUIC Initial (QUIC)', path: () => writeQuicCapture(join(workFolder, 'quic-initial.pcap')) },
];

/** Record types seen over all captures, checked at the end so no type passes by being absent. */
const typesSeen = new Set<string>();

interface AnalyzerRecord {
  type: string;
  data: unknown;
}

/** Collect every record the application analyzers make for `path`, under the type name the store uses. */
async function analyzeRecords(path: string): Promise<AnalyzerRecord[]> {
  const records: AnalyzerRecord[] = [];
  const add = (type: string) => (data: unknown) => records.push({ type, data });
  const analyzers = new ApplicationAnalyzers({
    onDns: add('dns'), onHttp: add('http'), onDhcp: add('dhcp'), onWeird: add('weird'), onSsl: add('tls'),
    onX509: add('x509'), onSsh: add('ssh'), onSmbMapping: add('smb_mapping'), onSmbFiles: add('smb_files'), onQuic: add('quic'),
  });
  await analyzeCapture(path, { analyzers });
  return records;
}

/** Records in one order, whatever order they were made or read in; JSON drops undefined fields as the store does. */
function canonical(records: readonly AnalyzerRecord[]): string[] {
  return records.map((record) => `${record.type} ${JSON.stringify(record.data)}`).sort();
}

/** Escape text for a regular expression inside a display filter string. */
function asRegex(text: string): string {
  return `^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&')}$`;
}

describe.each(captures)('record round trip: $name', ({ path: makePath }) => {
  it('stores records and reopens unchanged', async () => {
    const path = makePath();
    const analyzed = await analyzeRecords(path);
    expect(analyzed.length).toBeGreaterThan(0);
    for (const record of analyzed) typesSeen.add(record.type);

    const casesFolder = join(workFolder, `cases-${typesSeen.size}-${analyzed.length}`);
    const service = new EngineService({ analyze: analyzeWithAnalyzers, emit: () => undefined, casesFolder });
    const call = async <T>(name: string, argument: unknown): Promise<T> => {
      const result = await service.handle(name, argument);
      if (!result.ok) throw new Error(`${name} failed: ${result.error.message}`);
      return result.value as T;
    };
    const readAll = async (captureId: string) => {
      const tables: Record<string, RecordRow[]> = {};
      for (const type of recordTypes) {
        const page = await call<RecordPage>('records.query', { captureId, type, offset: 0, limit: 5_000, sort: { column: 'ts', direction: 'ascending' }, filter: {} });
        tables[type] = page.rows;
      }
      const alerts = await call<AlertList>('alerts.list', { captureId, filter: {} });
      return { tables, alerts: alerts.alerts };
    };
    const selectedBy = async (captureId: string, displayFilter: string): Promise<string[]> => {
      const page = await call<FlowPage>('flows.query', { captureId, offset: 0, limit: 5_000, sort: { column: 'uid', direction: 'ascending' }, filter: { displayFilter } });
      return page.rows.map((flow) => flow.uid);
    };

    const live = (await call<{ captureId: string }>('capture.open', { path })).captureId;
    await service.currentSession?.finished;
    await service.cases?.ingestFinished();
    const before = await readAll(live);
    // Display filters over record fields, built from values the records hold.
    const firstValue = (type: string, field: string): string | null => {
      const value = before.tables[type]?.find((row) => typeof row.fields[field] === 'string')?.fields[field];
      return typeof value === 'string' ? value : null;
    };
    const filters = [
      ['tls', 'server_name', (value: string) => `tls.sni matches "${asRegex(value)}"`],
      ['dns', 'query', (value: string) => `dns.qry.name == "${value}"`],
      ['http', 'host', (value: string) => `http.host == "${value}"`],
    ] as const;
    const displayFilters = filters.flatMap(([type, field, make]) => {
      const value = firstValue(type, field);
      return value === null ? [] : [make(value)];
    });
    const selectedBefore = await Promise.all(displayFilters.map((filter) => selectedBy(live, filter)));
    for (const selected of selectedBefore) expect(selected.length).toBeGreaterThan(0);

    const [entry] = await call<CaseListEntry[]>('cases.list', {});
    expect(entry?.marker?.state).toBe('complete');
    const opened = await call<OpenedCase>('cases.open', { caseId: entry!.id });
    await service.currentSession?.finished;

    // The reopened app shows the same record tables, alerts and filter results.
    const after = await readAll(opened.captureId);
    expect(after.tables).toEqual(before.tables);
    expect(after.alerts).toEqual(before.alerts);
    expect(await Promise.all(displayFilters.map((filter) => selectedBy(opened.captureId, filter)))).toEqual(selectedBefore);
    const shownTotal = Object.values(before.tables).reduce((sum, rows) => sum + rows.length, 0);
    expect(shownTotal).toBe(analyzed.filter((record) => (recordTypes as readonly string[]).includes(record.type)).length);

    service.dispose();
    await service.cases?.detach();

    // The store contains every record the analyzers made, x509 and weird included, field by field.
    const store = await CaseStore.open(entry!.folder);
    const stored = (await readCaseRecords(store)).map((record) => ({ type: record.type, data: record.data }));
    await store.close();
    expect(canonical(stored)).toEqual(canonical(analyzed));
    for (const record of stored.filter((candidate) => candidate.type !== 'dns' && candidate.type !== 'http' && candidate.type !== 'dhcp' && candidate.type !== 'weird')) {
      expect(typeof (record.data as ZeekRow).ts).toBe('number');
    }
  }, 60_000);
});

describe('record round trip coverage', () => {
  it('saw every record type the app shows or filters on', () => {
    expect([...typesSeen].sort()).toEqual(['dhcp', 'dns', 'http', 'quic', 'smb_files', 'smb_mapping', 'ssh', 'tls', 'weird', 'x509']);
  });
});
