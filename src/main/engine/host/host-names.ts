/**
 * Names seen for addresses in the capture: DNS answers (query name for each
 * address answer) and HTTP Host headers (for the server address). The names
 * are hostile text from packets, so the page must render them as text only.
 */
import { isIP } from 'node:net';

import type { DnsRecord, HttpRecord } from '../../../shared/domain/records';

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
