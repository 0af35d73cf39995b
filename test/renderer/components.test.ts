// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';

import { fail, type Alert, type AlertList, type FlowRecord } from '../../src/shared/contract';
import { installApi } from '../../src/renderer/api';
import AppNavigation from '../../src/renderer/components/AppNavigation.vue';
import FlowTable from '../../src/renderer/components/FlowTable.vue';
import SelectionBar from '../../src/renderer/components/SelectionBar.vue';
import { useAlertsStore } from '../../src/renderer/stores/alerts';
import { useCaptureStore } from '../../src/renderer/stores/capture';
import { useFlowsStore } from '../../src/renderer/stores/flows';
import { useSelectionStore } from '../../src/renderer/stores/selection';
import { useViewStore } from '../../src/renderer/stores/view';
import AlertsView from '../../src/renderer/views/AlertsView.vue';
import FlowsView from '../../src/renderer/views/FlowsView.vue';
import OverviewView from '../../src/renderer/views/OverviewView.vue';
import { FakeEngine, makeFlow, settle } from './fake-api';

const baseUs = 1_700_000_000_000_000;
const hostileName = '<img src=x onerror="window.pwned=1">';

let engine: FakeEngine;
let pinia: Pinia;

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  engine = new FakeEngine();
  engine.flows = Array.from({ length: 5000 }, (_, index) =>
    makeFlow({
      uid: `C${index}`,
      startUs: baseUs + index * 1000,
      originatorAddress: index % 2 === 0 ? '10.0.0.1' : '10.0.0.3',
    }),
  );
  installApi(engine.connection());
});

async function startCapture(): Promise<void> {
  await useCaptureStore().initialize();
  engine.emit('capture.started', { captureId: 'capture-1', path: '/captures/sample.pcapng' });
}

describe('FlowTable', () => {
  function mountTable(rows: FlowRecord[], total: number) {
    return mount(FlowTable, {
      props: {
        total,
        rows,
        rowsOffset: 0,
        sort: { column: 'startUs', direction: 'ascending' },
        timeZone: 'utc',
        focusedUid: null,
        scrollResetCount: 0,
      },
    });
  }

  it('renders only the visible rows of a large result', () => {
    const rows = engine.flows.slice(0, 400);
    const wrapper = mountTable(rows, 100_000);
    // The default viewport is 600 px: 25 rows of 24 px plus 10 rows of overscan.
    expect(wrapper.findAll('.flow-table-row')).toHaveLength(35);
    expect(wrapper.find('.flow-table-body').attributes('style')).toContain('height: 2400000px');
  });

  it('reports the rows in view after a scroll', async () => {
    const wrapper = mountTable(engine.flows.slice(0, 400), 100_000);
    const viewport = wrapper.find('.flow-table');
    (viewport.element as HTMLElement).scrollTop = 24 * 5000;
    await viewport.trigger('scroll');
    // Row 5000 is at the top; 25 rows fit, with 10 rows of overscan each side.
    expect(wrapper.emitted('visible-range')?.at(-1)).toEqual([{ first: 4990, end: 5035 }]);
    const rows = wrapper.findAll('.flow-table-row');
    expect(rows[0]?.attributes('aria-rowindex')).toBe('4992');
    expect(rows[0]?.classes()).toContain('pending');
  });

  it('emits sort and open-flow', async () => {
    const wrapper = mountTable(engine.flows.slice(0, 10), 10);
    await wrapper.findAll('[role="columnheader"]')[2]?.trigger('click');
    await wrapper.find('.flow-table-row').trigger('click');
    expect(wrapper.emitted('sort')?.[0]).toEqual(['originatorAddress']);
    expect(wrapper.emitted('open-flow')?.[0]).toEqual(['C0']);
  });

  it('moves a cursor by keyboard and opens its row', async () => {
    const wrapper = mountTable(engine.flows.slice(0, 400), 400);
    const grid = wrapper.find('[role="grid"]');
    await grid.trigger('keydown', { key: 'ArrowDown' });
    await grid.trigger('keydown', { key: 'ArrowDown' });
    await grid.trigger('keydown', { key: 'ArrowUp' });
    await grid.trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('open-flow')).toEqual([['C0']]);

    // End jumps to the last row and scrolls it into view.
    await grid.trigger('keydown', { key: 'End' });
    await grid.trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('open-flow')?.at(-1)).toEqual(['C399']);
    expect((grid.element as HTMLElement).scrollTop).toBe(400 * 24 - (600 - 25));
    expect(wrapper.find('.flow-table-row.cursor').attributes('data-uid')).toBe('C399');
  });

  it('shows Zeek conn.log columns with UTC times', () => {
    const wrapper = mountTable(engine.flows.slice(0, 1), 1);
    const headers = wrapper.findAll('[role="columnheader"]').map((header) => header.text().replace(/[▲▼]/g, '').trim());
    expect(headers.slice(0, 8)).toEqual([
      'ts',
      'uid',
      'id.orig_h',
      'id.orig_p',
      'id.resp_h',
      'id.resp_p',
      'proto',
      'service',
    ]);
    expect(wrapper.find('.flow-table-cell').text()).toBe('2023-11-14 22:13:20.000000Z');
  });

  it('renders hostile strings as text', () => {
    const wrapper = mountTable([makeFlow({ uid: 'C1', service: hostileName })], 1);
    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.text()).toContain(hostileName);
  });
});

describe('FlowsView', () => {
  it('shows the matching count and narrows by host', async () => {
    const flows = useFlowsStore();
    flows.watchSources();
    await startCapture();
    const wrapper = mount(FlowsView, { global: { plugins: [pinia] } });
    await settle();
    expect(wrapper.find('[data-testid="flow-count"]').attributes('data-total')).toBe('5000');

    useSelectionStore().toggleHost('10.0.0.3');
    await settle();
    expect(wrapper.find('[data-testid="flow-count"]').attributes('data-total')).toBe('2500');
    expect(wrapper.find('.flow-table-row').attributes('data-uid')).toBe('C1');
  });

  it('opens a row in the detail panel', async () => {
    const flows = useFlowsStore();
    flows.watchSources();
    await startCapture();
    const wrapper = mount(FlowsView, { global: { plugins: [pinia] } });
    await settle();
    await wrapper.findAll('.flow-table-row')[3]?.trigger('click');
    await settle();
    const detail = wrapper.find('[aria-label="Flow detail"]');
    expect(detail.exists()).toBe(true);
    expect(detail.text()).toContain('C3');
    expect(detail.text()).toContain('10.0.0.3');
  });
});

describe('AlertsView', () => {
  const alert: Alert = {
    id: 'a1',
    detector: 'failed-connection-scan',
    severity: 'high',
    score: 90,
    title: `Scan from 10.0.0.9 ${hostileName}`,
    reason: '10.0.0.9 had 42 failed connections to 42 ports in 2 s (threshold 20 ports).',
    measurements: [{ name: 'distinct destination ports', value: 42, threshold: 20, unit: 'ports' }],
    mitreTechnique: 'T1046',
    firstUs: baseUs + 2000,
    lastUs: baseUs + 3000,
    hosts: ['10.0.0.9', '10.0.0.2'],
    evidence: { flowUids: ['C2', 'C3'], packetNumbers: [3, 4], isTruncated: false },
  };

  it('lists an alert and shows its reason and evidence', async () => {
    engine.alerts = [alert];
    const alerts = useAlertsStore();
    alerts.watchSources();
    await startCapture();
    const wrapper = mount(AlertsView, { global: { plugins: [pinia] } });
    await settle();
    const rows = wrapper.findAll('[data-testid="alert-row"]');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.text()).toContain('high');

    await rows[0]?.trigger('click');
    await settle();
    const detail = wrapper.find('[data-testid="alert-detail"]');
    expect(detail.text()).toContain('42 failed connections');
    expect(detail.text()).toContain('distinct destination ports');
    expect(wrapper.findAll('[data-testid="evidence-flow"]')).toHaveLength(2);
    expect(wrapper.find('img').exists()).toBe(false);
  });

  it('selects the evidence flows and their time range', async () => {
    engine.alerts = [alert];
    await startCapture();
    await useAlertsStore().refresh();
    const wrapper = mount(AlertsView, { global: { plugins: [pinia] } });
    await useAlertsStore().selectAlert('a1');
    await settle();
    await wrapper.find('button.primary').trigger('click');
    const selection = useSelectionStore();
    expect(selection.flowUids).toEqual(['C2', 'C3']);
    expect(selection.timeRange).toEqual({ startUs: baseUs + 2000, endUs: baseUs + 3001 });
    expect(useViewStore().active).toBe('flows');
  });
});

describe('OverviewView', () => {
  it('shows packet and flow counts and the SHA-256', async () => {
    await startCapture();
    const capture = useCaptureStore();
    engine.emit('capture.done', {
      captureId: 'capture-1',
      sha256: 'ef'.repeat(32),
      summary: {
        path: '/captures/sample.pcapng',
        format: 'pcapng',
        isCompressed: false,
        fileBytes: 4096,
        packets: 12345,
        capturedBytes: 900,
        wireBytes: 950,
        flows: 678,
        firstUs: baseUs,
        lastUs: baseUs + 60_000_000,
        linkTypes: [{ linkType: 1, name: 'EN10MB', packets: 12345 }],
        fileProblems: [],
        decodeProblems: [
          {
            code: 'truncated-ipv4',
            count: 2,
            examples: [{ packetNumber: 17, fileOffset: 2048, message: 'IPv4 header cut off' }],
          },
        ],
        isCancelled: false,
      },
    });
    expect(capture.phase).toBe('done');
    const wrapper = mount(OverviewView, { global: { plugins: [pinia] } });
    await settle();
    expect(wrapper.find('[data-testid="overview-packets"]').text()).toBe('12,345');
    expect(wrapper.find('[data-testid="overview-flows"]').text()).toBe('678');
    expect(wrapper.find('[data-testid="overview-sha256"]').text()).toBe('ef'.repeat(32));
    expect(wrapper.text()).toContain('packet 17, offset 2048: IPv4 header cut off');
  });
});

describe('view errors', () => {
  it('shows a failed alerts query in the panel', async () => {
    await startCapture();
    const api = engine.buildApi();
    installApi({
      api: {
        ...api,
        alertsList: () =>
          Promise.resolve(fail<AlertList>('engine-unavailable', 'The engine is restarting; try again in a moment.')),
      },
      mode: 'serve',
      onConnectionChange: () => () => undefined,
    });
    await useAlertsStore().refresh();
    const wrapper = mount(AlertsView, { global: { plugins: [pinia] } });
    await settle();
    expect(wrapper.find('[role="alert"]').text()).toBe('The engine is restarting; try again in a moment.');
  });
});

describe('SelectionBar', () => {
  it('shows chips and emits removals', async () => {
    const wrapper = mount(SelectionBar, {
      props: {
        text: '',
        timeRange: { startUs: baseUs, endUs: baseUs + 2_000_000 },
        hosts: ['10.0.0.1'],
        evidenceTitle: null,
        evidenceCount: 0,
        timeZone: 'utc',
      },
    });
    expect(wrapper.find('[data-testid="time-range-chip"]').text()).toContain('22:13:20.000 +2.00 s');
    await wrapper.find('[aria-label="Remove host 10.0.0.1"]').trigger('click');
    await wrapper.find('[aria-label="Clear time range"]').trigger('click');
    expect(wrapper.emitted('remove-host')?.[0]).toEqual(['10.0.0.1']);
    expect(wrapper.emitted('clear-time-range')).toHaveLength(1);
  });

  it('sends the filter text on Enter', async () => {
    const wrapper = mount(SelectionBar, {
      props: { text: '', timeRange: null, hosts: [], evidenceTitle: null, evidenceCount: 0, timeZone: 'utc' },
    });
    const input = wrapper.find('input');
    await input.setValue('10.0.0.3');
    await input.trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('update:text')?.at(-1)).toEqual(['10.0.0.3']);
  });
});

describe('AppNavigation', () => {
  it('draws shortcuts as key caps', () => {
    const wrapper = mount(AppNavigation, { props: { active: 'flows', alertCount: 13, flowCount: 266, hasCapture: true } });
    const buttons = wrapper.findAll('button.nav-item');
    const records = buttons.find((button) => button.text().startsWith('Records'))!;
    expect(records.find('kbd.key-hint').text()).toBe('6');
    expect(records.find('.count').exists()).toBe(false);
    expect(records.attributes('title')).toBe('Records (press 6)');
    expect(records.attributes('aria-keyshortcuts')).toBe('6');
    const flows = buttons.find((button) => button.text().startsWith('Flows'))!;
    expect(flows.find('.count').text()).toBe('266');
    expect(flows.find('kbd').exists()).toBe(false);
    expect(flows.attributes('title')).toBe('Flows (press 4)');
  });
});
