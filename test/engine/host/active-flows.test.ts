import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateCapture } from '../../../bench/generator/traffic-mix';
import { analyzeWithAnalyzers } from '../../../src/main/engine/host/analyze-with-analyzers';
import type { AnalyzeCapture } from '../../../src/main/engine/host/analyzer';
import { EngineService } from '../../../src/main/engine/host/engine-service';
import type { FlowPage } from '../../../src/shared/contract';

const CAPTURE_BYTES = 64 * 1024 * 1024;
let workDirectory = '';
let capturePath = '';

beforeAll(() => {
  workDirectory = mkdtempSync(join(tmpdir(), 'tideline-active-'));
  capturePath = join(workDirectory, 'mix-64MiB.pcap');
  generateCapture({ path: capturePath, seed: 3, sizeBytes: CAPTURE_BYTES, variant: 'mix', format: 'pcap' });
}, 60_000);

afterAll(() => {
  rmSync(workDirectory, { recursive: true, force: true });
});

interface BatchSnapshot {
  finishedDelivered: number;
  page: FlowPage;
  isDone: boolean;
}

describe('flows while a capture loads', () => {
  it('lists open flows at first batch', async () => {
    let finishedDelivered = 0;
    const counting: AnalyzeCapture = (path, options = {}) =>
      analyzeWithAnalyzers(path, {
        ...options,
        onFlows: (flows) => {
          finishedDelivered += flows.length;
          options.onFlows?.(flows);
        },
      });

    const events: string[] = [];
    let firstBatch: Promise<BatchSnapshot> | null = null;
    let isDone = false;
    let captureId = '';
    const service: EngineService = new EngineService({
      analyze: counting,
      emit: (name) => {
        events.push(name);
        if (name === 'capture.done') isDone = true;
        if (name === 'capture.batch' && firstBatch === null) {
          const delivered = finishedDelivered;
          const doneAtBatch = isDone;
          firstBatch = service
            .handle('flows.query', {
              captureId,
              offset: 0,
              limit: 50,
              sort: { column: 'startUs', direction: 'ascending' },
              filter: {},
            })
            .then((result) => {
              if (!result.ok) throw new Error(result.error.message);
              return { finishedDelivered: delivered, page: result.value as FlowPage, isDone: doneAtBatch };
            });
        }
      },
    });
    const opened = await service.handle('capture.open', { path: capturePath });
    if (!opened.ok) throw new Error(opened.error.message);
    captureId = (opened.value as { captureId: string }).captureId;
    await service.currentSession?.finished;

    expect(firstBatch).not.toBeNull();
    const snapshot = await (firstBatch as unknown as Promise<BatchSnapshot>);
    // The first batch comes before the capture is done and already lists
    // more flows than had finished: the open ones, as provisional rows.
    expect(snapshot.isDone).toBe(false);
    expect(events.indexOf('capture.batch')).toBeLessThan(events.indexOf('capture.done'));
    expect(snapshot.page.total).toBeGreaterThan(snapshot.finishedDelivered);
    const provisional = snapshot.page.rows.filter((row) => row.isProvisional === true);
    expect(provisional.length).toBeGreaterThan(0);
    for (const row of provisional) {
      expect(row.originatorPackets + row.responderPackets).toBeGreaterThan(0);
      expect(row.endUs).toBeGreaterThanOrEqual(row.startUs);
    }

    // Once loaded, every provisional row was replaced by its final record.
    const rows = service.currentSession?.store.all() ?? [];
    expect(rows.filter((row) => row.isProvisional === true)).toHaveLength(0);
    expect(rows.length).toBe(finishedDelivered);
    const finalByUid = new Map(rows.map((row) => [row.uid, row]));
    for (const row of provisional) {
      const finished = finalByUid.get(row.uid);
      expect(finished).toBeDefined();
      expect(finished?.originatorAddress).toBe(row.originatorAddress);
      expect((finished?.originatorPackets ?? 0) + (finished?.responderPackets ?? 0)).toBeGreaterThanOrEqual(
        row.originatorPackets + row.responderPackets,
      );
    }
  }, 120_000);
});
