import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';

import { queryLimits, type ContractError, type FlowRecord, type FlowSort } from '../../shared/contract';
import { useApi } from '../api';
import { choosePageToLoad, type RowRange } from '../components/virtual-rows';
import { useCaptureStore } from './capture';
import { useSelectionStore } from './selection';
import { createRefreshGate } from './refresh-gate';

/** Rows per page request; a request spans at least two pages. */
export const flowPageSize = 200;

/**
 * The page of flows the table shows. The table reports its visible rows and
 * the store fetches the page around them; it never keeps the whole capture.
 */
export const useFlowsStore = defineStore('flows', () => {
  const sort = ref<FlowSort>({ column: 'startUs', direction: 'ascending' });
  const total = ref(0);
  // Shallow: the rows are replaced whole, never changed in place, and deep proxies for hundreds of records cost frames.
  const rows = shallowRef<FlowRecord[]>([]);
  /** Index of `rows[0]` in the filtered, sorted result. */
  const rowsOffset = ref(0);
  const isLoading = ref(false);
  const error = ref<ContractError | null>(null);
  const focusedFlow = ref<FlowRecord | null>(null);
  const visibleRange = ref<RowRange>({ first: 0, end: 60 });
  /** Goes up when the table should scroll back to the first row. */
  const scrollResetCount = ref(0);
  let requestSerial = 0;

  const loadedRange = computed<RowRange | null>(() =>
    rows.value.length === 0 ? null : { first: rowsOffset.value, end: rowsOffset.value + rows.value.length },
  );

  /** Returns the row at `index` of the result, or null when it is not in the loaded page. */
  function rowAt(index: number): FlowRecord | null {
    return rows.value[index - rowsOffset.value] ?? null;
  }

  async function fetchPage(offset: number, limit: number): Promise<void> {
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    if (!capture.captureId) return;
    const serial = ++requestSerial;
    isLoading.value = true;
    const result = await useApi().api.flowsQuery({
      captureId: capture.captureId,
      offset,
      limit: Math.min(limit, queryLimits.maxPageRows),
      sort: { ...sort.value },
      filter: selection.filter,
    });
    // A newer request (scroll, new filter) superseded this one.
    if (serial !== requestSerial) return;
    isLoading.value = false;
    if (!result.ok) {
      error.value = result.error;
      return;
    }
    error.value = null;
    total.value = result.value.total;
    rows.value = result.value.rows;
    rowsOffset.value = result.value.offset;
  }

  /** Records the rows the table shows and fetches them when the loaded page does not cover them. */
  async function showRows(range: RowRange): Promise<void> {
    visibleRange.value = range;
    const page = choosePageToLoad(range, loadedRange.value, flowPageSize);
    if (page) await fetchPage(page.offset, page.limit);
  }

  /** Fetches the page around the visible rows again, for a new filter, sort or engine data. */
  async function refresh(): Promise<void> {
    const offset = Math.floor(visibleRange.value.first / flowPageSize) * flowPageSize;
    const limit = Math.max(2, Math.ceil((visibleRange.value.end - offset) / flowPageSize)) * flowPageSize;
    await fetchPage(offset, limit);
  }

  /** Sorts by `column`; a second click on the same column reverses the direction. */
  function sortBy(column: FlowSort['column']): void {
    const isSameColumn = sort.value.column === column;
    const direction = isSameColumn && sort.value.direction === 'ascending' ? 'descending' : 'ascending';
    sort.value = { column, direction: isSameColumn ? direction : 'ascending' };
  }

  /** Loads the focused flow's record for the detail panel. */
  async function loadFocusedFlow(uid: string | null): Promise<void> {
    const capture = useCaptureStore();
    if (!uid || !capture.captureId) {
      focusedFlow.value = null;
      return;
    }
    const fromPage = rows.value.find((row) => row.uid === uid);
    if (fromPage) {
      focusedFlow.value = fromPage;
      return;
    }
    const result = await useApi().api.flowsGet({ captureId: capture.captureId, uid });
    focusedFlow.value = result.ok ? result.value : null;
  }

  /**
   * Fetches every flow that matches the selection, page by page, for export.
   * NOTE: keeps all matching rows in memory while exporting; a capture with
   * millions of matching flows needs an engine-side export to a file instead.
   */
  async function fetchAllMatching(): Promise<FlowRecord[]> {
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    if (!capture.captureId) return [];
    const collected: FlowRecord[] = [];
    for (;;) {
      const result = await useApi().api.flowsQuery({
        captureId: capture.captureId,
        offset: collected.length,
        limit: queryLimits.maxPageRows,
        sort: { ...sort.value },
        filter: selection.filter,
      });
      if (!result.ok) throw new Error(`Export stopped after ${collected.length} flows: ${result.error.message}`);
      collected.push(...result.value.rows);
      if (result.value.rows.length === 0 || collected.length >= result.value.total) return collected;
    }
  }

  /** Re-queries when the selection or the engine's data changes; call once from the app shell. */
  function watchSources(): void {
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    // A new capture, filter or sort starts again at the top; new data keeps the scroll position.
    watch(
      () => [capture.captureId, selection.filter, sort.value] as const,
      () => {
        const height = visibleRange.value.end - visibleRange.value.first;
        visibleRange.value = { first: 0, end: height };
        scrollResetCount.value += 1;
        void refresh();
      },
      { deep: true },
    );
    const dataGate = createRefreshGate(refresh);
    watch(
      () => capture.dataVersion,
      () => dataGate.request(),
    );
    watch(
      () => selection.focusedFlowUid,
      (uid) => void loadFocusedFlow(uid),
    );
  }

  return {
    sort,
    total,
    rows,
    rowsOffset,
    isLoading,
    error,
    focusedFlow,
    visibleRange,
    scrollResetCount,
    rowAt,
    showRows,
    refresh,
    sortBy,
    loadFocusedFlow,
    fetchAllMatching,
    watchSources,
  };
});
