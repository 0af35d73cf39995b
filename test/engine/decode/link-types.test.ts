import { describe, expect, it } from 'vitest';
import { getLinkTypeName } from '../../../src/main/engine/decode/link-types';

describe('getLinkTypeName', () => {
  it.each([
    [0, 'NULL'],
    [1, 'EN10MB'],
    [9, 'PPP'],
    [101, 'RAW'],
    [105, 'IEEE802_11'],
    [108, 'LOOP'],
    [113, 'LINUX_SLL'],
    [127, 'IEEE802_11_RADIO'],
    [226, 'IPNET'],
    [228, 'IPV4'],
    [229, 'IPV6'],
    [239, 'NFLOG'],
    [276, 'LINUX_SLL2'],
  ])('names %i %s', (linkType, name) => {
    expect(getLinkTypeName(linkType)).toBe(name);
  });

  it('names unknown values by number', () => {
    expect(getLinkTypeName(65000)).toBe('LINKTYPE_65000');
  });

  it('ignores FCS bits above the low 16', () => {
    // F flag with a 4-byte FCS on Ethernet.
    expect(getLinkTypeName(0x24000001)).toBe('EN10MB');
  });
});
