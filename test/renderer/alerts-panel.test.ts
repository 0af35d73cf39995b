// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';

import type { Alert } from '../../src/shared/contract';
import { installApi } from '../../src/renderer/api';
import {
  alertChartHeight,
  buildAlertSeriesOption,
  seriesGridHeight,
  seriesPoints,
} from '../../src/renderer/components/charts/alert-series-option';
import { chartPalettes } from '../../src/renderer/components/charts/chart-palette';
import { compareAlertsBy, groupAlerts, useAlertsStore } from '../../src/renderer/stores/alerts';
import { useCaptureStore } from '../../src/renderer/stores/capture';
import { useSelectionStore } from '../../src/renderer/stores/selection';
import AlertsView from '../../src/renderer/views/AlertsView.vue';
import { FakeEngine, settle } from './fake-api';

const baseUs = 1_700_000_000_000_000;

function makeAlert(overrides: Partial<Alert> & { id: string }): Alert {
  return {
    detector: 'port-scan',
    severity: 'high',
    score: 80,
    title: `Alert ${overrides.id}`,
    reason: 'reason',
    measurements: [],
    mitreTechnique: null,
    firstUs: baseUs,
    lastUs: baseUs + 1_000_000,
    hosts: ['10.0.0.9', '10.0.0.2'],
    evidence: { flowUids: [], packetNumbers: [], isTruncated: false },
    ...overrides,
  };
}

const beacon = makeAlert({
  id: 'Abeacon',
  detector: 'beaconing',
  severity: 'critical',
  score: 96,
  title: 'Beaconing from 10.66.0.21 to 198.18.0.9',
  reason: '45 connections at a median gap of 60 s (MAD 6.01 s, threshold 30 s).',
  mitreTechnique: 'T1071',
  mitreTechniqueName: 'Application Layer Protocol',
  hosts: ['10.66.0.21', '198.18.0.9'],
  firstUs: baseUs + 5_000_000,
  subScores: [
    { name: 'interval skew', value: 0.9, weight: 0.25 },
    { name: 'interval MAD', value: 0.8, weight: 0.25 },
  ],
  series: [
    {
      name: 'gap since previous connection',
      unit: 'seconds',
      timesUs: [baseUs + 60_000_000, baseUs + 121_000_000],
      values: [60, 61],
      isTruncated: false,
    },
    {
      name: 'bytes sent per connection',
      unit: 'bytes',
      timesUs: [baseUs, baseUs + 60_000_000, baseUs + 121_000_000],
      values: [320, 320, 320],
      isTruncated: false,
    },
  ],
  measurements: [
    { name: 'gap MAD', value: 0.245, threshold: 30, unit: 'seconds' },
    { name: 'connections', value: 1234, threshold: 20, unit: 'connections' },
  ],
  evidence: {
    flowUids: ['C1', 'C2'],
    packetNumbers: [1, 2],
    isTruncated: false,
    packetsDescription: '2 packets: the first and last packet of each of the 2 flows, which have 9 packets in all.',
  },
});
const scan = makeAlert({ id: 'Ascan', severity: 'high', score: 100, firstUs: baseUs + 1_000 });
const offHours = makeAlert({
  id: 'Aoff',
  detector: 'off-hours-internal-session',
  severity: 'low',
  score: 30,
  hosts: ['10.0.0.9', '10.0.0.7'],
  firstUs: baseUs,
});

let engine: FakeEngine;
let pinia: Pinia;

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  engine = new FakeEngine();
  engine.alerts = [offHours, scan, beacon];
  installApi(engine.connection());
});

async function openPanel() {
  await useCaptureStore().initialize();
  engine.emit('capture.started', { captureId: 'capture-1', path: '/captures/sample.pcapng' });
  const alerts = useAlertsStore();
  await alerts.refresh();
  const wrapper = mount(AlertsView, { global: { plugins: [pinia], stubs: { AlertSeriesChart: true } } });
  await settle();
  return { wrapper, alerts };
}

describe('alert order and groups', () => {
  it('sorts by severity, score and time', () => {
    const alerts = [offHours, scan, beacon];
    expect([...alerts].sort(compareAlertsBy('severity')).map((alert) => alert.id)).toEqual([
      'Abeacon',
      'Ascan',
      'Aoff',
    ]);
    expect([...alerts].sort(compareAlertsBy('score')).map((alert) => alert.id)).toEqual(['Ascan', 'Abeacon', 'Aoff']);
    expect([...alerts].sort(compareAlertsBy('time')).map((alert) => alert.id)).toEqual(['Aoff', 'Ascan', 'Abeacon']);
  });

  it('groups by detector and host', () => {
    const byDetector = groupAlerts([beacon, scan, offHours], 'detector');
    expect(byDetector.map((group) => [group.key, group.alerts.length])).toEqual([
      ['beaconing', 1],
      ['port-scan', 1],
      ['off-hours-internal-session', 1],
    ]);
    const byHost = groupAlerts([scan, offHours], 'host');
    expect(byHost.map((group) => [group.key, group.alerts.map((alert) => alert.id)])).toEqual([
      ['10.0.0.9', ['Ascan', 'Aoff']],
      ['10.0.0.2', ['Ascan']],
      ['10.0.0.7', ['Aoff']],
    ]);
  });
});

describe('alert series chart option', () => {
  it('stacks one grid per series', () => {
    const option = buildAlertSeriesOption({
      series: beacon.series ?? [],
      palette: chartPalettes.light,
      timeZone: 'utc',
    }) as { grid: { top: number; height: number }[]; series: { data: [number, number][]; xAxisIndex: number }[] };
    expect(option.grid).toHaveLength(2);
    expect(option.grid[1]?.top).toBeGreaterThan((option.grid[0]?.top ?? 0) + seriesGridHeight);
    expect(option.series[0]?.data).toEqual([
      [(baseUs + 60_000_000) / 1000, 60],
      [(baseUs + 121_000_000) / 1000, 61],
    ]);
    expect(option.series[1]?.xAxisIndex).toBe(1);
    expect(option.series[1]?.data.map((point) => point[1])).toEqual([320, 320, 320]);
  });

  it('drops unpaired points and sizes the chart', () => {
    expect(
      seriesPoints({ name: 'gap', unit: 's', timesUs: [1000, 2000, 3000], values: [1, 2], isTruncated: false }),
    ).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(alertChartHeight(2)).toBeGreaterThan(alertChartHeight(1) + seriesGridHeight);
    expect(alertChartHeight(9)).toBe(alertChartHeight(3));
  });
});

describe('AlertsView detail and verdicts', () => {
  it('shows sub-scores, series and technique', async () => {
    const { wrapper, alerts } = await openPanel();
    await alerts.selectAlert('Abeacon');
    await settle();
    const detail = wrapper.find('[data-testid="alert-detail"]');
    expect(detail.find('[data-testid="alert-reason"]').text()).toContain('MAD 6.01 s');
    const parts = wrapper.findAll('[data-testid="alert-subscore"]');
    expect(
      parts.map((row) =>
        row
          .findAll('td')
          .slice(0, 3)
          .map((cell) => cell.text())
          .join(' '),
      ),
    ).toEqual(['interval skew 90% 25%', 'interval MAD 80% 25%']);
    expect(detail.find('[data-testid="alert-mitre"]').text()).toBe('T1071 Application Layer Protocol');
    const measured = detail
      .findAll('table.measurements tbody tr')
      .map((row) => row.findAll('td').map((cell) => cell.text()));
    expect(measured).toEqual([
      ['gap MAD', '0.245', '30', 'seconds'],
      ['connections', '1,234', '20', 'connections'],
    ]);
    expect(detail.find('[data-testid="alert-evidence-packets-description"]').text()).toBe(
      '2 packets: the first and last packet of each of the 2 flows, which have 9 packets in all.',
    );
    const chart = wrapper.findComponent({ name: 'AlertSeriesChart' });
    expect(chart.exists()).toBe(true);
    expect((chart.props('series') as unknown[]).length).toBe(2);
  });

  it('groups the list when asked', async () => {
    const { wrapper } = await openPanel();
    expect(wrapper.findAll('[data-testid="alert-group"]')).toHaveLength(0);
    await wrapper.find('[data-testid="alert-grouping"]').setValue('detector');
    await settle();
    expect(wrapper.findAll('[data-testid="alert-group"]').map((row) => row.text().split(' ')[0])).toEqual([
      'beaconing',
      'port-scan',
      'off-hours-internal-session',
    ]);
    await wrapper.find('[data-testid="alert-order"]').setValue('time');
    await settle();
    expect(wrapper.findAll('[data-testid="alert-row"]').map((row) => row.attributes('data-alert-id'))).toEqual([
      'Aoff',
      'Ascan',
      'Abeacon',
    ]);
  });

  it('asks for alerts of a least severity', async () => {
    const { wrapper, alerts } = await openPanel();
    alerts.watchSources();
    await wrapper.find('[data-testid="alert-minimum-severity"]').setValue('high');
    await settle();
    const last = engine.requests.filter((request) => request.method === 'alertsList').at(-1)?.argument as {
      minimumSeverity?: string;
    };
    expect(last.minimumSeverity).toBe('high');
  });

  it('dismisses and reopens an alert', async () => {
    const { wrapper, alerts } = await openPanel();
    await alerts.selectAlert('Ascan');
    await settle();
    const dismiss = wrapper.findAll('button').find((button) => button.text() === 'Dismiss');
    await dismiss?.trigger('click');
    await settle();
    expect(
      engine.requests.filter((request) => request.method === 'alertsSetState').map((request) => request.argument),
    ).toEqual([{ captureId: 'capture-1', alertId: 'Ascan', state: 'dismissed' }]);
    expect(wrapper.find('[data-testid="alert-status"]').text()).toBe('dismissed');
    expect(wrapper.find('[data-alert-id="Ascan"]').classes()).toContain('dismissed');

    await wrapper
      .findAll('button')
      .find((button) => button.text() === 'Reopen')
      ?.trigger('click');
    await settle();
    expect(wrapper.find('[data-testid="alert-status"]').text()).toBe('open');
  });

  it('adds and removes allow-list entries', async () => {
    const { wrapper } = await openPanel();
    await wrapper.find('select[aria-label="Allow-list entry kind"]').setValue('networks');
    await wrapper.find('input[aria-label="Allow-list entry"]').setValue('10.1.0.0/16');
    await wrapper.find('.allow-list-form').trigger('submit');
    await settle();
    expect(engine.allowList.networks).toEqual(['10.1.0.0/16']);
    expect(wrapper.findAll('[data-testid="allow-list-entry"]').map((row) => row.text())).toEqual([
      'Network 10.1.0.0/16 remove',
    ]);
    await wrapper.find('[data-testid="allow-list-entry"] button').trigger('click');
    await settle();
    expect(engine.allowList.networks).toEqual([]);
  });

  it('selects evidence flows, range and hosts', async () => {
    const { wrapper, alerts } = await openPanel();
    await alerts.selectAlert('Abeacon');
    await settle();
    await wrapper.find('button.primary').trigger('click');
    const selection = useSelectionStore();
    expect(selection.flowUids).toEqual(['C1', 'C2']);
    expect(selection.hosts).toEqual(['10.66.0.21', '198.18.0.9']);
    expect(selection.timeRange).toEqual({ startUs: baseUs + 5_000_000, endUs: baseUs + 1_000_001 });
  });
});
