/** Timeline buckets: bytes, packets and new flows per time step. */
import type { Timeline, TimelineBucket } from '../../../shared/domain/aggregates';
import type { FlowRecord } from '../../../shared/domain/flow';

const second = 1_000_000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;

/** Bucket widths a reader expects on a time axis, in microseconds, smallest first. */
export const timelineBucketSteps: readonly number[] = [
  1_000,
  5_000,
  10_000,
  50_000,
  100_000,
  500_000,
  second,
  5 * second,
  10 * second,
  30 * second,
  minute,
  5 * minute,
  10 * minute,
  30 * minute,
  hour,
  3 * hour,
  6 * hour,
  12 * hour,
  day,
  7 * day,
  30 * day,
];

/** Most buckets when the request names no count. Neighbouring steps are 2 to 7 times apart, so a timeline gets 43 to 300. */
export const defaultBucketCount = 300;

/**
 * Pick the smallest standard step that covers `spanUs` in at most
 * `wantedBuckets` buckets (the largest step when none does).
 */
export function chooseBucketWidth(spanUs: number, wantedBuckets: number): number {
  for (const step of timelineBucketSteps) {
    if (Math.ceil((spanUs + 1) / step) <= wantedBuckets) return step;
  }
  return timelineBucketSteps[timelineBucketSteps.length - 1] ?? day;
}

/**
 * Build the timeline of `flows` over their own span (or over `range` when
 * given). A flow counts as new in the bucket of its first packet. Its IP
 * bytes and packets are spread over the buckets its duration overlaps, in
 * proportion to the overlap.
 *
 * NOTE: spreading is an estimate, because the engine keeps per-flow totals
 * and not per-packet times. A flow that sent everything in its first second
 * shows as a flat rate over its lifetime. Per-packet counters in the case
 * store would make the bars exact.
 */
export function buildTimeline(
  flows: readonly FlowRecord[],
  wantedBuckets: number,
  range?: { startUs: number; endUs: number },
): Timeline {
  if (flows.length === 0 && range === undefined) return { bucketUs: 0, buckets: [] };

  let firstUs = range?.startUs ?? Number.POSITIVE_INFINITY;
  let lastUs = range?.endUs ?? Number.NEGATIVE_INFINITY;
  if (range === undefined) {
    for (const flow of flows) {
      if (flow.startUs < firstUs) firstUs = flow.startUs;
      if (flow.endUs > lastUs) lastUs = flow.endUs;
    }
  }

  const bucketUs = chooseBucketWidth(lastUs - firstUs, wantedBuckets);
  const originUs = Math.floor(firstUs / bucketUs) * bucketUs;
  const count = Math.floor((lastUs - originUs) / bucketUs) + 1;
  const buckets: TimelineBucket[] = [];
  for (let index = 0; index < count; index += 1) {
    buckets.push({ startUs: originUs + index * bucketUs, bytes: 0, packets: 0, newFlows: 0 });
  }

  for (const flow of flows) addFlowToBuckets(flow, buckets, originUs, bucketUs);
  for (const bucket of buckets) {
    bucket.bytes = Math.round(bucket.bytes);
    bucket.packets = Math.round(bucket.packets);
  }
  return { bucketUs, buckets };
}

function addFlowToBuckets(flow: FlowRecord, buckets: TimelineBucket[], originUs: number, bucketUs: number): void {
  const bytes = flow.originatorIpBytes + flow.responderIpBytes;
  const packets = flow.originatorPackets + flow.responderPackets;
  const lastIndex = buckets.length - 1;
  const firstBucket = Math.floor((flow.startUs - originUs) / bucketUs);
  const lastBucket = Math.floor((flow.endUs - originUs) / bucketUs);

  if (firstBucket >= 0 && firstBucket <= lastIndex) (buckets[firstBucket] as TimelineBucket).newFlows += 1;

  const durationUs = flow.endUs - flow.startUs;
  if (durationUs <= 0 || firstBucket === lastBucket) {
    const bucket = buckets[firstBucket];
    if (bucket !== undefined) {
      bucket.bytes += bytes;
      bucket.packets += packets;
    }
    return;
  }

  // Share of the flow's duration inside each bucket it overlaps, clipped to the timeline.
  const from = Math.max(firstBucket, 0);
  const to = Math.min(lastBucket, lastIndex);
  for (let index = from; index <= to; index += 1) {
    const bucket = buckets[index] as TimelineBucket;
    const overlapUs = Math.min(flow.endUs, bucket.startUs + bucketUs) - Math.max(flow.startUs, bucket.startUs);
    const share = overlapUs / durationUs;
    bucket.bytes += bytes * share;
    bucket.packets += packets * share;
  }
}
