/** A one-line progress bar redrawn in place on a terminal stream. */
export interface ProgressBar {
  update(progress: { bytesRead: number; totalBytes: number; packets: number; flows: number }): void;
  finish(): void;
}

const BAR_WIDTH = 30;
/** Redraw at most this often, in milliseconds. */
const REDRAW_INTERVAL_MS = 100;

export function createProgressBar(stream: NodeJS.WriteStream): ProgressBar {
  let lastDrawMs = 0;
  let hasDrawn = false;
  return {
    update(progress) {
      const now = Date.now();
      if (now - lastDrawMs < REDRAW_INTERVAL_MS) return;
      lastDrawMs = now;
      const fraction = progress.totalBytes > 0 ? Math.min(1, progress.bytesRead / progress.totalBytes) : 0;
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
      stream.write(`\r[${bar}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${progress.packets} packets  ${progress.flows} flows`);
      hasDrawn = true;
    },
    finish() {
      if (hasDrawn) stream.write('\n');
    },
  };
}
