/** Turns the contract's flow filter into one predicate over flow records. */
import type { FlowRecord } from '../../../shared/domain/flow';
import type { FlowFilter } from '../../../shared/domain/query';

export type FlowPredicate = (flow: FlowRecord) => boolean;

/**
 * Build a predicate that is true when a flow meets every present field of
 * `filter` (see `flowFilterSchema` for what each field means).
 */
export function compileFlowFilter(filter: FlowFilter | undefined): FlowPredicate {
  const checks: FlowPredicate[] = [];
  if (filter === undefined) return () => true;

  const { timeRange } = filter;
  if (timeRange !== undefined) {
    // Half-open range: a flow that ends exactly at startUs overlaps, one that starts at endUs does not.
    checks.push(
      (flow) => flow.endUs >= timeRange.startUs && flow.startUs < Math.max(timeRange.endUs, timeRange.startUs + 1),
    );
  }
  if (filter.hosts !== undefined) {
    const hosts = new Set(filter.hosts);
    checks.push((flow) => hosts.has(flow.originatorAddress) || hosts.has(flow.responderAddress));
  }
  if (filter.uids !== undefined) {
    const uids = new Set(filter.uids);
    checks.push((flow) => uids.has(flow.uid));
  }
  const text = filter.text?.trim().toLowerCase() ?? '';
  if (text !== '') checks.push((flow) => textOfFlow(flow).includes(text));

  if (checks.length === 0) return () => true;
  return (flow) => checks.every((check) => check(flow));
}

/** Join the fields the quick filter searches, lowercased and separated by spaces. */
function textOfFlow(flow: FlowRecord): string {
  return [
    flow.uid,
    flow.communityId,
    flow.originatorAddress,
    flow.originatorPort,
    flow.responderAddress,
    flow.responderPort,
    flow.transport,
    flow.service ?? '',
    flow.connectionState,
    flow.history,
  ]
    .join(' ')
    .toLowerCase();
}
