/** Number formatting shared by tables, the status bar and chart axes. */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Formats a byte count with IEC units ("1.50 KiB"); whole bytes below 1024. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  let value = bytes;
  let unitIndex = 0;
  while (Math.abs(value) >= 1024 && unitIndex < BYTE_UNITS.length - 1) {
    value /= 1024;
    unitIndex += 1;
  }
  const unit = BYTE_UNITS[unitIndex] ?? 'B';
  if (unitIndex === 0) return `${value} ${unit}`;
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${unit}`;
}

/** Formats an integer with comma thousands separators, whatever the locale, so exported and on-screen numbers match. */
export function formatCount(count: number): string {
  if (!Number.isFinite(count)) return '–';
  return Math.round(count)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Formats a measured value: whole numbers as formatCount does, fractions with
 * up to three decimals ("0.245", "1,234.5"), so a 0.245 s gap is not shown as 0.
 */
export function formatMeasurement(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (Number.isInteger(value)) return formatCount(value);
  const [whole = '0', fraction = ''] = Math.abs(value).toFixed(3).replace(/0+$/, '').split('.');
  const grouped = `${value < 0 ? '-' : ''}${formatCount(Number(whole))}`;
  return fraction === '' ? grouped : `${grouped}.${fraction}`;
}

/** Formats a short axis label: 1.2k, 3.4M, 5.6G. */
export function formatCompact(value: number): string {
  const absolute = Math.abs(value);
  if (absolute >= 1e9) return `${(value / 1e9).toFixed(1)}G`;
  if (absolute >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (absolute >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return String(Math.round(value));
}
