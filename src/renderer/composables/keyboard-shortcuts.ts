import { onBeforeUnmount, onMounted } from 'vue';

export type ShortcutAction =
  | 'open-capture'
  | 'focus-filter'
  | 'clear-selection'
  | 'show-help'
  | 'toggle-theme'
  | 'toggle-time-zone'
  | 'view-overview'
  | 'view-timeline'
  | 'view-hosts'
  | 'view-flows'
  | 'view-alerts'
  | 'view-records';

export interface ShortcutDescription {
  keys: string;
  action: ShortcutAction;
  label: string;
}

/** Shortcuts as the help overlay lists them. */
export const shortcutDescriptions: readonly ShortcutDescription[] = [
  { keys: 'Ctrl+O / ⌘O', action: 'open-capture', label: 'Open a capture' },
  { keys: '/', action: 'focus-filter', label: 'Focus the quick filter' },
  { keys: 'Esc', action: 'clear-selection', label: 'Clear the selection (time range, hosts, filter, flows)' },
  { keys: '1', action: 'view-overview', label: 'Overview' },
  { keys: '2', action: 'view-timeline', label: 'Timeline' },
  { keys: '3', action: 'view-hosts', label: 'Host graph' },
  { keys: '4', action: 'view-flows', label: 'Flows' },
  { keys: '5', action: 'view-alerts', label: 'Alerts' },
  { keys: '6', action: 'view-records', label: 'Records (DNS, HTTP, TLS, ...)' },
  { keys: 't', action: 'toggle-theme', label: 'Switch between light and dark theme' },
  { keys: 'u', action: 'toggle-time-zone', label: 'Switch times between UTC and local' },
  { keys: '?', action: 'show-help', label: 'Show this list' },
];

/** The parts of a KeyboardEvent that decide the shortcut. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** True when the focus is in a text field, where single keys are typing. */
  isTyping: boolean;
}

const singleKeyActions: Record<string, ShortcutAction> = {
  '/': 'focus-filter',
  '?': 'show-help',
  '1': 'view-overview',
  '2': 'view-timeline',
  '3': 'view-hosts',
  '4': 'view-flows',
  '5': 'view-alerts',
  '6': 'view-records',
  t: 'toggle-theme',
  u: 'toggle-time-zone',
};

/** Returns the action bound to a key press, or null. */
export function matchShortcut(press: KeyPress): ShortcutAction | null {
  const hasCommandModifier = press.ctrlKey || press.metaKey;
  if (hasCommandModifier && !press.altKey && press.key.toLowerCase() === 'o') return 'open-capture';
  if (press.key === 'Escape') return 'clear-selection';
  if (hasCommandModifier || press.altKey || press.isTyping) return null;
  return singleKeyActions[press.key] ?? null;
}

function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return (
    target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement
  );
}

/**
 * Listens for shortcuts on the window while the calling component is mounted.
 * When `run` returns false the key press goes on unhandled, so an Electron
 * menu accelerator for the same keys still fires.
 */
export function useKeyboardShortcuts(run: (action: ShortcutAction, event: KeyboardEvent) => boolean): void {
  function handleKeyDown(event: KeyboardEvent): void {
    const action = matchShortcut({
      key: event.key,
      ctrlKey: event.ctrlKey,
      metaKey: event.metaKey,
      altKey: event.altKey,
      isTyping: isTextEntry(event.target),
    });
    if (!action) return;
    if (run(action, event)) event.preventDefault();
  }

  onMounted(() => window.addEventListener('keydown', handleKeyDown));
  onBeforeUnmount(() => window.removeEventListener('keydown', handleKeyDown));
}
