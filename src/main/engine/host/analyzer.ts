/**
 * The shape of the engine's capture analysis as the host uses it. The engine
 * process passes `analyzeCapture` from `../analyze-capture`; tests pass a
 * fake that feeds flows from memory.
 */
import type { CaptureSummary } from '../../../shared/domain/capture-summary';
import type { FlowRecord } from '../../../shared/domain/flow';

export interface AnalyzeProgress {
  bytesRead: number;
  totalBytes: number;
  packets: number;
  flows: number;
}

export interface AnalyzeOptions {
  signal?: AbortSignal;
  onProgress?(progress: AnalyzeProgress): void;
  onFlows?(flows: FlowRecord[]): void;
}

export type AnalyzeCapture = (path: string, options?: AnalyzeOptions) => Promise<{ summary: CaptureSummary }>;
