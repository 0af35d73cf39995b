/**
 * Paces the refreshes that new engine data triggers. While a capture streams
 * in, the engine reports a batch every 250 ms. Each store used to request its
 * data again on every batch, even with the previous response still on its
 * way, so the responses queued up on the renderer's main thread (each one
 * parsed, validated and rendered) and some of those tasks ran past 50 ms.
 *
 * A gate keeps at most one refresh in flight and starts the next no sooner
 * than `minimumGapMs` after the previous one started. A request made while
 * one is in flight is remembered and served once, after it, so the last data
 * always gets fetched and a finished capture shows its final figures.
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
  let isRequested = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastStart = Number.NEGATIVE_INFINITY;

  function start(): void {
    timer = null;
    isRequested = false;
    isRunning = true;
    lastStart = now();
    void run().finally(() => {
      isRunning = false;
      if (isRequested) schedule();
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
      isRequested = true;
      if (!isRunning) schedule();
    },
  };
}

/**
 * Checks whether a watched tuple `[captureId, dataVersion, ...options]` changed in its data version alone.
 * Such a refresh may wait for the gate, while a new capture, filter or option refreshes at once.
 */
export function isDataOnlyChange(next: readonly unknown[], previous: readonly unknown[] | undefined): boolean {
  if (previous === undefined || next.length !== previous.length || next[1] === previous[1]) return false;
  return next.every((value, index) => index === 1 || JSON.stringify(value) === JSON.stringify(previous[index]));
}
