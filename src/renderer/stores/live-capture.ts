import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

import type {
  ContractError,
  LiveCaptureCounters,
  LiveCaptureDevice,
  LiveCaptureEndReason,
  RequestArgument,
} from '../../shared/contract';
import { useApi } from '../api';

export type LivePhase = 'idle' | 'starting' | 'running' | 'stopping' | 'ended';

/** The options form; sizes in the units the form shows. */
export interface LiveCaptureForm {
  filter: string;
  promiscuous: boolean;
  snaplen: number;
  /** Kernel buffer in MiB; 0 keeps libpcap's default. */
  bufferSizeMiB: number;
  isHeadersOnly: boolean;
  isRingEnabled: boolean;
  ringFileMiB: number;
  ringFiles: number;
}

export interface RateSample {
  elapsedMs: number;
  packetsPerSecond: number;
  bitsPerSecond: number;
}

/** Samples kept for the rate strip: two minutes at one counter event per 250 ms. */
export const maxRateSamples = 480;

const mebibyte = 1024 * 1024;

/**
 * Live capture from the page: the interface list and options, then the
 * running capture's counters and rate history. The flows, timeline, host
 * graph and alerts of the capture reach their own stores through the capture
 * store, since the engine reports the live capture as the loaded one.
 */
export const useLiveCaptureStore = defineStore('liveCapture', () => {
  const devices = ref<LiveCaptureDevice[]>([]);
  const selectedDevice = ref<string | null>(null);
  const isLoadingDevices = ref(false);
  /** Why the interfaces could not be listed (addon missing, libpcap error). */
  const devicesError = ref<ContractError | null>(null);
  const form = ref<LiveCaptureForm>({
    filter: '',
    promiscuous: true,
    snaplen: 262_144,
    bufferSizeMiB: 0,
    isHeadersOnly: false,
    isRingEnabled: false,
    ringFileMiB: 100,
    ringFiles: 10,
  });
  /** libpcap's message for the current filter, null when it compiles, undefined before a check. */
  const filterMessage = ref<string | null | undefined>(undefined);
  const checkedFilter = ref<string | null>(null);
  const phase = ref<LivePhase>('idle');
  const captureId = ref<string | null>(null);
  const device = ref<string | null>(null);
  const folder = ref<string | null>(null);
  const files = ref<string[]>([]);
  const warnings = ref<string[]>([]);
  const isPaused = ref(false);
  const counters = ref<LiveCaptureCounters | null>(null);
  const rateSamples = ref<RateSample[]>([]);
  /**
   * False while the analyst holds the timeline and rate strip to read them:
   * they stop redrawing, the capture and the counters go on.
   */
  const isFollowing = ref(true);
  const frozenSamples = ref<RateSample[]>([]);
  const startError = ref<ContractError | null>(null);
  const endReason = ref<LiveCaptureEndReason | null>(null);
  const endMessage = ref<string | null>(null);
  let isSubscribed = false;

  const isRunning = computed(() => phase.value === 'running' || phase.value === 'stopping');
  const canStart = computed(
    () =>
      selectedDevice.value !== null &&
      !isRunning.value &&
      phase.value !== 'starting' &&
      (filterMessage.value === null || filterMessage.value === undefined),
  );
  const visibleSamples = computed(() => (isFollowing.value ? rateSamples.value : frozenSamples.value));
  const totalDrops = computed(() =>
    counters.value ? counters.value.droppedByKernel + counters.value.droppedByInterface : 0,
  );
  const isPermissionError = computed(
    () => startError.value?.code === 'permission-denied' || devicesError.value?.code === 'permission-denied',
  );

  function subscribe(): void {
    if (isSubscribed) return;
    isSubscribed = true;
    const { api } = useApi();
    api.onCaptureLiveCounters((next) => {
      // A page opened (or reloaded) while the engine captures picks that capture up.
      if (next.captureId !== captureId.value && !isRunning.value && phase.value !== 'starting')
        adopt(next.captureId, next.device);
      if (next.captureId !== captureId.value) return;
      const { captureId: _id, device: _device, isPaused: paused, ...values } = next;
      counters.value = values;
      isPaused.value = paused;
      rateSamples.value.push({
        elapsedMs: values.elapsedMs,
        packetsPerSecond: values.packetsPerSecond,
        bitsPerSecond: values.bitsPerSecond,
      });
      if (rateSamples.value.length > maxRateSamples)
        rateSamples.value.splice(0, rateSamples.value.length - maxRateSamples);
    });
    api.onCaptureLiveEnded((ended) => {
      if (ended.captureId !== captureId.value) return;
      phase.value = 'ended';
      counters.value = ended.counters;
      files.value = ended.files;
      endReason.value = ended.reason;
      endMessage.value = ended.message;
      isPaused.value = false;
      isFollowing.value = true;
    });
  }

  /** Track a capture this page did not start; its folder and files stay unknown until it ends. */
  function adopt(id: string, name: string): void {
    captureId.value = id;
    device.value = name;
    folder.value = null;
    files.value = [];
    warnings.value = [];
    rateSamples.value = [];
    isFollowing.value = true;
    endReason.value = null;
    endMessage.value = null;
    phase.value = 'running';
  }

  /** Lists interfaces and preselects the default-route one (or keeps the current choice). */
  async function loadDevices(): Promise<void> {
    subscribe();
    isLoadingDevices.value = true;
    const result = await useApi().api.captureListInterfaces();
    isLoadingDevices.value = false;
    if (!result.ok) {
      devicesError.value = result.error;
      devices.value = [];
      return;
    }
    devicesError.value = null;
    devices.value = result.value;
    const kept = result.value.find((entry) => entry.name === selectedDevice.value);
    const preferred = kept ?? result.value.find((entry) => entry.isDefaultRoute) ?? result.value[0];
    selectedDevice.value = preferred?.name ?? null;
  }

  function selectDevice(name: string): void {
    selectedDevice.value = name;
  }

  function updateForm(next: Partial<LiveCaptureForm>): void {
    form.value = { ...form.value, ...next };
    if (next.filter !== undefined && next.filter !== checkedFilter.value) filterMessage.value = undefined;
  }

  /** Compiles the filter in the engine; returns true when it is valid. */
  async function checkFilter(): Promise<boolean> {
    const filter = form.value.filter;
    if (filter.trim() === '') {
      filterMessage.value = null;
      checkedFilter.value = filter;
      return true;
    }
    const result = await useApi().api.captureValidateFilter({ filter });
    if (!result.ok) {
      startError.value = result.error;
      return false;
    }
    // The analyst may have typed on while the check ran.
    if (form.value.filter !== filter) return false;
    checkedFilter.value = filter;
    filterMessage.value = result.value.message;
    return result.value.message === null;
  }

  function buildStartArgument(name: string): RequestArgument<'capture.startLive'> {
    const options = form.value;
    const argument: RequestArgument<'capture.startLive'> = {
      device: name,
      promiscuous: options.promiscuous,
      snaplen: options.snaplen,
      isHeadersOnly: options.isHeadersOnly,
    };
    if (options.filter.trim() !== '') argument.filter = options.filter.trim();
    if (options.bufferSizeMiB > 0) argument.bufferSizeBytes = Math.round(options.bufferSizeMiB * mebibyte);
    if (options.isRingEnabled) {
      argument.ringFileBytes = Math.round(options.ringFileMiB * mebibyte);
      argument.ringFiles = options.ringFiles;
    }
    return argument;
  }

  /** Validates the filter, then starts; returns false with `startError` or `filterMessage` set. */
  async function start(): Promise<boolean> {
    subscribe();
    const name = selectedDevice.value;
    if (name === null || isRunning.value) return false;
    startError.value = null;
    phase.value = 'starting';
    if (!(await checkFilter())) {
      phase.value = 'idle';
      return false;
    }
    const result = await useApi().api.captureStartLive(buildStartArgument(name));
    if (!result.ok) {
      startError.value = result.error;
      if (result.error.details.field === 'filter') filterMessage.value = result.error.message;
      phase.value = 'idle';
      return false;
    }
    captureId.value = result.value.captureId;
    device.value = result.value.device;
    folder.value = result.value.folder;
    files.value = result.value.files;
    warnings.value = result.value.warnings;
    counters.value = null;
    rateSamples.value = [];
    frozenSamples.value = [];
    isFollowing.value = true;
    isPaused.value = false;
    endReason.value = null;
    endMessage.value = null;
    phase.value = 'running';
    return true;
  }

  async function pause(): Promise<void> {
    if (captureId.value === null || phase.value !== 'running') return;
    const result = await useApi().api.capturePauseLive({ captureId: captureId.value });
    if (result.ok) isPaused.value = result.value.isPaused;
    else startError.value = result.error;
  }

  async function resume(): Promise<void> {
    if (captureId.value === null || phase.value !== 'running') return;
    const result = await useApi().api.captureResumeLive({ captureId: captureId.value });
    if (result.ok) isPaused.value = result.value.isPaused;
    else startError.value = result.error;
  }

  async function stop(): Promise<void> {
    if (captureId.value === null || phase.value !== 'running') return;
    phase.value = 'stopping';
    const result = await useApi().api.captureStopLive({ captureId: captureId.value });
    if (!result.ok) {
      // The capture ended on its own meanwhile, and the liveEnded event reports how.
      if (result.error.code !== 'not-found') startError.value = result.error;
      if (phase.value === 'stopping') phase.value = 'ended';
      return;
    }
    phase.value = 'ended';
    counters.value = result.value.counters;
    files.value = result.value.files;
    endReason.value = result.value.reason;
    endMessage.value = result.value.message;
    isPaused.value = false;
    isFollowing.value = true;
  }

  /** Stop or resume scrolling the rate strip; collecting goes on. */
  function setFollowing(isOn: boolean): void {
    if (!isOn) frozenSamples.value = [...rateSamples.value];
    isFollowing.value = isOn;
  }

  function dismissError(): void {
    startError.value = null;
  }

  function dismissEndMessage(): void {
    endMessage.value = null;
  }

  return {
    devices,
    selectedDevice,
    isLoadingDevices,
    devicesError,
    form,
    filterMessage,
    phase,
    captureId,
    device,
    folder,
    files,
    warnings,
    isPaused,
    counters,
    rateSamples,
    isFollowing,
    startError,
    endReason,
    endMessage,
    isRunning,
    canStart,
    visibleSamples,
    totalDrops,
    isPermissionError,
    loadDevices,
    selectDevice,
    updateForm,
    checkFilter,
    start,
    pause,
    resume,
    stop,
    setFollowing,
    dismissError,
    dismissEndMessage,
    initialize: subscribe,
  };
});
