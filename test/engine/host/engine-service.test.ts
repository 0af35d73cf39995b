import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { AnalyzeCapture } from '../../../src/main/engine/host/analyzer';
import { analyzeWithAnalyzers } from '../../../src/main/engine/host/analyze-with-analyzers';
import { EngineService } from '../../../src/main/engine/host/engine-service';
import type { EventMessage } from '../../../src/shared/contract';
import type { CaptureSummary } from '../../../src/shared/domain/capture-summary';
import type { FlowRecord } from '../../../src/shared/domain/flow';
import { makeFlow, makeRejectedPorts } from './flow-fixtures';

const baseUs = 1_700_000_000_000_000;

function summaryFor(path: string, flows: number, isCancelled = false): CaptureSummary {
  return {
    path,
    format: 'pcap',
    isCompressed: false,
    fileBytes: 4,
    packets: 40,
    capturedBytes: 4_000,
    wireBytes: 4_000,
    flows,
    firstUs: baseUs,
    lastUs: baseUs + 1_000_000,
    linkTypes: [{ linkType: 1, name: 'EN10MB', packets: 40 }],
    fileProblems: [],
    decodeProblems: [
      {
        code: 'ipv4-truncated',
        count: 2,
        examples: [{ packetNumber: 7, fileOffset: 512, message: 'IPv4 header cut at 12 of 20 bytes' }],
      },
    ],
    isCancelled,
  };
}

/** An analyzer that hands over `flows` in two batches and then finishes. */
function fakeAnalyzer(flows: FlowRecord[]): AnalyzeCapture {
  return async (path, options) => {
    options?.onProgress?.({ bytesRead: 2, totalBytes: 4, packets: 20, flows: 1 });
    options?.onFlows?.(flows.slice(0, 1));
    await new Promise((resolve) => setTimeout(resolve, 5));
    options?.onFlows?.(flows.slice(1));
    options?.onProgress?.({ bytesRead: 4, totalBytes: 4, packets: 40, flows: flows.length });
    return { summary: summaryFor(path, flows.length) };
  };
}

function captureFile(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tideline-engine-'));
  const path = join(directory, 'capture.pcap');
  writeFileSync(path, Uint8Array.from([1, 2, 3, 4]));
  return path;
}

function createService(analyze: AnalyzeCapture) {
  const events: EventMessage[] = [];
  const service = new EngineService({
    analyze,
    emit: (name, payload) => events.push({ type: 'event', name, payload }),
  });
  return { service, events };
}

describe('EngineService', () => {
  it('rejects a malformed query naming the field', async () => {
    const { service } = createService(fakeAnalyzer([]));
    const result = await service.handle('flows.query', {
      captureId: 'x',
      offset: -1,
      limit: 10,
      sort: { column: 'uid', direction: 'ascending' },
      filter: {},
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid-argument');
    expect(result.error.details.field).toBe('offset');
  });

  it('leaves host requests to the host', async () => {
    const { service } = createService(fakeAnalyzer([]));
    const result = await service.handle('recent.list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('answers file-not-found for a missing capture', async () => {
    const { service } = createService(fakeAnalyzer([]));
    const result = await service.handle('capture.open', { path: '/nonexistent/dir/capture.pcap' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'file-not-found', details: { path: '/nonexistent/dir/capture.pcap' } },
    });
    // The words of `tideline analyze` for the same mistake, not Node's "ENOENT: no such file or directory, stat".
    expect(result.ok ? '' : result.error.message).toBe('Capture file not found: /nonexistent/dir/capture.pcap. Check the path.');
  });

  it('makes no case for a file that is not a capture', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tideline-engine-'));
    const path = join(directory, 'README.md');
    writeFileSync(path, '# Notes\n\nPlain text, not a capture.\n');
    const events: EventMessage[] = [];
    const service = new EngineService({
      analyze: analyzeWithAnalyzers,
      emit: (name, payload) => events.push({ type: 'event', name, payload }),
      casesFolder: join(directory, 'cases'),
    });
    expect((await service.handle('capture.open', { path })).ok).toBe(true);
    await service.currentSession?.finished;
    const failed = events.find((event) => event.name === 'capture.failed');
    expect(failed?.payload).toMatchObject({ error: { code: 'read-failed' } });
    expect(service.currentSession?.isFileError).toBe(true);
    expect(await service.handle('cases.list', {})).toEqual({ ok: true, value: [] });
  });

  it('loads flows and answers queries and aggregates', async () => {
    const path = captureFile();
    const scan = makeRejectedPorts('10.0.0.5', '10.0.0.9', 16, baseUs, 1_000);
    const flows = [
      makeFlow({
        startUs: baseUs,
        endUs: baseUs + 500_000,
        service: 'http',
        originatorIpBytes: 900,
        responderIpBytes: 9_000,
      }),
      ...scan,
    ];
    const { service, events } = createService(fakeAnalyzer(flows));

    const opened = await service.handle('capture.open', { path });
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const { captureId } = opened.value as { captureId: string };
    await service.currentSession?.finished;

    const page = await service.handle('flows.query', {
      captureId,
      offset: 0,
      limit: 5,
      sort: { column: 'totalBytes', direction: 'descending' },
      filter: {},
    });
    expect(page).toMatchObject({ ok: true, value: { total: 17, offset: 0 } });
    if (!page.ok) return;
    expect((page.value as { rows: FlowRecord[] }).rows[0]?.uid).toBe(flows[0]?.uid);

    const overview = await service.handle('aggregates.overview', { captureId });
    expect(overview.ok).toBe(true);
    if (!overview.ok) return;
    const value = overview.value as {
      sha256: string;
      flows: number;
      protocolMix: { transport: string; flows: number }[];
      serviceMix: { service: string; flows: number }[];
    };
    expect(value.sha256).toBe(
      createHash('sha256')
        .update(Uint8Array.from([1, 2, 3, 4]))
        .digest('hex'),
    );
    expect(value.flows).toBe(17);
    expect(value.protocolMix).toEqual([{ transport: 'tcp', flows: 17, bytes: 9_900 + 16 * 84, packets: 34 }]);
    expect(value.serviceMix.map((share) => [share.service, share.flows])).toEqual([
      ['http', 1],
      ['(unknown)', 16],
    ]);

    const alerts = await service.handle('alerts.list', { captureId, filter: {} });
    expect(alerts.ok).toBe(true);
    if (!alerts.ok) return;
    const list = alerts.value as { alerts: { id: string; detector: string; hosts: string[] }[]; totalAlerts: number };
    expect(list.alerts.map((alert) => alert.detector)).toEqual(['port-scan', 'decode-problems']);
    expect(list.alerts[0]?.hosts).toEqual(['10.0.0.5', '10.0.0.9']);
    expect(list.alerts[1]?.id).toBe('decode-problem:ipv4-truncated');

    const filtered = await service.handle('alerts.list', { captureId, filter: { hosts: ['10.0.0.9'] } });
    expect(filtered.ok).toBe(true);
    if (!filtered.ok) return;
    expect((filtered.value as { alerts: unknown[] }).alerts).toHaveLength(1);

    const names = events.map((event) => event.name);
    expect(names[0]).toBe('capture.started');
    expect(names).toContain('capture.batch');
    expect(names[names.length - 1]).toBe('capture.done');
    const lastBatch = events.filter((event) => event.name === 'capture.batch').pop();
    expect(lastBatch?.payload).toMatchObject({ captureId, flows: 17 });
  });

  it('answers not-found for a stale capture id', async () => {
    const { service } = createService(fakeAnalyzer([]));
    const result = await service.handle('flows.get', { captureId: 'gone', uid: 'C1' });
    expect(result).toMatchObject({ ok: false, error: { code: 'not-found', details: { captureId: 'gone' } } });
  });

  it('cancels a load and keeps the flows read', async () => {
    const path = captureFile();
    const analyze: AnalyzeCapture = async (capturePath, options) => {
      options?.onFlows?.([makeFlow()]);
      await new Promise<void>((resolve) => options?.signal?.addEventListener('abort', () => resolve()));
      return { summary: summaryFor(capturePath, 1, true) };
    };
    const { service, events } = createService(analyze);
    const opened = await service.handle('capture.open', { path });
    const { captureId } = (opened.ok ? opened.value : {}) as { captureId: string };

    expect(await service.handle('capture.cancel', { captureId })).toEqual({ ok: true, value: { isCancelled: true } });
    await service.currentSession?.finished;
    const status = await service.handle('capture.status', {});
    expect(status).toMatchObject({ ok: true, value: { state: 'cancelled', progress: { flows: 1 } } });
    expect(events.map((event) => event.name)).toContain('capture.done');
  });

  it('reports a failed load as capture.failed', async () => {
    const path = captureFile();
    const analyze: AnalyzeCapture = () =>
      Promise.reject(Object.assign(new Error(`${path} is not a pcap or pcapng file`), { code: 'not-a-capture' }));
    const { service, events } = createService(analyze);
    await service.handle('capture.open', { path });
    await service.currentSession?.finished;
    const failed = events.find((event) => event.name === 'capture.failed');
    expect(failed?.payload).toMatchObject({
      error: { code: 'read-failed', message: `${path} is not a pcap or pcapng file` },
    });
  });
});
