import { describe, expect, it } from 'vitest';
import { formatAddressBytes, isPrivateAddress } from '../../../src/main/engine/flows/address-text';

function ipv6(groups: number[]): Uint8Array {
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    bytes[2 * index] = group >> 8;
    bytes[2 * index + 1] = group & 0xff;
  });
  return bytes;
}

describe('formatAddressBytes', () => {
  it('formats IPv4 at an offset', () => {
    expect(formatAddressBytes(new Uint8Array([9, 192, 168, 1, 20]), 1, false)).toBe('192.168.1.20');
  });

  it('compresses the longest zero run', () => {
    expect(formatAddressBytes(ipv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), 0, true)).toBe('2001:db8::1:0:0:1');
    expect(formatAddressBytes(ipv6([0xfe80, 0, 0, 0, 0x217, 0xf2ff, 0xfed7, 0xcf65]), 0, true)).toBe(
      'fe80::217:f2ff:fed7:cf65',
    );
    expect(formatAddressBytes(ipv6([0, 0, 0, 0, 0, 0, 0, 1]), 0, true)).toBe('::1');
    expect(formatAddressBytes(ipv6([0, 0, 0, 0, 0, 0, 0, 0]), 0, true)).toBe('::');
  });

  it('leaves a single zero group uncompressed', () => {
    expect(formatAddressBytes(ipv6([0x2001, 0, 0x4137, 0x9e50, 0x8000, 0xf12a, 0xb9c8, 0x2815]), 0, true)).toBe(
      '2001:0:4137:9e50:8000:f12a:b9c8:2815',
    );
  });
});

describe('isPrivateAddress', () => {
  it('classifies IPv4 ranges as Zeek baselines do', () => {
    expect(isPrivateAddress(new Uint8Array([172, 19, 51, 37]), 0, false)).toBe(true);
    expect(isPrivateAddress(new Uint8Array([224, 0, 0, 251]), 0, false)).toBe(true);
    expect(isPrivateAddress(new Uint8Array([255, 255, 255, 255]), 0, false)).toBe(true);
    expect(isPrivateAddress(new Uint8Array([224, 2, 127, 254]), 0, false)).toBe(false);
    expect(isPrivateAddress(new Uint8Array([141, 142, 220, 255]), 0, false)).toBe(false);
  });

  it('classifies IPv6 ranges as Zeek baselines do', () => {
    expect(isPrivateAddress(ipv6([0xfe80, 0, 0, 0, 0, 0, 0, 1]), 0, true)).toBe(true);
    expect(isPrivateAddress(ipv6([0x2001, 0, 0x4137, 0, 0, 0, 0, 1]), 0, true)).toBe(true);
    expect(isPrivateAddress(ipv6([0xff02, 0, 0, 0, 0, 0, 0, 0xfb]), 0, true)).toBe(false);
    expect(isPrivateAddress(ipv6([0x2001, 0x4860, 0, 0x2001, 0, 0, 0, 0x68]), 0, true)).toBe(false);
  });
});
