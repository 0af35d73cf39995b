import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

import type { ContractError, Timeline } from '../../shared/contract';
import { useApi } from '../api';
import { useCaptureStore } from './capture';
import { useLiveCaptureStore } from './live-capture';
import { useSelectionStore } from './selection';
import { createRefreshGate, isDataOnlyChange } from './refresh-gate';

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
    const dataGate = createRefreshGate(refresh);
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    const live = useLiveCaptureStore();
    watch(
      () =>
        [capture.captureId, capture.dataVersion, selection.buildFilter({ timeRange: true }), live.isFollowing] as const,
      (next, previous) => {
        // While the analyst holds a live capture's timeline to read it, new data does not redraw it.
        const isHeld =
          !next[3] &&
          previous !== undefined &&
          next[0] === previous[0] &&
          JSON.stringify(next[2]) === JSON.stringify(previous[2]);
        if (isHeld) return;
        if (isDataOnlyChange(next, previous)) dataGate.request();
        else void refresh();
      },
      { deep: true },
    );
  }

  return { timeline, error, refresh, watchSources };
});
