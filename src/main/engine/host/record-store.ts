/**
 * The analyzer records of one capture as Zeek log rows, held in the engine
 * process's memory like the flows, answering paged, sorted, filtered
 * queries for the record tables and the records of one flow.
 */
import type { FlowFilter } from '../../../shared/domain/query';
import type { RecordPage, RecordQuery, RecordRow, RecordType, RecordValue } from '../../../shared/domain/record-table';
import { recordTypes } from '../../../shared/domain/record-table';
import { RecordLookup } from '../filter/record-columns';

/** Fields holding the addresses a host filter matches, per log (Zeek's names). */
const addressFields = ['id.orig_h', 'id.resp_h', 'client_addr', 'server_addr', 'assigned_addr', 'requested_addr'];

interface StoredRow {
  row: RecordRow;
  /** Lower-case text of every field, for the text filter; built on first use. */
  text: string | null;
}

export class RecordStore {
  private readonly rowsByType = new Map<RecordType, StoredRow[]>(recordTypes.map((type) => [type, []]));
  private readonly rowsByUid = new Map<string, RecordRow[]>();
  private cachedView: { key: string; size: number; rows: RecordRow[] } | null = null;
  /** The filterable columns of the DNS, HTTP and TLS rows by flow uid, for display filters over flows. */
  readonly lookup = new RecordLookup();

  /** Records per type, for the navigation's counts. */
  counts(): Record<RecordType, number> {
    const counts = {} as Record<RecordType, number>;
    for (const type of recordTypes) counts[type] = this.rowsByType.get(type)?.length ?? 0;
    return counts;
  }

  /** Add one Zeek log row of `type`; its uids come from the `uid` field or the `uids` set (DHCP). */
  add(type: RecordType, fields: Record<string, RecordValue>): void {
    const uids = uidsOf(fields);
    const ts = fields.ts;
    const row: RecordRow = { type, timestampUs: typeof ts === 'number' ? ts : 0, uids, fields };
    this.lookup.addZeekRow(type, uids, fields);
    this.rowsByType.get(type)?.push({ row, text: null });
    for (const uid of uids) {
      const list = this.rowsByUid.get(uid);
      if (list === undefined) this.rowsByUid.set(uid, [row]);
      else list.push(row);
    }
  }

  /** The records of one flow, in the order they were made. */
  forFlow(uid: string): RecordRow[] {
    return this.rowsByUid.get(uid) ?? [];
  }

  /**
   * One page of one record type. `flowUids`, when given, keeps only records
   * of those flows: the caller passes the flows that meet the filter's display
   * filter, which speaks of flow fields, not record fields.
   */
  query(query: Omit<RecordQuery, 'captureId'>, flowUids?: ReadonlySet<string>): RecordPage {
    const stored = this.rowsByType.get(query.type) ?? [];
    const key = JSON.stringify([query.type, query.filter, query.sort]);
    let rows: RecordRow[];
    if (
      flowUids === undefined &&
      this.cachedView !== null &&
      this.cachedView.key === key &&
      this.cachedView.size === stored.length
    ) {
      rows = this.cachedView.rows;
    } else {
      rows = stored
        .filter(
          (entry) =>
            matchesFilter(entry, query.filter) &&
            (flowUids === undefined || entry.row.uids.some((uid) => flowUids.has(uid))),
        )
        .map((entry) => entry.row);
      rows.sort(compareBy(query.sort.column, query.sort.direction === 'ascending' ? 1 : -1));
      if (flowUids === undefined) this.cachedView = { key, size: stored.length, rows };
    }
    return { total: rows.length, offset: query.offset, rows: rows.slice(query.offset, query.offset + query.limit) };
  }
}

function uidsOf(fields: Record<string, RecordValue>): string[] {
  const uid = fields.uid;
  if (typeof uid === 'string') return [uid];
  const uids = fields.uids;
  if (Array.isArray(uids)) return [...(uids as readonly string[])];
  return [];
}

function matchesFilter(entry: StoredRow, filter: FlowFilter): boolean {
  const row = entry.row;
  const range = filter.timeRange;
  if (range !== undefined && (row.timestampUs < range.startUs || row.timestampUs >= Math.max(range.endUs, range.startUs + 1)))
    return false;
  if (filter.hosts !== undefined) {
    const hosts = filter.hosts;
    if (!addressFields.some((field) => hosts.includes(row.fields[field] as string))) return false;
  }
  if (filter.uids !== undefined) {
    const uids = filter.uids;
    if (!row.uids.some((uid) => uids.includes(uid))) return false;
  }
  const text = filter.text?.trim().toLowerCase() ?? '';
  if (text !== '') {
    entry.text ??= Object.values(row.fields)
      .map((value) => (Array.isArray(value) ? value.join(' ') : String(value ?? '')))
      .join(' ')
      .toLowerCase();
    if (!entry.text.includes(text)) return false;
  }
  return true;
}

/** Orders rows by one field: numbers numerically, other values as text; missing values last either way. */
function compareBy(column: string, sign: 1 | -1): (a: RecordRow, b: RecordRow) => number {
  return (a, b) => {
    const left = a.fields[column] ?? null;
    const right = b.fields[column] ?? null;
    if (left === null || right === null) {
      if (left === right) return a.timestampUs - b.timestampUs;
      return left === null ? 1 : -1;
    }
    const order =
      typeof left === 'number' && typeof right === 'number'
        ? left - right
        : String(left).localeCompare(String(right));
    return order === 0 ? a.timestampUs - b.timestampUs : order * sign;
  };
}
