/**
 * Every event of the contract, keyed `area.verb`. Events flow from the
 * engine or the host to the page only, so their payloads are not validated
 * on arrival.
 */
import type { CaptureSummary } from '../domain/capture-summary';
import type { CaptureProgress } from '../domain/capture-status';
import type { Settings } from '../domain/settings';
import type { ContractError } from '../errors';
import { defineEvent } from './define';
import { liveCaptureEvents } from './live-capture-contract';
import { caseEvents } from './case-contract';

export interface CaptureStarted {
  captureId: string;
  path: string;
}

/**
 * Sent about every 250 ms while a capture loads, when counts changed since
 * the last batch: the page re-queries its current page and charts.
 */
export interface CaptureBatch {
  captureId: string;
  packets: number;
  flows: number;
  alerts: number;
  /** Flows added since the previous batch. */
  newFlows: number;
}

export interface CaptureDone {
  captureId: string;
  summary: CaptureSummary;
  sha256: string | null;
}

export interface CaptureFailed {
  captureId: string;
  error: ContractError;
}

export interface EngineCrashed {
  /** Exit code, or null when a signal ended the process. */
  exitCode: number | null;
  signal: string | null;
  message: string;
  /** Restarts so far in this session, this one included once it happens. */
  restartCount: number;
}

export interface EngineRestarted {
  restartCount: number;
  /** Capture the host asked the new engine to reopen, or null. */
  reopenedPath: string | null;
}

export const events = {
  /** A capture started loading (from the page, the menu, the command line or "open with"). */
  'capture.started': defineEvent<CaptureStarted>('engine'),
  'capture.progress': defineEvent<CaptureProgress>('engine'),
  'capture.batch': defineEvent<CaptureBatch>('engine'),
  /** Loading finished or was cancelled (`summary.isCancelled`). */
  'capture.done': defineEvent<CaptureDone>('engine'),
  'capture.failed': defineEvent<CaptureFailed>('engine'),
  'engine.crashed': defineEvent<EngineCrashed>('host'),
  'engine.restarted': defineEvent<EngineRestarted>('host'),
  'settings.changed': defineEvent<Settings>('host'),
  ...liveCaptureEvents,
  ...caseEvents,
} as const;
