import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

import { defaultSettings, settingsSchema, type Settings } from '../../shared/contract';
import { useApi } from '../api';

const storageKey = 'tideline.settings';

/** Reads settings saved in localStorage; invalid or missing entries give the defaults. */
function readStoredSettings(): Settings {
  const stored = globalThis.localStorage?.getItem(storageKey);
  if (!stored) return { ...defaultSettings };
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return { ...defaultSettings };
  }
  const parsed = settingsSchema.safeParse(value);
  return parsed.success ? parsed.data : { ...defaultSettings };
}

/**
 * Theme and time zone. localStorage keeps a copy so the first paint has the
 * right theme. The host's copy, shared by every window, wins once it arrives.
 */
export const useSettingsStore = defineStore('settings', () => {
  const settings = ref<Settings>(readStoredSettings());
  const prefersDark = ref(globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false);

  const theme = computed(() => settings.value.theme);
  const timeZone = computed(() => settings.value.timeZone);
  /** The theme in effect: 'system' follows the operating system. */
  const effectiveTheme = computed<'light' | 'dark'>(() => {
    if (settings.value.theme === 'system') return prefersDark.value ? 'dark' : 'light';
    return settings.value.theme;
  });

  function apply(next: Settings): void {
    settings.value = next;
    globalThis.localStorage?.setItem(storageKey, JSON.stringify(next));
  }

  /** Loads the host's settings and follows later changes from other windows. */
  async function initialize(): Promise<void> {
    const { api } = useApi();
    api.onSettingsChanged((next) => apply(next));
    globalThis.matchMedia?.('(prefers-color-scheme: dark)').addEventListener('change', (event) => {
      prefersDark.value = event.matches;
    });
    const result = await api.settingsGet();
    if (result.ok) apply(result.value);
  }

  /** Changes some settings here at once and on the host. */
  async function update(change: Partial<Settings>): Promise<void> {
    apply({ ...settings.value, ...change });
    const result = await useApi().api.settingsSet(change);
    if (result.ok) apply(result.value);
  }

  async function toggleTheme(): Promise<void> {
    await update({ theme: effectiveTheme.value === 'dark' ? 'light' : 'dark' });
  }

  async function toggleTimeZone(): Promise<void> {
    await update({ timeZone: settings.value.timeZone === 'utc' ? 'local' : 'utc' });
  }

  return { settings, theme, timeZone, effectiveTheme, initialize, update, toggleTheme, toggleTimeZone };
});
