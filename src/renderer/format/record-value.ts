/** Formats one field of an analyzer record (a Zeek log value) for a table cell. */
import type { RecordValue } from '../../shared/contract';
import { formatDuration, formatTimestamp, type TimeZoneSetting } from './time';

/** Zeek fields that hold a time (microseconds since the epoch) or an interval (microseconds). */
const timeFields = new Set(['ts']);
const intervalFields = new Set(['rtt', 'duration', 'lease_time']);

/** Returns the cell text: times in the chosen zone, intervals as durations, sets joined, unset as "-". */
export function formatRecordValue(field: string, value: RecordValue | undefined, zone: TimeZoneSetting): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.length === 0 ? '(empty)' : value.join(', ');
  if (typeof value === 'number' && timeFields.has(field)) return formatTimestamp(value, zone);
  if (typeof value === 'number' && intervalFields.has(field)) return formatDuration(value);
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  return String(value);
}
