/**
 * Cases on the start screen: the list with sizes, reopening one from its
 * store (no capture re-read) and deleting one.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';

import type { NewCaseSettings } from '../../shared/contract/case-contract';
import type { CaseListEntry } from '../../shared/domain/case';
import { useApi } from '../api';
import { useViewStore } from './view';

export const useCasesStore = defineStore('cases', () => {
  // The API is looked up per call, so making the store never throws on a page without a connection.
  const api = () => useApi().api;
  const cases = ref<CaseListEntry[]>([]);
  const error = ref<string | null>(null);
  const isLoading = ref(false);
  /** Privacy and storage settings of the next case; null until loaded or where the engine has no cases. */
  const newCaseSettings = ref<NewCaseSettings | null>(null);

  async function loadSettings(): Promise<void> {
    const result = await api().casesGetSettings({});
    newCaseSettings.value = result.ok ? result.value : null;
  }

  /** Change the next case's settings; the engine saves them and applies them to the next capture opened. */
  async function saveSettings(change: Partial<NewCaseSettings>): Promise<boolean> {
    const result = await api().casesSetSettings(change);
    if (!result.ok) {
      error.value = result.error.message;
      return false;
    }
    newCaseSettings.value = result.value;
    error.value = null;
    return true;
  }

  async function refresh(): Promise<void> {
    isLoading.value = true;
    const result = await api().casesList({});
    isLoading.value = false;
    if (!result.ok) {
      // An engine without a cases folder returns `unsupported`, so the list stays empty without an error.
      cases.value = [];
      error.value = result.error.code === 'unsupported' ? null : result.error.message;
      return;
    }
    cases.value = result.value;
    error.value = null;
  }

  /** Reopen a case; the capture store follows the engine's capture.started event. */
  async function open(caseId: string): Promise<boolean> {
    const result = await api().casesOpen({ caseId });
    if (!result.ok) {
      error.value = result.error.message;
      return false;
    }
    error.value = null;
    useViewStore().show('overview');
    return true;
  }

  async function remove(caseId: string): Promise<void> {
    const result = await api().casesDelete({ caseId });
    if (!result.ok) {
      error.value = result.error.message;
      return;
    }
    cases.value = cases.value.filter((entry) => entry.id !== caseId);
  }


  return { cases, error, isLoading, newCaseSettings, refresh, open, remove, loadSettings, saveSettings };
});
