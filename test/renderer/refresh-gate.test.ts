import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createRefreshGate, isDataOnlyChange } from '../../src/renderer/stores/refresh-gate';

describe('createRefreshGate', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** Makes a refresh that stays in flight until the test settles it, counting its starts. */
  function makeRun() {
    const settle: Array<() => void> = [];
    const run = vi.fn(() => new Promise<void>((done) => settle.push(done)));
    return { run, settle };
  }

  it('runs the first request at once and keeps one refresh in flight', async () => {
    const { run, settle } = makeRun();
    const gate = createRefreshGate(run, 500, () => Date.now());
    gate.request();
    expect(run).toHaveBeenCalledTimes(1);
    gate.request();
    gate.request();
    gate.request();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(run).toHaveBeenCalledTimes(1);
    settle[0]!();
    await vi.advanceTimersByTimeAsync(0);
    // The three requests made in flight are served by one refresh after it.
    expect(run).toHaveBeenCalledTimes(2);
    settle[1]!();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('waits out the gap after a refresh that finished quickly', async () => {
    const { run, settle } = makeRun();
    const gate = createRefreshGate(run, 500, () => Date.now());
    gate.request();
    settle[0]!();
    await vi.advanceTimersByTimeAsync(100);
    gate.request();
    gate.request();
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(399);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
  });
});

describe('isDataOnlyChange', () => {
  const cases: Array<[string, unknown[], unknown[] | undefined, boolean]> = [
    ['first run', ['c1', 1, { hosts: [] }], undefined, false],
    ['new data version only', ['c1', 2, { hosts: ['10.0.0.1'] }], ['c1', 1, { hosts: ['10.0.0.1'] }], true],
    ['new capture', ['c2', 2, {}], ['c1', 1, {}], false],
    ['new filter with new data', ['c1', 2, { hosts: ['10.0.0.2'] }], ['c1', 1, { hosts: ['10.0.0.1'] }], false],
    ['same data version', ['c1', 1, { hosts: ['10.0.0.2'] }], ['c1', 1, { hosts: ['10.0.0.1'] }], false],
    ['option changed', ['c1', 2, {}, 50], ['c1', 1, {}, 100], false],
  ];
  it.each(cases)('%s', (_name, next, previous, expected) => {
    expect(isDataOnlyChange(next, previous)).toBe(expected);
  });
});
