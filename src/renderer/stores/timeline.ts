import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

import type { ContractError, Timeline } from '../../shared/contract';
import { useApi } from '../api';
import { useCaptureStore } from './capture';
import { useSelectionStore } from './selection';

/** Buckets requested for the timeline; the engine picks the nearest standard width. */
export const timelineBucketCount = 240;

/**
 * Bytes, packets and new flows per bucket over the whole capture. The
 * selected time range does not narrow it, because the timeline is where
 * the range is drawn; hosts, text and evidence flows do.
 */
export const useTimelineStore = defineStore('timeline', () => {
  const timeline = ref<Timeline | null>(null);
  const error = ref<ContractError | null>(null);
  let requestSerial = 0;

  async function refresh(): Promise<void> {
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    if (!capture.captureId) {
      timeline.value = null;
      return;
    }
    const serial = ++requestSerial;
    const result = await useApi().api.aggregatesTimeline({
      captureId: capture.captureId,
      filter: selection.buildFilter({ timeRange: true }),
      bucketCount: timelineBucketCount,
    });
    if (serial !== requestSerial) return;
    if (!result.ok) {
      error.value = result.error;
      return;
    }
    error.value = null;
    timeline.value = result.value;
  }

  function watchSources(): void {
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    watch(
      () => [capture.captureId, capture.dataVersion, selection.buildFilter({ timeRange: true })] as const,
      () => void refresh(),
      { deep: true },
    );
  }

  return { timeline, error, refresh, watchSources };
});
