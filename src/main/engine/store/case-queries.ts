/**
 * Reads from a case: pages of flows sorted and filtered in SQL, the
 * timeline and host aggregates for any time range and display filter,
 * records, alerts and the packet index. Nothing here re-reads a capture.
 *
 * Aggregates are computed on demand rather than kept per bucket: see
 * docs/memory.md for the measured times that chose this.
 */
import type { Alert } from '../../../shared/domain/alert';
import type { TimelineBucket } from '../../../shared/domain/aggregates';
import type { FilterSyntaxError } from '../../../shared/domain/filter';
import type { FlowRecord } from '../../../shared/domain/flow';
import type { FlowSort, FlowSortColumn, TimeRange } from '../../../shared/domain/query';
import { compileDisplayFilterToSql } from '../filter/display-filter';
import type { StoredRecord } from '../filter/record-columns';
import type { CaseStore, PacketIndexRow } from './case-store';

/** SQL for each sortable column; fixed text, never user input. */
const SORT_SQL: Record<FlowSortColumn, string> = {
  startUs: 'f.start_us', endUs: 'f.end_us', durationUs: 'f.duration_us', uid: 'f.uid', communityId: 'f.community_id',
  originatorAddress: 'f.orig_key', originatorPort: 'f.orig_p', responderAddress: 'f.resp_key', responderPort: 'f.resp_p',
  transport: 'f.proto', service: 'f.service', originatorBytes: 'f.orig_bytes', responderBytes: 'f.resp_bytes',
  missedBytes: 'f.missed_bytes', originatorPackets: 'f.orig_pkts', responderPackets: 'f.resp_pkts',
  originatorIpBytes: 'f.orig_ip_bytes', responderIpBytes: 'f.resp_ip_bytes', totalBytes: '(f.orig_ip_bytes + f.resp_ip_bytes)',
  connectionState: 'f.conn_state', history: 'f.history', firstPacketNumber: 'f.first_packet',
};

export interface CaseFlowQuery {
  /** Display filter text; blank for every flow. */
  filter?: string;
  timeRange?: TimeRange;
  sort?: FlowSort;
  offset?: number;
  limit?: number;
}

export type CaseQueryResult<T> = { ok: true; value: T } | { ok: false; error: FilterSyntaxError };

interface WhereClause {
  sql: string;
  parameters: Array<string | number>;
}

/** WHERE text for a filter and time range (half-open, as the in-memory flow filter treats it). */
function buildWhere(filter: string | undefined, timeRange: TimeRange | undefined): CaseQueryResult<WhereClause> {
  const compiled = compileDisplayFilterToSql(filter ?? '');
  if (!compiled.ok) return compiled;
  const parts = [compiled.condition.sql];
  const parameters = [...compiled.condition.parameters];
  if (timeRange !== undefined) {
    parts.push('f.end_us >= ? AND f.start_us < ?');
    parameters.push(timeRange.startUs, Math.max(timeRange.endUs, timeRange.startUs + 1));
  }
  return { ok: true, value: { sql: parts.join(' AND '), parameters } };
}

/** One page of flows and the count of all that match. */
export async function queryCaseFlows(store: CaseStore, query: CaseFlowQuery): Promise<CaseQueryResult<{ total: number; rows: FlowRecord[] }>> {
  const where = buildWhere(query.filter, query.timeRange);
  if (!where.ok) return where;
  const sort = query.sort ?? { column: 'startUs', direction: 'ascending' };
  const direction = sort.direction === 'descending' ? 'DESC' : 'ASC';
  const limit = Math.max(1, Math.min(query.limit ?? 500, 100_000));
  const offset = Math.max(0, query.offset ?? 0);
  const totalRows = await store.query(`SELECT count(*) AS n FROM flows f WHERE ${where.value.sql}`, where.value.parameters);
  const rows = await store.query(
    `SELECT f.body FROM flows f WHERE ${where.value.sql} ORDER BY ${SORT_SQL[sort.column]} ${direction} NULLS LAST, f.uid ${direction} LIMIT ? OFFSET ?`,
    [...where.value.parameters, limit, offset],
  );
  return { ok: true, value: { total: Number(totalRows[0]?.n ?? 0), rows: rows.map((row) => JSON.parse(String(row.body)) as FlowRecord) } };
}

/** Every flow in first-packet order (tests and exports; pages are for the UI). */
export async function readAllCaseFlows(store: CaseStore): Promise<FlowRecord[]> {
  const rows = await store.query('SELECT body FROM flows ORDER BY start_us, uid');
  return rows.map((row) => JSON.parse(String(row.body)) as FlowRecord);
}

/**
 * Every flow in the order ingest wrote it (the order flows ended, as the
 * analysis handed them over), then the open flows of an unfinished ingest.
 * Detectors that count flows in arrival order see the same order on replay.
 */
export async function readCaseFlowsInEndOrder(store: CaseStore): Promise<FlowRecord[]> {
  const rows = await store.query('SELECT body FROM flows ORDER BY is_open, rowid');
  return rows.map((row) => JSON.parse(String(row.body)) as FlowRecord);
}

/** Records, optionally of one type and/or one flow, in time order. */
export async function readCaseRecords(store: CaseStore, filter: { type?: string; uid?: string } = {}): Promise<StoredRecord[]> {
  const rows = await store.query(
    'SELECT type, uid, ts_us, body FROM records WHERE (? IS NULL OR type = ?) AND (? IS NULL OR uid = ?) ORDER BY ts_us, type, uid',
    [filter.type ?? null, filter.type ?? null, filter.uid ?? null, filter.uid ?? null],
  );
  return rows.map((row) => ({ type: String(row.type), uid: String(row.uid), timestampUs: Number(row.ts_us), data: JSON.parse(String(row.body)) as unknown }));
}

export async function readCaseAlerts(store: CaseStore): Promise<Alert[]> {
  const rows = await store.query('SELECT body FROM alerts ORDER BY first_us, id');
  return rows.map((row) => JSON.parse(String(row.body)) as Alert);
}

/** Packet index rows of a flow (outer or inner layer), in packet order. */
export async function readFlowPackets(store: CaseStore, uid: string, limit = 100_000): Promise<PacketIndexRow[]> {
  const rows = await store.query(
    'SELECT * FROM packets WHERE flow_uid = ? OR inner_flow_uid = ? ORDER BY source_id, packet_number LIMIT ?',
    [uid, uid, limit],
  );
  return rows.map(toPacketRow);
}

/** Packet index rows for packet numbers of one source, in packet order; unknown numbers are left out. */
export async function readPacketsByNumber(store: CaseStore, sourceId: number, packetNumbers: readonly number[]): Promise<PacketIndexRow[]> {
  if (packetNumbers.length === 0) return [];
  const rows = await store.query(
    'SELECT * FROM packets WHERE source_id = ? AND list_contains(?::BIGINT[], packet_number) ORDER BY packet_number',
    [sourceId, JSON.stringify(packetNumbers.map((n) => Math.trunc(n)))],
  );
  return rows.map(toPacketRow);
}

/**
 * Packet index rows in `timeRange` (half-open) of the flows that match
 * `filter`, for carving a time range plus filter. A blank filter keeps every
 * packet in the range, including those of no flow (ARP, other protocols).
 */
export async function readPacketsForFilter(store: CaseStore, filter: string, timeRange: TimeRange, limit = 1_000_000): Promise<CaseQueryResult<PacketIndexRow[]>> {
  const endUs = Math.max(timeRange.endUs, timeRange.startUs + 1);
  if (filter.trim() === '') {
    const rows = await store.query('SELECT * FROM packets WHERE ts_us >= ? AND ts_us < ? ORDER BY source_id, packet_number LIMIT ?', [timeRange.startUs, endUs, limit]);
    return { ok: true, value: rows.map(toPacketRow) };
  }
  const where = buildWhere(filter, timeRange);
  if (!where.ok) return where;
  const rows = await store.query(
    `SELECT p.* FROM packets p WHERE p.ts_us >= ? AND p.ts_us < ? AND p.flow_uid IN (SELECT f.uid FROM flows f WHERE ${where.value.sql})
     ORDER BY p.source_id, p.packet_number LIMIT ?`,
    [timeRange.startUs, endUs, ...where.value.parameters, limit],
  );
  return { ok: true, value: rows.map(toPacketRow) };
}

function toPacketRow(row: Record<string, unknown>): PacketIndexRow {
  return {
    sourceId: Number(row.source_id),
    packetNumber: Number(row.packet_number),
    fileOffset: Number(row.file_offset),
    timestampUs: Number(row.ts_us),
    capturedLength: Number(row.captured_length),
    originalLength: Number(row.original_length),
    interfaceId: Number(row.interface_id),
    flowUid: typeof row.flow_uid === 'string' ? row.flow_uid : null,
    innerFlowUid: typeof row.inner_flow_uid === 'string' ? row.inner_flow_uid : null,
  };
}

/**
 * Timeline buckets of `bucketUs` from `timeRange.startUs` to its end: IP
 * bytes and packets of each matching flow spread evenly over its span (as
 * the engine host's timeline does), and flows starting in each bucket.
 */
export async function queryCaseTimeline(
  store: CaseStore,
  query: {
    filter?: string;
    timeRange: TimeRange;
    bucketUs: number;
    /** Range that selects flows when it differs from the buckets' range; null selects by filter alone. */
    flowRange?: TimeRange | null;
  },
): Promise<CaseQueryResult<TimelineBucket[]>> {
  const where = buildWhere(query.filter, query.flowRange === undefined ? query.timeRange : (query.flowRange ?? undefined));
  if (!where.ok) return where;
  const { startUs, endUs } = query.timeRange;
  const width = Math.max(1, Math.trunc(query.bucketUs));
  const bucketCount = Math.max(1, Math.ceil((endUs - startUs) / width));
  if (bucketCount > 100_000) throw new Error(`Timeline of ${bucketCount} buckets requested; widen bucketUs (at most 100000 buckets).`);
  // Each flow contributes to the buckets its [start, end] span touches, in proportion to the overlap.
  const rows = await store.query(
    `WITH matched AS (
       SELECT f.start_us AS s, greatest(f.end_us, f.start_us + 1) AS e, (f.orig_ip_bytes + f.resp_ip_bytes) AS bytes,
              (f.orig_pkts + f.resp_pkts) AS pkts FROM flows f WHERE ${where.value.sql}),
     spread AS (
       SELECT b AS bucket, m.bytes * (least(m.e, ?::BIGINT + (b + 1) * ?::BIGINT) - greatest(m.s, ?::BIGINT + b * ?::BIGINT)) / (m.e - m.s) AS bytes,
              m.pkts * (least(m.e, ?::BIGINT + (b + 1) * ?::BIGINT) - greatest(m.s, ?::BIGINT + b * ?::BIGINT)) / (m.e - m.s) AS pkts,
              CASE WHEN m.s >= ?::BIGINT + b * ?::BIGINT AND m.s < ?::BIGINT + (b + 1) * ?::BIGINT THEN 1 ELSE 0 END AS started
       FROM matched m, range(greatest(0, (m.s - ?::BIGINT) // ?::BIGINT), least(?::BIGINT, (m.e - 1 - ?::BIGINT) // ?::BIGINT + 1)) AS t(b))
     SELECT bucket, sum(bytes) AS bytes, sum(pkts) AS pkts, sum(started) AS started FROM spread GROUP BY bucket`,
    [
      ...where.value.parameters,
      startUs, width, startUs, width, startUs, width, startUs, width,
      startUs, width, startUs, width,
      startUs, width, bucketCount, startUs, width,
    ],
  );
  const buckets: TimelineBucket[] = [];
  for (let i = 0; i < bucketCount; i++) buckets.push({ startUs: startUs + i * width, bytes: 0, packets: 0, newFlows: 0 });
  for (const row of rows) {
    const bucket = buckets[Number(row.bucket)];
    if (bucket === undefined) continue;
    bucket.bytes = Number(row.bytes);
    bucket.packets = Number(row.pkts);
    bucket.newFlows = Number(row.started);
  }
  return { ok: true, value: buckets };
}

/** First start and last end of the flows that meet `filter` in `timeRange`; null when none does. */
export async function queryCaseFlowSpan(
  store: CaseStore,
  filter: string | undefined,
  timeRange?: TimeRange,
): Promise<CaseQueryResult<{ firstUs: number; lastUs: number } | null>> {
  const where = buildWhere(filter, timeRange);
  if (!where.ok) return where;
  const rows = await store.query(`SELECT min(f.start_us) AS first, max(f.end_us) AS last FROM flows f WHERE ${where.value.sql}`, where.value.parameters);
  const row = rows[0];
  if (row === undefined || row.first === null || row.first === undefined) return { ok: true, value: null };
  return { ok: true, value: { firstUs: Number(row.first), lastUs: Number(row.last) } };
}

/**
 * Per-host and per-pair totals of the flows that meet `filter` in
 * `timeRange`, as the engine host's traffic index keeps them: a flow from a
 * host to itself counts once for that host and makes no pair.
 */
export async function queryCaseTraffic(
  store: CaseStore,
  filter: string | undefined,
  timeRange?: TimeRange,
): Promise<CaseQueryResult<{ hosts: CaseHostTotal[]; pairs: CaseHostEdge[] }>> {
  const where = buildWhere(filter, timeRange);
  if (!where.ok) return where;
  const hostRows = await store.query(
    `WITH matched AS (SELECT * FROM flows f WHERE ${where.value.sql}),
     ends AS (SELECT orig_h AS address, orig_ip_bytes + resp_ip_bytes AS bytes, orig_pkts + resp_pkts AS pkts FROM matched
              UNION ALL SELECT resp_h, orig_ip_bytes + resp_ip_bytes, orig_pkts + resp_pkts FROM matched WHERE resp_h <> orig_h)
     SELECT address, sum(bytes) AS bytes, sum(pkts) AS pkts, count(*) AS flows FROM ends GROUP BY address ORDER BY address`,
    where.value.parameters,
  );
  const pairRows = await store.query(
    `SELECT least(f.orig_h, f.resp_h) AS a, greatest(f.orig_h, f.resp_h) AS b, sum(f.orig_ip_bytes + f.resp_ip_bytes) AS bytes, count(*) AS flows
     FROM flows f WHERE ${where.value.sql} AND f.orig_h <> f.resp_h GROUP BY a, b ORDER BY a, b`,
    where.value.parameters,
  );
  return {
    ok: true,
    value: {
      hosts: hostRows.map((row) => ({ address: String(row.address), bytes: Number(row.bytes), packets: Number(row.pkts), flows: Number(row.flows) })),
      pairs: pairRows.map((row) => ({ source: String(row.a), target: String(row.b), bytes: Number(row.bytes), flows: Number(row.flows) })),
    },
  };
}

export interface CaseHostTotal {
  address: string;
  bytes: number;
  packets: number;
  flows: number;
}

export interface CaseHostEdge {
  /** The pair sorted so `source` < `target`. */
  source: string;
  target: string;
  bytes: number;
  flows: number;
}

/**
 * Host totals (top `maxHosts` by bytes) and the edges among them for the
 * host graph, over matching flows in the range. Layout stays with the caller.
 */
export async function queryCaseHostGraph(
  store: CaseStore,
  query: { filter?: string; timeRange?: TimeRange; maxHosts: number },
): Promise<CaseQueryResult<{ hosts: CaseHostTotal[]; edges: CaseHostEdge[] }>> {
  const where = buildWhere(query.filter, query.timeRange);
  if (!where.ok) return where;
  const hostRows = await store.query(
    `WITH matched AS (SELECT * FROM flows f WHERE ${where.value.sql}),
     ends AS (SELECT orig_h AS address, orig_ip_bytes + resp_ip_bytes AS bytes, orig_pkts + resp_pkts AS pkts FROM matched
              UNION ALL SELECT resp_h, orig_ip_bytes + resp_ip_bytes, orig_pkts + resp_pkts FROM matched)
     SELECT address, sum(bytes) AS bytes, sum(pkts) AS pkts, count(*) AS flows FROM ends GROUP BY address
     ORDER BY bytes DESC, address LIMIT ?`,
    [...where.value.parameters, Math.max(1, query.maxHosts)],
  );
  const hosts = hostRows.map((row) => ({ address: String(row.address), bytes: Number(row.bytes), packets: Number(row.pkts), flows: Number(row.flows) }));
  const edgeRows = await store.query(
    `SELECT least(f.orig_h, f.resp_h) AS a, greatest(f.orig_h, f.resp_h) AS b, sum(f.orig_ip_bytes + f.resp_ip_bytes) AS bytes, count(*) AS flows
     FROM flows f WHERE ${where.value.sql} AND list_contains(?::VARCHAR[], f.orig_h) AND list_contains(?::VARCHAR[], f.resp_h)
     GROUP BY a, b ORDER BY bytes DESC, a, b`,
    [...where.value.parameters, JSON.stringify(hosts.map((host) => host.address)), JSON.stringify(hosts.map((host) => host.address))],
  );
  const edges = edgeRows.map((row) => ({ source: String(row.a), target: String(row.b), bytes: Number(row.bytes), flows: Number(row.flows) }));
  return { ok: true, value: { hosts, edges } };
}
