/**
 * Whether an address belongs to the analyst's side of the network. Without a
 * configured list of local networks, "internal" means the address ranges that
 * are never routed on the public Internet.
 */

/**
 * True for IPv4 private (RFC 1918), shared (RFC 6598), loopback, link-local
 * and unspecified addresses, and for IPv6 loopback, unspecified, link-local
 * (fe80::/10) and unique-local (fc00::/7) addresses. Text that is not an IP
 * address returns false.
 *
 * NOTE: the analyst cannot yet declare their own networks (Zeek's
 * Site::local_nets), so a public range used inside an organisation shows as
 * external. A setting for local networks would lift this.
 */
export function isInternalAddress(address: string): boolean {
  if (address.includes(':')) return isInternalIpv6(address.toLowerCase());
  return isInternalIpv4(address);
}

function isInternalIpv4(address: string): boolean {
  const octets = parseIpv4(address);
  if (octets === null) return false;

  const [a = 0, b = 0] = octets;
  if (a === 10 || a === 127 || a === 0) return true;
  if (a === 172 && b >= 16 && b <= 31) return true;
  if (a === 192 && b === 168) return true;
  if (a === 169 && b === 254) return true;
  if (a === 100 && b >= 64 && b <= 127) return true;
  return false;
}

/** Parse dotted-quad text into four octets, or null when it is not one. */
function parseIpv4(address: string): number[] | null {
  const octets: number[] = [];
  let value = 0;
  let digits = 0;
  for (let index = 0; index <= address.length; index += 1) {
    const code = index < address.length ? address.charCodeAt(index) : 0x2e;
    if (code === 0x2e) {
      if (digits === 0 || value > 255) return null;
      octets.push(value);
      value = 0;
      digits = 0;
      continue;
    }
    if (code < 0x30 || code > 0x39 || digits === 3) return null;
    value = value * 10 + (code - 0x30);
    digits += 1;
  }
  return octets.length === 4 ? octets : null;
}

function isInternalIpv6(address: string): boolean {
  if (address === '::1' || address === '::') return true;
  const mappedIpv4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mappedIpv4?.[1] !== undefined) return isInternalIpv4(mappedIpv4[1]);

  const firstGroup = Number.parseInt(address.split(':')[0] ?? '', 16);
  if (Number.isNaN(firstGroup)) return false;
  if ((firstGroup & 0xffc0) === 0xfe80) return true;
  if ((firstGroup & 0xfe00) === 0xfc00) return true;
  return false;
}
