import { describe, expect, it } from 'vitest';

import { choosePageToLoad, computeVisibleRows } from '../../src/renderer/components/virtual-rows';
import { matchShortcut } from '../../src/renderer/composables/keyboard-shortcuts';

describe('computeVisibleRows', () => {
  it('covers the viewport plus overscan', () => {
    // Rows of 24 px: scrollTop 2400 is row 100; 600 px show 25 rows.
    expect(computeVisibleRows(2400, 600, 24, 100_000, 10)).toEqual({ first: 90, end: 135 });
  });

  it('clamps at both ends', () => {
    expect(computeVisibleRows(0, 600, 24, 100_000, 10)).toEqual({ first: 0, end: 35 });
    expect(computeVisibleRows(24 * 99_990, 600, 24, 100_000, 10)).toEqual({ first: 99_980, end: 100_000 });
  });

  it('returns nothing for an empty table', () => {
    expect(computeVisibleRows(0, 600, 24, 0, 10)).toEqual({ first: 0, end: 0 });
  });
});

describe('choosePageToLoad', () => {
  it('requests two pages from the page boundary', () => {
    expect(choosePageToLoad({ first: 250, end: 290 }, null, 200)).toEqual({ offset: 200, limit: 400 });
  });

  it('skips rows already loaded', () => {
    expect(choosePageToLoad({ first: 250, end: 290 }, { first: 200, end: 600 }, 200)).toBeNull();
  });

  it('reloads when the view leaves the loaded page', () => {
    expect(choosePageToLoad({ first: 590, end: 630 }, { first: 200, end: 600 }, 200)).toEqual({
      offset: 400,
      limit: 400,
    });
  });
});

describe('matchShortcut', () => {
  const press = { ctrlKey: false, metaKey: false, altKey: false, isTyping: false };

  it('maps the documented keys', () => {
    expect(matchShortcut({ ...press, key: 'o', ctrlKey: true })).toBe('open-capture');
    expect(matchShortcut({ ...press, key: 'o', metaKey: true })).toBe('open-capture');
    expect(matchShortcut({ ...press, key: '/' })).toBe('focus-filter');
    expect(matchShortcut({ ...press, key: 'Escape' })).toBe('clear-selection');
    expect(matchShortcut({ ...press, key: '4' })).toBe('view-flows');
    expect(matchShortcut({ ...press, key: '?' })).toBe('show-help');
  });

  it('leaves single keys to text fields', () => {
    expect(matchShortcut({ ...press, key: '4', isTyping: true })).toBeNull();
    expect(matchShortcut({ ...press, key: 'Escape', isTyping: true })).toBe('clear-selection');
    expect(matchShortcut({ ...press, key: 'o', ctrlKey: true, isTyping: true })).toBe('open-capture');
  });
});
