/**
 * Paces the refreshes that new engine data triggers. While a capture streams
 * in, the engine reports a batch every 250 ms, and each store used to ask for
 * its data again on every one, even with the previous answer still on its way:
 * the answers then queued up on the renderer's main thread (each one parsed,
 * validated and rendered), and a few of those tasks ran past 50 ms.
 *
 * A gate keeps at most one refresh in flight and starts the next no sooner
 * than `minimumGapMs` after the previous one started. A request made while
 * one is in flight is remembered and served once, after it: the last data
 * always gets fetched, so a finished capture still shows its final figures.
 */
export interface RefreshGate {
  /** Asks for a refresh; runs now if the gate is idle and the gap has passed, later otherwise. */
  request(): void;
}

export const DATA_REFRESH_GAP_MS = 500;

export function createRefreshGate(
  run: () => Promise<void>,
  minimumGapMs: number = DATA_REFRESH_GAP_MS,
  now: () => number = () => performance.now(),
): RefreshGate {
  let isRunning = false;
  let isWanted = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastStart = Number.NEGATIVE_INFINITY;

  function start(): void {
    timer = null;
    isWanted = false;
    isRunning = true;
    lastStart = now();
    void run().finally(() => {
      isRunning = false;
      if (isWanted) schedule();
    });
  }

  function schedule(): void {
    if (timer !== null) return;
    const wait = Math.max(0, lastStart + minimumGapMs - now());
    if (wait === 0) start();
    else timer = setTimeout(start, wait);
  }

  return {
    request() {
      isWanted = true;
      if (!isRunning) schedule();
    },
  };
}

/**
 * Whether a watched tuple `[captureId, dataVersion, ...options]` changed in its data version alone, so the
 * refresh may wait for the gate; a new capture, filter or option refreshes at once.
 */
export function isDataOnlyChange(next: readonly unknown[], previous: readonly unknown[] | undefined): boolean {
  if (previous === undefined || next.length !== previous.length || next[1] === previous[1]) return false;
  return next.every((value, index) => index === 1 || JSON.stringify(value) === JSON.stringify(previous[index]));
}
