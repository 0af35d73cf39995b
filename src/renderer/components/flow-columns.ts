/**
 * The flow table's columns: Zeek conn.log field names as headers (what
 * analysts search for), the contract's sort column, and how each cell is
 * shown on screen and written to an export.
 */
import type { FlowRecord, FlowSortColumn } from '../../shared/contract';
import type { ExportColumn } from '../format/table-export';
import { formatCount } from '../format/quantity';
import { formatDuration, formatTimestamp, type TimeZoneSetting } from '../format/time';

export interface FlowColumn {
  /** Zeek conn.log field name. */
  key: string;
  sortColumn: FlowSortColumn;
  /** Width in pixels. */
  width: number;
  isNumeric: boolean;
  display: (flow: FlowRecord, timeZone: TimeZoneSetting) => string;
}

const durationUs = (flow: FlowRecord): number => flow.endUs - flow.startUs;

/** Zeek writes times as epoch seconds with 6 decimals; integers keep that exact. */
export function formatZeekSeconds(microseconds: number): string {
  const sign = microseconds < 0 ? '-' : '';
  const absolute = Math.abs(microseconds);
  return `${sign}${Math.floor(absolute / 1_000_000)}.${String(absolute % 1_000_000).padStart(6, '0')}`;
}

export const flowColumns: readonly FlowColumn[] = [
  {
    key: 'ts',
    sortColumn: 'startUs',
    width: 222,
    isNumeric: false,
    display: (flow, zone) => formatTimestamp(flow.startUs, zone),
  },
  { key: 'uid', sortColumn: 'uid', width: 160, isNumeric: false, display: (flow) => flow.uid },
  {
    key: 'id.orig_h',
    sortColumn: 'originatorAddress',
    width: 150,
    isNumeric: false,
    display: (flow) => flow.originatorAddress,
  },
  {
    key: 'id.orig_p',
    sortColumn: 'originatorPort',
    width: 76,
    isNumeric: true,
    display: (flow) => String(flow.originatorPort),
  },
  {
    key: 'id.resp_h',
    sortColumn: 'responderAddress',
    width: 150,
    isNumeric: false,
    display: (flow) => flow.responderAddress,
  },
  {
    key: 'id.resp_p',
    sortColumn: 'responderPort',
    width: 76,
    isNumeric: true,
    display: (flow) => String(flow.responderPort),
  },
  { key: 'proto', sortColumn: 'transport', width: 52, isNumeric: false, display: (flow) => flow.transport },
  { key: 'service', sortColumn: 'service', width: 72, isNumeric: false, display: (flow) => flow.service ?? '-' },
  {
    key: 'duration',
    sortColumn: 'durationUs',
    width: 80,
    isNumeric: true,
    display: (flow) => formatDuration(durationUs(flow)),
  },
  {
    key: 'orig_bytes',
    sortColumn: 'originatorBytes',
    width: 96,
    isNumeric: true,
    display: (flow) => formatCount(flow.originatorBytes),
  },
  {
    key: 'resp_bytes',
    sortColumn: 'responderBytes',
    width: 96,
    isNumeric: true,
    display: (flow) => formatCount(flow.responderBytes),
  },
  {
    key: 'conn_state',
    sortColumn: 'connectionState',
    width: 88,
    isNumeric: false,
    // A provisional row of a flow still open has no state yet.
    display: (flow) => (flow.isProvisional === true ? 'open' : flow.connectionState),
  },
  {
    key: 'missed_bytes',
    sortColumn: 'missedBytes',
    width: 106,
    isNumeric: true,
    display: (flow) => formatCount(flow.missedBytes),
  },
  { key: 'history', sortColumn: 'history', width: 90, isNumeric: false, display: (flow) => flow.history },
  {
    key: 'orig_pkts',
    sortColumn: 'originatorPackets',
    width: 84,
    isNumeric: true,
    display: (flow) => formatCount(flow.originatorPackets),
  },
  {
    key: 'orig_ip_bytes',
    sortColumn: 'originatorIpBytes',
    width: 96,
    isNumeric: true,
    display: (flow) => formatCount(flow.originatorIpBytes),
  },
  {
    key: 'resp_pkts',
    sortColumn: 'responderPackets',
    width: 84,
    isNumeric: true,
    display: (flow) => formatCount(flow.responderPackets),
  },
  {
    key: 'resp_ip_bytes',
    sortColumn: 'responderIpBytes',
    width: 96,
    isNumeric: true,
    display: (flow) => formatCount(flow.responderIpBytes),
  },
  { key: 'community_id', sortColumn: 'communityId', width: 250, isNumeric: false, display: (flow) => flow.communityId },
];

/** Export columns in Zeek conn.log order and units (seconds for ts and duration). */
export const flowExportColumns: readonly ExportColumn<FlowRecord>[] = [
  { key: 'ts', value: (flow) => formatZeekSeconds(flow.startUs) },
  { key: 'uid', value: (flow) => flow.uid },
  { key: 'id.orig_h', value: (flow) => flow.originatorAddress },
  { key: 'id.orig_p', value: (flow) => flow.originatorPort },
  { key: 'id.resp_h', value: (flow) => flow.responderAddress },
  { key: 'id.resp_p', value: (flow) => flow.responderPort },
  { key: 'proto', value: (flow) => flow.transport },
  { key: 'service', value: (flow) => flow.service },
  { key: 'duration', value: (flow) => formatZeekSeconds(durationUs(flow)) },
  { key: 'orig_bytes', value: (flow) => flow.originatorBytes },
  { key: 'resp_bytes', value: (flow) => flow.responderBytes },
  { key: 'conn_state', value: (flow) => flow.connectionState },
  { key: 'missed_bytes', value: (flow) => flow.missedBytes },
  { key: 'history', value: (flow) => flow.history },
  { key: 'orig_pkts', value: (flow) => flow.originatorPackets },
  { key: 'orig_ip_bytes', value: (flow) => flow.originatorIpBytes },
  { key: 'resp_pkts', value: (flow) => flow.responderPackets },
  { key: 'resp_ip_bytes', value: (flow) => flow.responderIpBytes },
  { key: 'tunnel_parents', value: (flow) => flow.tunnelParents.join(',') },
  { key: 'community_id', value: (flow) => flow.communityId },
];

/** Returns the CSS grid-template-columns value for the table. */
export function flowGridTemplate(): string {
  return flowColumns.map((column) => `${column.width}px`).join(' ');
}
