/**
 * Runs the engine's whole-file analysis on one capture and collects its flows.
 */
import { analyzeCapture } from '../../src/main/engine/analyze-capture';
import type { FlowRecord } from '../../src/shared/domain/flow';
import type { AnalysisOutcome } from './compare-truth';

/**
 * Analyzes the capture at `capturePath`. Returns the flows (the last version
 * of each uid the engine reported), the summary, or the error it failed with.
 */
export async function analyzeForConformance(capturePath: string): Promise<AnalysisOutcome> {
  // NOTE: the engine may report a flow again as it grows, so the latest report per uid wins.
  const flowsByUid = new Map<string, FlowRecord>();
  try {
    const { summary } = await analyzeCapture(capturePath, {
      onFlows: (flows: FlowRecord[]) => {
        for (const flow of flows) flowsByUid.set(flow.uid, flow);
      },
      onProgress: () => undefined,
    });
    return { flows: [...flowsByUid.values()], summary, error: null };
  } catch (error) {
    const cause = error instanceof Error ? error : new Error(String(error));
    return { flows: [...flowsByUid.values()], summary: null, error: cause };
  }
}
