import { defineStore } from 'pinia';
import { ref } from 'vue';

import type { RecentCapture } from '../../shared/contract';
import { useApi } from '../api';

/** Open Recent, as the host keeps it. */
export const useRecentStore = defineStore('recent', () => {
  const captures = ref<RecentCapture[]>([]);

  async function load(): Promise<void> {
    const result = await useApi().api.recentList();
    if (result.ok) captures.value = result.value;
  }

  async function add(path: string): Promise<void> {
    const result = await useApi().api.recentAdd({ path });
    if (result.ok) captures.value = result.value;
  }

  async function clear(): Promise<void> {
    const result = await useApi().api.recentClear();
    if (result.ok) captures.value = result.value;
  }

  return { captures, load, add, clear };
});
