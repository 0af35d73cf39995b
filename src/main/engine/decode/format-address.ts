/**
 * Text forms of addresses read from packet bytes. These allocate a string,
 * so they belong in output and analyzers, not in the per-packet decode loop.
 */

const HEX_DIGITS = '0123456789abcdef';

/** Format the 4 bytes at `offset` as dotted decimal. The caller checks the bounds. */
export function formatIpv4(data: Uint8Array, offset: number): string {
  return `${data[offset] ?? 0}.${data[offset + 1] ?? 0}.${data[offset + 2] ?? 0}.${data[offset + 3] ?? 0}`;
}

/**
 * Format the 16 bytes at `offset` in RFC 5952 canonical form: lowercase hex
 * groups without leading zeros, the longest run of two or more zero groups
 * (the leftmost on a tie) written as `::`. Like inet_ntop and tshark 4.0,
 * IPv4-mapped addresses print as `::ffff:a.b.c.d` and IPv4-compatible ones
 * (96 zero bits, then a nonzero seventh group) as `::a.b.c.d`.
 */
export function formatIpv6(data: Uint8Array, offset: number): string {
  const groups = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) {
    groups[i] = ((data[offset + 2 * i] ?? 0) << 8) | (data[offset + 2 * i + 1] ?? 0);
  }

  // Find the leftmost longest run of zero groups.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestLength < 2) bestStart = -1;

  const isMapped = bestStart === 0 && bestLength === 5 && groups[5] === 0xffff;
  const isCompatible = bestStart === 0 && bestLength === 6;
  if (isMapped || isCompatible) {
    const prefix = isMapped ? '::ffff:' : '::';
    return prefix + formatIpv4(data, offset + 12);
  }

  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += '::';
      i += bestLength - 1;
      continue;
    }
    if (text.length > 0 && !text.endsWith(':')) text += ':';
    text += (groups[i] as number).toString(16);
  }
  return text;
}

/** Format the 6 bytes at `offset` as a lowercase colon-separated MAC address (`00:1b:21:0a:0b:0c`). */
export function formatMac(data: Uint8Array, offset: number): string {
  let text = '';
  for (let i = 0; i < 6; i++) {
    const value = data[offset + i] ?? 0;
    if (i > 0) text += ':';
    text += (HEX_DIGITS[value >> 4] as string) + (HEX_DIGITS[value & 0x0f] as string);
  }
  return text;
}
