/**
 * The engine host's case requests on the bundled sample: the capture is
 * ingested into a case in a temporary data folder, and packets, follow
 * stream and carving are checked against tshark's reading of the same file
 * (skipped with a message when tshark is absent) and against the engine's
 * own flows.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { analyzeWithAnalyzers } from '../../../src/main/engine/host/analyze-with-analyzers';
import { EngineService } from '../../../src/main/engine/host/engine-service';
import type { CarvedFile, OpenedCase, PacketList } from '../../../src/shared/contract/case-contract';
import type { Alert, AlertList, FlowPage, FlowRecord } from '../../../src/shared/contract';
import type { CaseListEntry } from '../../../src/shared/domain/case';
import type { FilterCheckResult, FilterFieldInfo } from '../../../src/shared/domain/filter';
import type { FollowedStream, PacketDetail, PacketTreeNode } from '../../../src/shared/domain/packet-tree';
import { queryCaseFlows } from '../../../src/main/engine/store/case-queries';
import expected from '../../fixtures/sample.expected.json';

const samplePath = new URL('../../../assets/sample.pcapng', import.meta.url).pathname;
const dataFolder = mkdtempSync(join(tmpdir(), 'tideline-case-host-'));
const hasTshark = (() => {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasTshark) console.warn('tshark is not installed: the carve and packet-number checks against tshark are skipped.');

let service: EngineService;
let captureId: string;
/** The sample's first HTTP flow: alice's GET /index.html of www.example.com (expected.firstHttpRequest). */
let httpFlow: FlowRecord;
const request = expected.firstHttpRequest;
const httpFilter = `ip.addr == ${request.server} && tcp.port == ${request.clientPort}`;

async function call<T>(name: string, argument: unknown): Promise<T> {
  const result = await service.handle(name, argument);
  if (!result.ok) throw new Error(`${name} failed: ${result.error.message}`);
  return result.value as T;
}

function tsharkFields(path: string, filter: string, fields: string[]): string[][] {
  const output = execFileSync('tshark', ['-r', path, '-Y', filter, '-T', 'fields', ...fields.flatMap((field) => ['-e', field])], {
    encoding: 'utf8',
  });
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

function findNode(nodes: readonly PacketTreeNode[], field: string): PacketTreeNode | undefined {
  for (const node of nodes) {
    if (node.field === field) return node;
    const inner = findNode(node.children, field);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** uids of the flows whose `type` records meet `isExpected`, read through records.query. */
async function recordUids(id: string, type: 'dns' | 'http' | 'tls', isExpected: (fields: Record<string, unknown>) => boolean): Promise<string[]> {
  const page = await call<{ rows: Array<{ uids: string[]; fields: Record<string, unknown> }> }>('records.query', {
    captureId: id,
    type,
    offset: 0,
    limit: 5_000,
    sort: { column: 'ts', direction: 'ascending' },
    filter: {},
  });
  return [...new Set(page.rows.filter((row) => isExpected(row.fields)).flatMap((row) => row.uids))].sort();
}

async function flowUids(id: string, displayFilter: string): Promise<string[]> {
  const page = await call<FlowPage>('flows.query', { captureId: id, offset: 0, limit: 5_000, sort: { column: 'uid', direction: 'ascending' }, filter: { displayFilter } });
  return page.rows.map((flow) => flow.uid);
}

beforeAll(async () => {
  service = new EngineService({ analyze: analyzeWithAnalyzers, emit: () => undefined, casesFolder: join(dataFolder, 'cases') });
  captureId = (await call<{ captureId: string }>('capture.open', { path: samplePath })).captureId;
  await service.currentSession?.finished;
  await service.cases?.ingestFinished();
  const page = await call<FlowPage>('flows.query', {
    captureId,
    offset: 0,
    limit: 10,
    sort: { column: 'startUs', direction: 'ascending' },
    filter: { displayFilter: httpFilter },
  });
  expect(page.total).toBe(1);
  httpFlow = page.rows[0]!;
}, 120_000);

afterAll(async () => {
  service.dispose();
  await service.cases?.detach();
  rmSync(dataFolder, { recursive: true, force: true });
});

describe('display filter in flow queries', () => {
  it('selects the REJ flows the fixture counts', async () => {
    const page = await call<FlowPage>('flows.query', {
      captureId,
      offset: 0,
      limit: 10,
      sort: { column: 'startUs', direction: 'ascending' },
      filter: { displayFilter: 'conn_state == "REJ"' },
    });
    expect(page.total).toBe(expected.connectionStates.states.REJ);
  });

  it('rejects a filter that does not parse, naming column and length', async () => {
    const result = await service.handle('flows.query', {
      captureId,
      offset: 0,
      limit: 10,
      sort: { column: 'startUs', direction: 'ascending' },
      filter: { displayFilter: 'tcp.port == == 80' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid-argument');
    expect(result.error.details).toMatchObject({ field: 'filter.displayFilter', column: 12, length: 2 });
  });

  it.each([
    'conn_state == "REJ"',
    'tcp.port in {80 443}',
    'ip.addr == 10.66.0.0/24 && not service == "dns"',
    'orig_bytes > 100',
    'udp',
  ])('selects the same flows in memory and in the case store: %s', async (displayFilter) => {
    const memory = await call<FlowPage>('flows.query', {
      captureId,
      offset: 0,
      limit: 5_000,
      sort: { column: 'uid', direction: 'ascending' },
      filter: { displayFilter },
    });
    const store = await service.cases!.storeOf(captureId);
    if (!store.ok) throw new Error(store.error.message);
    const stored = await queryCaseFlows(store.value, { filter: displayFilter, sort: { column: 'uid', direction: 'ascending' }, limit: 5_000 });
    if (!stored.ok) throw new Error(stored.error.message);
    expect(memory.total).toBeGreaterThan(0);
    expect(stored.value.rows.map((flow) => flow.uid)).toEqual(memory.rows.map((flow) => flow.uid));
  });

  it.each([
    ['dns.qry.name contains "example"', 'dns', (fields: Record<string, unknown>) => typeof fields.query === 'string' && fields.query.includes('example')],
    ['tls.sni == "www.example.com"', 'tls', (fields: Record<string, unknown>) => fields.server_name === 'www.example.com'],
    ['tls.handshake.extensions_server_name == "www.example.com"', 'tls', (fields: Record<string, unknown>) => fields.server_name === 'www.example.com'],
    ['http.host contains "example"', 'http', (fields: Record<string, unknown>) => typeof fields.host === 'string' && fields.host.includes('example')],
  ] as const)('selects flows by their records: %s', async (displayFilter, type, isExpected) => {
    const wanted = await recordUids(captureId, type, isExpected);
    expect(wanted.length).toBeGreaterThan(0);
    expect(await flowUids(captureId, displayFilter)).toEqual(wanted);
  });

  it('selects the same DNS flows in memory and in the case store', async () => {
    const store = await service.cases!.storeOf(captureId);
    if (!store.ok) throw new Error(store.error.message);
    const filter = 'dns.qry.name contains "example"';
    const stored = await queryCaseFlows(store.value, { filter, sort: { column: 'uid', direction: 'ascending' }, limit: 5_000 });
    if (!stored.ok) throw new Error(stored.error.message);
    expect(stored.value.rows.map((flow) => flow.uid)).toEqual(await flowUids(captureId, filter));
  });

  it('checks and completes filters', async () => {
    expect(await call<FilterCheckResult>('filter.check', { text: 'tcp.port in {80 443}' })).toEqual({ ok: true });
    const bad = await call<FilterCheckResult>('filter.check', { text: 'ip.addr ==' });
    expect(bad.ok).toBe(false);
    const fields = await call<FilterFieldInfo[]>('filter.complete', { prefix: 'conn_' });
    expect(fields.map((field) => field.name)).toContain('conn_state');
  });
});

describe('packets of a flow', () => {
  it('lists the flow packets with the source file numbers', async () => {
    const list = await call<PacketList>('packets.list', { captureId, uid: httpFlow.uid });
    expect(list.total).toBe(httpFlow.originatorPackets + httpFlow.responderPackets);
    expect(list.rows.map((row) => row.packetNumber)).toContain(request.packetNumber);
    if (!hasTshark) return;
    const numbers = tsharkFields(samplePath, httpFilter, ['frame.number']).map(([n]) => Number(n));
    expect(list.rows.map((row) => row.packetNumber)).toEqual(numbers);
  });

  it('summarizes each packet as tshark reads it', async () => {
    const list = await call<PacketList>('packets.list', { captureId, uid: httpFlow.uid });
    expect(list.rows.every((row) => row.summary?.protocol === 'TCP')).toBe(true);
    expect(list.rows[0]?.summary?.info).toMatch(new RegExp(`^${httpFlow.originatorPort} → ${httpFlow.responderPort} \\[SYN\\] Win=\\d+ Len=0$`));
    if (!hasTshark) return;
    const fields = tsharkFields(samplePath, httpFilter, ['ip.src', 'ip.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.window_size_value', 'tcp.len']);
    expect(list.rows.map((row) => [row.summary?.source, row.summary?.destination])).toEqual(fields.map(([source, destination]) => [source, destination]));
    expect(list.rows.map((row) => row.summary?.info.replace(/ \[.*\]/, ''))).toEqual(
      fields.map(([, , sourcePort, destinationPort, window, length]) => `${sourcePort} → ${destinationPort} Win=${window} Len=${length}`),
    );
  });

  it('decodes a packet with field offsets into its bytes', async () => {
    const detail = await call<PacketDetail>('packets.detail', { captureId, sourceId: 0, packetNumber: request.packetNumber });
    expect(detail.packetNumber).toBe(request.packetNumber);
    const port = findNode(detail.layers, 'tcp.dstport');
    expect(port?.value).toBe('80');
    const bytes = Buffer.from(detail.bytesBase64, 'base64');
    expect(port?.length).toBe(2);
    expect(bytes.readUInt16BE(port!.offset)).toBe(80);
  });

  it('answers not-found for a packet number past the end', async () => {
    const result = await service.handle('packets.detail', { captureId, sourceId: 0, packetNumber: expected.packets + 1 });
    expect(result.ok ? 'ok' : result.error.code).toBe('not-found');
  });

  it('follows the HTTP stream with both sides', async () => {
    const stream = await call<FollowedStream>('stream.follow', { captureId, uid: httpFlow.uid });
    const text = (direction: 'originator' | 'responder') =>
      stream.chunks
        .filter((chunk) => chunk.direction === direction)
        .map((chunk) => Buffer.from(chunk.bytesBase64, 'base64').toString('latin1'))
        .join('');
    expect(text('originator').startsWith(`GET ${request.uri} HTTP/1.1\r\n`)).toBe(true);
    expect(text('responder')).toMatch(/^HTTP\/1\.1 /);
    expect(stream.originatorBytes).toBe(httpFlow.originatorBytes);
    expect(stream.responderBytes).toBe(httpFlow.responderBytes);
  });
});

describe('carving', () => {
  it('carves a flow into the case exports folder, byte for byte as tshark reads the source', async () => {
    const carved = await call<CarvedFile>('export.carve', { captureId, path: '', selection: { kind: 'flows', uids: [httpFlow.uid] } });
    expect(carved.exportName).toMatch(/\.pcapng$/);
    expect(carved.packets).toBe(httpFlow.originatorPackets + httpFlow.responderPackets);
    expect(readFileSync(carved.path).readUInt32LE(0)).toBe(0x0a0d0d0a);
    if (!hasTshark) return;
    const fields = ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'tcp.seq_raw'];
    const fromCarve = tsharkFields(carved.path, 'frame', fields);
    const fromSource = tsharkFields(samplePath, httpFilter, fields);
    expect(fromCarve).toEqual(fromSource);
    const hex = (path: string, filter: string) =>
      execFileSync('tshark', ['-r', path, '-Y', filter, '-x'], { encoding: 'utf8' }).replace(/^Frame.*$/gm, '');
    expect(hex(carved.path, 'frame')).toBe(hex(samplePath, httpFilter));
  });

  it("carves an alert's evidence", async () => {
    const { alerts } = await call<AlertList>('alerts.list', { captureId, filter: {} });
    const alert = alerts.find((candidate: Alert) => candidate.evidence.flowUids.length > 0 || candidate.evidence.packetNumbers.length > 0);
    expect(alert).toBeDefined();
    const out = join(dataFolder, 'evidence.pcapng');
    const carved = await call<CarvedFile>('export.carve', { captureId, path: out, selection: { kind: 'alert', alertId: alert!.id } });
    expect(carved.path).toBe(out);
    expect(carved.exportName).toBeNull();
    if (!hasTshark) return;
    expect(tsharkFields(out, 'frame', ['frame.number'])).toHaveLength(carved.packets);
  });

  it('carves a time range with a host filter', async () => {
    const out = join(dataFolder, 'range.pcapng');
    const timeRange = { startUs: expected.firstUs, endUs: expected.lastUs + 1 };
    const carved = await call<CarvedFile>('export.carve', {
      captureId,
      path: out,
      selection: { kind: 'range', filter: '(tcp.port == 80) && ip.addr in {198.51.100.80}', timeRange },
    });
    if (!hasTshark) return;
    const fromSource = tsharkFields(samplePath, 'tcp.port == 80 && ip.addr == 198.51.100.80', ['frame.time_epoch', 'frame.len']);
    expect(carved.packets).toBe(fromSource.length);
    expect(tsharkFields(out, 'frame', ['frame.time_epoch', 'frame.len'])).toEqual(fromSource);
  });

  it('rejects a range filter that does not parse', async () => {
    const result = await service.handle('export.carve', {
      captureId,
      path: join(dataFolder, 'bad.pcapng'),
      selection: { kind: 'range', filter: 'tcp.port ==', timeRange: { startUs: 0, endUs: 1 } },
    });
    expect(result.ok ? 'ok' : result.error.code).toBe('invalid-argument');
  });

  it('refuses a relative export path', async () => {
    const result = await service.handle('export.carve', { captureId, path: 'out.pcapng', selection: { kind: 'flows', uids: [httpFlow.uid] } });
    expect(result.ok ? 'ok' : result.error.code).toBe('invalid-argument');
  });
});

describe('cases', () => {
  it('lists the case, reopens it with the same flows and deletes it', async () => {
    const cases = await call<CaseListEntry[]>('cases.list', {});
    expect(cases).toHaveLength(1);
    const entry = cases[0]!;
    expect(entry.marker?.state).toBe('complete');
    expect(entry.marker?.packets).toBe(expected.packets);
    expect(entry.sizeBytes).toBeGreaterThan(0);

    const before = await call<FlowPage>('flows.query', { captureId, offset: 0, limit: 5_000, sort: { column: 'uid', direction: 'ascending' }, filter: {} });
    const recordFilters = ['dns.qry.name contains "example"', 'http.host contains "example"'];
    const selectedBefore = await Promise.all(recordFilters.map((filter) => flowUids(captureId, filter)));
    const opened = await call<OpenedCase>('cases.open', { caseId: entry.id });
    await service.currentSession?.finished;
    const after = await call<FlowPage>('flows.query', {
      captureId: opened.captureId,
      offset: 0,
      limit: 5_000,
      sort: { column: 'uid', direction: 'ascending' },
      filter: {},
    });
    expect(after.total).toBe(expected.flows.total);
    expect(after.rows.map((flow) => flow.uid)).toEqual(before.rows.map((flow) => flow.uid));
    // The reopened case feeds its DNS and HTTP records to the session, so record filters still hold.
    for (const [index, filter] of recordFilters.entries()) {
      expect(selectedBefore[index]!.length).toBeGreaterThan(0);
      expect(await flowUids(opened.captureId, filter)).toEqual(selectedBefore[index]);
    }
    const list = await call<PacketList>('packets.list', { captureId: opened.captureId, uid: httpFlow.uid });
    expect(list.total).toBe(httpFlow.originatorPackets + httpFlow.responderPackets);

    await call('cases.delete', { caseId: entry.id });
    expect(await call<CaseListEntry[]>('cases.list', {})).toEqual([]);
  });

  it('refuses a case id that leaves the cases folder', async () => {
    const result = await service.handle('cases.open', { caseId: '..' });
    expect(result.ok ? 'ok' : result.error.code).toBe('invalid-argument');
  });
});
