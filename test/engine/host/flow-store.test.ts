import { describe, expect, it } from 'vitest';

import { FlowStore } from '../../../src/main/engine/host/flow-store';
import { makeFlow } from './flow-fixtures';

const baseUs = 1_700_000_000_000_000;

function storeWithFlows(): FlowStore {
  const store = new FlowStore();
  store.upsert([
    makeFlow({
      uid: 'Caaa',
      startUs: baseUs + 3_000,
      endUs: baseUs + 4_000,
      originatorAddress: '10.0.0.1',
      responderAddress: '8.8.8.8',
      responderPort: 53,
      transport: 'udp',
      service: 'dns',
      originatorIpBytes: 70,
      responderIpBytes: 130,
    }),
    makeFlow({
      uid: 'Cbbb',
      startUs: baseUs + 1_000,
      endUs: baseUs + 9_000,
      originatorAddress: '10.0.0.2',
      responderAddress: '93.184.216.34',
      responderPort: 443,
      service: 'ssl',
      originatorIpBytes: 5_000,
      responderIpBytes: 90_000,
    }),
    makeFlow({
      uid: 'Cccc',
      startUs: baseUs + 2_000,
      endUs: baseUs + 2_500,
      originatorAddress: '10.0.0.1',
      responderAddress: '10.0.0.2',
      responderPort: 22,
      connectionState: 'REJ',
      history: 'Sr',
      originatorIpBytes: 44,
      responderIpBytes: 40,
    }),
  ]);
  return store;
}

describe('FlowStore', () => {
  it('sorts by start time ascending', () => {
    const page = storeWithFlows().query({
      captureId: 'c',
      offset: 0,
      limit: 10,
      sort: { column: 'startUs', direction: 'ascending' },
      filter: {},
    });
    expect(page.total).toBe(3);
    expect(page.rows.map((flow) => flow.uid)).toEqual(['Cbbb', 'Cccc', 'Caaa']);
  });

  it('sorts by derived total bytes descending', () => {
    const page = storeWithFlows().query({
      captureId: 'c',
      offset: 0,
      limit: 10,
      sort: { column: 'totalBytes', direction: 'descending' },
      filter: {},
    });
    expect(page.rows.map((flow) => flow.uid)).toEqual(['Cbbb', 'Caaa', 'Cccc']);
  });

  it('sorts by duration', () => {
    const page = storeWithFlows().query({
      captureId: 'c',
      offset: 0,
      limit: 10,
      sort: { column: 'durationUs', direction: 'ascending' },
      filter: {},
    });
    expect(page.rows.map((flow) => flow.uid)).toEqual(['Cccc', 'Caaa', 'Cbbb']);
  });

  it('pages with offset and limit', () => {
    const page = storeWithFlows().query({
      captureId: 'c',
      offset: 1,
      limit: 1,
      sort: { column: 'uid', direction: 'ascending' },
      filter: {},
    });
    expect(page.total).toBe(3);
    expect(page.offset).toBe(1);
    expect(page.rows.map((flow) => flow.uid)).toEqual(['Cbbb']);
  });

  it('filters by host on either side', () => {
    const page = storeWithFlows().query({
      captureId: 'c',
      offset: 0,
      limit: 10,
      sort: { column: 'uid', direction: 'ascending' },
      filter: { hosts: ['10.0.0.2'] },
    });
    expect(page.rows.map((flow) => flow.uid)).toEqual(['Cbbb', 'Cccc']);
  });

  it('filters by overlapping time range', () => {
    // [baseUs+2_600, baseUs+3_500) overlaps Cbbb (1_000-9_000) and Caaa (3_000-4_000), not Cccc (2_000-2_500).
    const page = storeWithFlows().query({
      captureId: 'c',
      offset: 0,
      limit: 10,
      sort: { column: 'uid', direction: 'ascending' },
      filter: { timeRange: { startUs: baseUs + 2_600, endUs: baseUs + 3_500 } },
    });
    expect(page.rows.map((flow) => flow.uid)).toEqual(['Caaa', 'Cbbb']);
  });

  it('filters by quick text over service and state', () => {
    const store = storeWithFlows();
    const sort = { column: 'uid', direction: 'ascending' } as const;
    expect(
      store.query({ captureId: 'c', offset: 0, limit: 10, sort, filter: { text: 'DNS' } }).rows.map((flow) => flow.uid),
    ).toEqual(['Caaa']);
    expect(
      store.query({ captureId: 'c', offset: 0, limit: 10, sort, filter: { text: 'rej' } }).rows.map((flow) => flow.uid),
    ).toEqual(['Cccc']);
  });

  it('filters by uid list', () => {
    const page = storeWithFlows().query({
      captureId: 'c',
      offset: 0,
      limit: 10,
      sort: { column: 'uid', direction: 'ascending' },
      filter: { uids: ['Cccc', 'Cnone'] },
    });
    expect(page.rows.map((flow) => flow.uid)).toEqual(['Cccc']);
  });

  it('replaces a flow reported again', () => {
    const store = storeWithFlows();
    const versionBefore = store.version;
    const added = store.upsert([makeFlow({ uid: 'Caaa', originatorIpBytes: 1 }), makeFlow({ uid: 'Cddd' })]);
    expect(added).toBe(1);
    expect(store.size).toBe(4);
    expect(store.get('Caaa')?.originatorIpBytes).toBe(1);
    expect(store.version).toBe(versionBefore + 1);
  });

  it('sees new flows after a cached query', () => {
    const store = storeWithFlows();
    const query = {
      captureId: 'c',
      offset: 0,
      limit: 10,
      sort: { column: 'uid', direction: 'ascending' },
      filter: {},
    } as const;
    expect(store.query(query).total).toBe(3);
    store.upsert([makeFlow({ uid: 'Czzz' })]);
    expect(store.query(query).total).toBe(4);
  });

  it('keeps host and pair totals current', () => {
    const store = storeWithFlows();
    expect(store.traffic.hosts.get('10.0.0.1')).toMatchObject({ bytes: 200 + 84, flows: 2, isInternal: true });
    expect(store.traffic.pairs.get('10.0.0.1\u000010.0.0.2')).toEqual({
      first: '10.0.0.1',
      second: '10.0.0.2',
      bytes: 84,
      flows: 1,
    });

    // Caaa grows from 200 to 1,200 IP bytes: the old counts are taken back before the new ones count.
    store.upsert([
      makeFlow({
        uid: 'Caaa',
        originatorAddress: '10.0.0.1',
        responderAddress: '8.8.8.8',
        originatorIpBytes: 700,
        responderIpBytes: 500,
      }),
    ]);
    expect(store.traffic.hosts.get('10.0.0.1')).toMatchObject({ bytes: 1_200 + 84, flows: 2 });
    expect(store.traffic.hosts.get('8.8.8.8')).toMatchObject({ bytes: 1_200, flows: 1 });
    expect(store.traffic.pairs.get('10.0.0.1\u00008.8.8.8')).toMatchObject({ bytes: 1_200, flows: 1 });
  });
});
