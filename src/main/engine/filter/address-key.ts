/**
 * Addresses as fixed-width keys that sort like the numbers they are, so
 * equality, CIDR blocks and ranges become string comparisons that the store
 * can index: 32 lowercase hex digits of the IPv6 address, with IPv4 mapped
 * into ::ffff:0:0/96 (RFC 4291 section 2.5.5.2).
 */

const IPV4_PREFIX = '00000000000000000000ffff';

/** Key of an IPv4 or IPv6 address in text form, or null when `text` is neither. */
export function getAddressKey(text: string): string | null {
  if (text.includes(':')) return getIpv6Key(text);
  const octets = parseIpv4Octets(text);
  if (octets === null) return null;
  return IPV4_PREFIX + octets.map((octet) => octet.toString(16).padStart(2, '0')).join('');
}

/** True when the key is an IPv4 address mapped into IPv6. */
export function isIpv4Key(key: string): boolean {
  return key.startsWith(IPV4_PREFIX);
}

/**
 * Lowest and highest key of a CIDR block ("10.0.0.0/8", "fe80::/10") or of
 * one address. Returns null when the address or prefix length is invalid.
 */
export function getAddressKeyRange(text: string): { low: string; high: string; isIpv4: boolean } | null {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const key = getAddressKey(address);
  if (key === null) return null;
  const isIpv4 = !address.includes(':');
  if (slash < 0) return { low: key, high: key, isIpv4 };

  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > (isIpv4 ? 32 : 128)) return null;
  const bits = (isIpv4 ? 96 : 0) + prefix;
  return { low: maskKey(key, bits, false), high: maskKey(key, bits, true), isIpv4 };
}

/** Keep the first `bits` bits of `key` and set the rest to 0 (low) or 1 (high). */
function maskKey(key: string, bits: number, isHigh: boolean): string {
  let result = '';
  for (let digit = 0; digit < 32; digit++) {
    const value = Number.parseInt(key[digit] ?? '0', 16);
    const kept = Math.min(4, Math.max(0, bits - digit * 4));
    const keepMask = (0xf << (4 - kept)) & 0xf;
    const masked = isHigh ? (value & keepMask) | (~keepMask & 0xf) : value & keepMask;
    result += masked.toString(16);
  }
  return result;
}

function parseIpv4Octets(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    octets.push(value);
  }
  return octets;
}

/** Parse RFC 4291 text (with "::" and an optional dotted IPv4 tail) into a 32-digit key. */
function getIpv6Key(text: string): string | null {
  const zoneless = text.toLowerCase();
  if (zoneless.length > 45) return null;
  const halves = zoneless.split('::');
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return groups.map((group) => group.toString(16).padStart(4, '0')).join('');
}

function parseGroups(text: string): number[] | null {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (i === parts.length - 1 && part.includes('.')) {
      const octets = parseIpv4Octets(part);
      if (octets === null) return null;
      groups.push(((octets[0] ?? 0) << 8) | (octets[1] ?? 0), ((octets[2] ?? 0) << 8) | (octets[3] ?? 0));
      continue;
    }
    if (!/^[0-9a-f]{1,4}$/.test(part)) return null;
    groups.push(Number.parseInt(part, 16));
  }
  return groups;
}
