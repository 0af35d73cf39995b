import type { FlowRecord } from '../../../shared/domain/flow';

/** Zeek's conn.log columns, plus community_id as Zeek's community-id package adds it. */
export const CONN_LOG_FIELDS = [
  'ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration',
  'orig_bytes', 'resp_bytes', 'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history',
  'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'tunnel_parents', 'ip_proto', 'community_id',
] as const;

const CONN_LOG_TYPES = [
  'time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'string', 'interval',
  'count', 'count', 'string', 'bool', 'bool', 'count', 'string',
  'count', 'count', 'count', 'count', 'set[string]', 'count', 'string',
];

/** Zeek's #open/#close time format: YYYY-MM-DD-HH-MM-SS in UTC. */
export function formatZeekLogTime(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}-${pad(date.getUTCHours())}-${pad(date.getUTCMinutes())}-${pad(date.getUTCSeconds())}`;
}

/** Header lines of a Zeek TSV conn.log, each ending in "\n". */
export function formatConnLogHeader(openedAt: Date): string {
  return [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    `#open\t${formatZeekLogTime(openedAt)}`,
    `#fields\t${CONN_LOG_FIELDS.join('\t')}`,
    `#types\t${CONN_LOG_TYPES.join('\t')}`,
    '',
  ].join('\n');
}

export function formatConnLogFooter(closedAt: Date): string {
  return `#close\t${formatZeekLogTime(closedAt)}\n`;
}

/** Seconds with 6 decimals from integer microseconds, as Zeek prints time and interval values. */
export function formatMicroseconds(us: number): string {
  const sign = us < 0 ? '-' : '';
  const magnitude = Math.abs(us);
  const seconds = Math.floor(magnitude / 1_000_000);
  const fraction = String(magnitude % 1_000_000).padStart(6, '0');
  return `${sign}${seconds}.${fraction}`;
}

/**
 * Zeek leaves duration, orig_bytes and resp_bytes unset when the
 * connection lasted zero time (a single packet, or packets at one instant).
 */
function hasDuration(flow: FlowRecord): boolean {
  return getDurationUs(flow) > 0;
}

function getDurationUs(flow: FlowRecord): number {
  return flow.durationUs ?? flow.endUs - flow.startUs;
}

/** Escape tabs, backslashes and control characters as \xHH, as Zeek's ASCII writer does. */
function escapeTsvValue(value: string): string {
  return value.replace(/[\t\n\\\x00-\x1f\x7f]/g, (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Escape a set element, which must not contain the set separator either. */
function escapeSetElement(value: string): string {
  return escapeTsvValue(value).replace(/,/g, '\\x2c');
}

function formatBool(value: boolean | undefined): string {
  if (value === undefined) return '-';
  return value ? 'T' : 'F';
}

/**
 * True when a flow belongs in conn.log. IP-level flows (fragments whose
 * first fragment never came) have no ports and Zeek logs nothing for them.
 */
export function isConnLogFlow(flow: FlowRecord): boolean {
  return flow.isIpOnly !== true;
}

/** Format one conn.log TSV row, ending in "\n". */
export function formatConnLogRow(flow: FlowRecord): string {
  const isSet = hasDuration(flow);
  const columns = [
    formatMicroseconds(flow.startUs),
    flow.uid,
    flow.originatorAddress,
    String(flow.originatorPort),
    flow.responderAddress,
    String(flow.responderPort),
    flow.transport,
    flow.service === null ? '-' : escapeTsvValue(flow.service),
    isSet ? formatMicroseconds(getDurationUs(flow)) : '-',
    isSet ? String(flow.originatorBytes) : '-',
    isSet ? String(flow.responderBytes) : '-',
    flow.connectionState,
    formatBool(flow.isOriginatorLocal),
    formatBool(flow.isResponderLocal),
    String(flow.missedBytes),
    flow.history === '' ? '-' : flow.history,
    String(flow.originatorPackets),
    String(flow.originatorIpBytes),
    String(flow.responderPackets),
    String(flow.responderIpBytes),
    flow.tunnelParents.length === 0 ? '-' : flow.tunnelParents.map(escapeSetElement).join(','),
    String(flow.ipProtocol),
    flow.communityId,
  ];
  return `${columns.join('\t')}\n`;
}

/** Format one conn.log row as a Zeek JSON line ending in "\n". Unset fields are left out, as Zeek's JSON writer does. */
export function formatConnLogJsonLine(flow: FlowRecord): string {
  const isSet = hasDuration(flow);
  const record: Record<string, unknown> = {
    ts: flow.startUs / 1_000_000,
    uid: flow.uid,
    'id.orig_h': flow.originatorAddress,
    'id.orig_p': flow.originatorPort,
    'id.resp_h': flow.responderAddress,
    'id.resp_p': flow.responderPort,
    proto: flow.transport,
  };
  if (flow.service !== null) record.service = flow.service;
  if (isSet) {
    record.duration = getDurationUs(flow) / 1_000_000;
    record.orig_bytes = flow.originatorBytes;
    record.resp_bytes = flow.responderBytes;
  }
  record.conn_state = flow.connectionState;
  if (flow.isOriginatorLocal !== undefined) record.local_orig = flow.isOriginatorLocal;
  if (flow.isResponderLocal !== undefined) record.local_resp = flow.isResponderLocal;
  record.missed_bytes = flow.missedBytes;
  if (flow.history !== '') record.history = flow.history;
  record.orig_pkts = flow.originatorPackets;
  record.orig_ip_bytes = flow.originatorIpBytes;
  record.resp_pkts = flow.responderPackets;
  record.resp_ip_bytes = flow.responderIpBytes;
  if (flow.tunnelParents.length > 0) record.tunnel_parents = flow.tunnelParents;
  record.ip_proto = flow.ipProtocol;
  record.community_id = flow.communityId;
  return `${JSON.stringify(record)}\n`;
}

/** Order rows by start time, then uid, so output is the same on every run. */
export function compareFlowsForLog(a: FlowRecord, b: FlowRecord): number {
  if (a.startUs !== b.startUs) return a.startUs - b.startUs;
  if (a.uid < b.uid) return -1;
  if (a.uid > b.uid) return 1;
  return 0;
}
