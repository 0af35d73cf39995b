/**
 * Run the detectors over a capture file: flows from analyzeCapture (with the
 * application analyzers, so that DNS answers, HTTP Host headers and TLS SNI
 * feed domain allow-lists and services mark encrypted flows), and link-layer
 * observations from the packets.
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
import { parseAddress } from './network-scope';

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
  const analyzers = new ApplicationAnalyzers({
    onDns(record) {
      if (record.query === null) return;
      for (const answer of record.answers) if (parseAddress(answer) !== null) engine.noteName(answer, record.query);
    },
    onHttp(record) {
      if (record.host !== null) engine.noteName(record.responderAddress, record.host);
    },
    onSsl(row) {
      const name = row['server_name'];
      const address = row['id.resp_h'];
      if (typeof name === 'string' && typeof address === 'string') engine.noteName(address, name);
    },
  });
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
