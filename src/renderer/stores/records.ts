import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

import type { ContractError, RecordRow, RecordType } from '../../shared/contract';
import { useApi } from '../api';
import { useCaptureStore } from './capture';
import { useSelectionStore } from './selection';
import { useViewStore } from './view';
import { createRefreshGate, isDataOnlyChange } from './refresh-gate';

/** Rows in one page of a record table. */
export const recordPageSize = 200;

/**
 * One page of one analyzer record table (DNS, HTTP, TLS, ...), filtered by
 * the shared selection like the flow table. Clicking a record selects its flow.
 */
export const useRecordsStore = defineStore('records', () => {
  const type = ref<RecordType>('dns');
  const rows = ref<RecordRow[]>([]);
  const total = ref(0);
  const offset = ref(0);
  const sort = ref<{ column: string; direction: 'ascending' | 'descending' }>({ column: 'ts', direction: 'ascending' });
  const error = ref<ContractError | null>(null);
  let requestSerial = 0;

  async function refresh(): Promise<void> {
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    if (!capture.captureId) {
      rows.value = [];
      total.value = 0;
      return;
    }
    const serial = ++requestSerial;
    const result = await useApi().api.recordsQuery({
      captureId: capture.captureId,
      type: type.value,
      offset: offset.value,
      limit: recordPageSize,
      sort: { ...sort.value },
      filter: selection.filter,
    });
    if (serial !== requestSerial) return;
    if (!result.ok) {
      error.value = result.error;
      return;
    }
    error.value = null;
    rows.value = result.value.rows;
    total.value = result.value.total;
  }

  function showType(next: RecordType): void {
    type.value = next;
    offset.value = 0;
    sort.value = { column: 'ts', direction: 'ascending' };
  }

  /** Sorts by `column`, flipping the direction when it is already the sort column. */
  function sortBy(column: string): void {
    const isSame = sort.value.column === column;
    sort.value = { column, direction: isSame && sort.value.direction === 'ascending' ? 'descending' : 'ascending' };
    offset.value = 0;
  }

  function showPage(nextOffset: number): void {
    offset.value = Math.max(0, Math.min(nextOffset, Math.max(0, total.value - 1)));
  }

  /** Focuses the record's flow and opens it in the flow table. */
  function selectRecord(row: RecordRow): void {
    const uid = row.uids[0];
    if (uid === undefined) return;
    useSelectionStore().focusFlow(uid);
    useViewStore().show('flows');
  }

  function watchSources(): void {
    const dataGate = createRefreshGate(refresh);
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    watch(
      () => [capture.captureId, capture.dataVersion, selection.filter, type.value, sort.value, offset.value] as const,
      (next, previous) => (isDataOnlyChange(next, previous) ? dataGate.request() : void refresh()),
      { deep: true },
    );
    // A new selection starts the table again from its first page.
    watch(
      () => selection.filter,
      () => {
        offset.value = 0;
      },
      { deep: true },
    );
  }

  return { type, rows, total, offset, sort, error, refresh, showType, sortBy, showPage, selectRecord, watchSources };
});
