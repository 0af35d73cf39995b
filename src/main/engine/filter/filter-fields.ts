/**
 * The fields the display filter knows: Wireshark names for packet and
 * protocol fields, Zeek conn.log names for flow fields. Each field says how
 * to read its values from a FlowRecord (in memory) and from the store's
 * tables (SQL over the `flows` table aliased `f`). SQL text here is fixed:
 * user input never reaches it except as parameters.
 *
 * Multi-valued fields (`ip.addr` is the originator and the responder) match
 * `==` when any value matches, as Wireshark does.
 */
import type { FilterFieldInfo, FilterFieldType } from '../../../shared/domain/filter';
import type { FlowRecord } from '../../../shared/domain/flow';
import { getAddressKey, isIpv4Key } from './address-key';
import type { RecordTable } from './record-columns';

export type FieldValue = string | number | null;

interface FieldBase {
  name: string;
  description: string;
  type: FilterFieldType;
}

/** A field read from the flow itself. */
export interface FlowField extends FieldBase {
  source: 'flow';
  /** SQL expressions over `f`, one per value; NULL where the value is absent. */
  columns: readonly string[];
  /** Values in `columns` order; null where absent. */
  read(flow: FlowRecord): FieldValue[];
}

/** A field read from the flow's analyzer records (zero or more values per flow). */
export interface RecordField extends FieldBase {
  source: 'record';
  table: RecordTable;
  column: string;
}

export type FilterField = FlowField | RecordField;

/** Address keys per flow, so repeated evaluation parses each address once. */
const addressKeyCache = new WeakMap<FlowRecord, [string | null, string | null]>();

function getFlowAddressKeys(flow: FlowRecord): [string | null, string | null] {
  let keys = addressKeyCache.get(flow);
  if (keys === undefined) {
    keys = [getAddressKey(flow.originatorAddress), getAddressKey(flow.responderAddress)];
    addressKeyCache.set(flow, keys);
  }
  return keys;
}

function keepVersion(key: string | null, version: 4 | 6): string | null {
  if (key === null) return null;
  return isIpv4Key(key) === (version === 4) ? key : null;
}

/** Zeek's duration in microseconds, with the first-to-last span when the engine gave none. */
export function getFlowDurationUs(flow: FlowRecord): number {
  return flow.durationUs ?? flow.endUs - flow.startUs;
}

function hasService(flow: FlowRecord, name: string): boolean {
  return flow.service !== null && flow.service.split(',').includes(name);
}

const fields: FilterField[] = [];

function addFlowField(
  name: string,
  type: FilterFieldType,
  description: string,
  columns: readonly string[],
  read: (flow: FlowRecord) => FieldValue[],
): void {
  fields.push({ source: 'flow', name, type, description, columns, read });
}

function addRecordField(name: string, type: FilterFieldType, description: string, table: RecordTable, column: string): void {
  fields.push({ source: 'record', name, type, description, table, column });
}

/** SQL that yields a column only for flows of one transport. */
function whenTransport(transport: string, column: string): string {
  return `CASE WHEN f.proto = '${transport}' THEN ${column} END`;
}

function portsOf(transport: string, flow: FlowRecord, which: 'both' | 'src' | 'dst'): FieldValue[] {
  const isMatch = flow.transport === transport;
  const source = isMatch ? flow.originatorPort : null;
  const destination = isMatch ? flow.responderPort : null;
  if (which === 'src') return [source];
  if (which === 'dst') return [destination];
  return [source, destination];
}

// Addresses (Wireshark).
addFlowField('ip.addr', 'address', 'IPv4 source or destination address', [`CASE WHEN f.ip_version = 4 THEN f.orig_key END`, `CASE WHEN f.ip_version = 4 THEN f.resp_key END`], (flow) => getFlowAddressKeys(flow).map((key) => keepVersion(key, 4)));
addFlowField('ip.src', 'address', 'IPv4 address of the originator', [`CASE WHEN f.ip_version = 4 THEN f.orig_key END`], (flow) => [keepVersion(getFlowAddressKeys(flow)[0], 4)]);
addFlowField('ip.dst', 'address', 'IPv4 address of the responder', [`CASE WHEN f.ip_version = 4 THEN f.resp_key END`], (flow) => [keepVersion(getFlowAddressKeys(flow)[1], 4)]);
addFlowField('ipv6.addr', 'address', 'IPv6 source or destination address', [`CASE WHEN f.ip_version = 6 THEN f.orig_key END`, `CASE WHEN f.ip_version = 6 THEN f.resp_key END`], (flow) => getFlowAddressKeys(flow).map((key) => keepVersion(key, 6)));
addFlowField('ipv6.src', 'address', 'IPv6 address of the originator', [`CASE WHEN f.ip_version = 6 THEN f.orig_key END`], (flow) => [keepVersion(getFlowAddressKeys(flow)[0], 6)]);
addFlowField('ipv6.dst', 'address', 'IPv6 address of the responder', [`CASE WHEN f.ip_version = 6 THEN f.resp_key END`], (flow) => [keepVersion(getFlowAddressKeys(flow)[1], 6)]);

// Ports (Wireshark).
for (const transport of ['tcp', 'udp'] as const) {
  const upper = transport.toUpperCase();
  addFlowField(`${transport}.port`, 'integer', `${upper} source or destination port`, [whenTransport(transport, 'f.orig_p'), whenTransport(transport, 'f.resp_p')], (flow) => portsOf(transport, flow, 'both'));
  addFlowField(`${transport}.srcport`, 'integer', `${upper} port of the originator`, [whenTransport(transport, 'f.orig_p')], (flow) => portsOf(transport, flow, 'src'));
  addFlowField(`${transport}.dstport`, 'integer', `${upper} port of the responder`, [whenTransport(transport, 'f.resp_p')], (flow) => portsOf(transport, flow, 'dst'));
}

// Zeek conn.log fields.
addFlowField('uid', 'string', 'Zeek connection uid', ['f.uid'], (flow) => [flow.uid]);
addFlowField('community_id', 'string', 'Community ID v1 of the flow', ['f.community_id'], (flow) => [flow.communityId]);
addFlowField('ts', 'number', 'Start of the flow, seconds since the epoch', ['f.start_us / 1000000.0'], (flow) => [flow.startUs / 1_000_000]);
addFlowField('id.orig_h', 'address', 'Originator address (IPv4 or IPv6)', ['f.orig_key'], (flow) => [getFlowAddressKeys(flow)[0]]);
addFlowField('id.resp_h', 'address', 'Responder address (IPv4 or IPv6)', ['f.resp_key'], (flow) => [getFlowAddressKeys(flow)[1]]);
addFlowField('id.orig_p', 'integer', 'Originator port (ICMP: message type)', ['f.orig_p'], (flow) => [flow.originatorPort]);
addFlowField('id.resp_p', 'integer', 'Responder port (ICMP: counterpart type)', ['f.resp_p'], (flow) => [flow.responderPort]);
addFlowField('proto', 'string', 'Transport: tcp, udp, icmp or unknown_transport', ['f.proto'], (flow) => [flow.transport]);
addFlowField('service', 'string', 'Application protocols identified, comma-separated', ['f.service'], (flow) => [flow.service]);
addFlowField('duration', 'number', 'Seconds from first to last counted packet', ['f.duration_us / 1000000.0'], (flow) => [getFlowDurationUs(flow) / 1_000_000]);
addFlowField('orig_bytes', 'integer', 'Payload bytes sent by the originator', ['f.orig_bytes'], (flow) => [flow.originatorBytes]);
addFlowField('resp_bytes', 'integer', 'Payload bytes sent by the responder', ['f.resp_bytes'], (flow) => [flow.responderBytes]);
addFlowField('conn_state', 'string', 'Zeek connection state (S0, SF, REJ, RSTO, ...)', ['f.conn_state'], (flow) => [flow.connectionState]);
addFlowField('missed_bytes', 'integer', 'Bytes in TCP sequence gaps never seen', ['f.missed_bytes'], (flow) => [flow.missedBytes]);
addFlowField('history', 'string', 'Zeek history letters', ['f.history'], (flow) => [flow.history]);
addFlowField('orig_pkts', 'integer', 'Packets sent by the originator', ['f.orig_pkts'], (flow) => [flow.originatorPackets]);
addFlowField('orig_ip_bytes', 'integer', 'IP bytes sent by the originator', ['f.orig_ip_bytes'], (flow) => [flow.originatorIpBytes]);
addFlowField('resp_pkts', 'integer', 'Packets sent by the responder', ['f.resp_pkts'], (flow) => [flow.responderPackets]);
addFlowField('resp_ip_bytes', 'integer', 'IP bytes sent by the responder', ['f.resp_ip_bytes'], (flow) => [flow.responderIpBytes]);
addFlowField('vlan', 'integer', 'Outer VLAN id', ['f.vlan'], (flow) => [flow.vlan]);
addFlowField('inner_vlan', 'integer', 'Inner VLAN id', ['f.inner_vlan'], (flow) => [flow.innerVlan]);

// Protocols tested alone, as in Wireshark's `tcp` or `dns`.
addFlowField('ip', 'protocol', 'Flows over IPv4', [`CASE WHEN f.ip_version = 4 THEN 1 END`], (flow) => [flow.originatorAddress.includes(':') ? null : 1]);
addFlowField('ipv6', 'protocol', 'Flows over IPv6', [`CASE WHEN f.ip_version = 6 THEN 1 END`], (flow) => [flow.originatorAddress.includes(':') ? 1 : null]);
for (const transport of ['tcp', 'udp', 'icmp'] as const) {
  addFlowField(transport, 'protocol', `${transport.toUpperCase()} flows`, [`CASE WHEN f.proto = '${transport}' THEN 1 END`], (flow) => [flow.transport === transport ? 1 : null]);
}
for (const service of ['dns', 'http', 'ssl', 'ssh', 'smb', 'dhcp', 'quic', 'ntp', 'krb', 'ftp', 'smtp', 'rdp', 'mdns', 'llmnr'] as const) {
  const name = service === 'ssl' ? 'tls' : service;
  addFlowField(name, 'protocol', `Flows whose service includes ${service}`, [`CASE WHEN list_contains(string_split(f.service, ','), '${service}') THEN 1 END`], (flow) => [hasService(flow, service) ? 1 : null]);
}

// Analyzer record fields (Wireshark names).
addRecordField('dns.qry.name', 'string', 'DNS query name (lower case)', 'dns_records', 'query');
addRecordField('dns.qry.type', 'integer', 'DNS query type number (1 A, 28 AAAA, ...)', 'dns_records', 'query_type');
addRecordField('dns.flags.rcode', 'integer', 'DNS response code (0 NOERROR, 3 NXDOMAIN, ...)', 'dns_records', 'response_code');
addRecordField('http.host', 'string', 'HTTP Host header', 'http_records', 'host');
addRecordField('http.request.uri', 'string', 'HTTP request target, %XX decoded', 'http_records', 'uri');
addRecordField('http.request.method', 'string', 'HTTP request method', 'http_records', 'method');
addRecordField('http.user_agent', 'string', 'HTTP User-Agent header', 'http_records', 'user_agent');
addRecordField('http.response.code', 'integer', 'HTTP status code', 'http_records', 'status_code');
addRecordField('tls.handshake.extensions_server_name', 'string', 'TLS server name (SNI) of the ClientHello', 'tls_records', 'server_name');
addRecordField('tls.sni', 'string', 'Short name for tls.handshake.extensions_server_name', 'tls_records', 'server_name');

const fieldsByName = new Map(fields.map((field) => [field.name, field]));

/** The field called `name`, or undefined. Names are case-sensitive, as in Wireshark. */
export function getFilterField(name: string): FilterField | undefined {
  return fieldsByName.get(name);
}

/** Every field, in the order completion lists them. */
export function listFilterFields(): readonly FilterField[] {
  return fields;
}

/**
 * Field names that start with `prefix` (case-insensitive), shortest first
 * within the next dotted level so `ip` lists `ip`, `ip.addr`, `ip.dst`, ...
 */
export function completeFilterField(prefix: string): FilterFieldInfo[] {
  const lower = prefix.toLowerCase();
  return fields
    .filter((field) => field.name.toLowerCase().startsWith(lower))
    .sort((a, b) => a.name.length - b.name.length || a.name.localeCompare(b.name))
    .map((field) => ({ name: field.name, description: field.description, type: field.type }));
}
