import { describe, expect, it } from 'vitest';

import { HostNames, maxNamesPerAddress } from '../../../src/main/engine/host/host-names';
import type { DhcpRecord, DnsRecord, HttpRecord } from '../../../src/shared/domain/records';

function dns(query: string | null, answers: string[]): DnsRecord {
  return { query, answers } as DnsRecord;
}

function http(host: string | null, responderAddress = '198.51.100.80'): HttpRecord {
  return { host, responderAddress } as HttpRecord;
}

function dhcp(fields: Partial<DhcpRecord>): DhcpRecord {
  return { hostName: null, clientFqdn: null, assignedAddress: null, clientAddress: null, ...fields } as DhcpRecord;
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

  it('names the server from its TLS server name', () => {
    const names = new HostNames();
    names.addServerName('203.0.113.66', 'Updates.Example.org');
    names.addServerName('203.0.113.67', '203.0.113.67');
    names.addServerName('not-an-address', 'www.example.com');
    expect(names.namesOf('203.0.113.66')).toEqual(['updates.example.org']);
    expect(names.namesOf('203.0.113.67')).toEqual([]);
    expect(names.size).toBe(1);
  });

  it('names a DHCP client by the address it was given', () => {
    const names = new HostNames();
    names.addDhcpRecord(dhcp({ hostName: 'Erin-Laptop', assignedAddress: '10.66.0.125', clientAddress: '0.0.0.0' }));
    // A renewal carries the client's own address and its FQDN (option 81) without option 12.
    names.addDhcpRecord(dhcp({ clientFqdn: 'printer.corp.example', clientAddress: '10.66.0.40' }));
    expect(names.namesOf('10.66.0.125')).toEqual(['erin-laptop']);
    expect(names.namesOf('10.66.0.40')).toEqual(['printer.corp.example']);
  });

  it('skips unusable DHCP host names', () => {
    const names = new HostNames();
    names.addDhcpRecord(dhcp({ hostName: 'discover-only' }));
    names.addDhcpRecord(dhcp({ hostName: 'bob pc', assignedAddress: '10.66.0.50' }));
    names.addDhcpRecord(dhcp({ hostName: 'tab\there', assignedAddress: '10.66.0.51' }));
    names.addDhcpRecord(dhcp({ hostName: '-leading', assignedAddress: '10.66.0.52' }));
    names.addDhcpRecord(dhcp({ hostName: 'ok', assignedAddress: '0.0.0.0' }));
    names.addDhcpRecord(dhcp({ hostName: '', assignedAddress: '10.66.0.53' }));
    expect(names.size).toBe(0);
  });
});
