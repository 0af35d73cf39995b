/**
 * Order statistics used by the beacon score. Quantiles follow RITA's beacon
 * analyzer: the element at index round(q * (n - 1)) of the sorted values, so
 * every quantile is an observed value (no interpolation).
 */

/** Element of `sorted` (ascending, non-empty) at round(q * (n - 1)). */
export function pickQuantile(sorted: readonly number[], q: number): number {
  const index = Math.round(q * (sorted.length - 1));
  return sorted[index] as number;
}

export interface Quartiles {
  low: number;
  median: number;
  high: number;
}

export function computeQuartiles(sorted: readonly number[]): Quartiles {
  return { low: pickQuantile(sorted, 0.25), median: pickQuantile(sorted, 0.5), high: pickQuantile(sorted, 0.75) };
}

/**
 * Bowley (quartile) skewness (Q1 + Q3 - 2 Q2) / (Q3 - Q1), in [-1, 1].
 * Returns 0 when Q3 = Q1 or the median equals a quartile, where the ratio
 * says nothing (RITA does the same).
 */
export function computeBowleySkew(quartiles: Quartiles): number {
  const { low, median, high } = quartiles;
  const denominator = high - low;
  if (denominator === 0 || median === low || median === high) return 0;
  return (low + high - 2 * median) / denominator;
}

/** Median absolute deviation about the median of `sorted` (ascending, non-empty). */
export function computeMedianAbsoluteDeviation(sorted: readonly number[]): number {
  const median = pickQuantile(sorted, 0.5);
  const deviations = sorted.map((value) => Math.abs(value - median)).sort((a, b) => a - b);
  return pickQuantile(deviations, 0.5);
}

/** Numbers sorted ascending into a new array. */
export function sortNumbers(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export function clampUnit(value: number): number {
  if (!(value > 0)) return 0;
  return value > 1 ? 1 : value;
}
