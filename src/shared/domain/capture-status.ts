/** The state of the capture the engine holds, and its loading progress. JSON-safe. */
import type { CaptureSummary } from './capture-summary';

export type CaptureState = 'loading' | 'done' | 'failed' | 'cancelled';

export interface CaptureProgress {
  captureId: string;
  bytesRead: number;
  totalBytes: number;
  packets: number;
  flows: number;
  /** Read rate over the last few seconds. */
  rateBytesPerSecond: number;
  /** Estimate from the rate; null until the rate is known. */
  etaSeconds: number | null;
}

export interface CaptureStatus {
  captureId: string;
  path: string;
  state: CaptureState;
  progress: CaptureProgress;
  /** Final summary once state is 'done' or 'cancelled'; null before. */
  summary: CaptureSummary | null;
  /** The failure when state is 'failed'. */
  error: { code: string; message: string } | null;
}
