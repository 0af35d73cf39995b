/** Top talkers, protocol mix and service mix for the overview. */
import type { ProtocolShare, ServiceShare } from '../../../shared/domain/aggregates';
import type { FlowRecord, TransportName } from '../../../shared/domain/flow';
import type { HostTotals } from '../../../shared/domain/host';
import { rankHostsByBytes } from './host-totals';

/** Hosts listed as top talkers. */
export const topTalkerCount = 10;

/** Label of flows that no analyzer identified. */
export const unknownServiceLabel = '(unknown)';

/** The `count` hosts with the most bytes, largest first, as copies the caller may keep. */
export function findTopTalkers(
  hosts: Iterable<HostTotals>,
  count = topTalkerCount,
  namesOf: (address: string) => string[] = () => [],
): HostTotals[] {
  return rankHostsByBytes(hosts)
    .slice(0, count)
    .map((host) => ({ ...host, names: namesOf(host.address) }));
}

/** Flows, bytes and packets per transport, largest byte share first. */
export function sumProtocolMix(flows: readonly FlowRecord[]): ProtocolShare[] {
  const shares = new Map<TransportName, ProtocolShare>();
  for (const flow of flows) {
    let share = shares.get(flow.transport);
    if (share === undefined) {
      share = { transport: flow.transport, flows: 0, bytes: 0, packets: 0 };
      shares.set(flow.transport, share);
    }
    share.flows += 1;
    share.bytes += flow.originatorIpBytes + flow.responderIpBytes;
    share.packets += flow.originatorPackets + flow.responderPackets;
  }
  return [...shares.values()].sort((a, b) => b.bytes - a.bytes || b.flows - a.flows);
}

/**
 * Flows and bytes per service. A flow with several services ("dns,ssl")
 * counts once under the whole string, as Zeek writes it.
 */
export function sumServiceMix(flows: readonly FlowRecord[]): ServiceShare[] {
  const shares = new Map<string, ServiceShare>();
  for (const flow of flows) {
    const service = flow.service ?? unknownServiceLabel;
    let share = shares.get(service);
    if (share === undefined) {
      share = { service, flows: 0, bytes: 0 };
      shares.set(service, share);
    }
    share.flows += 1;
    share.bytes += flow.originatorIpBytes + flow.responderIpBytes;
  }
  return [...shares.values()].sort((a, b) => b.bytes - a.bytes || b.flows - a.flows);
}
