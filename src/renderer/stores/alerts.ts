import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';

import type { Alert, ContractError, FlowRecord } from '../../shared/contract';
import { useApi } from '../api';
import { useCaptureStore } from './capture';
import { useSelectionStore } from './selection';

/** Evidence flows shown in an alert's detail; the full set is one click away in the flow table. */
export const evidenceRowLimit = 50;

/**
 * Alerts that meet the selection, and the evidence of the one the analyst
 * opened. Evidence flows do not narrow the list, so selecting an alert's
 * evidence keeps the alert itself in view.
 */
export const useAlertsStore = defineStore('alerts', () => {
  const alerts = ref<Alert[]>([]);
  const totalAlerts = ref(0);
  const selectedAlertId = ref<string | null>(null);
  const evidenceFlows = ref<FlowRecord[]>([]);
  const evidenceTotal = ref(0);
  const error = ref<ContractError | null>(null);
  let requestSerial = 0;
  let evidenceSerial = 0;

  const selectedAlert = computed(() => alerts.value.find((alert) => alert.id === selectedAlertId.value) ?? null);

  async function refresh(): Promise<void> {
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    if (!capture.captureId) {
      alerts.value = [];
      totalAlerts.value = 0;
      return;
    }
    const serial = ++requestSerial;
    const result = await useApi().api.alertsList({
      captureId: capture.captureId,
      filter: selection.buildFilter({ uids: true }),
    });
    if (serial !== requestSerial) return;
    if (!result.ok) {
      error.value = result.error;
      return;
    }
    error.value = null;
    alerts.value = result.value.alerts;
    totalAlerts.value = result.value.totalAlerts;
  }

  /** Opens an alert's detail and fetches its first evidence flows. */
  async function selectAlert(id: string | null): Promise<void> {
    selectedAlertId.value = id;
    evidenceFlows.value = [];
    evidenceTotal.value = 0;
    const alert = selectedAlert.value;
    const capture = useCaptureStore();
    if (!alert || !capture.captureId || alert.evidence.flowUids.length === 0) return;

    const serial = ++evidenceSerial;
    const result = await useApi().api.flowsQuery({
      captureId: capture.captureId,
      offset: 0,
      limit: evidenceRowLimit,
      sort: { column: 'startUs', direction: 'ascending' },
      filter: { uids: alert.evidence.flowUids },
    });
    if (serial !== evidenceSerial) return;
    if (!result.ok) {
      error.value = result.error;
      return;
    }
    evidenceFlows.value = result.value.rows;
    evidenceTotal.value = result.value.total;
  }

  function watchSources(): void {
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    watch(
      () => [capture.captureId, capture.dataVersion, selection.buildFilter({ uids: true })] as const,
      () => void refresh(),
      { deep: true },
    );
  }

  return {
    alerts,
    totalAlerts,
    selectedAlertId,
    selectedAlert,
    evidenceFlows,
    evidenceTotal,
    error,
    refresh,
    selectAlert,
    watchSources,
  };
});
