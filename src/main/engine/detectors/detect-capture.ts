/**
 * Run every detector over a capture file, as `tideline analyze` does: flows
 * from analyzeCapture, the application analyzers' records (for the
 * protocol-aware detectors, and so that DNS answers, HTTP Host headers and TLS
 * SNI feed domain allow-lists and services mark encrypted flows), and
 * link-layer observations from the packets.
 *
 * Both come from one read of the file: analyzeCapture hands every decoded
 * packet to `DetectionEngine.observeDecodedPacket` through its
 * `onDecodedPacket` hook before the packet joins a flow.
 */
import type { Alert } from '../../../shared/domain/alert';
import type { CaptureSummary } from '../../../shared/domain/capture-summary';
import { analyzeCapture } from '../analyze-capture';
import { ApplicationAnalyzers } from '../analyzers/application-analyzers';
import { DetectionEngine, type DetectionStatistics } from './detection-engine';
import { type DetectionSettings, defaultDetectionSettings } from './detection-settings';
import { createProtocolRecordSinks } from './protocol/record-mapping';

export interface DetectCaptureResult {
  alerts: Alert[];
  summary: CaptureSummary;
  statistics: DetectionStatistics;
}

/** Analyze `path` and return its alerts. Throws CaptureFileError as analyzeCapture does. */
export async function detectCapture(
  path: string,
  settings: DetectionSettings = defaultDetectionSettings,
  options: { signal?: AbortSignal } = {},
): Promise<DetectCaptureResult> {
  const engine = new DetectionEngine(settings);
  // The same records as `tideline analyze` and the app: the protocol-aware
  // detectors read them, and DNS answers and TLS names feed allow-lists.
  const analyzers = new ApplicationAnalyzers(
    createProtocolRecordSinks((record) => engine.observeRecord(record), {
      onHttp(record) {
        if (record.host !== null) engine.noteName(record.responderAddress, record.host);
      },
    }),
  );
  const { summary } = await analyzeCapture(path, {
    signal: options.signal,
    analyzers,
    onDecodedPacket(decoded, record) {
      engine.observeDecodedPacket(decoded, record.data, record.timestampUs, record.packetNumber);
    },
    onFlows(batch) {
      for (const flow of batch) {
        analyzers.annotateFlowRecord(flow);
        engine.addFlow(flow);
      }
    },
  });
  return { alerts: engine.evaluate(), summary, statistics: engine.statistics };
}
