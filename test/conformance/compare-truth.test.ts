/**
 * The comparators themselves, on small hand-made truth tables and flows, so a
 * bug in the suite cannot pass a wrong engine. Needs no public captures.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../src/shared/domain/flow';
import type { CaptureSummary } from '../../src/shared/domain/capture-summary';
import { compareWithTruth, normalizeAddress } from './compare-truth';
import { findAcceptance } from './conformance-difference';
import { acceptedDifferences } from './accepted-differences';
import { repositoryRoot } from './public-captures';
import type { CaptureTruth, TruthTable } from './public-captures';
import { compareWithConnBaseline, parseConnLog } from './zeek-baselines';

function makeFlow(fields: Partial<FlowRecord>): FlowRecord {
  return {
    uid: 'C0000000000000000',
    communityId: '1:x',
    startUs: 0,
    endUs: 0,
    firstPacketNumber: 1,
    lastPacketNumber: 1,
    originatorAddress: '10.0.0.1',
    originatorPort: 1025,
    responderAddress: '10.0.0.2',
    responderPort: 80,
    transport: 'tcp',
    ipProtocol: 6,
    vlan: null,
    innerVlan: null,
    service: null,
    originatorBytes: 0,
    responderBytes: 0,
    missedBytes: 0,
    originatorPackets: 0,
    responderPackets: 0,
    originatorIpBytes: 0,
    responderIpBytes: 0,
    originatorPayloadBytes: 0,
    responderPayloadBytes: 0,
    connectionState: 'SF',
    history: 'ShADadFf',
    tunnelParents: [],
    isFinished: true,
    ...fields,
  };
}

function makeSummary(packets: number, fileProblemCount = 0): CaptureSummary {
  return {
    path: 'x.pcap',
    format: 'pcap',
    isCompressed: false,
    fileBytes: 0,
    packets,
    capturedBytes: 0,
    wireBytes: 0,
    flows: 0,
    firstUs: null,
    lastUs: null,
    linkTypes: [],
    fileProblems: fileProblemCount === 0 ? [] : [{ code: 'truncated-file', count: fileProblemCount, examples: [] }],
    decodeProblems: [],
    isCancelled: false,
  };
}

const pairColumns = [
  'a',
  'b',
  'frames_ab',
  'bytes_ab',
  'frames_ba',
  'bytes_ba',
  'ip_bytes_ab',
  'ip_bytes_ba',
  'first_ts',
  'last_ts',
];
const flowColumns = [
  'stream',
  'a_addr',
  'a_port',
  'b_addr',
  'b_port',
  'frames_ab',
  'bytes_ab',
  'frames_ba',
  'bytes_ba',
  'ip_bytes_ab',
  'ip_bytes_ba',
  'first_ts',
  'last_ts',
];

function makeTable(
  columns: string[],
  rows: (string | number | null)[][],
  truncated = false,
  totals: Record<string, number> = {},
): TruthTable {
  return { columns, rows, total_rows: rows.length, truncated, totals };
}

/** One TCP flow 10.0.0.1:1025 -> 10.0.0.2:80, 3 packets / 180 IP bytes out and 2 / 1500 back, as tshark lists it. */
function makeTruth(overrides: Partial<CaptureTruth> = {}): CaptureTruth {
  return {
    schema: 'tshark-truth/2',
    file: 'x.pcap',
    packets: 5,
    read_error: null,
    malformed_frames: { count: 0, frames: [] },
    flows: {
      // tshark's A is the source of the first packet it saw, here the server.
      ip: makeTable(pairColumns, [['10.0.0.2', '10.0.0.1', 2, 0, 3, 0, 1500, 180, '0', '0']]),
      ipv6: makeTable(pairColumns, []),
      tcp: makeTable(flowColumns, [[0, '10.0.0.1', 1025, '10.0.0.2', 80, 3, 0, 2, 0, 180, 1500, '0', '0']]),
      udp: makeTable(flowColumns, []),
    },
    ...overrides,
  };
}

const matchingFlow = makeFlow({
  originatorPackets: 3,
  originatorIpBytes: 180,
  responderPackets: 2,
  responderIpBytes: 1500,
});

describe('compareWithTruth', () => {
  it('accepts matching counts', () => {
    const differences = compareWithTruth('x.pcap', makeTruth(), {
      flows: [matchingFlow],
      summary: makeSummary(5),
      error: null,
    });
    expect(differences).toEqual([]);
  });

  it('matches directions by address', () => {
    const swapped = makeFlow({
      originatorPackets: 2,
      originatorIpBytes: 1500,
      responderPackets: 3,
      responderIpBytes: 180,
    });
    const differences = compareWithTruth('x.pcap', makeTruth(), {
      flows: [swapped],
      summary: makeSummary(5),
      error: null,
    });
    expect(differences).toContainEqual({
      capture: 'x.pcap',
      reference: 'tshark',
      table: 'ip',
      key: '10.0.0.1 -> 10.0.0.2',
      field: 'packets',
      expected: 3,
      found: 2,
    });
    expect(differences).toContainEqual({
      capture: 'x.pcap',
      reference: 'tshark',
      table: 'tcp',
      key: 'tcp 10.0.0.1:1025 -> 10.0.0.2:80',
      field: 'ipBytes',
      expected: 180,
      found: 1500,
    });
  });

  it('sums flows sharing a 5-tuple', () => {
    const first = makeFlow({
      originatorPackets: 2,
      originatorIpBytes: 120,
      responderPackets: 1,
      responderIpBytes: 1000,
    });
    const second = makeFlow({
      originatorPackets: 1,
      originatorIpBytes: 60,
      responderPackets: 1,
      responderIpBytes: 500,
    });
    const differences = compareWithTruth('x.pcap', makeTruth(), {
      flows: [first, second],
      summary: makeSummary(5),
      error: null,
    });
    expect(differences).toEqual([]);
  });

  it('sums tshark streams sharing a 5-tuple', () => {
    const tcp = makeTable(flowColumns, [
      [0, '10.0.0.1', 1025, '10.0.0.2', 80, 2, 0, 0, 0, 120, 0, '0', '0'],
      [1, '10.0.0.2', 80, '10.0.0.1', 1025, 2, 0, 1, 0, 1500, 60, '0', '0'],
    ]);
    const truth = makeTruth();
    truth.flows.tcp = tcp;
    expect(compareWithTruth('x.pcap', truth, { flows: [matchingFlow], summary: makeSummary(5), error: null })).toEqual(
      [],
    );
  });

  it('adds both directions of a host talking to itself', () => {
    const truth = makeTruth();
    truth.flows.ip = makeTable(pairColumns, [['127.0.0.1', '127.0.0.1', 5, 0, 0, 0, 1680, 0, '0', '0']]);
    truth.flows.tcp = makeTable(flowColumns, [
      [0, '127.0.0.1', 1025, '127.0.0.1', 80, 3, 0, 2, 0, 180, 1500, '0', '0'],
    ]);
    const loopback = { ...matchingFlow, originatorAddress: '127.0.0.1', responderAddress: '127.0.0.1' };
    expect(compareWithTruth('x.pcap', truth, { flows: [loopback], summary: makeSummary(5), error: null })).toEqual([]);
  });

  it('reports a missing and an extra flow', () => {
    const udp = makeFlow({
      transport: 'udp',
      ipProtocol: 17,
      originatorPort: 53,
      responderPort: 53,
      originatorPackets: 1,
      originatorIpBytes: 60,
    });
    const differences = compareWithTruth('x.pcap', makeTruth(), { flows: [udp], summary: makeSummary(5), error: null });
    expect(differences).toContainEqual({
      capture: 'x.pcap',
      reference: 'tshark',
      table: 'tcp',
      key: 'tcp 10.0.0.1:1025 <-> 10.0.0.2:80',
      field: 'presence',
      expected: '10.0.0.1:1025 -> 10.0.0.2:80 3 pkts, 10.0.0.2:80 -> 10.0.0.1:1025 2 pkts',
      found: 'no flow',
    });
    expect(differences).toContainEqual({
      capture: 'x.pcap',
      reference: 'tshark',
      table: 'udp',
      key: 'udp 10.0.0.1:53 <-> 10.0.0.2:53',
      field: 'presence',
      expected: 'no conversation',
      found: '10.0.0.1:53 -> 10.0.0.2:53 1 pkts, 10.0.0.2:53 -> 10.0.0.1:53 0 pkts',
    });
  });

  it('compares totals of a capped table', () => {
    const truth = makeTruth();
    truth.flows.ip = makeTable(pairColumns, [['10.0.0.2', '10.0.0.1', 2, 0, 3, 0, 1500, 180, '0', '0']], true, {
      frames_ab: 2,
      frames_ba: 4,
      ip_bytes_ab: 1500,
      ip_bytes_ba: 240,
    });
    truth.flows.ip.total_rows = 2;
    const differences = compareWithTruth('x.pcap', truth, {
      flows: [matchingFlow],
      summary: makeSummary(5),
      error: null,
    });
    expect(differences).toEqual([
      {
        capture: 'x.pcap',
        reference: 'tshark',
        table: 'ip',
        key: 'all 2 conversations',
        field: 'packets',
        expected: 6,
        found: 5,
      },
      {
        capture: 'x.pcap',
        reference: 'tshark',
        table: 'ip',
        key: 'all 2 conversations',
        field: 'ipBytes',
        expected: 1740,
        found: 1680,
      },
    ]);
  });

  it('skips unknown ip bytes', () => {
    const truth = makeTruth();
    truth.flows.ip = makeTable(pairColumns, [['10.0.0.2', '10.0.0.1', 2, 0, 3, 0, null, null, '0', '0']]);
    const flow = makeFlow({
      originatorPackets: 3,
      originatorIpBytes: 999,
      responderPackets: 2,
      responderIpBytes: 1500,
    });
    const differences = compareWithTruth('x.pcap', truth, { flows: [flow], summary: makeSummary(5), error: null });
    expect(differences.filter((d) => d.table === 'ip')).toEqual([]);
  });

  it('requires a file warning after a read error', () => {
    const truth = makeTruth({ read_error: ['cut short'] });
    const differences = compareWithTruth('x.pcap', truth, {
      flows: [matchingFlow],
      summary: makeSummary(4),
      error: null,
    });
    expect(differences.map((d) => d.field)).toEqual(['packets (at least)', 'file warning']);
  });

  it('lets an unreadable file fail with a message', () => {
    const truth = makeTruth({ read_error: ['unsupported'], packets: 0 });
    truth.flows.ip = makeTable(pairColumns, []);
    truth.flows.tcp = makeTable(flowColumns, []);
    expect(
      compareWithTruth('x.pcap', truth, {
        flows: [],
        summary: null,
        error: new Error('x.pcap: unsupported pcap version 1.0'),
      }),
    ).toEqual([]);
    expect(compareWithTruth('x.pcap', makeTruth(), { flows: [], summary: null, error: new Error('boom') })).toEqual([
      {
        capture: 'x.pcap',
        reference: 'tshark',
        table: 'summary',
        key: 'capture',
        field: 'analyze',
        expected: 'completes',
        found: 'boom',
      },
    ]);
  });
});

describe('normalizeAddress', () => {
  it.each([
    ['10.1.2.3', '10.1.2.3'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:0:4137:9e50:8000:f12a:b9c8:2815', '2001:0:4137:9e50:8000:f12a:b9c8:2815'],
    ['FE80::217:F2FF:FED7:CF65', 'fe80::217:f2ff:fed7:cf65'],
    ['::ffff:10.0.0.1', '::ffff:a00:1'],
    ['::', '::'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ])('%s -> %s', (input, output) => {
    expect(normalizeAddress(input)).toBe(output);
  });
});

describe('compareWithConnBaseline', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'tideline-conn-'));
  const logPath = path.join(folder, 'conn.log');
  writeFileSync(
    logPath,
    [
      '#separator \\x09',
      '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\tip_proto',
      // Zeek logs the later RST flow first, because it ended first.
      'XXXXXXXXXX.XXXXXX\tCa\t10.0.0.1\t1025\t10.0.0.2\t80\ttcp\t-\t-\t-\t-\tOTH\tT\tF\t0\tR\t1\t40\t0\t0\t-\t6',
      'XXXXXXXXXX.XXXXXX\tCb\t10.0.0.1\t1025\t10.0.0.2\t80\ttcp\thttp\t0.5\t10\t20\tSF\tT\tF\t0\tShADadFf\t3\t180\t2\t1500\t-\t6',
      '#close XXXX',
    ].join('\n'),
  );
  const baseline = parseConnLog('x.pcap', logPath, []);
  const established = makeFlow({
    firstPacketNumber: 1,
    originatorBytes: 10,
    responderBytes: 20,
    originatorPackets: 3,
    originatorIpBytes: 180,
    responderPackets: 2,
    responderIpBytes: 1500,
  });
  const reset = makeFlow({
    firstPacketNumber: 9,
    connectionState: 'OTH',
    history: 'R',
    originatorPackets: 1,
    originatorIpBytes: 40,
  });

  it('pairs same-tuple flows by their fields', () => {
    expect(baseline.rows).toHaveLength(2);
    expect(compareWithConnBaseline(baseline, [established, reset])).toEqual([]);
  });

  it('reports field, missing and extra flow', () => {
    const wrongHistory = { ...established, history: 'ShADadF' };
    const extra = makeFlow({ originatorAddress: '10.0.0.9', history: 'S', connectionState: 'S0' });
    const differences = compareWithConnBaseline(baseline, [wrongHistory, extra]);
    const key = 'tcp 10.0.0.1:1025 -> 10.0.0.2:80';
    expect(differences).toEqual([
      {
        capture: 'x.pcap',
        reference: 'zeek',
        table: 'conn.log',
        key,
        field: 'presence',
        expected: 'OTH R',
        found: 'no flow',
      },
      {
        capture: 'x.pcap',
        reference: 'zeek',
        table: 'conn.log',
        key,
        field: 'history',
        expected: 'ShADadFf',
        found: 'ShADadF',
      },
      {
        capture: 'x.pcap',
        reference: 'zeek',
        table: 'conn.log',
        key: 'tcp 10.0.0.9:1025 -> 10.0.0.2:80',
        field: 'presence',
        expected: 'no flow',
        found: 'S0 S',
      },
    ]);
  });
});

describe('findAcceptance', () => {
  const difference = {
    capture: 'a.pcap',
    reference: 'tshark',
    table: 'udp',
    key: 'udp k',
    field: 'packets',
    expected: 1,
    found: 3,
  } as const;

  it('matches capture, table, field, key and value', () => {
    const entry = { capture: 'a.pcap', table: 'udp', key: 'udp k', field: 'packets', found: 3, reason: 'r' } as const;
    expect(findAcceptance(difference, [entry])).toBe(entry);
    expect(findAcceptance(difference, [{ ...entry, found: 4 }])).toBeUndefined();
    expect(findAcceptance(difference, [{ ...entry, key: 'udp other' }])).toBeUndefined();
    expect(findAcceptance(difference, [{ ...entry, capture: 'b.pcap' }])).toBeUndefined();
  });
});

describe('acceptedDifferences', () => {
  it('appear in docs/conformance.md', () => {
    const document = readFileSync(path.join(repositoryRoot, 'docs', 'conformance.md'), 'utf8');
    const missing = [...new Set(acceptedDifferences.map((entry) => entry.capture))].filter(
      (capture) => !new RegExp(`^\\|\\s*${capture.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\|`, 'm').test(document),
    );
    expect(missing).toEqual([]);
  });

  it('each give a reason', () => {
    const unexplained = acceptedDifferences
      .filter((entry) => entry.reason.trim().length < 40)
      .map((entry) => `${entry.capture} ${entry.field}`);
    expect(unexplained).toEqual([]);
  });
});
