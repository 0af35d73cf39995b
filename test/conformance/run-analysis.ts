/**
 * Runs the engine's whole-file analysis on one capture and collects its flows.
 */
import { analyzeCapture } from '../../src/main/engine/analyze-capture';
import type { FlowRecord } from '../../src/shared/domain/flow';
import type { AnalysisOutcome } from './compare-truth';

/**
 * Analyzes the capture at `capturePath`. Returns every flow the engine
 * reported (each finished flow is reported once), the summary, or the error
 * it failed with.
 */
export async function analyzeForConformance(capturePath: string): Promise<AnalysisOutcome> {
  const flows: FlowRecord[] = [];
  try {
    const { summary } = await analyzeCapture(capturePath, {
      onFlows: (batch: FlowRecord[]) => {
        flows.push(...batch);
      },
    });
    return { flows, summary, error: null };
  } catch (error) {
    const cause = error instanceof Error ? error : new Error(String(error));
    return { flows, summary: null, error: cause };
  }
}
