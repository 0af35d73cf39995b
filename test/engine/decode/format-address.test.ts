import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6, formatMac } from '../../../src/main/engine/decode/format-address';

/** Write eight 16-bit groups as 16 big-endian bytes. */
function ipv6Bytes(groups: number[]): Uint8Array {
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

describe('formatIpv4', () => {
  it('formats at an offset', () => {
    expect(formatIpv4(Uint8Array.from([9, 9, 192, 0, 2, 255]), 2)).toBe('192.0.2.255');
  });
});

describe('formatIpv6', () => {
  it.each<[groups: number[], text: string]>([
    // The longest run of zero groups is compressed.
    [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], '2001:db8::1'],
    // Leftmost run wins a tie.
    [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1'],
    // Longer run wins over an earlier shorter one.
    [[1, 0, 0, 2, 0, 0, 0, 3], '1:0:0:2::3'],
    // A single zero group is not compressed.
    [[1, 0, 2, 3, 4, 5, 6, 7], '1:0:2:3:4:5:6:7'],
    // Leading zeros dropped, hex lowercase.
    [[0xfe80, 0, 0, 0, 0x0abc, 0xdef0, 0x000f, 0x00ff], 'fe80::abc:def0:f:ff'],
    [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
    [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
    [[1, 0, 0, 0, 0, 0, 0, 0], '1::'],
    [[0, 0, 0, 0, 0, 0, 0, 2], '::2'],
    // IPv4-mapped and IPv4-compatible print a dotted quad, as tshark 4.0.17 does.
    [[0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304], '::ffff:1.2.3.4'],
    [[0, 0, 0, 0, 0, 0, 0x0102, 0x0304], '::1.2.3.4'],
    // Neither mapped nor compatible: the NAT64 prefix and ::ffff:0:a.b.c.d stay hexadecimal in tshark.
    [[0x64, 0xff9b, 0, 0, 0, 0, 0x0102, 0x0304], '64:ff9b::102:304'],
    [[0, 0, 0, 0, 0xffff, 0, 0x0102, 0x0304], '::ffff:0:102:304'],
  ])('formats %j as %s', (groups, text) => {
    expect(formatIpv6(ipv6Bytes(groups), 0)).toBe(text);
  });

  it('formats at an offset', () => {
    const data = new Uint8Array(20);
    data.set(ipv6Bytes([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x42]), 4);
    expect(formatIpv6(data, 4)).toBe('2001:db8::42');
  });
});

describe('formatMac', () => {
  it('formats lowercase with leading zeros', () => {
    expect(formatMac(Uint8Array.from([0xff, 0x00, 0x1b, 0x21, 0x0a, 0xbc, 0x0d, 0xef]), 2)).toBe('1b:21:0a:bc:0d:ef');
  });
});
