/**
 * Long connections: flows that stay open for at least `minSeconds` (RITA's
 * one-hour base). A flow still open at the end of the capture counts with
 * the time seen so far. The score rises linearly from 40 at the threshold to
 * 100 at `fullScoreSeconds`.
 */
import type { Alert } from '../../../shared/domain/alert';
import type { FlowRecord } from '../../../shared/domain/flow';
import { buildAlert, formatBytes, formatDuration, techniques } from './alert-factory';
import type { CaptureSpan, Detector, DetectorContext } from './detector';

/** Long flows kept; past it the shortest is dropped. */
const maxKept = 10_000;

export class LongConnectionDetector implements Detector {
  readonly name = 'long-connection';
  private readonly flows: FlowRecord[] = [];
  evictions = 0;

  constructor(private readonly context: DetectorContext) {}

  observeFlow(flow: FlowRecord): void {
    const durationUs = flow.durationUs ?? flow.endUs - flow.startUs;
    if (durationUs < this.context.settings.longConnection.minSeconds * 1_000_000) return;
    if (this.flows.length < maxKept) {
      this.flows.push(flow);
      return;
    }
    // Full: the new flow replaces the shortest kept one if it is longer.
    this.evictions++;
    let shortest = 0;
    for (let i = 1; i < this.flows.length; i++)
      if (durationOf(this.flows[i] as FlowRecord) < durationOf(this.flows[shortest] as FlowRecord)) shortest = i;
    if (durationOf(this.flows[shortest] as FlowRecord) < durationUs) this.flows[shortest] = flow;
  }

  evaluate(_span: CaptureSpan): Alert[] {
    const settings = this.context.settings.longConnection;
    return this.flows.map((flow) => {
      const durationUs = flow.durationUs ?? flow.endUs - flow.startUs;
      const hours = durationUs / 3_600_000_000;
      const fraction =
        (durationUs / 1_000_000 - settings.minSeconds) / Math.max(1, settings.fullScoreSeconds - settings.minSeconds);
      const score = 40 + 60 * Math.min(1, fraction);
      const isCrossing =
        this.context.scope.isInternal(flow.originatorAddress) !== this.context.scope.isInternal(flow.responderAddress);
      return buildAlert(
        {
          detector: this.name,
          key: flow.uid,
          score,
          maxSeverity: isCrossing ? 'high' : 'medium',
          title: `Connection open ${formatDuration(durationUs)}: ${flow.originatorAddress} to ${flow.responderAddress}:${flow.responderPort}`,
          reason:
            `${flow.transport.toUpperCase()} ${flow.originatorAddress}:${flow.originatorPort} -> ${flow.responderAddress}:${flow.responderPort} ` +
            `stayed open ${formatDuration(durationUs)} (${Math.round(hours * 10) / 10} h)${flow.isFinished ? '' : ', still open when the capture ended'}; ` +
            `the threshold is ${formatDuration(settings.minSeconds * 1_000_000)}. It carried ${formatBytes(flow.originatorBytes)} out ` +
            `and ${formatBytes(flow.responderBytes)} back.`,
          measurements: [
            { name: 'duration', value: durationUs / 1_000_000, threshold: settings.minSeconds, unit: 'seconds' },
          ],
          technique: techniques.applicationLayerProtocol,
          firstUs: flow.startUs,
          lastUs: flow.endUs,
          hosts: [flow.originatorAddress, flow.responderAddress],
          flows: [flow],
        },
        this.context.settings.limits.maxEvidence,
      );
    });
  }
}

function durationOf(flow: FlowRecord): number {
  return flow.durationUs ?? flow.endUs - flow.startUs;
}
