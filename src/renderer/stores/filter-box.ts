/**
 * The quick filter box's display-filter side: checks what the analyst types
 * with the engine, decides whether it is a display filter or a plain text
 * search, and lists field names for completion.
 *
 * Rule: text that parses as a Wireshark display filter is one
 * (`tcp.port == 80`, `conn_state == "REJ"`, `dns`). Anything else is a plain
 * substring search, as before (`10.66.0.21`, `CxYz`). A syntax error is shown
 * only when the text looks like a filter, i.e. it has a comparison or logical
 * operator, or it starts with a field name the engine defines followed by an
 * operator-like character (`tcp.port = 80`), so plain searches never show an
 * error.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';

import type { FilterFieldInfo, FilterSyntaxError } from '../../shared/domain/filter';
import { useApi } from '../api';
import { useSelectionStore } from './selection';

const operatorPattern = /==|!=|>=|<=|[<>!~]|&&|\|\||\b(?:and|or|not|eq|ne|gt|lt|ge|le|in|contains|matches)\b/;

/** True when `text` looks like a display filter rather than a word to search for. */
export function looksLikeDisplayFilter(text: string): boolean {
  return operatorPattern.test(text);
}

const leadingFieldPattern = /^([A-Za-z_][A-Za-z0-9_.]*)\s*[=<>!~&|]/;

/** Return the word `text` starts with when an operator-like character follows it (`tcp.port` in `tcp.port = 80`), else null. */
export function getLeadingFieldName(text: string): string | null {
  return leadingFieldPattern.exec(text.trimStart())?.[1] ?? null;
}

/** The field-name word being typed at the end of `text`, or '' when the end is not a field name. */
export function getCompletionPrefix(text: string): string {
  const match = /([A-Za-z_][A-Za-z0-9_.]*)$/.exec(text);
  return match?.[1] ?? '';
}

export const useFilterBoxStore = defineStore('filter-box', () => {
  // The API is looked up per call, so making the store never throws on a page without a connection.
  const api = () => useApi().api;
  const selection = useSelectionStore();
  /** 'display' when the checked text is a display filter, else 'text'. */
  const mode = ref<'text' | 'display'>('text');
  const error = ref<FilterSyntaxError | null>(null);
  const suggestions = ref<FilterFieldInfo[]>([]);
  let checkSequence = 0;
  let completeSequence = 0;

  /** Check `text` and set the selection's display filter from the result. */
  async function check(text: string): Promise<void> {
    const sequence = ++checkSequence;
    const trimmed = text.trim();
    if (trimmed === '') {
      mode.value = 'text';
      error.value = null;
      selection.setDisplayFilter(null);
      return;
    }
    const result = await api().filterCheck({ text: trimmed });
    if (sequence !== checkSequence) return;
    if (!result.ok) {
      // The check failed, so keep the plain search.
      mode.value = 'text';
      error.value = null;
      selection.setDisplayFilter(null);
      return;
    }
    if (result.value.ok) {
      mode.value = 'display';
      error.value = null;
      selection.setDisplayFilter(trimmed);
      return;
    }
    const syntaxError = result.value.error;
    const looksLikeFilter = looksLikeDisplayFilter(trimmed) || (await startsWithKnownField(trimmed));
    if (sequence !== checkSequence) return;
    mode.value = 'text';
    selection.setDisplayFilter(null);
    // Columns count in the trimmed text; shift them back to the text as typed.
    const shift = text.length - text.trimStart().length;
    error.value = looksLikeFilter ? { ...syntaxError, column: syntaxError.column + shift } : null;
  }

  /** Checks with the engine whether `text` starts with one of its field names and an operator-like character. */
  async function startsWithKnownField(text: string): Promise<boolean> {
    const name = getLeadingFieldName(text);
    if (name === null) return false;
    const result = await api().filterComplete({ prefix: name });
    return result.ok && result.value.some((field) => field.name === name);
  }

  /** List fields that complete the word at the end of `text`. */
  async function complete(text: string): Promise<void> {
    const sequence = ++completeSequence;
    const prefix = getCompletionPrefix(text);
    if (prefix === '') {
      suggestions.value = [];
      return;
    }
    const result = await api().filterComplete({ prefix });
    if (sequence !== completeSequence) return;
    suggestions.value = result.ok ? result.value.filter((field) => field.name !== prefix).slice(0, 12) : [];
  }

  function clearSuggestions(): void {
    completeSequence++;
    suggestions.value = [];
  }

  return { mode, error, suggestions, check, complete, clearSuggestions };
});
