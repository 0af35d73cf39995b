import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

import type { Alert, FlowFilter, TimeRange } from '../../shared/contract';

/**
 * The one selection every view shares: a time range, hosts, quick filter
 * text and a set of flows (an alert's evidence). Each view builds its query
 * from `filter`, leaving out the part that it sets itself, so brushing the
 * timeline narrows the other views but not the timeline.
 */
export const useSelectionStore = defineStore('selection', () => {
  const timeRange = ref<TimeRange | null>(null);
  const hosts = ref<string[]>([]);
  const text = ref('');
  /** The quick filter text when it parsed as a display filter (see stores/filter-box.ts), else null. */
  const displayFilter = ref<string | null>(null);
  const flowUids = ref<string[]>([]);
  /** Alert whose evidence set `flowUids`, shown as the chip's label. */
  const evidenceAlertTitle = ref<string | null>(null);
  /** Flow shown in the detail panel. */
  const focusedFlowUid = ref<string | null>(null);

  const filter = computed<FlowFilter>(() => buildFilter({}));
  const isEmpty = computed(
    () =>
      timeRange.value === null && hosts.value.length === 0 && text.value.trim() === '' && flowUids.value.length === 0,
  );

  /** Returns the filter without the parts named in `omit`, for the view that owns those parts. */
  function buildFilter(omit: { timeRange?: boolean; hosts?: boolean; uids?: boolean }): FlowFilter {
    const result: FlowFilter = {};
    if (timeRange.value && !omit.timeRange) result.timeRange = { ...timeRange.value };
    if (hosts.value.length > 0 && !omit.hosts) result.hosts = [...hosts.value];
    if (flowUids.value.length > 0 && !omit.uids) result.uids = [...flowUids.value];
    const trimmed = text.value.trim();
    if (trimmed !== '' && displayFilter.value === trimmed) result.displayFilter = trimmed;
    else if (trimmed !== '') result.text = trimmed;
    return result;
  }

  function setTimeRange(range: TimeRange | null): void {
    if (range && range.endUs < range.startUs) {
      timeRange.value = { startUs: range.endUs, endUs: range.startUs };
      return;
    }
    timeRange.value = range;
  }

  /** Adds the host to the selection, or removes it when it is already there. */
  function toggleHost(address: string): void {
    hosts.value = hosts.value.includes(address)
      ? hosts.value.filter((host) => host !== address)
      : [...hosts.value, address];
  }

  function removeHost(address: string): void {
    hosts.value = hosts.value.filter((host) => host !== address);
  }

  function setText(value: string): void {
    text.value = value;
  }

  function setDisplayFilter(value: string | null): void {
    displayFilter.value = value;
  }

  /** Selects an alert's evidence flows and the time they span. */
  function selectEvidence(alert: Alert): void {
    flowUids.value = [...alert.evidence.flowUids];
    evidenceAlertTitle.value = alert.title;
    // The range is inclusive of the last flow's start, so widen the half-open end by 1 µs.
    timeRange.value = { startUs: alert.firstUs, endUs: alert.lastUs + 1 };
    // Hosts too, so the host graph and overview narrow to them; MAC addresses name no flow, so they stay out.
    const addresses = alert.hosts.filter((host) => !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(host));
    if (addresses.length > 0) hosts.value = addresses;
  }

  function clearEvidence(): void {
    flowUids.value = [];
    evidenceAlertTitle.value = null;
  }

  function focusFlow(uid: string | null): void {
    focusedFlowUid.value = uid;
  }

  /** Clears every part of the selection. */
  function clear(): void {
    timeRange.value = null;
    hosts.value = [];
    text.value = '';
    clearEvidence();
    focusedFlowUid.value = null;
  }

  return {
    timeRange,
    hosts,
    text,
    flowUids,
    evidenceAlertTitle,
    focusedFlowUid,
    filter,
    isEmpty,
    buildFilter,
    setTimeRange,
    toggleHost,
    removeHost,
    setText,
    displayFilter,
    setDisplayFilter,
    selectEvidence,
    clearEvidence,
    focusFlow,
    clear,
  };
});
