/** Per-host totals over a set of flows: the input of top talkers and the host graph. */
import type { FlowRecord } from '../../../shared/domain/flow';
import type { HostTotals } from '../../../shared/domain/host';
import { TrafficIndex } from './traffic-index';

/** Sum bytes, packets and flows per address over `flows`; the order of the map is first appearance. */
export function sumHostTotals(flows: readonly FlowRecord[]): Map<string, HostTotals> {
  return TrafficIndex.of(flows).hosts;
}

/** Hosts ordered by bytes, largest first, ties by address so the order is stable. */
export function rankHostsByBytes(totals: Iterable<HostTotals>): HostTotals[] {
  return [...totals].sort((a, b) => b.bytes - a.bytes || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}
