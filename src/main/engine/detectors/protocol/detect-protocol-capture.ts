/**
 * Runs the protocol detectors over a capture file on their own, until the
 * detection engine feeds them: flows and analyzer records from one
 * analyzeCapture pass, allow-lists applied as the engine applies them.
 */
import type { Alert } from '../../../../shared/domain/alert';
import type { FlowRecord } from '../../../../shared/domain/flow';
import { analyzeCapture } from '../../analyze-capture';
import { ApplicationAnalyzers } from '../../analyzers/application-analyzers';
import { type DetectionSettings, defaultDetectionSettings } from '../detection-settings';
import type { CaptureSpan } from '../detector';
import { NetworkScope, parseAddress } from '../network-scope';
import { type ProtocolDetectionSettings, defaultProtocolDetectionSettings } from '../protocol-settings';
import { createProtocolDetectors } from './index';
import type { ProtocolDetector, ProtocolObservation } from './protocol-observation';
import { createProtocolRecordSinks } from './record-mapping';

export class ProtocolDetection {
  readonly scope: NetworkScope;
  private readonly detectors: ProtocolDetector[];
  private firstUs = Infinity;
  private lastUs = -Infinity;

  constructor(
    readonly settings: DetectionSettings = defaultDetectionSettings,
    protocolSettings: ProtocolDetectionSettings = defaultProtocolDetectionSettings,
  ) {
    this.scope = new NetworkScope(settings);
    this.detectors = createProtocolDetectors({ settings, scope: this.scope }, protocolSettings);
  }

  addFlow(flow: FlowRecord): void {
    if (flow.startUs < this.firstUs) this.firstUs = flow.startUs;
    if (flow.endUs > this.lastUs) this.lastUs = flow.endUs;
    if (this.scope.isPairAllowed(flow.originatorAddress, flow.responderAddress)) return;
    for (const detector of this.detectors) detector.observeFlow?.(flow);
  }

  observeRecord(record: ProtocolObservation): void {
    if (record.kind === 'dns' && record.query !== null) {
      for (const answer of record.answers) if (parseAddress(answer) !== null) this.scope.noteName(answer, record.query);
    }
    if ((record.kind === 'tls' || record.kind === 'quic') && record.serverName !== null)
      this.scope.noteName(record.server, record.serverName);
    if (record.kind !== 'certificate' && this.scope.isPairAllowed(record.client, record.server)) return;
    for (const detector of this.detectors) detector.observeRecord?.(record);
  }

  get span(): CaptureSpan {
    return this.firstUs === Infinity ? { firstUs: 0, lastUs: 0 } : { firstUs: this.firstUs, lastUs: this.lastUs };
  }

  /** Alerts so far, allow-listed pairs removed, ordered by time then id. */
  evaluate(): Alert[] {
    const alerts: Alert[] = [];
    for (const detector of this.detectors) {
      for (const alert of detector.evaluate(this.span)) {
        if (alert.hosts.length >= 2 && this.scope.isPairAllowed(alert.hosts[0] as string, alert.hosts[1] as string))
          continue;
        alert.status = 'open';
        alerts.push(alert);
      }
    }
    return alerts.sort((a, b) => a.firstUs - b.firstUs || a.id.localeCompare(b.id));
  }
}

/** Analyze `path` and return the protocol detectors' alerts. Throws CaptureFileError as analyzeCapture does. */
export async function detectProtocolCapture(
  path: string,
  settings: DetectionSettings = defaultDetectionSettings,
  protocolSettings: ProtocolDetectionSettings = defaultProtocolDetectionSettings,
): Promise<Alert[]> {
  const detection = new ProtocolDetection(settings, protocolSettings);
  const analyzers = new ApplicationAnalyzers(createProtocolRecordSinks((record) => detection.observeRecord(record)));
  await analyzeCapture(path, {
    analyzers,
    onFlows(batch) {
      for (const flow of batch) {
        analyzers.annotateFlowRecord(flow);
        detection.addFlow(flow);
      }
    },
  });
  return detection.evaluate();
}
