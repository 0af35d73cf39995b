// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';

import type { RecordRow } from '../../src/shared/contract';
import { installApi } from '../../src/renderer/api';
import FlowDetail from '../../src/renderer/components/FlowDetail.vue';
import { formatRecordValue } from '../../src/renderer/format/record-value';
import { useCaptureStore } from '../../src/renderer/stores/capture';
import { useRecordsStore } from '../../src/renderer/stores/records';
import { useSelectionStore } from '../../src/renderer/stores/selection';
import { useViewStore } from '../../src/renderer/stores/view';
import RecordsView from '../../src/renderer/views/RecordsView.vue';
import { FakeEngine, makeFlow, settle } from './fake-api';

const baseUs = 1_700_000_000_000_000;

const dnsRow: RecordRow = {
  type: 'dns',
  timestampUs: baseUs,
  uids: ['Cdns'],
  fields: {
    ts: baseUs,
    uid: 'Cdns',
    'id.orig_h': '10.0.0.2',
    'id.resp_h': '10.0.0.53',
    proto: 'udp',
    query: 'www.example.com',
    qtype_name: 'A',
    rcode_name: 'NOERROR',
    answers: ['198.51.100.80'],
    rtt: 1_500,
  },
};
const tlsRow: RecordRow = {
  type: 'tls',
  timestampUs: baseUs + 10,
  uids: ['Ctls'],
  fields: { ts: baseUs + 10, uid: 'Ctls', 'id.orig_h': '10.0.0.2', 'id.resp_h': '198.51.100.80', server_name: 'www.example.com', version: 'TLSv13' },
};

let engine: FakeEngine;
let pinia: Pinia;

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  engine = new FakeEngine();
  engine.records = [dnsRow, tlsRow];
  engine.flows = [makeFlow({ uid: 'Cdns' }), makeFlow({ uid: 'Ctls' })];
  installApi(engine.connection());
});

async function startCapture(): Promise<void> {
  await useCaptureStore().initialize();
  engine.emit('capture.started', { captureId: 'capture-1', path: '/captures/sample.pcapng' });
}

describe('RecordsView', () => {
  it('lists DNS records and switches to TLS', async () => {
    useRecordsStore().watchSources();
    await startCapture();
    const wrapper = mount(RecordsView, { global: { plugins: [pinia] } });
    await settle();
    const rows = wrapper.findAll('[data-testid="record-row"]');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.text()).toContain('www.example.com');
    expect(rows[0]?.text()).toContain('198.51.100.80');

    await wrapper.find('[data-testid="record-tab-tls"]').trigger('click');
    await settle();
    const query = engine.requests.filter((request) => request.method === 'recordsQuery').at(-1)?.argument as {
      type: string;
      offset: number;
    };
    expect(query.type).toBe('tls');
    expect(query.offset).toBe(0);
    expect(wrapper.findAll('[data-testid="record-row"]').map((row) => row.attributes('data-uid'))).toEqual(['Ctls']);
  });

  it('queries with the shared selection', async () => {
    useRecordsStore().watchSources();
    await startCapture();
    mount(RecordsView, { global: { plugins: [pinia] } });
    await settle();
    useSelectionStore().toggleHost('10.0.0.53');
    await settle();
    const query = engine.requests.filter((request) => request.method === 'recordsQuery').at(-1)?.argument as {
      filter: { hosts?: string[] };
    };
    expect(query.filter.hosts).toEqual(['10.0.0.53']);
  });

  it('selects the flow of a clicked record', async () => {
    useRecordsStore().watchSources();
    await startCapture();
    const wrapper = mount(RecordsView, { global: { plugins: [pinia] } });
    await settle();
    await wrapper.find('[data-testid="record-row"]').trigger('click');
    expect(useSelectionStore().focusedFlowUid).toBe('Cdns');
    expect(useViewStore().active).toBe('flows');
  });
});

describe('FlowDetail records', () => {
  it('lists the records of the flow', async () => {
    await startCapture();
    const wrapper = mount(FlowDetail, {
      props: { flow: makeFlow({ uid: 'Cdns' }), timeZone: 'utc' },
      global: { plugins: [pinia] },
    });
    await settle();
    const records = wrapper.findAll('[data-testid="flow-record"]');
    expect(records).toHaveLength(1);
    expect(records[0]?.text()).toContain('dns.log');
    expect(records[0]?.text()).toContain('www.example.com');
    expect(records[0]?.text()).toContain('NOERROR');
  });
});

describe('formatRecordValue', () => {
  it.each([
    ['query', null, '-'],
    ['answers', [], '(empty)'],
    ['answers', ['a', 'b'], 'a, b'],
    ['rtt', 1_500, '1.50 ms'],
    ['established', true, 'T'],
    ['status_code', 404, '404'],
  ] as const)('formats %s %j', (field, value, text) => {
    expect(formatRecordValue(field, value, 'utc')).toBe(text);
  });
});
