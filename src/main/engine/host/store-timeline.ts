/**
 * The timeline and host totals of a reopened case, aggregated in its store
 * instead of over the flows in the engine's memory. Buckets follow
 * `buildTimeline` (the same width, origin and spreading of each flow's bytes
 * over its duration), and host totals follow `TrafficIndex`.
 */
import type { Timeline, TimelineBucket } from '../../../shared/domain/aggregates';
import type { FlowFilter } from '../../../shared/domain/query';
import { queryCaseFlowSpan, queryCaseTimeline, queryCaseTraffic } from '../store/case-queries';
import type { CaseStore } from '../store/case-store';
import { isInternalAddress } from './address-scope';
import { chooseBucketWidth } from './timeline';
import { TrafficIndex } from './traffic-index';

/**
 * True when the store can apply `filter`: a display filter and a time range.
 * Text search, hosts and uids are applied to flows in memory only.
 */
export function isStoreTimelineFilter(filter: FlowFilter | undefined): boolean {
  if (filter === undefined) return true;
  if (filter.text !== undefined && filter.text.trim() !== '') return false;
  if (filter.hosts !== undefined && filter.hosts.length > 0) return false;
  return filter.uids === undefined;
}

/**
 * Build the timeline of the flows in `store` that meet `filter`, in at most
 * `wantedBuckets` buckets. Returns null for a filter the store cannot apply
 * (see `isStoreTimelineFilter`) and throws for a display filter that does not
 * parse, which the service rejects before it gets here.
 */
export async function buildTimelineFromStore(store: CaseStore, filter: FlowFilter | undefined, wantedBuckets: number): Promise<Timeline | null> {
  if (!isStoreTimelineFilter(filter)) return null;
  const displayFilter = filter?.displayFilter;
  const range = filter?.timeRange;
  let firstUs: number;
  let lastUs: number;
  if (range === undefined) {
    const span = await queryCaseFlowSpan(store, displayFilter);
    if (!span.ok) throw new Error(`display filter "${displayFilter}" is invalid at column ${span.error.column}: ${span.error.message}`);
    if (span.value === null) return { bucketUs: 0, buckets: [] };
    ({ firstUs, lastUs } = span.value);
  } else {
    firstUs = range.startUs;
    lastUs = range.endUs;
  }

  const bucketUs = chooseBucketWidth(lastUs - firstUs, wantedBuckets);
  const originUs = Math.floor(firstUs / bucketUs) * bucketUs;
  const count = Math.floor((lastUs - originUs) / bucketUs) + 1;
  const result = await queryCaseTimeline(store, {
    filter: displayFilter,
    timeRange: { startUs: originUs, endUs: originUs + count * bucketUs },
    bucketUs,
    flowRange: range ?? null,
  });
  if (!result.ok) throw new Error(`display filter "${displayFilter}" is invalid at column ${result.error.column}: ${result.error.message}`);
  const buckets: TimelineBucket[] = result.value.map((bucket) => ({
    ...bucket,
    bytes: Math.round(bucket.bytes),
    packets: Math.round(bucket.packets),
  }));
  return { bucketUs, buckets };
}

/**
 * Build the host and pair totals of the flows in `store` that meet `filter`,
 * for the host graph of a reopened case. Returns null for a filter the store
 * cannot apply (see `isStoreTimelineFilter`).
 */
export async function buildTrafficIndexFromStore(store: CaseStore, filter: FlowFilter | undefined): Promise<TrafficIndex | null> {
  if (!isStoreTimelineFilter(filter)) return null;
  const displayFilter = filter?.displayFilter;
  const result = await queryCaseTraffic(store, displayFilter, filter?.timeRange);
  if (!result.ok) throw new Error(`display filter "${displayFilter}" is invalid at column ${result.error.column}: ${result.error.message}`);
  const index = new TrafficIndex();
  for (const host of result.value.hosts) {
    index.hosts.set(host.address, { ...host, isInternal: isInternalAddress(host.address), names: [] });
  }
  for (const pair of result.value.pairs) {
    index.pairs.set(`${pair.source}\u0000${pair.target}`, { first: pair.source, second: pair.target, bytes: pair.bytes, flows: pair.flows });
  }
  return index;
}
