/**
 * Rare destinations: external hosts that at most `maxInternalHosts` internal
 * hosts contacted while at least `minActiveInternalHosts` internal hosts
 * were active (RITA's prevalence idea), or first seen after `lateFraction`
 * of the capture. Alone, either is common in normal traffic, so one
 * criterion gives an info alert and both a low one; they are context for
 * other alerts more than alerts of their own. Only flows that exchanged data
 * both ways count, so that the targets of a scan are not "destinations".
 */
import type { Alert } from '../../../shared/domain/alert';
import type { FlowRecord } from '../../../shared/domain/flow';
import { type FlowReference, buildAlert, formatDuration, techniques } from './alert-factory';
import { BoundedMap } from './bounded-map';
import { type CaptureSpan, type Detector, type DetectorContext, isAnswered } from './detector';

interface DestinationState {
  sources: Set<string>;
  firstUs: number;
  lastUs: number;
  flows: FlowReference[];
  flowCount: number;
}

const maxSourcesKept = 64;
const maxFlowsKept = 50;
const maxInternalHostsCounted = 100_000;

export class RareDestinationDetector implements Detector {
  readonly name = 'rare-destination';
  private readonly destinations: BoundedMap<string, DestinationState>;
  private readonly activeInternal = new Set<string>();

  constructor(private readonly context: DetectorContext) {
    this.destinations = new BoundedMap(context.settings.limits.maxKeysPerDetector);
  }

  get evictions(): number {
    return this.destinations.evictions;
  }

  observeFlow(flow: FlowRecord): void {
    const { scope } = this.context;
    if (!scope.isInternal(flow.originatorAddress)) return;
    if (this.activeInternal.size < maxInternalHostsCounted) this.activeInternal.add(flow.originatorAddress);
    if (scope.isInternal(flow.responderAddress) || !isAnswered(flow)) return;
    const state = this.destinations.getOrCreate(flow.responderAddress, () => ({
      sources: new Set(),
      firstUs: flow.startUs,
      lastUs: flow.endUs,
      flows: [],
      flowCount: 0,
    }));
    if (state.sources.size < maxSourcesKept) state.sources.add(flow.originatorAddress);
    state.firstUs = Math.min(state.firstUs, flow.startUs);
    state.lastUs = Math.max(state.lastUs, flow.endUs);
    state.flowCount++;
    if (state.flows.length < maxFlowsKept) state.flows.push(flow);
  }

  evaluate(span: CaptureSpan): Alert[] {
    const settings = this.context.settings.rareDestination;
    const lateUs = span.firstUs + (span.lastUs - span.firstUs) * settings.lateFraction;
    const active = this.activeInternal.size;
    const alerts: Alert[] = [];
    for (const [destination, state] of this.destinations) {
      const isRare = active >= settings.minActiveInternalHosts && state.sources.size <= settings.maxInternalHosts;
      const isLate = state.firstUs >= lateUs && span.lastUs > span.firstUs;
      if (!isRare && !isLate) continue;
      const sources = [...state.sources];
      const parts: string[] = [];
      if (isRare) {
        parts.push(
          `only ${sources.length} of ${active} active internal hosts contacted it (rare at ${settings.maxInternalHosts} or fewer ` +
            `with at least ${settings.minActiveInternalHosts} active)`,
        );
      }
      if (isLate) {
        parts.push(
          `it was first seen ${formatDuration(state.firstUs - span.firstUs)} into a ${formatDuration(span.lastUs - span.firstUs)} ` +
            `capture (late after ${Math.round(settings.lateFraction * 100)}%)`,
        );
      }
      alerts.push(
        buildAlert(
          {
            detector: this.name,
            key: destination,
            score: isRare && isLate ? 40 : 15,
            maxSeverity: 'low',
            title: `Rare destination ${destination}`,
            reason: `${sources.join(', ')} reached external host ${destination} in ${state.flowCount} flows; ${parts.join('; ')}.`,
            measurements: [
              {
                name: 'internal hosts contacting it',
                value: sources.length,
                threshold: settings.maxInternalHosts,
                unit: 'hosts',
              },
              {
                name: 'first seen, share of the capture',
                value: (state.firstUs - span.firstUs) / Math.max(1, span.lastUs - span.firstUs),
                threshold: settings.lateFraction,
                unit: 'ratio',
              },
            ],
            technique: techniques.applicationLayerProtocol,
            firstUs: state.firstUs,
            lastUs: state.lastUs,
            hosts: [...sources, destination],
            flows: state.flows,
          },
          this.context.settings.limits.maxEvidence,
        ),
      );
    }
    return alerts;
  }
}
