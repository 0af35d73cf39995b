/**
 * Rate limit for repeated log lines (rejected IPC senders, rejected
 * WebSocket upgrades), so a misbehaving page or client cannot flood the log.
 */

export interface RepeatDecision {
  shouldLog: boolean;
  /** Lines with this key dropped since the last one logged. */
  suppressed: number;
}

/**
 * Create a limiter that lets `maxPerWindow` lines per key through in each
 * `windowMs` and counts the rest, reporting the count with the next line
 * that gets through.
 */
export function createRepeatLimiter(maxPerWindow = 5, windowMs = 60_000, now: () => number = Date.now) {
  const windows = new Map<string, { startMs: number; logged: number; suppressed: number }>();
  return (key: string): RepeatDecision => {
    const time = now();
    let window = windows.get(key);
    if (window === undefined || time - window.startMs >= windowMs) {
      const suppressed = window?.suppressed ?? 0;
      window = { startMs: time, logged: 1, suppressed: 0 };
      windows.set(key, window);
      return { shouldLog: true, suppressed };
    }
    if (window.logged < maxPerWindow) {
      window.logged += 1;
      return { shouldLog: true, suppressed: 0 };
    }
    window.suppressed += 1;
    return { shouldLog: false, suppressed: window.suppressed };
  };
}
