/**
 * Analyzer records as the store keeps them and the filter reads them: a
 * record type, its flow's uid, a time, the record itself, and the few
 * columns the filter language can test. The store writes these columns and
 * the in-memory filter reads them through the same functions, so both agree.
 */
import type { DnsRecord, HttpRecord } from '../../../shared/domain/records';

/** One analyzer record of any type, tied to its flow. */
export interface StoredRecord {
  /** Zeek log name: "dns", "http", "tls", "dhcp", "weird", "ssh", ... */
  type: string;
  /** uid of the flow the record belongs to. */
  uid: string;
  timestampUs: number;
  /** The record as the analyzer made it (JSON-safe). */
  data: unknown;
}

/** Filterable record columns, by the store table that contains them. */
export const recordColumnTables = {
  dns_records: ['query', 'query_type', 'response_code'],
  http_records: ['method', 'host', 'uri', 'user_agent', 'status_code'],
  tls_records: ['server_name'],
} as const;

export type RecordTable = keyof typeof recordColumnTables;
export type RecordColumn<T extends RecordTable> = (typeof recordColumnTables)[T][number];
export type RecordColumnValue = string | number | null;

/** Store table for a record type; other types go to the generic table only. */
export function getRecordTable(type: string): RecordTable | null {
  if (type === 'dns') return 'dns_records';
  if (type === 'http') return 'http_records';
  if (type === 'tls' || type === 'ssl') return 'tls_records';
  return null;
}

/** The filterable column values of a record, in `recordColumnTables` order; null for another type. */
export function getRecordColumnValues(record: StoredRecord): RecordColumnValue[] | null {
  const table = getRecordTable(record.type);
  if (table === null || typeof record.data !== 'object' || record.data === null) return null;
  if (table === 'dns_records') {
    const dns = record.data as Partial<DnsRecord>;
    return [dns.query ?? null, dns.queryType ?? null, dns.responseCode ?? null];
  }
  if (table === 'http_records') {
    const http = record.data as Partial<HttpRecord>;
    return [http.method ?? null, http.host ?? null, http.uri ?? null, http.userAgent ?? null, http.statusCode ?? null];
  }
  return [getTlsServerName(record.data)];
}

/**
 * The filterable column values of a Zeek log row (dns.log, http.log,
 * ssl.log field names), in `recordColumnTables` order; null for another log.
 */
export function getZeekRowColumnValues(type: string, fields: Readonly<Record<string, unknown>>): RecordColumnValue[] | null {
  const table = getRecordTable(type);
  if (table === null) return null;
  const read = (name: string): RecordColumnValue => {
    const value = fields[name];
    return typeof value === 'string' || typeof value === 'number' ? value : null;
  };
  return recordColumnTables[table].map((column) => read(zeekFieldByColumn[column] ?? column));
}

/** Zeek log field of each filterable column. */
const zeekFieldByColumn: Record<string, string> = {
  query: 'query',
  query_type: 'qtype',
  response_code: 'rcode',
  method: 'method',
  host: 'host',
  uri: 'uri',
  user_agent: 'user_agent',
  status_code: 'status_code',
  server_name: 'server_name',
};

/** The SNI of a TLS session record (`client.serverName`), a flat record (`serverName`) or an ssl.log row (`server_name`). */
function getTlsServerName(data: object): string | null {
  const flat = (data as { serverName?: unknown }).serverName;
  if (typeof flat === 'string') return flat;
  const zeek = (data as { server_name?: unknown }).server_name;
  if (typeof zeek === 'string') return zeek;
  const client = (data as { client?: { serverName?: unknown } | null }).client;
  return typeof client?.serverName === 'string' ? client.serverName : null;
}

/** Record column values by flow uid, for filtering flows in memory. */
export class RecordLookup {
  private readonly rowsByUid = new Map<string, Array<{ table: RecordTable; values: RecordColumnValue[] }>>();

  constructor(records: Iterable<StoredRecord> = []) {
    for (const record of records) this.add(record);
  }

  /** Rises on every added row, so cached filter results know they are stale. */
  private changeVersion = 0;

  get version(): number {
    return this.changeVersion;
  }

  add(record: StoredRecord): void {
    const table = getRecordTable(record.type);
    const values = getRecordColumnValues(record);
    if (table === null || values === null) return;
    this.addRow(record.uid, table, values);
  }

  /** Add a Zeek log row of log `type` ("dns", "http", "tls"/"ssl") for each of `uids`; other logs are skipped. */
  addZeekRow(type: string, uids: readonly string[], fields: Readonly<Record<string, unknown>>): void {
    const table = getRecordTable(type);
    const values = getZeekRowColumnValues(type, fields);
    if (table === null || values === null) return;
    for (const uid of uids) this.addRow(uid, table, values);
  }

  private addRow(uid: string, table: RecordTable, values: RecordColumnValue[]): void {
    let rows = this.rowsByUid.get(uid);
    if (rows === undefined) {
      rows = [];
      this.rowsByUid.set(uid, rows);
    }
    rows.push({ table, values });
    this.changeVersion += 1;
  }

  /** Values of one column over the flow's records of that table; non-null only. */
  getValues(uid: string, table: RecordTable, column: string): RecordColumnValue[] {
    const rows = this.rowsByUid.get(uid);
    if (rows === undefined) return [];
    const index = (recordColumnTables[table] as readonly string[]).indexOf(column);
    const values: RecordColumnValue[] = [];
    for (const row of rows) {
      if (row.table !== table) continue;
      const value = row.values[index];
      if (value !== null && value !== undefined) values.push(value);
    }
    return values;
  }
}
