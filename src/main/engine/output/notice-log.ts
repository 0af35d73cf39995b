/**
 * Alerts as Zeek's notice.log (TSV or JSON lines, through ZeekLogWriter) and
 * as alerts.jsonl (one Alert per line, every field, for tools and the app).
 *
 * Column set and order follow Zeek's base/frameworks/notice/main.zeek
 * Notice::Info up to `suppress_for` (the geo `remote_location` columns are
 * left out: no location data). The note names follow Zeek where Zeek has
 * the same notice (Scan::Port_Scan, Scan::Address_Scan,
 * SSH::Password_Guessing) and are Tideline::<Name> otherwise.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Alert } from '../../../shared/domain/alert';
import { parseAddress } from '../detectors/network-scope';
import { type ZeekLogColumn, type ZeekLogFormat, type ZeekLogSink, ZeekLogWriter } from './zeek-log-writer';

/** Zeek's default Notice::default_suppression_interval: one hour, in microseconds. */
const suppressForUs = 3_600_000_000;

const zeekNotes: Record<string, string> = {
  'port-scan': 'Scan::Port_Scan',
  'address-scan': 'Scan::Address_Scan',
};

/** Zeek-style note name for an alert's detector. */
export function getNoticeName(alert: Alert): string {
  const known = zeekNotes[alert.detector];
  if (known !== undefined) return known;
  if (alert.detector === 'brute-force' && alert.key?.endsWith(':22') === true) return 'SSH::Password_Guessing';
  const name = alert.detector
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('_');
  return `Tideline::${name}`;
}

function addressOrNull(text: string | undefined): string | null {
  return text !== undefined && parseAddress(text) !== null ? text : null;
}

/**
 * Key formats that carry a port, by detector. Every other detector keys on
 * addresses, MACs, names or uids (an IPv6 address or a MAC also ends in
 * ":<hex>", so a port is never guessed from the tail of an arbitrary key).
 */
const portKeyPatterns: Record<string, RegExp> = {
  // "<scanner>><victim>:<port>" (failed-connection-detector)
  'brute-force': /^[^>]+>.+:(\d{1,5})$/,
  // "<scanner>>:<port>"
  'address-scan': /^[^>]+>:(\d{1,5})$/,
  // "<client>><server>:<port>/<transport> <service>" (unusual-port-detector)
  'unusual-port': /^[^>]+>.+:(\d{1,5})\/[a-z0-9]+ \S+$/,
  'unrecognised-protocol-on-well-known-port': /^[^>]+>.+:(\d{1,5})\/[a-z0-9]+ \S+$/,
};

/** Port the alert is about when its detector keys on an address:port, else null (Zeek writes "-"). */
export function getNoticePort(alert: Alert): number | null {
  const pattern = portKeyPatterns[alert.detector];
  if (pattern === undefined || alert.key === undefined) return null;
  const match = pattern.exec(alert.key);
  if (match === null) return null;
  const port = Number(match[1]);
  return port <= 65_535 ? port : null;
}

export const noticeLogColumns: readonly ZeekLogColumn<Alert>[] = [
  { name: 'ts', type: 'time', read: (alert) => alert.firstUs },
  {
    name: 'uid',
    type: 'string',
    read: (alert) => (alert.evidence.flowUids.length === 1 ? alert.evidence.flowUids[0] : null),
  },
  { name: 'id.orig_h', type: 'addr', read: () => null },
  { name: 'id.orig_p', type: 'port', read: () => null },
  { name: 'id.resp_h', type: 'addr', read: () => null },
  { name: 'id.resp_p', type: 'port', read: () => null },
  { name: 'fuid', type: 'string', read: () => null },
  { name: 'file_mime_type', type: 'string', read: () => null },
  { name: 'file_desc', type: 'string', read: () => null },
  { name: 'proto', type: 'enum', read: () => null },
  { name: 'note', type: 'enum', read: getNoticeName },
  { name: 'msg', type: 'string', read: (alert) => alert.title },
  {
    name: 'sub',
    type: 'string',
    read: (alert) =>
      `${alert.reason} [severity ${alert.severity}, score ${alert.score}, ${alert.mitreTechnique ?? 'no technique'}` +
      `${alert.mitreTechniqueName ? ` ${alert.mitreTechniqueName}` : ''}, alert ${alert.id}]`,
  },
  { name: 'src', type: 'addr', read: (alert) => addressOrNull(alert.hosts[0]) },
  { name: 'dst', type: 'addr', read: (alert) => addressOrNull(alert.hosts[1]) },
  { name: 'p', type: 'port', read: getNoticePort },
  {
    name: 'n',
    type: 'count',
    read: (alert) => (alert.measurements[0] === undefined ? null : Math.round(alert.measurements[0].value)),
  },
  { name: 'peer_descr', type: 'string', read: () => null },
  { name: 'actions', type: 'set[enum]', read: () => ['Notice::ACTION_LOG'] },
  { name: 'email_dest', type: 'set[string]', read: () => [] },
  { name: 'suppress_for', type: 'interval', read: () => suppressForUs },
];

/** Format one alert as a line of alerts.jsonl. */
export function formatAlertJsonLine(alert: Alert): string {
  return `${JSON.stringify(alert)}\n`;
}

export interface DetectionOutputCounts {
  notices: number;
  alerts: number;
}

/**
 * Write `notice.log` (in `format`) and `alerts.jsonl` into `directory`,
 * alerts in time order. Like Zeek, no notice.log is written without alerts;
 * alerts.jsonl is always written (empty when there are none). Resolves when
 * both files are flushed.
 */
export async function writeDetectionOutputs(
  directory: string,
  alerts: readonly Alert[],
  format: ZeekLogFormat,
  openedAt: Date = new Date(),
): Promise<DetectionOutputCounts> {
  const ordered = [...alerts].sort((a, b) => a.firstUs - b.firstUs || a.id.localeCompare(b.id));
  const pending: Promise<void>[] = [];
  const openSink = (path: string): ZeekLogSink => {
    const stream = createWriteStream(path);
    pending.push(
      new Promise((resolve, reject) => {
        stream.on('finish', () => resolve());
        stream.on('error', reject);
      }),
    );
    // Lines are gathered into 64 KiB writes: one stream write per alert cost more than formatting it.
    let buffered = '';
    return {
      write: (text) => {
        buffered += text;
        if (buffered.length < 64 * 1024) return;
        stream.write(buffered);
        buffered = '';
      },
      end: () => {
        if (buffered !== '') stream.write(buffered);
        buffered = '';
        stream.end();
      },
    };
  };
  const notices = new ZeekLogWriter<Alert>(
    'notice',
    noticeLogColumns,
    format,
    () => openSink(join(directory, 'notice.log')),
    openedAt,
  );
  for (const alert of ordered) notices.write(alert);
  notices.close();
  const jsonl = openSink(join(directory, 'alerts.jsonl'));
  for (const alert of ordered) jsonl.write(formatAlertJsonLine(alert));
  jsonl.end();
  await Promise.all(pending);
  return { notices: notices.recordCount, alerts: ordered.length };
}
