/**
 * A crash in the middle of case ingest: a forked engine process opens a
 * generated capture, is killed with SIGKILL once ingest has committed two
 * batches, and the case then reopens with exactly the rows that its ingest
 * marker counts as committed before the kill.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { generateCapture } from '../../../bench/generator/traffic-mix';
import { analyzeWithAnalyzers } from '../../../src/main/engine/host/analyze-with-analyzers';
import { EngineService } from '../../../src/main/engine/host/engine-service';
import { resolveEngineEntry } from '../../../src/main/server/forked-engine';
import { CaseStore } from '../../../src/main/engine/store/case-store';
import type { CaseIngestMarker } from '../../../src/shared/domain/case';
import type { FlowPage } from '../../../src/shared/contract';
import type { CaptureOverview } from '../../../src/shared/domain/aggregates';

const folder = mkdtempSync(join(tmpdir(), 'tideline-ingest-crash-'));
const dataFolder = join(folder, 'data');
const casesFolder = join(dataFolder, 'cases');
const capturePath = join(folder, 'mix.pcap');
let child: ChildProcess | null = null;

afterAll(() => {
  // The child is normally dead by now; a failed run must not leave it running.
  if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(folder, { recursive: true, force: true });
});

interface IngestEvent {
  caseId: string;
  marker: CaseIngestMarker;
}

/** Fork the engine, open the capture, and SIGKILL it after the second ingest commit; resolves with the last event seen. */
function openAndKillDuringIngest(): Promise<IngestEvent> {
  const entry = resolveEngineEntry();
  const engine = fork(entry.modulePath, [], {
    execArgv: entry.execArgv,
    env: { ...process.env, TIDELINE_DATA_DIR: dataFolder },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  child = engine;
  return new Promise((resolve, reject) => {
    let lastEvent: IngestEvent | null = null;
    engine.on('message', (raw) => {
      const message = raw as { type: string; name?: string; payload?: unknown };
      if (message.type === 'ready') {
        engine.send({ type: 'request', id: 1, name: 'capture.open', argument: { path: capturePath } });
        return;
      }
      if (message.type !== 'event' || message.name !== 'case.ingest') return;
      const event = message.payload as IngestEvent;
      if (event.marker.state !== 'ingesting') {
        reject(new Error(`ingest ended (${event.marker.state}) before the kill; the generated capture is too small for this machine`));
        return;
      }
      if (lastEvent === null && event.marker.batches >= 2) {
        lastEvent = event;
        engine.kill('SIGKILL');
      }
    });
    engine.once('exit', (code, signal) => {
      if (signal === 'SIGKILL' && lastEvent !== null) resolve(lastEvent);
      else reject(new Error(`engine exited with code ${code} signal ${signal} before an ingest commit`));
    });
  });
}

describe('engine killed during case ingest', () => {
  it('reopens the case with every batch committed before the kill', async () => {
    const generated = generateCapture({ path: capturePath, seed: 7, sizeBytes: 256 * 1024 * 1024, variant: 'mix', format: 'pcap' });
    const seen = await openAndKillDuringIngest();

    const caseFolders = readdirSync(casesFolder, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(caseFolders.map((entry) => entry.name)).toEqual([seen.caseId]);
    const store = await CaseStore.open(join(casesFolder, seen.caseId));
    const marker = store.marker;
    const count = async (sql: string): Promise<number> => Number((await store.query(sql))[0]?.n ?? -1);
    const counts = {
      packets: await count('SELECT count(*) AS n FROM packets'),
      lastPacketNumber: await count('SELECT coalesce(max(packet_number), 0) AS n FROM packets'),
      flows: await count('SELECT count(*) AS n FROM flows WHERE NOT is_open'),
      openFlows: await count('SELECT count(*) AS n FROM flows WHERE is_open'),
      records: await count('SELECT count(*) AS n FROM records'),
    };
    // Each open flow holds exactly the packets the index has for it up to the snapshot's packet.
    const openRows = await store.query(
      `SELECT f.uid, f.orig_pkts + f.resp_pkts AS flow_packets,
              (SELECT count(*) FROM packets p WHERE (p.flow_uid = f.uid OR p.inner_flow_uid = f.uid) AND p.packet_number <= ?) AS indexed_packets
       FROM flows f WHERE f.is_open`,
      [store.marker.openFlowsAtPacket ?? 0],
    );
    const replayedTypes = ['dns', 'http', 'dhcp'] as const;
    const storedByType = await Promise.all(replayedTypes.map((type) => count(`SELECT count(*) AS n FROM records WHERE type = '${type}'`)));
    await store.close();

    // The marker is committed with its rows: the tables hold exactly what it counts, and no more.
    expect(marker.state).toBe('interrupted');
    expect(marker.message).toContain(`interrupted at packet ${marker.lastPacketNumber}:`);
    expect(marker.batches).toBeGreaterThanOrEqual(seen.marker.batches);
    expect(counts).toEqual({
      packets: marker.packets, lastPacketNumber: marker.lastPacketNumber, flows: marker.flows, openFlows: marker.openFlows, records: marker.records,
    });
    // Most flows of this capture are still open at the kill: they are kept, provisional, counting no packet twice.
    expect(marker.openFlows).toBeGreaterThan(0);
    expect(marker.openFlowsAtPacket).toBeGreaterThan(0);
    expect(marker.openFlowsAtPacket).toBeLessThanOrEqual(marker.lastPacketNumber);
    expect(openRows.filter((row) => row.flow_packets !== row.indexed_packets || row.flow_packets === 0)).toEqual([]);
    expect(openRows.reduce((sum, row) => sum + Number(row.flow_packets), 0)).toBeLessThanOrEqual(marker.openFlowsAtPacket ?? 0);
    // The kill came during ingest: some packets were committed, not all of them.
    expect(marker.packets).toBeGreaterThanOrEqual(seen.marker.packets);
    expect(marker.packets).toBeGreaterThan(0);
    expect(marker.packets).toBeLessThan(generated.packets);

    // A fresh engine reopens the case and serves the committed flows and records, reading no packet.
    const service = new EngineService({ analyze: analyzeWithAnalyzers, emit: () => undefined, casesFolder });
    const opened = await service.handle('cases.open', { caseId: seen.caseId });
    if (!opened.ok) throw new Error(opened.error.message);
    const { captureId } = opened.value as { captureId: string };
    await service.currentSession?.finished;
    const page = await service.handle('flows.query', { captureId, offset: 0, limit: 1, sort: { column: 'uid', direction: 'ascending' }, filter: {} });
    if (!page.ok) throw new Error(page.error.message);
    expect((page.value as FlowPage).total).toBe(marker.flows + (marker.openFlows ?? 0));
    // The overview says the ingest was interrupted, and where.
    const overview = await service.handle('aggregates.overview', { captureId });
    if (!overview.ok) throw new Error(overview.error.message);
    const problems = (overview.value as CaptureOverview).summary?.fileProblems ?? [];
    expect(problems.map((problem) => [problem.code, problem.examples[0]?.packetNumber])).toEqual([['ingest-interrupted', marker.lastPacketNumber]]);
    const replayed: number[] = [];
    for (const type of replayedTypes) {
      const records = await service.handle('records.query', { captureId, type, offset: 0, limit: 1, sort: { column: 'ts', direction: 'ascending' }, filter: {} });
      if (!records.ok) throw new Error(records.error.message);
      replayed.push((records.value as { total: number }).total);
    }
    expect(replayed).toEqual(storedByType);
    expect(replayed.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
    service.dispose();
    await service.cases?.detach();
  }, 180_000);
});
