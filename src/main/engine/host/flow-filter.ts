/** Turns the contract's flow filter into one predicate over flow records. */
import type { FlowRecord } from '../../../shared/domain/flow';
import type { FlowFilter } from '../../../shared/domain/query';
import { type RecordLookup, compileDisplayFilterToPredicate } from '../filter/display-filter';

export type FlowPredicate = (flow: FlowRecord) => boolean;

/**
 * Build a predicate that is true when a flow meets every present field of
 * `filter` (see `flowFilterSchema` for what each field means). Record
 * fields of the display filter (`dns.qry.name`, `http.host`, `tls.sni`)
 * read `records`; without it they match no flow.
 */
export function compileFlowFilter(filter: FlowFilter | undefined, records?: RecordLookup): FlowPredicate {
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
  if (text !== '') checks.push((flow) => flowContainsText(flow, text));
  if (filter.displayFilter !== undefined && filter.displayFilter.trim() !== '') {
    // NOTE: the service rejects a filter that does not compile before a query runs; here it selects nothing.
    const compiled = compileDisplayFilterToPredicate(filter.displayFilter, records);
    checks.push(compiled.ok ? compiled.predicate : () => false);
  }

  if (checks.length === 0) return () => true;
  return (flow) => checks.every((check) => check(flow));
}

/**
 * Check the fields the quick filter searches one by one, so no joined string
 * is built per flow. `text` is lowercase.
 */
function flowContainsText(flow: FlowRecord, text: string): boolean {
  if (flow.originatorAddress.includes(text) || flow.responderAddress.includes(text)) return true;
  if (String(flow.originatorPort).includes(text) || String(flow.responderPort).includes(text)) return true;
  if (flow.transport.includes(text) || (flow.service?.includes(text) ?? false)) return true;
  if (flow.connectionState.toLowerCase().includes(text)) return true;
  if (flow.uid.toLowerCase().includes(text) || flow.communityId.toLowerCase().includes(text)) return true;
  return flow.history.toLowerCase().includes(text);
}
