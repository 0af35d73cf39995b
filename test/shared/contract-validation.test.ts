import { describe, expect, it } from 'vitest';

import {
  eventNames,
  listenerNameOf,
  methodNameOf,
  parseContractMessage,
  queryLimits,
  requestNames,
  validateRequest,
  type RequestArgument,
  type RequestName,
} from '../../src/shared/contract';

const filter = {};
const query = {
  captureId: 'c1',
  offset: 0,
  limit: 100,
  sort: { column: 'startUs', direction: 'descending' },
  filter,
} as const;

/** A valid argument for every request; the mapped type makes the compiler demand every entry. */
const validArguments: { [TName in RequestName]: RequestArgument<TName> } = {
  'capture.open': { path: '/data/sample.pcapng' },
  'capture.cancel': { captureId: 'c1' },
  'capture.status': {},
  'flows.query': {
    ...query,
    filter: { timeRange: { startUs: 1, endUs: 2 }, hosts: ['10.0.0.1'], uids: ['C1'], text: 'dns' },
  },
  'flows.get': { captureId: 'c1', uid: 'CAbc' },
  'aggregates.timeline': { captureId: 'c1', filter, bucketCount: 200 },
  'aggregates.hostGraph': { captureId: 'c1', filter, maxNodes: 150 },
  'aggregates.overview': { captureId: 'c1' },
  'alerts.list': { captureId: 'c1', filter, minimumSeverity: 'medium' },
  'alerts.setState': { captureId: 'c1', alertId: 'A0123456789abcdef', state: 'dismissed' },
  'alerts.getAllowList': { captureId: 'c1' },
  'records.query': { ...query, type: 'dns', sort: { column: 'query', direction: 'ascending' } },
  'records.forFlow': { captureId: 'c1', uid: 'CAbc' },
  'alerts.setAllowList': {
    captureId: 'c1',
    allowList: { hosts: ['10.0.0.1'], networks: ['10.1.0.0/16'], domains: ['example.org'], pairs: [['10.0.0.1', '10.0.0.2']] },
  },
  'recent.list': {},
  'recent.add': { path: '/data/sample.pcapng' },
  'recent.clear': {},
  'settings.get': {},
  'settings.set': { timeZone: 'local' },
  'dialog.openCapture': {},
  'app.info': {},
  'app.openInWireshark': { path: '/captures/evidence.pcapng' },
  'capture.listInterfaces': {},
  'capture.validateFilter': { filter: 'tcp port 80', linkType: 1 },
  'capture.startLive': {
    device: 'eth0',
    filter: 'tcp',
    snaplen: 65535,
    promiscuous: false,
    bufferSizeBytes: 4_194_304,
    isHeadersOnly: true,
    ringFileBytes: 1_048_576,
    ringFiles: 4,
  },
  'capture.pauseLive': { captureId: 'c1' },
  'capture.resumeLive': { captureId: 'c1' },
  'capture.stopLive': { captureId: 'c1' },
  'cases.list': {},
  'cases.open': { caseId: '2026-12-04-sample-pcapng-a1b2c3' },
  'cases.delete': { caseId: '2026-12-04-sample-pcapng-a1b2c3' },
  'cases.getSettings': {},
  'cases.setSettings': { isPayloadKept: false, diskCapBytes: 1024 * 1024 * 1024 },
  'filter.check': { text: 'tcp.port == 80' },
  'filter.complete': { prefix: 'tcp.' },
  'packets.list': { captureId: 'c1', uid: 'CabcDEF123', offset: 0, limit: 100 },
  'packets.detail': { captureId: 'c1', sourceId: 0, packetNumber: 1 },
  'stream.follow': { captureId: 'c1', uid: 'CabcDEF123', capBytes: 65_536 },
  'export.carve': { captureId: 'c1', path: '', selection: { kind: 'alert', alertId: 'a1' } },
};

/** Malformed arguments per request with the field the error must name; each line is one rule. */
const malformedArguments: { [TName in RequestName]: [argument: unknown, field: string][] } = {
  'capture.open': [
    [{ path: '' }, 'path'], // empty path
    [{ path: 7 }, 'path'], // not a string
    [{}, 'path'], // missing
    [{ path: 'a'.repeat(4_097) }, 'path'], // longer than any file system allows
  ],
  'capture.cancel': [[{ captureId: '' }, 'captureId']],
  'capture.status': [[{ captureId: 'c1' }, 'captureId']], // takes no fields
  'flows.query': [
    [{ ...query, offset: -1 }, 'offset'],
    [{ ...query, offset: 1.5 }, 'offset'],
    [{ ...query, limit: 0 }, 'limit'],
    [{ ...query, limit: queryLimits.maxPageRows + 1 }, 'limit'],
    [{ ...query, sort: { column: 'payload', direction: 'descending' } }, 'sort.column'],
    [{ ...query, sort: { column: 'uid', direction: 'down' } }, 'sort.direction'],
    [{ ...query, filter: { hosts: ['10.0.0.1', 5] } }, 'filter.hosts[1]'],
    [
      { ...query, filter: { hosts: Array.from({ length: queryLimits.maxFilterHosts + 1 }, () => 'h') } },
      'filter.hosts',
    ],
    [{ ...query, filter: { timeRange: { startUs: 10, endUs: 5 } } }, 'filter.timeRange.endUs'],
    [{ ...query, filter: { timeRange: { startUs: -1, endUs: 5 } } }, 'filter.timeRange.startUs'],
    [{ ...query, filter: { timeRange: { startUs: 2 ** 53, endUs: 2 ** 53 } } }, 'filter.timeRange.startUs'],
    [{ ...query, filter: { text: 'x'.repeat(queryLimits.maxFilterTextLength + 1) } }, 'filter.text'],
    [{ ...query, filter: { bpf: 'tcp' } }, 'filter.bpf'], // unknown filter key
    [{ ...query, captureId: undefined }, 'captureId'],
  ],
  'flows.get': [[{ captureId: 'c1' }, 'uid']],
  'aggregates.timeline': [
    [{ captureId: 'c1', filter, bucketCount: 5 }, 'bucketCount'],
    [{ captureId: 'c1', filter, bucketCount: queryLimits.maxTimelineBuckets + 1 }, 'bucketCount'],
    [{ captureId: 'c1' }, 'filter'],
  ],
  'aggregates.hostGraph': [
    [{ captureId: 'c1', filter, maxNodes: 1 }, 'maxNodes'],
    [{ captureId: 'c1', filter, maxNodes: queryLimits.maxGraphNodes + 1 }, 'maxNodes'],
  ],
  'aggregates.overview': [[{ captureId: 'c1', filter: { hosts: 'all' } }, 'filter.hosts']],
  'alerts.list': [[{ captureId: 'c1', filter, minimumSeverity: 'urgent' }, 'minimumSeverity']],
  'alerts.setState': [
    [{ captureId: 'c1', alertId: 'A1', state: 'ignored' }, 'state'], // not a verdict
    [{ captureId: 'c1', alertId: '', state: 'open' }, 'alertId'],
    [{ captureId: 'c1', state: 'open' }, 'alertId'],
  ],
  'alerts.getAllowList': [[{}, 'captureId']],
  'records.query': [
    [{ ...query, type: 'ftp' }, 'type'], // no such record table
    [{ ...query, type: 'dns', limit: queryLimits.maxPageRows + 1 }, 'limit'],
    [{ ...query, type: 'dns', sort: { column: '', direction: 'ascending' } }, 'sort.column'],
  ],
  'records.forFlow': [[{ captureId: 'c1' }, 'uid']],
  'alerts.setAllowList': [
    [{ captureId: 'c1', allowList: { hosts: [''] } }, 'allowList.hosts[0]'], // empty entry
    [{ captureId: 'c1', allowList: { pairs: [['10.0.0.1']] } }, 'allowList.pairs[0]'], // half a pair
    [{ captureId: 'c1', allowList: { ports: [80] } }, 'allowList.ports'], // unknown kind
  ],
  'recent.list': [[{ limit: 3 }, 'limit']],
  'recent.add': [[{ path: null }, 'path']],
  'recent.clear': [[{ all: true }, 'all']],
  'settings.get': [[{ key: 'theme' }, 'key']],
  'settings.set': [
    [{ theme: 'blue' }, 'theme'],
    [{ timeZone: 'Europe/Paris' }, 'timeZone'],
  ],
  'dialog.openCapture': [[{ defaultPath: '/' }, 'defaultPath']],
  'app.info': [[{ verbose: true }, 'verbose']],
  'app.openInWireshark': [
    [{}, 'path'],
    [{ path: '' }, 'path'],
    [{ path: '/a.pcap', args: ['-k'] }, 'args'],
  ],
  'capture.listInterfaces': [[{ all: true }, 'all']],
  'capture.validateFilter': [
    [{}, 'filter'], // missing
    [{ filter: 'x'.repeat(8_193) }, 'filter'], // past the length cap
    [{ filter: 'tcp', linkType: 70_000 }, 'linkType'], // not a 16-bit link type
  ],
  'capture.startLive': [
    [{ device: '' }, 'device'], // empty device name
    [{ device: 'eth0', snaplen: 10 }, 'snaplen'], // shorter than any link header
    [{ device: 'eth0', snaplen: 262_145 }, 'snaplen'], // past libpcap's maximum
    [{ device: 'eth0', bufferSizeBytes: -1 }, 'bufferSizeBytes'],
    [{ device: 'eth0', ringFiles: 1 }, 'ringFiles'], // a ring needs two files
    [{ device: 'eth0', ringFileBytes: 100 }, 'ringFileBytes'], // smaller than one big packet block
    [{ device: 'eth0', promiscuous: 'yes' }, 'promiscuous'],
    [{ device: 'eth0', run: 'rm' }, 'run'], // unknown key
  ],
  'capture.pauseLive': [[{}, 'captureId']],
  'capture.resumeLive': [[{ captureId: '' }, 'captureId']],
  'capture.stopLive': [[{ captureId: 7 }, 'captureId']],
  'cases.list': [[{ folder: '/etc' }, 'folder']],
  'cases.open': [
    [{ caseId: '../../etc' }, 'caseId'], // a case id never leaves the cases folder
    [{ caseId: '' }, 'caseId'],
  ],
  'cases.delete': [[{ caseId: 'a/b' }, 'caseId']],
  'cases.getSettings': [[{ all: true }, 'all']],
  'cases.setSettings': [
    [{ diskCapBytes: 1024 }, 'diskCapBytes'],
    [{ diskCapBytes: 1.5e9 + 0.5 }, 'diskCapBytes'],
    [{ isPayloadKept: 'no' }, 'isPayloadKept'],
    [{ keepPackets: true }, 'keepPackets'],
  ],
  'filter.check': [[{ text: 'x'.repeat(4_097) }, 'text']],
  'filter.complete': [[{ prefix: 5 }, 'prefix']],
  'packets.list': [[{ captureId: 'c1', uid: 'C1', limit: 0 }, 'limit']],
  'packets.detail': [[{ captureId: 'c1', sourceId: 0, packetNumber: 0 }, 'packetNumber']], // numbers start at 1
  'stream.follow': [[{ captureId: 'c1', uid: '' }, 'uid']],
  'export.carve': [
    [{ captureId: 'c1', path: '', selection: { kind: 'flows', uids: [] } }, 'selection.uids'],
    [{ captureId: 'c1', path: '', selection: { kind: 'everything' } }, 'selection.kind'],
  ],
};

describe('request validators', () => {
  it.each(requestNames)('%s accepts a valid argument', (name) => {
    expect(validateRequest(name, validArguments[name])).toMatchObject({ ok: true });
  });

  it.each(requestNames)('%s rejects a non-object argument', (name) => {
    for (const argument of [undefined, null, 'text', 42, []]) {
      const result = validateRequest(name, argument);
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'invalid-argument', details: { request: name, field: '(argument)' } },
      });
    }
  });

  const cases = requestNames.flatMap((name) =>
    malformedArguments[name].map(([argument, field]) => [name, field, argument] as const),
  );
  it.each(cases)('%s names field %s', (name, field, argument) => {
    const result = validateRequest(name, argument);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid-argument');
    expect(result.error.details.field).toBe(field);
    expect(result.error.message).toContain(`Invalid argument for ${name}: field "${field}"`);
  });

  it('rejects a request outside the contract', () => {
    expect(validateRequest('capture.delete', {})).toMatchObject({
      ok: false,
      error: { code: 'unknown-request', details: { request: 'capture.delete' } },
    });
  });

  it('keeps the parsed argument', () => {
    expect(validateRequest('flows.get', { captureId: 'c1', uid: 'CAbc' })).toEqual({
      ok: true,
      value: { captureId: 'c1', uid: 'CAbc' },
    });
  });
});

describe('contract names', () => {
  it('gives every request a distinct method', () => {
    const methods = requestNames.map(methodNameOf);
    expect(new Set(methods).size).toBe(requestNames.length);
    expect(methods).toContain('aggregatesHostGraph');
  });

  it('gives every event a distinct listener', () => {
    const listeners = eventNames.map(listenerNameOf);
    expect(new Set(listeners).size).toBe(eventNames.length);
    expect(listeners).toEqual(
      expect.arrayContaining(['onCaptureProgress', 'onCaptureBatch', 'onEngineCrashed', 'onEngineRestarted']),
    );
  });

  it('keys every entry area.verb', () => {
    for (const name of [...requestNames, ...eventNames]) expect(name).toMatch(/^[a-z]+\.[a-z][A-Za-z]*$/);
  });
});

describe('parseContractMessage', () => {
  it.each([
    [{ type: 'request', id: 1, name: 'app.info', argument: {} }, 'request'],
    [{ type: 'response', id: 1, result: { ok: true, value: 1 } }, 'response'],
    [{ type: 'event', name: 'capture.batch', payload: {} }, 'event'],
  ])('accepts %j', (message, type) => {
    expect(parseContractMessage(message)?.type).toBe(type);
  });

  it.each([
    [null],
    ['{"type":"request"}'], // text, not a parsed object
    [{ type: 'request', id: '1', name: 'app.info' }], // id not a number
    [{ type: 'request', id: 1.5, name: 'app.info' }], // id not an integer
    [{ type: 'request', id: 1 }], // no name
    [{ type: 'response', id: 1, result: null }], // no result
    [{ type: 'call', id: 1, name: 'app.info' }], // unknown type
  ])('rejects %j', (message) => {
    expect(parseContractMessage(message)).toBeNull();
  });
});
