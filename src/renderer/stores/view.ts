import { defineStore } from 'pinia';
import { ref } from 'vue';

export type ViewName = 'open' | 'overview' | 'timeline' | 'hosts' | 'flows' | 'alerts' | 'records' | 'capture';

/** Which view the main area shows, and whether the shortcut help is open. */
export const useViewStore = defineStore('view', () => {
  const active = ref<ViewName>('open');
  const isHelpOpen = ref(false);

  function show(view: ViewName): void {
    active.value = view;
  }

  function setHelpOpen(isOpen: boolean): void {
    isHelpOpen.value = isOpen;
  }

  return { active, isHelpOpen, show, setHelpOpen };
});
