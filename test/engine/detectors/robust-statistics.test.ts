import { describe, expect, it } from 'vitest';
import {
  computeBowleySkew,
  computeMedianAbsoluteDeviation,
  computeQuartiles,
  pickQuantile,
} from '../../../src/main/engine/detectors/robust-statistics';
import { findMode, scoreBeacon } from '../../../src/main/engine/detectors/beacon-detector';
import { computeMedianWithZeros } from '../../../src/main/engine/detectors/off-hours-detector';

describe('robust statistics', () => {
  it('picks quantiles at round(q * (n - 1)) as RITA does', () => {
    const sorted = [10, 11, 12, 15, 30, 31, 40];
    // n - 1 = 6: Q1 index round(1.5) = 2 -> 12, median index 3 -> 15, Q3 index round(4.5) = 5 -> 31.
    expect(computeQuartiles(sorted)).toEqual({ low: 12, median: 15, high: 31 });
    expect(pickQuantile([7], 0.75)).toBe(7);
  });

  it('computes Bowley skew from the quartiles', () => {
    // (12 + 31 - 2 * 15) / (31 - 12) = 13 / 19 = 0.6842...
    expect(computeBowleySkew({ low: 12, median: 15, high: 31 })).toBeCloseTo(13 / 19, 10);
    // Left-skewed: (5 + 9 - 16) / (9 - 5) = -0.5.
    expect(computeBowleySkew({ low: 5, median: 8, high: 9 })).toBe(-0.5);
  });

  it('returns skew 0 where Bowley skew says nothing', () => {
    expect(computeBowleySkew({ low: 60, median: 60, high: 60 })).toBe(0); // Q3 = Q1
    expect(computeBowleySkew({ low: 10, median: 10, high: 20 })).toBe(0); // median = Q1
    expect(computeBowleySkew({ low: 10, median: 20, high: 20 })).toBe(0); // median = Q3
  });

  it('computes the median absolute deviation about the median', () => {
    // Median 15; deviations 5, 4, 3, 0, 15, 16, 25 -> sorted 0, 3, 4, 5, 15, 16, 25 -> median 5.
    expect(computeMedianAbsoluteDeviation([10, 11, 12, 15, 30, 31, 40])).toBe(5);
    expect(computeMedianAbsoluteDeviation([60, 60, 60, 60])).toBe(0);
  });

  it('finds the most frequent value, smallest on ties', () => {
    expect(findMode([1, 2, 2, 3, 3])).toBe(2);
    expect(findMode([5, 7, 7, 7, 9])).toBe(7);
  });
});

describe('scoreBeacon', () => {
  const settings = { intervalMadCutoffSeconds: 30, sizeMadCutoffBytes: 32, smallnessCutoffBytes: 65535, timeBins: 24 };

  it('scores a perfect 60-second beacon near 100', () => {
    // 40 connections every 60 s, 200 bytes each; the capture spans 39 * 60 = 2340 s.
    const starts = Array.from({ length: 40 }, (_, i) => i * 60_000_000);
    const bytes = starts.map(() => 200);
    const measures = scoreBeacon(starts, bytes, { firstUs: 0, lastUs: 2_340_000_000 }, settings);
    expect(measures).not.toBeNull();
    const byName = Object.fromEntries(measures!.subScores.map((s) => [s.name, s.value]));
    // Intervals all 60: Q1 = Q3, skew 0 -> 1; MAD 0 -> 1.
    expect(byName['interval skew']).toBe(1);
    expect(byName['interval dispersion (MAD)']).toBe(1);
    // Expected connections 2340 / 60 = 39; 40 / 39 is capped at 1.
    expect(byName['connection count']).toBe(1);
    // 1 - 200 / 65535 = 0.996948...
    expect(byName['size smallness']).toBeCloseTo(1 - 200 / 65535, 9);
    // Bins of 2340 / 24 = 97.5 s each hold at least one 60-s tick: 24 / 24.
    expect(byName['spread over time bins']).toBe(1);
    // (6 + 0.996948) / 7 * 100 = 99.956...
    expect(measures!.score).toBeCloseTo((100 * (6 + (1 - 200 / 65535))) / 7, 6);
    expect(measures!.medianIntervalSeconds).toBe(60);
  });

  it('lowers the dispersion score in proportion to the interval MAD', () => {
    // Gaps of 50, 60 and 70 s in turn: median 60, deviations 10/0/10 -> MAD 10 -> score 1 - 10/30 = 0.667.
    const gaps = [50, 60, 70];
    const starts = [0];
    for (let i = 0; i < 30; i++)
      starts.push((starts[starts.length - 1] as number) + (gaps[i % 3] as number) * 1_000_000);
    const measures = scoreBeacon(
      starts,
      starts.map(() => 100),
      { firstUs: 0, lastUs: starts[starts.length - 1] as number },
      settings,
    );
    expect(measures!.intervalMadSeconds).toBe(10);
    const mad = measures!.subScores.find((s) => s.name === 'interval dispersion (MAD)');
    expect(mad!.value).toBeCloseTo(2 / 3, 9);
  });

  it('returns null below three connections', () => {
    expect(scoreBeacon([0, 1], [1, 1], { firstUs: 0, lastUs: 1 }, settings)).toBeNull();
  });
});

describe('computeMedianWithZeros', () => {
  it('counts hours without traffic as zeros', () => {
    // 2 values and 3 zeros: 0 0 0 5 9 -> index round(0.5 * 4) = 2 -> 0.
    expect(computeMedianWithZeros([9, 5], 3)).toBe(0);
    // 3 values and 1 zero: 0 4 6 8 -> index round(1.5) = 2 -> 6.
    expect(computeMedianWithZeros([8, 4, 6], 1)).toBe(6);
    expect(computeMedianWithZeros([], 0)).toBe(0);
  });
});
