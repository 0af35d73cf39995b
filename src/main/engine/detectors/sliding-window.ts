/**
 * Slide a time window over items ordered by time and find the window with
 * the most distinct targets. Used by scans (distinct ports or hosts), brute
 * force and lateral movement.
 */
export interface WindowItem {
  timeUs: number;
  target: string;
}

export interface BestWindow {
  distinct: number;
  /** Index range of the best window, inclusive. */
  from: number;
  to: number;
}

/** `items` must be sorted by `timeUs`. Returns distinct 0 for an empty list. */
export function findBestWindow(items: readonly WindowItem[], windowUs: number): BestWindow {
  const counts = new Map<string, number>();
  let best: BestWindow = { distinct: 0, from: 0, to: -1 };
  let from = 0;
  for (let to = 0; to < items.length; to++) {
    const entering = items[to] as WindowItem;
    counts.set(entering.target, (counts.get(entering.target) ?? 0) + 1);
    while (entering.timeUs - (items[from] as WindowItem).timeUs > windowUs) {
      const leaving = (items[from] as WindowItem).target;
      const remaining = (counts.get(leaving) ?? 1) - 1;
      if (remaining === 0) counts.delete(leaving);
      else counts.set(leaving, remaining);
      from++;
    }
    if (counts.size > best.distinct) best = { distinct: counts.size, from, to };
  }
  return best;
}
