/**
 * Timestamps in the contract are integer microseconds since the Unix epoch.
 * These helpers render them for the analyst in UTC or in the local time zone.
 */

import type { Settings } from '../../shared/contract';

export type TimeZoneSetting = Settings['timeZone'];

const MICROSECONDS_PER_MILLISECOND = 1000;
const MICROSECONDS_PER_SECOND = 1_000_000;

function padNumber(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * Formats microseconds as "YYYY-MM-DD HH:MM:SS.ffffff" followed by "Z" in UTC
 * or the local UTC offset ("+02:00"), so a copied value is never ambiguous.
 */
export function formatTimestamp(microseconds: number, zone: TimeZoneSetting): string {
  const wholeMilliseconds = Math.floor(microseconds / MICROSECONDS_PER_MILLISECOND);
  const date = new Date(wholeMilliseconds);
  const fraction = padNumber(
    microseconds - Math.floor(microseconds / MICROSECONDS_PER_SECOND) * MICROSECONDS_PER_SECOND,
    6,
  );
  const isUtc = zone === 'utc';
  const year = isUtc ? date.getUTCFullYear() : date.getFullYear();
  const month = (isUtc ? date.getUTCMonth() : date.getMonth()) + 1;
  const day = isUtc ? date.getUTCDate() : date.getDate();
  const hours = isUtc ? date.getUTCHours() : date.getHours();
  const minutes = isUtc ? date.getUTCMinutes() : date.getMinutes();
  const seconds = isUtc ? date.getUTCSeconds() : date.getSeconds();
  const datePart = `${year}-${padNumber(month, 2)}-${padNumber(day, 2)}`;
  const timePart = `${padNumber(hours, 2)}:${padNumber(minutes, 2)}:${padNumber(seconds, 2)}.${fraction}`;
  return `${datePart} ${timePart}${isUtc ? 'Z' : formatUtcOffset(date)}`;
}

/** Formats a time of day only ("HH:MM:SS"), for axis labels. */
export function formatClockTime(milliseconds: number, zone: TimeZoneSetting): string {
  const date = new Date(milliseconds);
  const isUtc = zone === 'utc';
  const hours = isUtc ? date.getUTCHours() : date.getHours();
  const minutes = isUtc ? date.getUTCMinutes() : date.getMinutes();
  const seconds = isUtc ? date.getUTCSeconds() : date.getSeconds();
  return `${padNumber(hours, 2)}:${padNumber(minutes, 2)}:${padNumber(seconds, 2)}`;
}

function formatUtcOffset(date: Date): string {
  // getTimezoneOffset() is minutes behind UTC, so +120 means UTC-02:00.
  const offsetMinutes = -date.getTimezoneOffset();
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const absolute = Math.abs(offsetMinutes);
  return `${sign}${padNumber(Math.floor(absolute / 60), 2)}:${padNumber(absolute % 60, 2)}`;
}

/**
 * Formats a duration in microseconds with a unit that keeps 3 significant
 * figures: "840 µs", "12.5 ms", "3.20 s", "4 m 05 s", "2 h 07 m".
 */
export function formatDuration(microseconds: number): string {
  if (!Number.isFinite(microseconds) || microseconds < 0) return '–';
  if (microseconds < 1000) return `${Math.round(microseconds)} µs`;
  if (microseconds < MICROSECONDS_PER_SECOND) return `${toThreeFigures(microseconds / 1000)} ms`;
  const seconds = microseconds / MICROSECONDS_PER_SECOND;
  if (seconds < 60) return `${toThreeFigures(seconds)} s`;
  const wholeSeconds = Math.round(seconds);
  if (wholeSeconds < 3600) return `${Math.floor(wholeSeconds / 60)} m ${padNumber(wholeSeconds % 60, 2)} s`;
  const wholeMinutes = Math.round(wholeSeconds / 60);
  return `${Math.floor(wholeMinutes / 60)} h ${padNumber(wholeMinutes % 60, 2)} m`;
}

function toThreeFigures(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
