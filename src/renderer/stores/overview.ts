import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

import type { CaptureOverview, ContractError } from '../../shared/contract';
import { useApi } from '../api';
import { useCaptureStore } from './capture';
import { useSelectionStore } from './selection';
import { createRefreshGate, isDataOnlyChange } from './refresh-gate';

/**
 * The overview: the capture's summary and SHA-256, with top talkers and the
 * protocol and service mix narrowed by the selection.
 */
export const useOverviewStore = defineStore('overview', () => {
  const overview = ref<CaptureOverview | null>(null);
  const error = ref<ContractError | null>(null);
  let requestSerial = 0;

  async function refresh(): Promise<void> {
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    if (!capture.captureId) {
      overview.value = null;
      return;
    }
    const serial = ++requestSerial;
    const result = await useApi().api.aggregatesOverview({ captureId: capture.captureId, filter: selection.filter });
    if (serial !== requestSerial) return;
    if (!result.ok) {
      error.value = result.error;
      return;
    }
    error.value = null;
    overview.value = result.value;
  }

  function watchSources(): void {
    const dataGate = createRefreshGate(refresh);
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    watch(
      () => [capture.captureId, capture.dataVersion, selection.filter] as const,
      (next, previous) => (isDataOnlyChange(next, previous) ? dataGate.request() : void refresh()),
      { deep: true },
    );
  }

  return { overview, error, refresh, watchSources };
});
