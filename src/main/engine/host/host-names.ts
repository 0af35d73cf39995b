/**
 * Names seen for addresses in the capture: DNS responses (the query name for
 * each address record), HTTP Host headers and TLS server names (SNI, for the
 * server address), and the host name a DHCP client announced (for the
 * address it was given). The names are hostile text from packets, so the
 * page must render them as text only.
 */
import { isIP } from 'node:net';

import type { DhcpRecord, DnsRecord, HttpRecord } from '../../../shared/domain/records';

/** Names kept per address; later names are dropped. */
export const maxNamesPerAddress = 8;
/** Addresses with names kept per capture, a bound on memory for hostile captures. */
export const maxNamedAddresses = 100_000;
/** Maximum name length kept: 253 characters is the maximum length of a DNS name in text form. */
const maxNameLength = 253;

export class HostNames {
  private readonly namesByAddress = new Map<string, string[]>();

  /** Names seen for `address`, in the order first seen; a new array. */
  namesOf(address: string): string[] {
    return [...(this.namesByAddress.get(address) ?? [])];
  }

  get size(): number {
    return this.namesByAddress.size;
  }

  /** Record the query name for every IPv4 or IPv6 address among the answers. */
  addDnsRecord(record: DnsRecord): void {
    if (record.query === null || record.query === '') return;
    for (const answer of record.answers) {
      if (isIP(answer) !== 0) this.add(answer, record.query);
    }
  }

  /** Record the Host header (without its port) as a name of the server, unless it is an address itself. */
  addHttpRecord(record: HttpRecord): void {
    if (record.host === null) return;
    const name = record.host.replace(/:\d+$/, '').toLowerCase();
    if (name === '' || isIP(name.replace(/^\[|\]$/g, '')) !== 0) return;
    this.add(record.responderAddress, name);
  }

  /** Record a TLS server name (SNI) for the server address, unless it is an address itself. */
  addServerName(address: string, serverName: string): void {
    const name = serverName.toLowerCase();
    if (name === '' || isIP(name) !== 0 || isIP(address) === 0) return;
    this.add(address, name);
  }

  /**
   * Record the host name a DHCP client announced (option 12, else the client
   * FQDN of option 81) for the address the server assigned, or the address the
   * client already had when it renewed.
   */
  addDhcpRecord(record: DhcpRecord): void {
    const name = (record.hostName ?? record.clientFqdn ?? '').trim().toLowerCase();
    // A DHCP host name is a label or a dotted name: anything else (spaces, control bytes) is not kept as a name.
    if (name === '' || !/^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$/.test(name)) return;
    const address = record.assignedAddress ?? record.clientAddress;
    if (address === null || address === '0.0.0.0' || isIP(address) === 0) return;
    this.add(address, name);
  }

  private add(address: string, name: string): void {
    if (name.length > maxNameLength) return;
    let names = this.namesByAddress.get(address);
    if (names === undefined) {
      if (this.namesByAddress.size >= maxNamedAddresses) return;
      names = [];
      this.namesByAddress.set(address, names);
    }
    if (names.length < maxNamesPerAddress && !names.includes(name)) names.push(name);
  }
}
