/**
 * Compares Tideline's flows and summary for one capture with the capture's
 * tshark truth: packets and IP bytes per address pair and direction
 * (flows.ip, flows.ipv6), and per TCP and UDP 5-tuple (flows.tcp, flows.udp).
 */
import type { FlowRecord } from '../../src/shared/domain/flow';
import type { CaptureSummary } from '../../src/shared/domain/capture-summary';
import type { ConformanceDifference, ReferenceTable } from './conformance-difference';
import { readTableRows, type CaptureTruth, type TruthTable } from './public-captures';

/** Packets and IP bytes in one direction of a pair or flow. */
interface DirectionCounts {
  packets: number;
  /** null when tshark could not tell the IP length of some packet. */
  ipBytes: number | null;
}

/** Counts of both directions under one unordered key; endpoints as formatted in keys. */
interface Conversation {
  first: string;
  second: string;
  firstToSecond: DirectionCounts;
  secondToFirst: DirectionCounts;
}

/** What an analysis produced, or the error it failed with. */
export interface AnalysisOutcome {
  flows: FlowRecord[];
  summary: CaptureSummary | null;
  error: Error | null;
}

/** Returns every difference between `outcome` and `truth` for the capture `capture`. */
export function compareWithTruth(
  capture: string,
  truth: CaptureTruth,
  outcome: AnalysisOutcome,
): ConformanceDifference[] {
  const differences: ConformanceDifference[] = [];
  const add = (
    table: ReferenceTable,
    key: string,
    field: string,
    expected: string | number | null,
    found: string | number | null,
  ): void => {
    differences.push({ capture, reference: 'tshark', table, key, field, expected, found });
  };

  // A capture that tshark cannot read at all may be rejected with a message.
  if (outcome.error !== null || outcome.summary === null) {
    const message = outcome.error?.message ?? 'no summary';
    const isUnreadable = truth.read_error !== null && truth.packets === 0;
    if (!isUnreadable || message.trim() === '') add('summary', 'capture', 'analyze', 'completes', message);
    return differences;
  }
  compareSummary(truth, outcome.summary, add);

  const ourPairs = { ip: new Map<string, Conversation>(), ipv6: new Map<string, Conversation>() };
  const ourFlows = { tcp: new Map<string, Conversation>(), udp: new Map<string, Conversation>() };
  for (const flow of outcome.flows) {
    const originator = normalizeAddress(flow.originatorAddress);
    const responder = normalizeAddress(flow.responderAddress);
    const family = originator.includes(':') ? 'ipv6' : 'ip';
    addFlow(ourPairs[family], originator, responder, flow);
    // IP-level flows count in their address pair only: they have no ports.
    if ((flow.transport === 'tcp' || flow.transport === 'udp') && flow.isIpOnly !== true) {
      addFlow(
        ourFlows[flow.transport],
        `${originator}:${flow.originatorPort}`,
        `${responder}:${flow.responderPort}`,
        flow,
      );
    }
  }

  for (const table of ['ip', 'ipv6'] as const) {
    const reference = readPairTable(truth.flows[table]);
    compareTable(table, truth.flows[table], reference, ourPairs[table], add);
  }
  for (const table of ['tcp', 'udp'] as const) {
    const reference = readFlowTable(truth.flows[table]);
    compareTable(table, truth.flows[table], reference, ourFlows[table], add);
  }
  return differences;
}

type AddDifference = (
  table: ReferenceTable,
  key: string,
  field: string,
  expected: string | number | null,
  found: string | number | null,
) => void;

function compareSummary(truth: CaptureTruth, summary: CaptureSummary, add: AddDifference): void {
  if (truth.read_error === null) {
    if (summary.packets !== truth.packets) add('summary', 'capture', 'packets', truth.packets, summary.packets);
    return;
  }

  // tshark stopped at a damaged record: we must read at least as far and say what we skipped.
  if (summary.packets < truth.packets) add('summary', 'capture', 'packets (at least)', truth.packets, summary.packets);
  if (summary.fileProblems.length === 0) add('summary', 'capture', 'file warning', truth.read_error.join(' '), 'none');
}

/**
 * Picks the counts of the direction a -> b and of b -> a. When both endpoints
 * are the same (127.0.0.1 talking to itself) the two directions cannot be
 * told apart, so both add to `firstToSecond`, as tshark counts them in A->B.
 */
function selectDirections(conversation: Conversation, a: string): [DirectionCounts, DirectionCounts] {
  if (conversation.first === conversation.second) return [conversation.firstToSecond, conversation.firstToSecond];
  return conversation.first === a
    ? [conversation.firstToSecond, conversation.secondToFirst]
    : [conversation.secondToFirst, conversation.firstToSecond];
}

/** Adds a flow's two directions to the conversation under the unordered key of its endpoints. */
function addFlow(map: Map<string, Conversation>, originator: string, responder: string, flow: FlowRecord): void {
  const conversation = findOrCreate(map, originator, responder);
  const [forward, reverse] = selectDirections(conversation, originator);
  forward.packets += flow.originatorPackets;
  forward.ipBytes = (forward.ipBytes ?? 0) + flow.originatorIpBytes;
  reverse.packets += flow.responderPackets;
  reverse.ipBytes = (reverse.ipBytes ?? 0) + flow.responderIpBytes;
}

function findOrCreate(map: Map<string, Conversation>, a: string, b: string): Conversation {
  const key = conversationKey(a, b);
  let conversation = map.get(key);
  if (conversation === undefined) {
    const [first, second] = a <= b ? [a, b] : [b, a];
    conversation = {
      first,
      second,
      firstToSecond: { packets: 0, ipBytes: 0 },
      secondToFirst: { packets: 0, ipBytes: 0 },
    };
    map.set(key, conversation);
  }
  return conversation;
}

function conversationKey(a: string, b: string): string {
  return a <= b ? `${a} <-> ${b}` : `${b} <-> ${a}`;
}

/** Adds one direction's counts from a truth row, keeping null ip bytes as "unknown". */
function addTruthDirection(counts: DirectionCounts, packets: number, ipBytes: number | null): void {
  counts.packets += packets;
  counts.ipBytes = counts.ipBytes === null || ipBytes === null ? null : counts.ipBytes + ipBytes;
}

function addTruthRow(
  map: Map<string, Conversation>,
  a: string,
  b: string,
  row: Record<string, string | number | null>,
): void {
  const conversation = findOrCreate(map, a, b);
  const [aToB, bToA] = selectDirections(conversation, a);
  addTruthDirection(aToB, Number(row.frames_ab), row.ip_bytes_ab === null ? null : Number(row.ip_bytes_ab));
  addTruthDirection(bToA, Number(row.frames_ba), row.ip_bytes_ba === null ? null : Number(row.ip_bytes_ba));
}

function readPairTable(table: TruthTable): Map<string, Conversation> {
  const map = new Map<string, Conversation>();
  for (const row of readTableRows(table)) {
    addTruthRow(map, normalizeAddress(String(row.a)), normalizeAddress(String(row.b)), row);
  }
  return map;
}

/** Sums tshark's streams by 5-tuple, since tshark can split one 5-tuple into several streams. */
function readFlowTable(table: TruthTable): Map<string, Conversation> {
  const map = new Map<string, Conversation>();
  for (const row of readTableRows(table)) {
    const a = `${normalizeAddress(String(row.a_addr))}:${String(row.a_port)}`;
    const b = `${normalizeAddress(String(row.b_addr))}:${String(row.b_port)}`;
    addTruthRow(map, a, b, row);
  }
  return map;
}

function compareTable(
  table: ReferenceTable,
  truthTable: TruthTable,
  reference: Map<string, Conversation>,
  ours: Map<string, Conversation>,
  add: AddDifference,
): void {
  const prefix = table === 'tcp' || table === 'udp' ? `${table} ` : '';

  // Every listed conversation, direction by direction.
  for (const [key, expected] of reference) {
    const found = ours.get(key);
    if (found === undefined) {
      add(table, `${prefix}${key}`, 'presence', describe(expected), 'no flow');
      continue;
    }
    compareDirection(
      table,
      `${prefix}${expected.first} -> ${expected.second}`,
      expected.firstToSecond,
      found.firstToSecond,
      add,
    );
    compareDirection(
      table,
      `${prefix}${expected.second} -> ${expected.first}`,
      expected.secondToFirst,
      found.secondToFirst,
      add,
    );
  }

  // A complete table also rules out conversations tshark never saw.
  if (!truthTable.truncated) {
    for (const [key, found] of ours) {
      if (!reference.has(key)) add(table, `${prefix}${key}`, 'presence', 'no conversation', describe(found));
    }
    return;
  }

  // A capped table lists only the largest conversations, so compare its totals too.
  let ourPackets = 0;
  let ourIpBytes = 0;
  for (const conversation of ours.values()) {
    ourPackets += conversation.firstToSecond.packets + conversation.secondToFirst.packets;
    ourIpBytes += (conversation.firstToSecond.ipBytes ?? 0) + (conversation.secondToFirst.ipBytes ?? 0);
  }
  const totals = truthTable.totals;
  const truthPackets = (totals.frames_ab ?? 0) + (totals.frames_ba ?? 0);
  if (ourPackets !== truthPackets)
    add(table, `${prefix}all ${truthTable.total_rows} conversations`, 'packets', truthPackets, ourPackets);
  const isIpBytesKnown = [...reference.values()].every(
    (c) => c.firstToSecond.ipBytes !== null && c.secondToFirst.ipBytes !== null,
  );
  const truthIpBytes = (totals.ip_bytes_ab ?? 0) + (totals.ip_bytes_ba ?? 0);
  if (isIpBytesKnown && ourIpBytes !== truthIpBytes) {
    add(table, `${prefix}all ${truthTable.total_rows} conversations`, 'ipBytes', truthIpBytes, ourIpBytes);
  }
}

function compareDirection(
  table: ReferenceTable,
  key: string,
  expected: DirectionCounts,
  found: DirectionCounts,
  add: AddDifference,
): void {
  if (expected.packets !== found.packets) add(table, key, 'packets', expected.packets, found.packets);
  if (expected.ipBytes !== null && expected.ipBytes !== found.ipBytes)
    add(table, key, 'ipBytes', expected.ipBytes, found.ipBytes);
}

function describe(conversation: Conversation): string {
  const { first, second, firstToSecond: forward, secondToFirst: reverse } = conversation;
  return `${first} -> ${second} ${forward.packets} pkts, ${second} -> ${first} ${reverse.packets} pkts`;
}

/**
 * Returns the address in one spelling for both tools: IPv4 unchanged, IPv6 in
 * RFC 5952 form (lower case, longest run of two or more zero groups as "::").
 */
export function normalizeAddress(address: string): string {
  if (!address.includes(':')) return address;

  // Expand "::" and an embedded dotted IPv4 tail into eight 16-bit groups.
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [, b0, b1, b2, b3] = dotted.map(Number) as [number, number, number, number, number];
    text = text.slice(0, dotted.index) + `${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return address;
  const head = halves[0] === '' ? [] : (halves[0] ?? '').split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? (halves[1] ?? '').split(':') : [];
  const zeros = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...new Array<string>(Math.max(zeros, 0)).fill('0'), ...tail].map((g) => parseInt(g, 16));
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return address;

  // Find the longest run of zero groups (the first one on a tie), if at least two long.
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8;) {
    if (groups[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
