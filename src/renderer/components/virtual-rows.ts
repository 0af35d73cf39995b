/**
 * Arithmetic for the virtualized flow table: which rows are visible for a
 * scroll position, and which page of rows to request from the engine.
 * Rows have one fixed height, so row i starts at i * rowHeight pixels.
 */

export interface RowRange {
  /** First row index, inclusive. */
  first: number;
  /** Last row index, exclusive. */
  end: number;
}

/**
 * Returns the rows that intersect the viewport, widened by `overscan` rows
 * each side and clamped to [0, totalRows).
 */
export function computeVisibleRows(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  totalRows: number,
  overscan: number,
): RowRange {
  if (totalRows <= 0 || rowHeight <= 0) return { first: 0, end: 0 };
  const firstVisible = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const lastVisible = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  return {
    first: Math.max(0, Math.min(totalRows, firstVisible - overscan)),
    end: Math.max(0, Math.min(totalRows, lastVisible + overscan)),
  };
}

/**
 * Returns the page to request so that `needed` is covered: pages start on
 * multiples of `pageSize` and span two pages, so scrolling across a page
 * boundary does not refetch at once. Null when `loaded` already covers it.
 */
export function choosePageToLoad(
  needed: RowRange,
  loaded: RowRange | null,
  pageSize: number,
): { offset: number; limit: number } | null {
  if (needed.end <= needed.first) return null;
  if (loaded && loaded.first <= needed.first && loaded.end >= needed.end) return null;
  const offset = Math.floor(needed.first / pageSize) * pageSize;
  const pagesNeeded = Math.max(2, Math.ceil((needed.end - offset) / pageSize));
  return { offset, limit: pagesNeeded * pageSize };
}
