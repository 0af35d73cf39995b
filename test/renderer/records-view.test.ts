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

const weirdRow: RecordRow = {
  type: 'weird',
  timestampUs: baseUs + 20,
  uids: ['Cdns'],
  fields: { ts: baseUs + 20, uid: 'Cdns', 'id.orig_h': '10.0.0.2', 'id.resp_h': '10.0.0.53', 'id.resp_p': 53, name: 'bad_HTTP_request', addl: null, notice: false, source: 'HTTP' },
};
const x509Row: RecordRow = {
  type: 'x509',
  timestampUs: baseUs + 30,
  uids: [],
  fields: { ts: baseUs + 30, fingerprint: 'ab12cd', 'certificate.subject': 'CN=www.example.com', 'certificate.issuer': 'CN=www.example.com', 'san.dns': ['www.example.com'] },
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

describe('RecordsView weird and x509 tabs', () => {
  it('lists weird and x509 rows', async () => {
    engine.records = [dnsRow, tlsRow, weirdRow, x509Row];
    useRecordsStore().watchSources();
    await startCapture();
    const wrapper = mount(RecordsView, { global: { plugins: [pinia] } });
    await settle();
    expect(wrapper.find('[data-testid="record-tab-weird"]').text()).toContain('Weird');
    expect(wrapper.find('[data-testid="record-tab-x509"]').text()).toContain('x509');

    await wrapper.find('[data-testid="record-tab-weird"]').trigger('click');
    await settle();
    const weird = wrapper.findAll('[data-testid="record-row"]');
    expect(weird.map((row) => row.attributes('data-uid'))).toEqual(['Cdns']);
    expect(weird[0]?.text()).toContain('bad_HTTP_request');

    await wrapper.find('[data-testid="record-tab-x509"]').trigger('click');
    await settle();
    const x509 = wrapper.findAll('[data-testid="record-row"]');
    expect(x509).toHaveLength(1);
    expect(x509[0]?.text()).toContain('CN=www.example.com');
    expect(x509[0]?.text()).toContain('ab12cd');
  });

  it("lists a flow's weird", async () => {
    engine.records = [dnsRow, weirdRow];
    await startCapture();
    const wrapper = mount(FlowDetail, { props: { flow: makeFlow({ uid: 'Cdns' }), timeZone: 'utc' }, global: { plugins: [pinia] } });
    await settle();
    const records = wrapper.findAll('[data-testid="flow-record"]');
    expect(records.map((record) => record.find('.record-type').text())).toEqual(['dns.log', 'weird.log']);
    expect(records[1]?.text()).toContain('bad_HTTP_request');
    // The flow's own uid is the panel's subject, so its records do not repeat it.
    expect(records[1]?.text()).not.toContain('Cdns');
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
    // bob's agent sends a tab and 0x01 in its User-Agent; both show as escapes, as weird.log and http.log write them.
    ['user_agent', 'AssetAgent/3.2\t\u0001x', 'AssetAgent/3.2\\x09\\x01x'],
    ['answers', ['a\u0000b', 'c\u007f'], 'a\\x00b, c\\x7f'],
    ['uri', '/caf\u00e9<b>', '/caf\u00e9<b>'],
    ['certificate.not_valid_after', 1_799_024_742_000_000, '2027-01-04 01:05:42.000000Z'],
  ] as const)('formats %s %j', (field, value, text) => {
    expect(formatRecordValue(field, value, 'utc')).toBe(text);
  });

  it('keeps control bytes as text', async () => {
    engine.records = [{ ...dnsRow, fields: { ...dnsRow.fields, query: '<img src=x>\u0001' } }];
    useRecordsStore().watchSources();
    await startCapture();
    const wrapper = mount(RecordsView, { global: { plugins: [pinia] } });
    await settle();
    const row = wrapper.find('[data-testid="record-row"]');
    expect(row.text()).toContain('<img src=x>\\x01');
    expect(row.find('img').exists()).toBe(false);
  });
});
