import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

import type { AppInfo, CaptureProgress, CaptureSummary, ContractError } from '../../shared/contract';
import { useApi, type ConnectionState } from '../api';

export type CapturePhase = 'idle' | 'loading' | 'done' | 'cancelled' | 'failed';

/**
 * The capture the engine holds: its loading progress and final summary.
 * `dataVersion` goes up whenever the engine reports new data, and the other
 * stores re-query their current view when it changes.
 */
export const useCaptureStore = defineStore('capture', () => {
  const captureId = ref<string | null>(null);
  const path = ref<string | null>(null);
  const phase = ref<CapturePhase>('idle');
  const progress = ref<CaptureProgress | null>(null);
  const summary = ref<CaptureSummary | null>(null);
  const sha256 = ref<string | null>(null);
  const flowCount = ref(0);
  const alertCount = ref(0);
  const error = ref<ContractError | null>(null);
  /** Last notice about the engine (a crash and restart), shown in the status bar. */
  const engineNotice = ref<string | null>(null);
  const connectionState = ref<ConnectionState>('open');
  const connectionMessage = ref('');
  const appInfo = ref<AppInfo | null>(null);
  const dataVersion = ref(0);
  let isSubscribed = false;

  const fileName = computed(() => (path.value ? (path.value.split(/[\\/]/).pop() ?? path.value) : null));
  const isLoading = computed(() => phase.value === 'loading');
  const hasCapture = computed(() => captureId.value !== null);
  const progressFraction = computed(() => {
    const current = progress.value;
    if (!current || current.totalBytes <= 0) return 0;
    return Math.min(1, current.bytesRead / current.totalBytes);
  });

  function startTracking(id: string, filePath: string): void {
    captureId.value = id;
    path.value = filePath;
    phase.value = 'loading';
    progress.value = null;
    summary.value = null;
    sha256.value = null;
    flowCount.value = 0;
    alertCount.value = 0;
    error.value = null;
    dataVersion.value += 1;
  }

  /** Subscribes to engine events and picks up a capture the host opened before the page loaded. */
  async function initialize(): Promise<void> {
    const { api, onConnectionChange } = useApi();
    if (!isSubscribed) {
      isSubscribed = true;
      subscribe();
      onConnectionChange((state, reason) => {
        connectionState.value = state;
        connectionMessage.value = reason;
      });
    }

    const info = await api.appInfo();
    if (info.ok) appInfo.value = info.value;

    const status = await api.captureStatus();
    if (!status.ok || status.value === null) return;
    const current = status.value;
    startTracking(current.captureId, current.path);
    progress.value = current.progress;
    flowCount.value = current.progress.flows;
    summary.value = current.summary;
    phase.value = current.state;
    if (current.error) error.value = { code: 'read-failed', message: current.error.message, details: {} };
    if (current.state === 'done' || current.state === 'cancelled') await loadSha256();
  }

  function subscribe(): void {
    const { api } = useApi();
    api.onCaptureStarted((started) => startTracking(started.captureId, started.path));
    api.onCaptureProgress((next) => {
      if (next.captureId !== captureId.value) return;
      progress.value = next;
      flowCount.value = next.flows;
    });
    api.onCaptureBatch((batch) => {
      if (batch.captureId !== captureId.value) return;
      flowCount.value = batch.flows;
      alertCount.value = batch.alerts;
      dataVersion.value += 1;
    });
    api.onCaptureDone((done) => {
      if (done.captureId !== captureId.value) return;
      summary.value = done.summary;
      sha256.value = done.sha256;
      flowCount.value = done.summary.flows;
      phase.value = done.summary.isCancelled ? 'cancelled' : 'done';
      dataVersion.value += 1;
    });
    api.onCaptureFailed((failed) => {
      if (failed.captureId !== captureId.value) return;
      error.value = failed.error;
      phase.value = 'failed';
      dataVersion.value += 1;
    });
    api.onEngineCrashed((crash) => {
      engineNotice.value = `The engine stopped (${crash.message}). It is restarting; the capture reloads when it is back.`;
    });
    api.onEngineRestarted((restart) => {
      engineNotice.value = restart.reopenedPath
        ? `The engine restarted (${restart.restartCount} so far) and is reopening ${restart.reopenedPath}.`
        : `The engine restarted (${restart.restartCount} so far). Open the capture again.`;
      dataVersion.value += 1;
    });
  }

  async function loadSha256(): Promise<void> {
    if (!captureId.value) return;
    const overview = await useApi().api.aggregatesOverview({ captureId: captureId.value });
    if (overview.ok) sha256.value = overview.value.sha256;
  }

  /** Asks the engine to open `filePath`; returns false and sets `error` when it refuses. */
  async function open(filePath: string): Promise<boolean> {
    const result = await useApi().api.captureOpen({ path: filePath });
    if (!result.ok) {
      error.value = result.error;
      return false;
    }
    if (captureId.value !== result.value.captureId) startTracking(result.value.captureId, result.value.path);
    return true;
  }

  /** Shows the native open dialog (desktop only) and opens the chosen file. */
  async function openWithDialog(): Promise<boolean> {
    const result = await useApi().api.dialogOpenCapture();
    if (!result.ok) {
      error.value = result.error;
      return false;
    }
    if (result.value.path === null) return false;
    return open(result.value.path);
  }

  async function cancel(): Promise<void> {
    if (!captureId.value) return;
    const result = await useApi().api.captureCancel({ captureId: captureId.value });
    if (!result.ok) error.value = result.error;
  }

  function dismissError(): void {
    error.value = null;
  }

  return {
    captureId,
    path,
    phase,
    progress,
    summary,
    sha256,
    flowCount,
    alertCount,
    error,
    engineNotice,
    connectionState,
    connectionMessage,
    appInfo,
    dataVersion,
    fileName,
    isLoading,
    hasCapture,
    progressFraction,
    initialize,
    open,
    openWithDialog,
    cancel,
    dismissError,
  };
});
