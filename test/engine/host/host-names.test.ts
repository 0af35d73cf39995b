import { describe, expect, it } from 'vitest';

import { HostNames, maxNamesPerAddress } from '../../../src/main/engine/host/host-names';
import type { DnsRecord, HttpRecord } from '../../../src/shared/domain/records';

function dns(query: string | null, answers: string[]): DnsRecord {
  return { query, answers } as DnsRecord;
}

function http(host: string | null, responderAddress = '198.51.100.80'): HttpRecord {
  return { host, responderAddress } as HttpRecord;
}

describe('HostNames', () => {
  it('names every address answer of a query', () => {
    const names = new HostNames();
    names.addDnsRecord(dns('www.example.com', ['198.51.100.80', 'cdn.example.net', '2001:db8:cafe::80']));
    expect(names.namesOf('198.51.100.80')).toEqual(['www.example.com']);
    expect(names.namesOf('2001:db8:cafe::80')).toEqual(['www.example.com']);
    expect(names.namesOf('cdn.example.net')).toEqual([]);
  });

  it('names the server from the Host header', () => {
    const names = new HostNames();
    names.addHttpRecord(http('WWW.Example.com:8080'));
    names.addHttpRecord(http('198.51.100.80'));
    names.addHttpRecord(http('[2001:db8::1]:80'));
    names.addHttpRecord(http(null));
    expect(names.namesOf('198.51.100.80')).toEqual(['www.example.com']);
  });

  it('caps names per address and drops overlong names', () => {
    const names = new HostNames();
    for (let index = 0; index < maxNamesPerAddress + 3; index += 1)
      names.addDnsRecord(dns(`host${index}.example`, ['192.0.2.1']));
    names.addDnsRecord(dns(`${'a'.repeat(254)}`, ['192.0.2.2']));
    names.addDnsRecord(dns('host0.example', ['192.0.2.1']));
    expect(names.namesOf('192.0.2.1')).toHaveLength(maxNamesPerAddress);
    expect(names.namesOf('192.0.2.2')).toEqual([]);
    expect(names.size).toBe(1);
  });
});
