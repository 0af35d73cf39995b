/**
 * Running totals per host and per host pair, kept up to date as flows arrive
 * so that the overview and the host graph of a whole capture cost
 * O(hosts + pairs) and not O(flows).
 */
import type { FlowRecord } from '../../../shared/domain/flow';
import type { HostTotals } from '../../../shared/domain/host';
import { isInternalAddress } from './address-scope';

/** Totals of all flows between two addresses, either direction. `first` sorts before `second`. */
export interface PairTotals {
  first: string;
  second: string;
  bytes: number;
  flows: number;
}

export class TrafficIndex {
  readonly hosts = new Map<string, HostTotals>();
  readonly pairs = new Map<string, PairTotals>();

  /** Build an index over `flows`. */
  static of(flows: readonly FlowRecord[]): TrafficIndex {
    const index = new TrafficIndex();
    for (const flow of flows) index.add(flow);
    return index;
  }

  add(flow: FlowRecord): void {
    this.apply(flow, 1);
  }

  /** Take back a flow added earlier (when the engine reports it again with new counts). */
  remove(flow: FlowRecord): void {
    this.apply(flow, -1);
  }

  private apply(flow: FlowRecord, sign: 1 | -1): void {
    const bytes = sign * (flow.originatorIpBytes + flow.responderIpBytes);
    const packets = sign * (flow.originatorPackets + flow.responderPackets);
    this.addToHost(flow.originatorAddress, bytes, packets, sign);
    if (flow.responderAddress === flow.originatorAddress) return;
    this.addToHost(flow.responderAddress, bytes, packets, sign);

    const isOrdered = flow.originatorAddress < flow.responderAddress;
    const first = isOrdered ? flow.originatorAddress : flow.responderAddress;
    const second = isOrdered ? flow.responderAddress : flow.originatorAddress;
    const key = `${first}\u0000${second}`;
    let pair = this.pairs.get(key);
    if (pair === undefined) {
      pair = { first, second, bytes: 0, flows: 0 };
      this.pairs.set(key, pair);
    }
    pair.bytes += bytes;
    pair.flows += sign;
    if (pair.flows === 0) this.pairs.delete(key);
  }

  private addToHost(address: string, bytes: number, packets: number, sign: 1 | -1): void {
    let host = this.hosts.get(address);
    if (host === undefined) {
      host = { address, isInternal: isInternalAddress(address), names: [], bytes: 0, packets: 0, flows: 0 };
      this.hosts.set(address, host);
    }
    host.bytes += bytes;
    host.packets += packets;
    host.flows += sign;
    if (host.flows === 0) this.hosts.delete(address);
  }
}
