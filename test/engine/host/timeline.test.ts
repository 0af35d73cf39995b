import { describe, expect, it } from 'vitest';

import { buildTimeline, chooseBucketWidth } from '../../../src/main/engine/host/timeline';
import { makeFlow } from './flow-fixtures';

const second = 1_000_000;
const baseUs = 1_700_000_000 * second;

describe('chooseBucketWidth', () => {
  it.each([
    // span, wanted buckets, expected step
    [60 * second, 200, 500_000], // 1 minute: 121 half-second buckets
    [10 * 60 * second, 200, 5 * second], // 10 minutes: 121 buckets of 5 s
    [3_600 * second, 200, 30 * second], // 1 hour: 121 buckets of 30 s
    [24 * 3_600 * second, 200, 10 * 60 * second], // 1 day: 145 buckets of 10 min
    [0, 200, 1_000], // a single instant still gets a width
  ])('span %i us in %i buckets uses %i us', (spanUs, wanted, expected) => {
    expect(chooseBucketWidth(spanUs, wanted)).toBe(expected);
  });
});

describe('buildTimeline', () => {
  it('returns no buckets for no flows', () => {
    expect(buildTimeline([], 200)).toEqual({ bucketUs: 0, buckets: [] });
  });

  it('counts new flows in the bucket of their start', () => {
    const flows = [
      makeFlow({ startUs: baseUs, endUs: baseUs }),
      makeFlow({ startUs: baseUs + 30 * second, endUs: baseUs + 30 * second }),
      makeFlow({ startUs: baseUs + 30 * second + 10, endUs: baseUs + 60 * second }),
    ];
    const timeline = buildTimeline(flows, 200);
    expect(timeline.bucketUs).toBe(500_000);
    expect(timeline.buckets).toHaveLength(121);
    expect(timeline.buckets[0]?.newFlows).toBe(1);
    expect(timeline.buckets[60]?.newFlows).toBe(2);
    expect(timeline.buckets.reduce((sum, bucket) => sum + bucket.newFlows, 0)).toBe(3);
  });

  it('spreads bytes over the flow duration', () => {
    // One flow of 1,000 IP bytes and 10 packets over exactly 4 buckets of 1 s.
    const flow = makeFlow({
      startUs: baseUs,
      endUs: baseUs + 4 * second,
      originatorIpBytes: 600,
      responderIpBytes: 400,
      originatorPackets: 6,
      responderPackets: 4,
    });
    const timeline = buildTimeline([flow], 5);
    expect(timeline.bucketUs).toBe(second);
    expect(timeline.buckets.map((bucket) => bucket.bytes)).toEqual([250, 250, 250, 250, 0]);
    expect(timeline.buckets.map((bucket) => bucket.packets)).toEqual([3, 3, 3, 3, 0]);
  });

  it('covers the filter range when given', () => {
    const flow = makeFlow({
      startUs: baseUs + 5 * second,
      endUs: baseUs + 5 * second,
      originatorIpBytes: 100,
      responderIpBytes: 0,
    });
    const timeline = buildTimeline([flow], 20, { startUs: baseUs, endUs: baseUs + 10 * second });
    expect(timeline.bucketUs).toBe(second);
    expect(timeline.buckets[0]?.startUs).toBe(baseUs);
    expect(timeline.buckets[5]?.bytes).toBe(100);
  });
});
