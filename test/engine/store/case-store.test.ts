import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../../src/main/engine/analyze-capture';
import { ApplicationAnalyzers } from '../../../src/main/engine/analyzers/application-analyzers';
import { ingestCaptureIntoCase } from '../../../src/main/engine/store/case-ingest';
import { listCases } from '../../../src/main/engine/store/case-list';
import { getDefaultCasesFolder } from '../../../src/main/engine/store/case-paths';
import {
  queryCaseFlows,
  queryCaseHostGraph,
  queryCaseTimeline,
  readAllCaseFlows,
  readCaseAlerts,
  readCaseRecords,
  readFlowPackets,
} from '../../../src/main/engine/store/case-queries';
import { CaseStore, deleteCaseFolder } from '../../../src/main/engine/store/case-store';
import type { Alert } from '../../../src/shared/domain/alert';
import type { FlowRecord } from '../../../src/shared/domain/flow';
import { generateCapture } from '../../../bench/generator/traffic-mix';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/captures');
const workFolder = mkdtempSync(join(tmpdir(), 'tideline-store-'));
afterAll(() => rmSync(workFolder, { recursive: true, force: true }));

const sampleAlert: Alert = {
  id: 'a1', detector: 'failed-connection-scan', severity: 'medium', score: 40, title: 'Scan', reason: 'test alert',
  measurements: [], mitreTechnique: null, firstUs: 1, lastUs: 2, hosts: ['10.0.0.1'],
  evidence: { flowUids: [], packetNumbers: [1, 2], isTruncated: false },
};

async function analyzeFlows(path: string): Promise<FlowRecord[]> {
  const flows: FlowRecord[] = [];
  const analyzers = new ApplicationAnalyzers({});
  await analyzeCapture(path, { analyzers, onFlows: (batch) => { for (const flow of batch) { analyzers.annotateFlowRecord(flow); flows.push(flow); } } });
  return flows.sort((a, b) => a.startUs - b.startUs || a.uid.localeCompare(b.uid));
}

describe('default cases folder', () => {
  it('follows TIDELINE_DATA_DIR, XDG, macOS and Windows conventions', () => {
    expect(getDefaultCasesFolder('linux', { TIDELINE_DATA_DIR: '/d' }, '/h')).toBe('/d/cases');
    expect(getDefaultCasesFolder('linux', { XDG_DATA_HOME: '/x' }, '/h')).toBe('/x/tideline/cases');
    expect(getDefaultCasesFolder('linux', {}, '/h')).toBe('/h/.local/share/tideline/cases');
    expect(getDefaultCasesFolder('darwin', {}, '/h')).toBe('/h/Library/Application Support/Tideline/cases');
    expect(getDefaultCasesFolder('win32', { APPDATA: 'C:/A' }, '/h')).toBe(join('C:/A', 'Tideline', 'cases'));
  });
});

describe('case store round trip', () => {
  it('reopens with identical flows, records and alerts without the source file', async () => {
    const casesFolder = join(workFolder, 'round-trip');
    const source = join(workFolder, 'udp-dns.pcap');
    copyFileSync(join(FIXTURES, 'udp-dns.pcap'), source);
    const expectedFlows = await analyzeFlows(source);

    const store = await CaseStore.create({ casesFolder, name: 'udp-dns.pcap', sources: [] });
    const result = await ingestCaptureIntoCase(store, source, { collectAlerts: () => [sampleAlert] });
    const written = { flows: await readAllCaseFlows(store), records: await readCaseRecords(store), alerts: await readCaseAlerts(store) };
    await store.close();

    expect(result.marker.state).toBe('complete');
    expect(result.sha256).toBe(createHash('sha256').update(readFileSync(source)).digest('hex'));
    expect(written.flows).toEqual(expectedFlows);
    expect(written.records.filter((record) => record.type === 'dns').length).toBeGreaterThan(0);
    expect(written.alerts).toEqual([sampleAlert]);

    // Move the capture away: reopening must not need it.
    renameSync(source, `${source}.moved`);
    const reopened = await CaseStore.open(store.folder);
    expect(await readAllCaseFlows(reopened)).toEqual(written.flows);
    expect(await readCaseRecords(reopened)).toEqual(written.records);
    expect(await readCaseAlerts(reopened)).toEqual(written.alerts);
    expect(reopened.marker).toEqual(result.marker);
    expect(reopened.manifest.sources).toEqual([
      { id: 0, path: source, sizeBytes: result.sizeBytes, sha256: result.sha256, isCompressed: false, interfaces: [{ linkType: 1, snaplen: 262144, timestampResolution: 6, timestampOffsetSeconds: 0 }] },
    ]);
    const packets = await reopened.query('SELECT count(*) AS n, min(packet_number) AS first, max(packet_number) AS last FROM packets');
    expect(packets[0]).toEqual({ n: result.marker.packets, first: 1, last: result.marker.packets });
    await reopened.close();
  });

  it('indexes every packet with its offset, time, lengths and flow', async () => {
    const casesFolder = join(workFolder, 'index');
    const source = join(FIXTURES, 'tcp-http-fin.pcap');
    const store = await CaseStore.create({ casesFolder, name: 'index', sources: [] });
    await ingestCaptureIntoCase(store, source);
    const [flow] = await readAllCaseFlows(store);
    expect(flow).toBeDefined();
    const rows = await readFlowPackets(store, flow!.uid);
    expect(rows.length).toBe(flow!.originatorPackets + flow!.responderPackets);
    // pcap: 24-byte file header, then 16-byte record headers before each packet's bytes.
    expect(rows[0]).toMatchObject({ sourceId: 0, packetNumber: 1, fileOffset: 24, flowUid: flow!.uid, innerFlowUid: null });
    expect(rows[1]?.fileOffset).toBe(24 + 16 + rows[0]!.capturedLength);
    expect(rows[0]?.timestampUs).toBe(flow!.startUs);
    await store.close();
  });

  it('lists cases with their size and deletes one', async () => {
    const casesFolder = join(workFolder, 'list');
    const store = await CaseStore.create({ casesFolder, name: 'tcp-refused.pcap', sources: [] });
    await ingestCaptureIntoCase(store, join(FIXTURES, 'tcp-refused.pcap'));
    await store.close();
    const cases = await listCases(casesFolder);
    expect(cases.map((entry) => entry.name)).toEqual(['tcp-refused.pcap']);
    expect(cases[0]?.sizeBytes).toBeGreaterThan(0);
    expect(cases[0]?.marker?.state).toBe('complete');
    await deleteCaseFolder(store.folder);
    expect(await listCases(casesFolder)).toEqual([]);
  });
});

describe('case queries', () => {
  it('pages, sorts and filters flows, and aggregates a timeline and host graph', async () => {
    const casesFolder = join(workFolder, 'queries');
    const store = await CaseStore.create({ casesFolder, name: 'q', sources: [] });
    await store.beginBatch();
    const base: Omit<FlowRecord, 'uid' | 'startUs' | 'endUs' | 'originatorAddress' | 'responderAddress' | 'originatorIpBytes' | 'responderIpBytes'> = { communityId: '1:x', firstPacketNumber: 1, lastPacketNumber: 2, transport: 'tcp', ipProtocol: 6, vlan: null, innerVlan: null, service: null,
      originatorBytes: 0, responderBytes: 0, missedBytes: 0, originatorPackets: 1, responderPackets: 1, originatorPayloadBytes: 0, responderPayloadBytes: 0,
      connectionState: 'SF', history: 'ShAFf', tunnelParents: [], isFinished: true, originatorPort: 1000, responderPort: 80 };
    const flows: FlowRecord[] = [
      { ...base, uid: 'C1', startUs: 0, endUs: 2_000_000, originatorAddress: '10.0.0.1', responderAddress: '10.0.0.2', originatorIpBytes: 100, responderIpBytes: 100 },
      { ...base, uid: 'C2', startUs: 1_000_000, endUs: 1_000_000, originatorAddress: '10.0.0.1', responderAddress: '192.0.2.9', originatorIpBytes: 40, responderIpBytes: 0 },
      { ...base, uid: 'C3', startUs: 3_500_000, endUs: 3_500_000, originatorAddress: '10.0.0.3', responderAddress: '10.0.0.2', originatorIpBytes: 10, responderIpBytes: 10, responderPort: 443 },
    ];
    store.addFlows(flows);
    await store.commit();

    const page = await queryCaseFlows(store, { filter: 'ip.addr == 10.0.0.2', sort: { column: 'totalBytes', direction: 'descending' }, offset: 0, limit: 1 });
    expect(page).toEqual({ ok: true, value: { total: 2, rows: [flows[0]] } });
    const bad = await queryCaseFlows(store, { filter: 'ip.addr ==' });
    expect(bad.ok).toBe(false);

    const timeline = await queryCaseTimeline(store, { timeRange: { startUs: 0, endUs: 4_000_000 }, bucketUs: 1_000_000 });
    // C1 spreads 200 bytes over 2 s; C2 (40 bytes) starts and ends in bucket 1; C3 (20 bytes) in bucket 3.
    expect(timeline.ok && timeline.value.map((bucket) => [bucket.startUs, bucket.bytes, bucket.newFlows])).toEqual([
      [0, 100, 1], [1_000_000, 140, 1], [2_000_000, 0, 0], [3_000_000, 20, 1],
    ]);

    const graph = await queryCaseHostGraph(store, { filter: 'tcp.port == 80', maxHosts: 10 });
    expect(graph.ok && graph.value.hosts.map((host) => [host.address, host.bytes, host.flows])).toEqual([
      ['10.0.0.1', 240, 2], ['10.0.0.2', 200, 1], ['192.0.2.9', 40, 1],
    ]);
    expect(graph.ok && graph.value.edges.map((edge) => [edge.source, edge.target, edge.bytes])).toEqual([
      ['10.0.0.1', '10.0.0.2', 200], ['10.0.0.1', '192.0.2.9', 40],
    ]);
    await store.close();
  });
});

describe('failed ingest', () => {
  it('marks the case failed with the reason and keeps it openable', async () => {
    const notCapture = join(workFolder, 'notes.txt');
    writeFileSync(notCapture, 'these are notes, not packets\n'.repeat(4));
    const store = await CaseStore.create({ casesFolder: join(workFolder, 'failed'), name: 'f', sources: [] });
    await expect(ingestCaptureIntoCase(store, notCapture)).rejects.toThrow('is not a pcap or pcapng capture');
    expect(store.marker).toMatchObject({ state: 'failed', flows: 0, packets: 0 });
    await expect(ingestCaptureIntoCase(store, join(workFolder, 'absent.pcap'))).rejects.toThrow('absent.pcap could not be opened (ENOENT)');
    await store.close();
    const reopened = await CaseStore.open(store.folder);
    expect(reopened.marker.state).toBe('failed');
    expect(reopened.marker.message).toContain('absent.pcap could not be opened');
    await reopened.close();
  });
});

describe('batched ingest', () => {
  it('commits batches without an onCommit callback', async () => {
    const capture = join(workFolder, 'batches.pcap');
    generateCapture({ path: capture, seed: 3, sizeBytes: 12 * 1024 * 1024, variant: 'mix', format: 'pcap' });
    const store = await CaseStore.create({ casesFolder: join(workFolder, 'batches'), name: 'b', sources: [], batchRows: 2000, batchMs: 60_000 });
    const result = await ingestCaptureIntoCase(store, capture);
    // 12 MiB arrives in three 4 MiB chunks, each past 2000 rows, plus the final commit.
    expect(result.marker.batches).toBe(4);
    await store.close();
  }, 60_000);

  it('answers queries with committed rows while a batch is open', async () => {
    const store = await CaseStore.create({ casesFolder: join(workFolder, 'reading'), name: 'r', sources: [] });
    await store.beginBatch();
    store.addRecord({ type: 'weird', uid: 'C1', timestampUs: 1, data: { name: 'first' } });
    await store.commit();
    await store.beginBatch();
    store.addRecord({ type: 'weird', uid: 'C2', timestampUs: 2, data: { name: 'open batch' } });
    expect((await readCaseRecords(store)).map((record) => record.uid)).toEqual(['C1']);
    await store.commit();
    expect((await readCaseRecords(store)).map((record) => record.uid)).toEqual(['C1', 'C2']);
    await store.close();
  });

  it('stops at the disk cap with a clear state', async () => {
    const capture = join(workFolder, 'cap.pcap');
    generateCapture({ path: capture, seed: 4, sizeBytes: 24 * 1024 * 1024, variant: 'mix', format: 'pcap' });
    const store = await CaseStore.create({ casesFolder: join(workFolder, 'cap'), name: 'cap', sources: [], settings: { diskCapBytes: 1 }, batchRows: 2000 });
    const result = await ingestCaptureIntoCase(store, capture);
    expect(result.marker.state).toBe('disk-cap-reached');
    expect(result.marker.message).toContain('disk cap of 1 bytes');
    expect(result.marker.batches).toBe(2);
    await store.close();
  }, 60_000);
});

describe('cancelled ingest', () => {
  it('keeps the flows still open when it stopped', async () => {
    const capture = join(workFolder, 'cancel.pcap');
    generateCapture({ path: capture, seed: 3, sizeBytes: 8 * 1024 * 1024, variant: 'mix', format: 'pcap' });
    const store = await CaseStore.create({ casesFolder: join(workFolder, 'cancel'), name: 'cancel', sources: [], batchRows: 1000, batchMs: 0 });
    const abort = new AbortController();
    const result = await ingestCaptureIntoCase(store, capture, { signal: abort.signal, onCommit: (marker) => marker.batches >= 2 && abort.abort() });

    expect(result.marker.state).toBe('cancelled');
    expect(result.marker.openFlows).toBeGreaterThan(0);
    expect(result.marker.openFlowsAtPacket).toBe(result.marker.lastPacketNumber);
    const counts = await store.query('SELECT count(*) FILTER (WHERE is_open) AS open, count(*) FILTER (WHERE NOT is_open) AS final FROM flows');
    expect(counts[0]).toEqual({ open: result.marker.openFlows, final: result.marker.flows });
    await store.close();
  }, 60_000);
});

describe('crash in the middle of ingest', () => {
  it('reopens with exactly the batches committed before SIGKILL', async () => {
    const capture = join(workFolder, 'crash.pcap');
    generateCapture({ path: capture, seed: 7, sizeBytes: 40 * 1024 * 1024, variant: 'mix', format: 'pcap' });
    const casesFolder = join(workFolder, 'crash');
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'ingest-child.ts'), casesFolder, capture], { stdio: ['ignore', 'pipe', 'inherit'] });
    let folder = '';
    let commits = 0;
    let output = '';
    await new Promise<void>((resolveKill, reject) => {
      child.stdout.on('data', (data: Buffer) => {
        output += data.toString();
        const lines = output.split('\n');
        output = lines.pop() ?? '';
        for (const line of lines) {
          if (line === 'done') reject(new Error('ingest finished before the kill; make the capture larger'));
          const parsed = JSON.parse(line) as { folder?: string };
          if (parsed.folder !== undefined) folder = parsed.folder;
          else commits++;
          // Kill after a few commits, while the next batch is being appended.
          if (commits === 3) child.kill('SIGKILL');
        }
      });
      child.on('exit', () => resolveKill());
    });
    expect(commits).toBeGreaterThanOrEqual(3);

    const store = await CaseStore.open(folder);
    const marker = store.marker;
    // Found still ingesting by a new process: reported as interrupted, naming the last committed packet.
    expect(marker.state).toBe('interrupted');
    expect(marker.message).toContain(`interrupted at packet ${marker.lastPacketNumber}:`);
    expect(marker.batches).toBeGreaterThanOrEqual(3);
    const counts = await store.query(
      `SELECT (SELECT count(*) FROM flows WHERE NOT is_open) AS flows, (SELECT count(*) FROM flows WHERE is_open) AS open,
              (SELECT count(*) FROM packets) AS packets, (SELECT count(*) FROM records) AS records,
              (SELECT coalesce(max(packet_number), 0) FROM packets) AS last`,
    );
    expect(counts[0]).toEqual({ flows: marker.flows, open: marker.openFlows, packets: marker.packets, records: marker.records, last: marker.lastPacketNumber });
    // The index has no gap: every packet up to the last committed one is present.
    expect(marker.packets).toBe(marker.lastPacketNumber);

    // The flows open at the last commit are there, marked provisional, each with exactly the packets the index holds for it.
    expect(marker.openFlows).toBeGreaterThan(0);
    expect(marker.openFlowsAtPacket).toBe(marker.lastPacketNumber);
    const openRows = await store.query(
      `SELECT f.uid, f.orig_pkts + f.resp_pkts AS flow_packets, f.body,
              (SELECT count(*) FROM packets p WHERE p.flow_uid = f.uid OR p.inner_flow_uid = f.uid) AS indexed_packets
       FROM flows f WHERE f.is_open ORDER BY f.uid`,
    );
    expect(openRows.length).toBe(marker.openFlows);
    const mismatched = openRows.filter((row) => row.flow_packets !== row.indexed_packets || row.flow_packets === 0);
    expect(mismatched).toEqual([]);
    for (const row of openRows) expect(JSON.parse(String(row.body))).toMatchObject({ uid: row.uid, isProvisional: true, isFinished: false });
    const packetsInFlows = openRows.reduce((sum, row) => sum + Number(row.flow_packets), 0);
    expect(packetsInFlows).toBeLessThanOrEqual(marker.packets);
    // A flow is either open or final, never both.
    const both = await store.query('SELECT count(*) AS n FROM flows a JOIN flows b ON a.uid = b.uid AND a.is_open AND NOT b.is_open');
    expect(both[0]?.n).toBe(0);
    const reopenedFlows = await readAllCaseFlows(store);
    expect(reopenedFlows.filter((flow) => flow.isProvisional === true).length).toBe(marker.openFlows);
    await store.close();
  }, 120_000);
});
