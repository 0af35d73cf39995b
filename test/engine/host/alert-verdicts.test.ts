import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { AnalyzeCapture } from '../../../src/main/engine/host/analyzer';
import { EngineService } from '../../../src/main/engine/host/engine-service';
import type { Alert, AllowList } from '../../../src/shared/contract';
import type { FlowRecord } from '../../../src/shared/domain/flow';
import { makeRejectedPorts } from './flow-fixtures';

const baseUs = 1_700_000_000_000_000;
const scanner = '10.0.0.5';
const target = '10.0.0.9';

function analyzerOf(flows: FlowRecord[]): AnalyzeCapture {
  return async (path, options) => {
    options?.onFlows?.(flows);
    await Promise.resolve();
    return {
      summary: {
        path,
        format: 'pcap',
        isCompressed: false,
        fileBytes: 4,
        packets: flows.length * 2,
        capturedBytes: 0,
        wireBytes: 0,
        flows: flows.length,
        firstUs: baseUs,
        lastUs: baseUs + 60_000_000,
        linkTypes: [],
        fileProblems: [],
        decodeProblems: [
          { code: 'ipv4-truncated', count: 1, examples: [{ packetNumber: 3, fileOffset: 96, message: 'cut' }] },
        ],
        isCancelled: false,
      },
    };
  };
}

async function openScan(stateFolder: string, capturePath: string) {
  const service = new EngineService({
    analyze: analyzerOf(makeRejectedPorts(scanner, target, 200, baseUs, 10_000)),
    emit: () => undefined,
    alertStateFolder: stateFolder,
  });
  const opened = await service.handle('capture.open', { path: capturePath });
  if (!opened.ok) throw new Error(opened.error.message);
  await service.currentSession?.finished;
  await service.currentSession?.detection.loaded;
  const captureId = (opened.value as { captureId: string }).captureId;
  const listAlerts = async (): Promise<Alert[]> => {
    const listed = await service.handle('alerts.list', { captureId, filter: {} });
    if (!listed.ok) throw new Error(listed.error.message);
    return (listed.value as { alerts: Alert[] }).alerts;
  };
  return { service, captureId, listAlerts };
}

function setup() {
  const directory = mkdtempSync(join(tmpdir(), 'tideline-verdicts-'));
  const capturePath = join(directory, 'scan.pcap');
  writeFileSync(capturePath, Uint8Array.from([1, 2, 3, 4]));
  return { stateFolder: join(directory, 'state'), capturePath };
}

describe('alert verdicts and allow-list', () => {
  it('keeps a dismissal across reopening', async () => {
    const { stateFolder, capturePath } = setup();
    const first = await openScan(stateFolder, capturePath);
    const scan = (await first.listAlerts()).find((alert) => alert.detector === 'port-scan');
    expect(scan?.hosts).toEqual([scanner, target]);
    expect(scan?.status).toBe('open');

    const set = await first.service.handle('alerts.setState', {
      captureId: first.captureId,
      alertId: scan?.id,
      state: 'dismissed',
    });
    expect(set).toEqual({ ok: true, value: { alertId: scan?.id, state: 'dismissed' } });
    expect((await first.listAlerts()).find((alert) => alert.id === scan?.id)?.status).toBe('dismissed');
    expect(readdirSync(stateFolder).filter((name) => name.endsWith('.alert-state.json'))).toHaveLength(1);

    const second = await openScan(stateFolder, capturePath);
    expect((await second.listAlerts()).find((alert) => alert.id === scan?.id)?.status).toBe('dismissed');
  });

  it('keeps a decode-problem verdict too', async () => {
    const { stateFolder, capturePath } = setup();
    const first = await openScan(stateFolder, capturePath);
    const problemId = 'decode-problem:ipv4-truncated';
    expect((await first.listAlerts()).map((alert) => alert.id)).toContain(problemId);
    const set = await first.service.handle('alerts.setState', {
      captureId: first.captureId,
      alertId: problemId,
      state: 'confirmed',
    });
    expect(set.ok).toBe(true);

    const second = await openScan(stateFolder, capturePath);
    expect((await second.listAlerts()).find((alert) => alert.id === problemId)?.status).toBe('confirmed');
  });

  it('rejects a verdict on an unknown alert', async () => {
    const { stateFolder, capturePath } = setup();
    const opened = await openScan(stateFolder, capturePath);
    const result = await opened.service.handle('alerts.setState', {
      captureId: opened.captureId,
      alertId: 'A0000000000000000',
      state: 'dismissed',
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'not-found', details: { alertId: 'A0000000000000000' } } });
  });

  it('drops alerts of an allow-listed host', async () => {
    const { stateFolder, capturePath } = setup();
    const opened = await openScan(stateFolder, capturePath);
    expect((await opened.listAlerts()).map((alert) => alert.detector)).toContain('port-scan');

    const allowList: AllowList = { hosts: [scanner], networks: [], domains: [], pairs: [] };
    const set = await opened.service.handle('alerts.setAllowList', { captureId: opened.captureId, allowList });
    expect(set).toEqual({ ok: true, value: allowList });
    expect((await opened.listAlerts()).map((alert) => alert.detector)).not.toContain('port-scan');

    const reopened = await openScan(stateFolder, capturePath);
    const kept = await reopened.service.handle('alerts.getAllowList', { captureId: reopened.captureId });
    expect(kept).toEqual({ ok: true, value: allowList });
    expect((await reopened.listAlerts()).map((alert) => alert.detector)).not.toContain('port-scan');
  });

  it('rejects an allow-list network that is not CIDR', async () => {
    const { stateFolder, capturePath } = setup();
    const opened = await openScan(stateFolder, capturePath);
    const result = await opened.service.handle('alerts.setAllowList', {
      captureId: opened.captureId,
      allowList: { networks: ['10.0.0.0/40'] },
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument', details: { field: 'allowList.networks' } } });
  });
});
