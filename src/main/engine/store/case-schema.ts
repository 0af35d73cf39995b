/**
 * Tables of a case database. Flows keep typed columns for filtering and
 * sorting plus the whole record as JSON (`body`), so a reopened case returns
 * flows identical to the ones written. Address keys (`orig_key`) are the
 * fixed-width sortable form from filter/address-key.ts that CIDR filters use.
 */

export const FLOW_COLUMNS = [
  ['uid', 'VARCHAR'],
  ['community_id', 'VARCHAR'],
  ['start_us', 'BIGINT'],
  ['end_us', 'BIGINT'],
  ['first_packet', 'BIGINT'],
  ['last_packet', 'BIGINT'],
  ['orig_h', 'VARCHAR'],
  ['orig_p', 'INTEGER'],
  ['resp_h', 'VARCHAR'],
  ['resp_p', 'INTEGER'],
  ['orig_key', 'VARCHAR'],
  ['resp_key', 'VARCHAR'],
  ['ip_version', 'INTEGER'],
  ['proto', 'VARCHAR'],
  ['ip_proto', 'INTEGER'],
  ['vlan', 'INTEGER'],
  ['inner_vlan', 'INTEGER'],
  ['service', 'VARCHAR'],
  ['orig_bytes', 'BIGINT'],
  ['resp_bytes', 'BIGINT'],
  ['missed_bytes', 'BIGINT'],
  ['orig_pkts', 'BIGINT'],
  ['resp_pkts', 'BIGINT'],
  ['orig_ip_bytes', 'BIGINT'],
  ['resp_ip_bytes', 'BIGINT'],
  ['conn_state', 'VARCHAR'],
  ['history', 'VARCHAR'],
  ['duration_us', 'BIGINT'],
  ['body', 'VARCHAR'],
  // True for the snapshot of a flow still open at the last commit (`isProvisional` in body); replaced by the final row.
  ['is_open', 'BOOLEAN'],
] as const;

export const PACKET_COLUMNS = [
  ['source_id', 'INTEGER'],
  ['packet_number', 'BIGINT'],
  ['file_offset', 'BIGINT'],
  ['ts_us', 'BIGINT'],
  ['captured_length', 'INTEGER'],
  ['original_length', 'INTEGER'],
  ['interface_id', 'INTEGER'],
  ['flow_uid', 'VARCHAR'],
  ['inner_flow_uid', 'VARCHAR'],
] as const;

function columnsSql(columns: ReadonlyArray<readonly [string, string]>): string {
  return columns.map(([name, type]) => `${name} ${type}`).join(', ');
}

/** Statements that create an empty case database; each is idempotent. */
export const SCHEMA_STATEMENTS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS flows (${columnsSql(FLOW_COLUMNS)})`,
  `CREATE TABLE IF NOT EXISTS packets (${columnsSql(PACKET_COLUMNS)})`,
  'CREATE TABLE IF NOT EXISTS records (type VARCHAR, uid VARCHAR, ts_us BIGINT, body VARCHAR)',
  'CREATE TABLE IF NOT EXISTS dns_records (uid VARCHAR, ts_us BIGINT, query VARCHAR, query_type INTEGER, response_code INTEGER)',
  'CREATE TABLE IF NOT EXISTS http_records (uid VARCHAR, ts_us BIGINT, method VARCHAR, host VARCHAR, uri VARCHAR, user_agent VARCHAR, status_code INTEGER)',
  'CREATE TABLE IF NOT EXISTS tls_records (uid VARCHAR, ts_us BIGINT, server_name VARCHAR)',
  'CREATE TABLE IF NOT EXISTS alerts (id VARCHAR, detector VARCHAR, severity VARCHAR, score DOUBLE, first_us BIGINT, last_us BIGINT, body VARCHAR)',
  `CREATE TABLE IF NOT EXISTS ingest_marker (id INTEGER PRIMARY KEY, state VARCHAR, batches BIGINT, flows BIGINT, records BIGINT,
     packets BIGINT, alerts BIGINT, last_packet_number BIGINT, message VARCHAR)`,
  `INSERT INTO ingest_marker (id, state, batches, flows, records, packets, alerts, last_packet_number, message)
     VALUES (0, 'ingesting', 0, 0, 0, 0, 0, 0, NULL) ON CONFLICT DO NOTHING`,
  // Added after format version 1 was first written: a case made before them gains the columns, empty.
  'ALTER TABLE flows ADD COLUMN IF NOT EXISTS is_open BOOLEAN DEFAULT false',
  'ALTER TABLE ingest_marker ADD COLUMN IF NOT EXISTS open_flows BIGINT DEFAULT 0',
  'ALTER TABLE ingest_marker ADD COLUMN IF NOT EXISTS open_flows_at_packet BIGINT DEFAULT 0',
];
