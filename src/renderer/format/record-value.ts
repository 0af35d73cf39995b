/** Formats one field of an analyzer record (a Zeek log value) for a table cell. */
import type { RecordValue } from '../../shared/contract';
import { formatDuration, formatTimestamp, type TimeZoneSetting } from './time';

/** Zeek fields that hold a time (microseconds since the epoch) or an interval (microseconds). */
const timeFields = new Set(['ts', 'certificate.not_valid_before', 'certificate.not_valid_after']);
const intervalFields = new Set(['rtt', 'duration', 'lease_time']);

// C0 controls, DEL and C1 controls: a tab or 0x01 from traffic must be seen, not drawn as a space or a box.
const controlPattern = /[\u0000-\u001f\u007f-\u009f]/g;

/** `text` with each control character written as `\xNN`, as Zeek's logs write them. Plain text, never HTML. */
export function escapeControlBytes(text: string): string {
  return text.replace(controlPattern, (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Returns the cell text: times in the chosen zone, intervals as durations, sets joined, unset as "-", control bytes escaped. */
export function formatRecordValue(field: string, value: RecordValue | undefined, zone: TimeZoneSetting): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.length === 0 ? '(empty)' : value.map(escapeControlBytes).join(', ');
  if (typeof value === 'number' && timeFields.has(field)) return formatTimestamp(value, zone);
  if (typeof value === 'number' && intervalFields.has(field)) return formatDuration(value);
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  return escapeControlBytes(String(value));
}
