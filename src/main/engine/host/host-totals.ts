/** Per-host totals over a set of flows: the input of top talkers and the host graph. */
import type { FlowRecord } from '../../../shared/domain/flow';
import type { HostTotals } from '../../../shared/domain/host';
import { isInternalAddress } from './address-scope';

/** Sum bytes, packets and flows per address over `flows`; the order of the map is first appearance. */
export function sumHostTotals(flows: readonly FlowRecord[]): Map<string, HostTotals> {
  const totals = new Map<string, HostTotals>();
  const totalsOf = (address: string): HostTotals => {
    let host = totals.get(address);
    if (host === undefined) {
      host = { address, isInternal: isInternalAddress(address), names: [], bytes: 0, packets: 0, flows: 0 };
      totals.set(address, host);
    }
    return host;
  };

  for (const flow of flows) {
    const bytes = flow.originatorIpBytes + flow.responderIpBytes;
    const packets = flow.originatorPackets + flow.responderPackets;
    const originator = totalsOf(flow.originatorAddress);
    originator.bytes += bytes;
    originator.packets += packets;
    originator.flows += 1;
    if (flow.responderAddress === flow.originatorAddress) continue;
    const responder = totalsOf(flow.responderAddress);
    responder.bytes += bytes;
    responder.packets += packets;
    responder.flows += 1;
  }
  return totals;
}

/** Hosts ordered by bytes, largest first, ties by address so the order is stable. */
export function rankHostsByBytes(totals: Iterable<HostTotals>): HostTotals[] {
  return [...totals].sort((a, b) => b.bytes - a.bytes || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}
