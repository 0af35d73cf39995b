import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';

import {
  alertSeverities,
  type Alert,
  type AlertSeverity,
  type AlertStatus,
  type AllowList,
  type ContractError,
  type FlowRecord,
} from '../../shared/contract';
import { useApi } from '../api';
import { useCaptureStore } from './capture';
import { useSelectionStore } from './selection';
import { createRefreshGate, isDataOnlyChange } from './refresh-gate';

/** Evidence flows shown in an alert's detail; the full set is one click away in the flow table. */
export const evidenceRowLimit = 50;

export type AlertGrouping = 'none' | 'detector' | 'host';
export type AlertOrder = 'severity' | 'time' | 'score';
export type AllowListKind = 'hosts' | 'networks' | 'domains' | 'pairs';

export interface AlertGroup {
  key: string;
  label: string;
  alerts: Alert[];
}

/** Returns a comparator for `order`; ties fall back to severity, score, time, then id so the order is stable. */
export function compareAlertsBy(order: AlertOrder): (a: Alert, b: Alert) => number {
  const bySeverity = (a: Alert, b: Alert) =>
    alertSeverities.indexOf(b.severity) - alertSeverities.indexOf(a.severity);
  const byScore = (a: Alert, b: Alert) => b.score - a.score;
  const byTime = (a: Alert, b: Alert) => a.firstUs - b.firstUs;
  const byId = (a: Alert, b: Alert) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const chain =
    order === 'time'
      ? [byTime, bySeverity, byScore, byId]
      : order === 'score'
        ? [byScore, bySeverity, byTime, byId]
        : [bySeverity, byScore, byTime, byId];
  return (a, b) => {
    for (const compare of chain) {
      const result = compare(a, b);
      if (result !== 0) return result;
    }
    return 0;
  };
}

/**
 * Groups sorted alerts by detector or by host, keeping the alerts' order
 * inside each group; groups come in the order of their first alert. By host,
 * an alert appears under each host it names.
 */
export function groupAlerts(alerts: readonly Alert[], grouping: AlertGrouping): AlertGroup[] {
  if (grouping === 'none') return [{ key: 'all', label: 'All alerts', alerts: [...alerts] }];
  const groups = new Map<string, AlertGroup>();
  for (const alert of alerts) {
    const keys = grouping === 'detector' ? [alert.detector] : alert.hosts.length > 0 ? alert.hosts : ['(no host)'];
    for (const key of keys) {
      let group = groups.get(key);
      if (group === undefined) {
        group = { key, label: key, alerts: [] };
        groups.set(key, group);
      }
      group.alerts.push(alert);
    }
  }
  return [...groups.values()];
}

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
  const grouping = ref<AlertGrouping>('none');
  const order = ref<AlertOrder>('severity');
  /** Least severity listed; 'info' lists every alert. */
  const minimumSeverity = ref<AlertSeverity>('info');
  const allowList = ref<AllowList>({ hosts: [], networks: [], domains: [], pairs: [] });
  let requestSerial = 0;
  let evidenceSerial = 0;

  const selectedAlert = computed(() => alerts.value.find((alert) => alert.id === selectedAlertId.value) ?? null);
  const sortedAlerts = computed(() => [...alerts.value].sort(compareAlertsBy(order.value)));
  const groups = computed(() => groupAlerts(sortedAlerts.value, grouping.value));

  /** Records the analyst's verdict on an alert ('open' clears it). */
  async function setAlertState(id: string, state: AlertStatus): Promise<void> {
    const capture = useCaptureStore();
    if (!capture.captureId) return;
    const result = await useApi().api.alertsSetState({ captureId: capture.captureId, alertId: id, state });
    if (!result.ok) {
      error.value = result.error;
      return;
    }
    error.value = null;
    alerts.value = alerts.value.map((alert) => (alert.id === id ? { ...alert, status: state } : alert));
  }

  async function loadAllowList(): Promise<void> {
    const capture = useCaptureStore();
    if (!capture.captureId) return;
    const result = await useApi().api.alertsGetAllowList({ captureId: capture.captureId });
    if (result.ok) allowList.value = result.value;
    else error.value = result.error;
  }

  /** Replaces the allow-list; the engine runs its detectors again, so the list is refreshed after. */
  async function saveAllowList(next: AllowList): Promise<boolean> {
    const capture = useCaptureStore();
    if (!capture.captureId) return false;
    const result = await useApi().api.alertsSetAllowList({ captureId: capture.captureId, allowList: next });
    if (!result.ok) {
      error.value = result.error;
      return false;
    }
    error.value = null;
    allowList.value = result.value;
    await refresh();
    return true;
  }

  /** Adds one entry ("10.0.0.5", "10.1.0.0/16", "example.org", or "a b" for a pair) unless it is there. */
  async function addAllowListEntry(kind: AllowListKind, entry: string): Promise<boolean> {
    const text = entry.trim();
    if (text === '') return false;
    const next: AllowList = {
      hosts: [...allowList.value.hosts],
      networks: [...allowList.value.networks],
      domains: [...allowList.value.domains],
      pairs: [...allowList.value.pairs],
    };
    if (kind === 'pairs') {
      const [first = '', second = ''] = text.split(/[\s,]+/);
      if (first === '' || second === '') return false;
      next.pairs.push([first, second]);
    } else if (!next[kind].includes(text)) next[kind].push(text);
    return saveAllowList(next);
  }

  async function removeAllowListEntry(kind: AllowListKind, index: number): Promise<boolean> {
    const next: AllowList = {
      hosts: [...allowList.value.hosts],
      networks: [...allowList.value.networks],
      domains: [...allowList.value.domains],
      pairs: [...allowList.value.pairs],
    };
    next[kind].splice(index, 1);
    return saveAllowList(next);
  }

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
      minimumSeverity: minimumSeverity.value,
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
    const dataGate = createRefreshGate(refresh);
    const capture = useCaptureStore();
    const selection = useSelectionStore();
    watch(
      () =>
        [capture.captureId, capture.dataVersion, selection.buildFilter({ uids: true }), minimumSeverity.value] as const,
      (next, previous) => (isDataOnlyChange(next, previous) ? dataGate.request() : void refresh()),
      { deep: true },
    );
    watch(
      () => capture.captureId,
      () => void loadAllowList(),
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
    grouping,
    order,
    minimumSeverity,
    sortedAlerts,
    groups,
    allowList,
    refresh,
    selectAlert,
    setAlertState,
    loadAllowList,
    saveAllowList,
    addAllowListEntry,
    removeAllowListEntry,
    watchSources,
  };
});
