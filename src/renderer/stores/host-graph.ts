import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

import type { ContractError, HostGraph } from '../../shared/contract';
import { useApi } from '../api';
import { useCaptureStore } from './capture';
import { useSelectionStore } from './selection';
import { createRefreshGate, isDataOnlyChange } from './refresh-gate';

/**
 * The host graph: the top hosts by bytes with the rest grouped, laid out by
 * the engine. The selected hosts do not narrow it, so the analyst can see
 * and change them in place; the time range, text and evidence flows do.
 */
export const useHostGraphStore = defineStore('hostGraph', () => {
  const graph = ref<HostGraph | null>(null);
  const maxNodes = ref(80);
  const error = ref<ContractError | null>(null);
  let requestSerial = 0;

  async function refresh(): Promise<void> {
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    if (!capture.captureId) {
      graph.value = null;
      return;
    }
    const serial = ++requestSerial;
    const result = await useApi().api.aggregatesHostGraph({
      captureId: capture.captureId,
      filter: selection.buildFilter({ hosts: true }),
      maxNodes: maxNodes.value,
    });
    if (serial !== requestSerial) return;
    if (!result.ok) {
      error.value = result.error;
      return;
    }
    error.value = null;
    graph.value = result.value;
  }

  function setMaxNodes(count: number): void {
    maxNodes.value = count;
  }

  function watchSources(): void {
    const dataGate = createRefreshGate(refresh);
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    watch(
      () => [capture.captureId, capture.dataVersion, maxNodes.value, selection.buildFilter({ hosts: true })] as const,
      (next, previous) => (isDataOnlyChange(next, previous) ? dataGate.request() : void refresh()),
      { deep: true },
    );
  }

  return { graph, maxNodes, error, refresh, setMaxNodes, watchSources };
});
