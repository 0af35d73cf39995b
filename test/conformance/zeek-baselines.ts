/**
 * Reads the Zeek conn.log baselines kept beside the public captures and
 * compares Tideline's flows with them: the set of flows, conn_state, history,
 * packet and byte counts. Timestamps are masked in the baselines and uids come
 * from Zeek's own seed, so flows are matched by 5-tuple and order.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FlowRecord } from '../../src/shared/domain/flow';
import type { ConformanceDifference } from './conformance-difference';
import { normalizeAddress } from './compare-truth';
import type { PublicCaptures } from './public-captures';

export interface ConnBaseline {
  /** Capture path relative to the public folder, e.g. "zeek/q-in-q.pcap". */
  capture: string;
  logPath: string;
  /** The Zeek command lines from meta.json, for messages. */
  invocation: string[];
  rows: Record<string, string>[];
  /** Why the log cannot be compared flow by flow, or null when it can. */
  skipReason: string | null;
}

/** Fields compared per flow, with the FlowRecord value each one maps to. */
const comparedFields: { name: string; read: (flow: FlowRecord) => string | number }[] = [
  { name: 'conn_state', read: (flow) => flow.connectionState },
  { name: 'history', read: (flow) => flow.history },
  { name: 'orig_pkts', read: (flow) => flow.originatorPackets },
  { name: 'resp_pkts', read: (flow) => flow.responderPackets },
  { name: 'orig_ip_bytes', read: (flow) => flow.originatorIpBytes },
  { name: 'resp_ip_bytes', read: (flow) => flow.responderIpBytes },
  // Zeek leaves orig_bytes and resp_bytes unset ("-") for a flow of zero duration.
  { name: 'orig_bytes', read: (flow) => flow.originatorBytes },
  { name: 'resp_bytes', read: (flow) => flow.responderBytes },
  { name: 'missed_bytes', read: (flow) => flow.missedBytes },
];

/** Returns the conn.log baselines for each capture path, read from zeek/expected/. */
export function findConnBaselines(captures: PublicCaptures): Map<string, ConnBaseline[]> {
  const folder = path.join(captures.root, 'zeek', 'expected');
  const byCapture = new Map<string, ConnBaseline[]>();
  if (!existsSync(folder)) return byCapture;

  for (const name of readdirSync(folder).sort()) {
    if (!name.endsWith('.meta.json')) continue;
    const prefix = name.slice(0, -'.meta.json'.length);
    const meta = JSON.parse(readFileSync(path.join(folder, name), 'utf8')) as {
      pcap: string;
      logs: string[];
      zeek_invocation: string[];
    };
    for (const log of meta.logs) {
      if (!log.startsWith('conn')) continue;
      const logPath = path.join(folder, `${prefix}.${log}`);
      if (!existsSync(logPath)) continue;
      const baseline = parseConnLog(`zeek/${meta.pcap}`, logPath, meta.zeek_invocation);
      const list = byCapture.get(baseline.capture) ?? [];
      list.push(baseline);
      byCapture.set(baseline.capture, list);
    }
  }
  return byCapture;
}

/** Parses a Zeek TSV log; a log printed by a test script without "#fields" takes its first line as the header. */
export function parseConnLog(capture: string, logPath: string, invocation: string[]): ConnBaseline {
  const lines = readFileSync(logPath, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  let columns: string[] | null = null;
  const rows: Record<string, string>[] = [];
  for (const line of lines) {
    if (line.startsWith('#fields\t')) {
      columns = line.split('\t').slice(1);
      continue;
    }
    if (line.startsWith('#')) continue;
    if (columns === null) {
      columns = line.split('\t');
      continue;
    }
    const cells = line.split('\t');
    const row: Record<string, string> = {};
    columns.forEach((column, index) => {
      row[column] = cells[index] ?? '';
    });
    rows.push(row);
  }

  const hasKey = columns !== null && columns.includes('id.orig_h') && columns.includes('proto');
  const skipReason = hasKey
    ? null
    : `the log has no id.orig_h/proto columns (columns: ${(columns ?? []).join(', ')}), so its rows cannot be matched to flows`;
  return { capture, logPath, invocation, rows, skipReason };
}

function flowKey(
  transport: string,
  originator: string,
  originatorPort: number | string,
  responder: string,
  responderPort: number | string,
): string {
  return `${transport} ${normalizeAddress(originator)}:${String(originatorPort)} -> ${normalizeAddress(responder)}:${String(responderPort)}`;
}

/**
 * Returns every difference between `flows` and the baseline: a baseline flow
 * we lack, a flow the baseline lacks, and each compared field that differs.
 */
export function compareWithConnBaseline(baseline: ConnBaseline, flows: readonly FlowRecord[]): ConformanceDifference[] {
  const differences: ConformanceDifference[] = [];
  if (baseline.skipReason !== null) return differences;
  const add = (key: string, field: string, expected: string | number | null, found: string | number | null): void => {
    differences.push({ capture: baseline.capture, reference: 'zeek', table: 'conn.log', key, field, expected, found });
  };

  // Group both sides by directed 5-tuple; our flows in order of their first packet.
  const expectedByKey = new Map<string, Record<string, string>[]>();
  for (const row of baseline.rows) {
    const key = flowKey(
      row.proto ?? '',
      row['id.orig_h'] ?? '',
      row['id.orig_p'] ?? '',
      row['id.resp_h'] ?? '',
      row['id.resp_p'] ?? '',
    );
    expectedByKey.set(key, [...(expectedByKey.get(key) ?? []), row]);
  }
  const foundByKey = new Map<string, FlowRecord[]>();
  // IP-level flows (fragments without their first) have no ports, and Zeek logs nothing for them.
  const ordered = flows.filter((flow) => flow.isIpOnly !== true).sort((a, b) => a.firstPacketNumber - b.firstPacketNumber);
  for (const flow of ordered) {
    const key = flowKey(
      flow.transport,
      flow.originatorAddress,
      flow.originatorPort,
      flow.responderAddress,
      flow.responderPort,
    );
    foundByKey.set(key, [...(foundByKey.get(key) ?? []), flow]);
  }

  for (const [key, rows] of expectedByKey) {
    const candidates = foundByKey.get(key) ?? [];
    const pairs = pairRows(rows, candidates);
    for (const [row, flow] of pairs) {
      if (flow === undefined) {
        add(key, 'presence', `${row.conn_state ?? ''} ${row.history ?? ''}`, 'no flow');
        continue;
      }
      for (const field of comparedFields) {
        const expected = row[field.name];
        if (expected === undefined || expected === '-') continue;
        const found = field.read(flow);
        if (String(found) !== expected)
          add(key, field.name, /^\d+$/.test(expected) ? Number(expected) : expected, found);
      }
    }
    const extra = candidates.filter((flow) => !pairs.some(([, paired]) => paired === flow));
    for (const flow of extra) add(key, 'presence', 'no flow', `${flow.connectionState} ${flow.history}`);
  }
  for (const [key, candidates] of foundByKey) {
    if (expectedByKey.has(key)) continue;
    for (const flow of candidates) add(key, 'presence', 'no flow', `${flow.connectionState} ${flow.history}`);
  }
  return differences;
}

/**
 * Pairs baseline rows with our flows of the same 5-tuple. Zeek writes a flow
 * when it ends, not when it starts, so order alone can mislead: the pair with
 * the fewest differing fields is taken first, ties going to the earlier flow.
 */
function pairRows(
  rows: Record<string, string>[],
  flows: FlowRecord[],
): [Record<string, string>, FlowRecord | undefined][] {
  const result = new Map<Record<string, string>, FlowRecord | undefined>();
  const freeRows = new Set(rows);
  const freeFlows = new Set(flows);
  while (freeRows.size > 0 && freeFlows.size > 0) {
    let best: { row: Record<string, string>; flow: FlowRecord; cost: number } | null = null;
    for (const row of freeRows) {
      for (const flow of freeFlows) {
        const cost = countDifferingFields(row, flow);
        if (best === null || cost < best.cost) best = { row, flow, cost };
      }
    }
    if (best === null) break;
    result.set(best.row, best.flow);
    freeRows.delete(best.row);
    freeFlows.delete(best.flow);
  }
  return rows.map((row) => [row, result.get(row)]);
}

function countDifferingFields(row: Record<string, string>, flow: FlowRecord): number {
  let count = 0;
  for (const field of comparedFields) {
    const expected = row[field.name];
    if (expected !== undefined && expected !== '-' && String(field.read(flow)) !== expected) count++;
  }
  return count;
}
