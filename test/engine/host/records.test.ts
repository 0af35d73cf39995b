import { beforeAll, describe, expect, it } from 'vitest';

import { analyzeWithAnalyzers } from '../../../src/main/engine/host/analyze-with-analyzers';
import { EngineService } from '../../../src/main/engine/host/engine-service';
import { RecordStore } from '../../../src/main/engine/host/record-store';
import type { RecordPage, RecordRow } from '../../../src/shared/contract';
import expected from '../../fixtures/sample.expected.json';

const samplePath = new URL('../../../assets/sample.pcapng', import.meta.url).pathname;
let service: EngineService;
let captureId: string;

async function call<T>(name: string, argument: unknown): Promise<T> {
  const result = await service.handle(name, argument);
  if (!result.ok) throw new Error(`${name} failed: ${result.error.message}`);
  return result.value as T;
}

function queryOf(type: string, filter: object = {}, column = 'ts') {
  return { captureId, type, offset: 0, limit: 5000, sort: { column, direction: 'ascending' }, filter };
}

beforeAll(async () => {
  service = new EngineService({ analyze: analyzeWithAnalyzers, emit: () => undefined });
  captureId = (await call<{ captureId: string }>('capture.open', { path: samplePath })).captureId;
  await service.currentSession?.finished;
});

describe('records of the bundled sample', () => {
  it('lists the DNS names', async () => {
    const page = await call<RecordPage>('records.query', queryOf('dns'));
    const names = new Set(page.rows.map((row) => row.fields.query));
    for (const named of expected.namedHosts) if (named.source === 'dns') expect(names).toContain(named.name);
    expect(page.total).toBe(page.rows.length);
  });

  it('lists the TLS server names', async () => {
    const page = await call<RecordPage>('records.query', queryOf('tls'));
    const names = [...new Set(page.rows.map((row) => row.fields.server_name))].sort();
    expect(names).toEqual([...expected.tlsServerNames].sort());
  });

  it('filters by text and host', async () => {
    const byText = await call<RecordPage>('records.query', queryOf('dns', { text: 'updates.example' }));
    expect(byText.total).toBeGreaterThan(0);
    for (const row of byText.rows) expect(String(row.fields.query)).toContain('updates.example.org');

    const tls = await call<RecordPage>('records.query', queryOf('tls', { hosts: ['203.0.113.66'] }));
    expect(tls.total).toBeGreaterThan(0);
    for (const row of tls.rows) expect(row.fields['id.resp_h']).toBe('203.0.113.66');
  });

  it('applies a display filter through the flows', async () => {
    const page = await call<RecordPage>('records.query', queryOf('tls', { displayFilter: 'ip.dst == 203.0.113.66' }));
    expect(page.total).toBeGreaterThan(0);
    for (const row of page.rows) expect(row.fields['id.resp_h']).toBe('203.0.113.66');
    const all = await call<RecordPage>('records.query', queryOf('tls'));
    expect(page.total).toBeLessThan(all.total);
  });

  it('returns the records of one flow', async () => {
    const tls = await call<RecordPage>('records.query', queryOf('tls'));
    const first = tls.rows[0] as RecordRow;
    const records = await call<RecordRow[]>('records.forFlow', { captureId, uid: first.uids[0] });
    expect(records.map((row) => row.type)).toContain('tls');
    expect(records.every((row) => row.uids.includes(first.uids[0] as string))).toBe(true);
  });

  it('serves weird and x509 rows', async () => {
    const weird = await call<RecordPage>('records.query', queryOf('weird'));
    const names = weird.rows.map((row) => [row.fields.name, row.fields['id.orig_h'], row.fields['id.resp_h'], row.fields['id.resp_p']]);
    for (const named of expected.weirds) expect(names).toContainEqual([named.name, named.originator, named.responder, named.responderPort]);
    const bad = weird.rows.find((row) => row.fields.name === 'bad_HTTP_request') as RecordRow;
    const records = await call<RecordRow[]>('records.forFlow', { captureId, uid: bad.uids[0] });
    expect(records.map((row) => row.type).sort()).toEqual(['http', 'weird']);

    // Every TLS session that saw a certificate chain names its certificates' fingerprints in ssl.log.
    const x509 = await call<RecordPage>('records.query', queryOf('x509'));
    const tls = await call<RecordPage>('records.query', queryOf('tls'));
    const chained = new Set(tls.rows.flatMap((row) => (row.fields.cert_chain_fps as string[] | null) ?? []));
    expect(x509.total).toBeGreaterThan(0);
    for (const row of x509.rows) expect(chained).toContain(row.fields.fingerprint);
  });
});

describe('RecordStore', () => {
  it('sorts numbers, keeps missing values last', () => {
    const store = new RecordStore();
    store.add('http', { ts: 3, uid: 'C1', status_code: 404 });
    store.add('http', { ts: 1, uid: 'C2', status_code: 200 });
    store.add('http', { ts: 2, uid: 'C3', status_code: null });
    const query = { type: 'http' as const, offset: 0, limit: 10, filter: {} };
    const ascending = store.query({ ...query, sort: { column: 'status_code', direction: 'ascending' } });
    expect(ascending.rows.map((row) => row.uids[0])).toEqual(['C2', 'C1', 'C3']);
    const descending = store.query({ ...query, sort: { column: 'status_code', direction: 'descending' } });
    expect(descending.rows.map((row) => row.uids[0])).toEqual(['C1', 'C2', 'C3']);
  });

  it('keys DHCP records by every uid', () => {
    const store = new RecordStore();
    store.add('dhcp', { ts: 5, uids: ['Ca', 'Cb'], client_addr: '10.0.0.7' });
    expect(store.forFlow('Cb').map((row) => row.fields.client_addr)).toEqual(['10.0.0.7']);
    const page = store.query({
      type: 'dhcp',
      offset: 0,
      limit: 10,
      sort: { column: 'ts', direction: 'ascending' },
      filter: { timeRange: { startUs: 6, endUs: 10 } },
    });
    expect(page.total).toBe(0);
  });
});
