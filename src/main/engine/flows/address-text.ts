/**
 * Text forms of addresses stored in a flow key: dotted IPv4 and RFC 5952
 * IPv6 (lowercase, longest zero run of two or more groups as "::"), as Zeek
 * writes them. Called once per flow, never per packet.
 */
export function formatAddressBytes(bytes: Uint8Array, offset: number, isIpv6: boolean): string {
  if (!isIpv6) {
    return `${bytes[offset] ?? 0}.${bytes[offset + 1] ?? 0}.${bytes[offset + 2] ?? 0}.${bytes[offset + 3] ?? 0}`;
  }

  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((bytes[offset + 2 * i] ?? 0) << 8) | (bytes[offset + 2 * i + 1] ?? 0));

  // Find the longest run of zero groups (first one wins a tie).
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }

  const hex = groups.map((group) => group.toString(16));
  if (bestLength < 2) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

/**
 * Return true for addresses that Zeek's conn.log marks local (local_orig,
 * local_resp) when no local networks are configured. The IPv4 ranges are
 * RFC 1918, 100.64/10, loopback, link-local, 0/8, the documentation and
 * benchmark ranges, 240/4, 255.255.255.255 and the multicast block 224.0.0/24.
 * The IPv6 ranges are loopback, link-local, fc00::/7, 2001::/23 and 2001:db8::/32.
 */

// NOTE: these ranges reproduce Zeek's published test baselines; they were not
// checked against the `Site::private_address_space` of a specific Zeek release.
export function isPrivateAddress(bytes: Uint8Array, offset: number, isIpv6: boolean): boolean {
  const b0 = bytes[offset] ?? 0;
  const b1 = bytes[offset + 1] ?? 0;
  const b2 = bytes[offset + 2] ?? 0;
  if (!isIpv6) {
    if (b0 === 0 || b0 === 10 || b0 === 127 || b0 >= 240) return true;
    if (b0 === 172 && b1 >= 16 && b1 <= 31) return true;
    if (b0 === 192 && b1 === 168) return true;
    if (b0 === 169 && b1 === 254) return true;
    if (b0 === 100 && b1 >= 64 && b1 <= 127) return true;
    if (b0 === 192 && b1 === 0 && (b2 === 0 || b2 === 2)) return true;
    if (b0 === 198 && (b1 === 18 || b1 === 19)) return true;
    if (b0 === 198 && b1 === 51 && b2 === 100) return true;
    if (b0 === 203 && b1 === 0 && b2 === 113) return true;
    return b0 === 224 && b1 === 0 && b2 === 0;
  }

  if ((b0 & 0xfe) === 0xfc) return true; // fc00::/7
  if (b0 === 0xfe && (b1 & 0xc0) === 0x80) return true; // fe80::/10
  if (b0 === 0x20 && b1 === 0x01 && b2 === 0x0d && bytes[offset + 3] === 0xb8) return true; // 2001:db8::/32
  if (b0 === 0x20 && b1 === 0x01 && b2 <= 0x01) return true; // 2001::/23 (IETF protocol assignments, Teredo included)
  for (let i = 0; i < 15; i++) if (bytes[offset + i] !== 0) return false;
  return bytes[offset + 15] === 1; // ::1
}
