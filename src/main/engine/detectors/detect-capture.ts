/**
 * Run the detectors over a capture file: flows from analyzeCapture (with the
 * application analyzers, so that DNS answers, HTTP Host headers and TLS SNI
 * feed domain allow-lists and services mark encrypted flows), and link-layer
 * observations from the packets.
 *
 * NOTE: analyzeCapture has no per-packet hook outside flows yet (its flow
 * hook receives IP layers only, never ARP or MACs), so the link-layer
 * observations come from a second, decode-only pass over the file. An
 * `onPacket(decoded, record)` option called after `decodePacket` in
 * analyzeCapture's onPacket would let `DetectionEngine.observeDecodedPacket`
 * run in the same pass and remove the second read.
 */
import type { Alert } from '../../../shared/domain/alert';
import type { CaptureSummary } from '../../../shared/domain/capture-summary';
import { analyzeCapture } from '../analyze-capture';
import { ApplicationAnalyzers } from '../analyzers/application-analyzers';
import { createDecodedPacket } from '../decode/decoded-packet';
import { decodePacket } from '../decode/packet-decoder';
import { readCaptureFile } from '../source/read-capture-file';
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
  await observeLinkLayer(path, engine, options.signal);
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
    onFlows(batch) {
      for (const flow of batch) {
        analyzers.annotateFlowRecord(flow);
        engine.addFlow(flow);
      }
    },
  });
  return { alerts: engine.evaluate(), summary, statistics: engine.statistics };
}

/** Feed every packet's link-layer observation to `engine` in one decode-only read of `path`. */
export async function observeLinkLayer(path: string, engine: DetectionEngine, signal?: AbortSignal): Promise<void> {
  const decoded = createDecodedPacket();
  await readCaptureFile(
    path,
    {
      onPacket(record) {
        decodePacket(record.data, record.linkType, decoded);
        engine.observeDecodedPacket(decoded, record.data, record.timestampUs, record.packetNumber);
      },
      onWarning() {},
    },
    { signal },
  );
}
