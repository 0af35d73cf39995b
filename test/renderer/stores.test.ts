// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';

import type { Alert, FlowQuery } from '../../src/shared/contract';
import { installApi } from '../../src/renderer/api';
import { useAlertsStore } from '../../src/renderer/stores/alerts';
import { useCaptureStore } from '../../src/renderer/stores/capture';
import { flowPageSize, useFlowsStore } from '../../src/renderer/stores/flows';
import { DATA_REFRESH_GAP_MS } from '../../src/renderer/stores/refresh-gate';
import { useSelectionStore } from '../../src/renderer/stores/selection';
import { useSettingsStore } from '../../src/renderer/stores/settings';
import { useTimelineStore } from '../../src/renderer/stores/timeline';
import { FakeEngine, makeFlow, settle } from './fake-api';

const baseUs = 1_700_000_000_000_000;

function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'alert-1',
    detector: 'failed-connection-scan',
    severity: 'high',
    score: 80,
    title: 'Port scan from 10.0.0.9',
    reason: '10.0.0.9 tried 40 ports on 10.0.0.2 in 3 s; the threshold is 20.',
    measurements: [{ name: 'distinct destination ports', value: 40, threshold: 20, unit: 'ports' }],
    mitreTechnique: 'T1046',
    firstUs: baseUs + 1_000_000,
    lastUs: baseUs + 4_000_000,
    hosts: ['10.0.0.9', '10.0.0.2'],
    evidence: { flowUids: ['C2', 'C3'], packetNumbers: [5, 6], isTruncated: false },
    ...overrides,
  };
}

let engine: FakeEngine;

beforeEach(() => {
  localStorage.clear();
  setActivePinia(createPinia());
  engine = new FakeEngine();
  engine.flows = Array.from({ length: 1000 }, (_, index) =>
    makeFlow({ uid: `C${index}`, startUs: baseUs + index * 10_000, endUs: baseUs + index * 10_000 + 5_000 }),
  );
  installApi(engine.connection());
});

async function openCapture(): Promise<void> {
  const capture = useCaptureStore();
  await capture.initialize();
  engine.emit('capture.started', { captureId: 'capture-1', path: '/captures/sample.pcapng' });
}

describe('capture store', () => {
  it('tracks progress, batches and the final summary', async () => {
    const capture = useCaptureStore();
    await openCapture();
    expect(capture.phase).toBe('loading');
    expect(capture.fileName).toBe('sample.pcapng');

    engine.emit('capture.progress', {
      captureId: 'capture-1',
      bytesRead: 250,
      totalBytes: 1000,
      packets: 40,
      flows: 7,
      rateBytesPerSecond: 500,
      etaSeconds: 1.5,
    });
    expect(capture.progressFraction).toBe(0.25);
    expect(capture.flowCount).toBe(7);

    const versionBefore = capture.dataVersion;
    engine.emit('capture.batch', { captureId: 'capture-1', packets: 80, flows: 12, alerts: 1, newFlows: 5 });
    expect(capture.dataVersion).toBe(versionBefore + 1);
    expect(capture.alertCount).toBe(1);

    engine.emit('capture.done', {
      captureId: 'capture-1',
      sha256: 'cd'.repeat(32),
      summary: {
        path: '/captures/sample.pcapng',
        format: 'pcapng',
        isCompressed: false,
        fileBytes: 1000,
        packets: 160,
        capturedBytes: 900,
        wireBytes: 950,
        flows: 20,
        firstUs: baseUs,
        lastUs: baseUs + 9_000_000,
        linkTypes: [{ linkType: 1, name: 'EN10MB', packets: 160 }],
        fileProblems: [],
        decodeProblems: [],
        isCancelled: false,
      },
    });
    expect(capture.phase).toBe('done');
    expect(capture.flowCount).toBe(20);
    expect(capture.sha256).toBe('cd'.repeat(32));
  });

  it('reports an engine crash and restart', async () => {
    const capture = useCaptureStore();
    await openCapture();
    engine.emit('engine.crashed', { exitCode: null, signal: 'SIGSEGV', message: 'signal SIGSEGV', restartCount: 1 });
    expect(capture.engineNotice).toBe(
      'The engine stopped (signal SIGSEGV). It is restarting; the capture reloads when it is back.',
    );
    const versionBefore = capture.dataVersion;
    engine.emit('engine.restarted', { restartCount: 1, reopenedPath: '/captures/sample.pcapng' });
    expect(capture.engineNotice).toBe('The engine restarted (1 so far) and is reopening /captures/sample.pcapng.');
    expect(capture.dataVersion).toBe(versionBefore + 1);
  });

  it('ignores events of an older capture', async () => {
    const capture = useCaptureStore();
    await openCapture();
    engine.emit('capture.batch', { captureId: 'capture-0', packets: 1, flows: 99, alerts: 9, newFlows: 1 });
    expect(capture.flowCount).toBe(0);
  });

  it('keeps the typed error of a failed open', async () => {
    const capture = useCaptureStore();
    expect(await capture.open('/nowhere/missing.pcap')).toBe(false);
    expect(capture.error?.code).toBe('file-not-found');
    expect(capture.phase).toBe('idle');
  });
});

describe('selection store', () => {
  it('builds one filter and leaves out the owner part', () => {
    const selection = useSelectionStore();
    selection.setTimeRange({ startUs: 20, endUs: 10 });
    selection.toggleHost('10.0.0.1');
    selection.toggleHost('10.0.0.2');
    selection.toggleHost('10.0.0.1');
    selection.setText('  dns ');
    expect(selection.filter).toEqual({ timeRange: { startUs: 10, endUs: 20 }, hosts: ['10.0.0.2'], text: 'dns' });
    expect(selection.buildFilter({ timeRange: true })).toEqual({ hosts: ['10.0.0.2'], text: 'dns' });
    expect(selection.buildFilter({ hosts: true })).toEqual({ timeRange: { startUs: 10, endUs: 20 }, text: 'dns' });
  });

  it('selects an alert evidence and its time', () => {
    const selection = useSelectionStore();
    selection.selectEvidence(makeAlert());
    expect(selection.filter).toEqual({
      uids: ['C2', 'C3'],
      hosts: ['10.0.0.9', '10.0.0.2'],
      timeRange: { startUs: baseUs + 1_000_000, endUs: baseUs + 4_000_001 },
    });
    selection.clear();
    expect(selection.isEmpty).toBe(true);
    expect(selection.filter).toEqual({});
  });
});

describe('flows store', () => {
  it('pages through the engine as rows become visible', async () => {
    const flows = useFlowsStore();
    flows.watchSources();
    await openCapture();
    await settle();
    expect(flows.total).toBe(1000);
    expect(flows.rows).toHaveLength(2 * flowPageSize);

    await flows.showRows({ first: 610, end: 650 });
    const query = engine.requestsOf('flowsQuery').at(-1) as FlowQuery;
    expect(query.offset).toBe(600);
    expect(query.limit).toBe(2 * flowPageSize);
    expect(flows.rowAt(610)?.uid).toBe('C610');
    expect(flows.rowAt(10)).toBeNull();
  });

  it('queries with the shared selection and sort', async () => {
    const flows = useFlowsStore();
    const selection = useSelectionStore();
    flows.watchSources();
    await openCapture();
    await settle();

    selection.setTimeRange({ startUs: baseUs, endUs: baseUs + 100_000 });
    flows.sortBy('startUs');
    await settle();
    const query = engine.requestsOf('flowsQuery').at(-1) as FlowQuery;
    expect(query.filter).toEqual({ timeRange: { startUs: baseUs, endUs: baseUs + 100_000 } });
    expect(query.sort).toEqual({ column: 'startUs', direction: 'descending' });
    expect(flows.total).toBe(10);
    expect(flows.rows[0]?.uid).toBe('C9');
  });

  it('re-queries the visible page after engine batches, once per refresh gap', async () => {
    const flows = useFlowsStore();
    flows.watchSources();
    await openCapture();
    await settle();
    const queriesBefore = engine.requestsOf('flowsQuery').length;
    engine.flows.push(makeFlow({ uid: 'C-late', startUs: baseUs + 20_000_000 }));
    engine.emit('capture.batch', { captureId: 'capture-1', packets: 1500, flows: 1001, alerts: 0, newFlows: 1 });
    engine.emit('capture.batch', { captureId: 'capture-1', packets: 2000, flows: 1001, alerts: 0, newFlows: 0 });
    await new Promise((done) => setTimeout(done, DATA_REFRESH_GAP_MS + 50));
    await settle();
    // Two batches in one gap: one query, not two.
    expect(engine.requestsOf('flowsQuery')).toHaveLength(queriesBefore + 1);
    expect(flows.total).toBe(1001);
  });

  it('drops an answer that a newer request superseded', async () => {
    const flows = useFlowsStore();
    await openCapture();
    let release: () => void = () => undefined;
    engine.flowQueryGate = new Promise((resolve) => (release = resolve));
    const slow = flows.showRows({ first: 0, end: 40 });
    engine.flowQueryGate = null;
    useSelectionStore().toggleHost('10.9.9.9');
    await flows.refresh();
    release();
    await slow;
    expect(flows.total).toBe(0);
  });

  it('fetches every matching flow for export', async () => {
    const flows = useFlowsStore();
    await openCapture();
    const rows = await flows.fetchAllMatching();
    expect(rows).toHaveLength(1000);
    expect(rows[999]?.uid).toBe('C999');
  });
});

describe('timeline and alerts stores', () => {
  it('leaves the time range out of the timeline query', async () => {
    const timeline = useTimelineStore();
    const selection = useSelectionStore();
    timeline.watchSources();
    await openCapture();
    selection.setTimeRange({ startUs: 1, endUs: 2 });
    selection.toggleHost('10.0.0.1');
    await settle();
    const last = engine.requestsOf('aggregatesTimeline').at(-1) as { filter: unknown; bucketCount: number };
    expect(last.filter).toEqual({ hosts: ['10.0.0.1'] });
  });

  it('loads the evidence flows of the selected alert', async () => {
    engine.alerts = [makeAlert()];
    const alerts = useAlertsStore();
    await openCapture();
    await alerts.refresh();
    await alerts.selectAlert('alert-1');
    expect(alerts.selectedAlert?.title).toBe('Port scan from 10.0.0.9');
    expect(alerts.evidenceFlows.map((flow) => flow.uid)).toEqual(['C2', 'C3']);
    expect(alerts.evidenceTotal).toBe(2);
  });
});

describe('settings store', () => {
  it('persists theme and time zone in localStorage and on the host', async () => {
    const settings = useSettingsStore();
    await settings.initialize();
    await settings.toggleTimeZone();
    await settings.update({ theme: 'dark' });
    expect(settings.effectiveTheme).toBe('dark');
    expect(JSON.parse(localStorage.getItem('tideline.settings') ?? '{}')).toEqual({ timeZone: 'local', theme: 'dark' });
    expect(engine.settings).toEqual({ timeZone: 'local', theme: 'dark' });
  });

  it('ignores a corrupt stored value', () => {
    localStorage.setItem('tideline.settings', '{"theme":"neon"}');
    expect(useSettingsStore().settings).toEqual({ timeZone: 'utc', theme: 'system' });
  });
});
