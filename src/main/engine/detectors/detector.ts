/**
 * The shape every behavioural detector shares.
 *
 * Feeding order: flows reach `observeFlow` as the flow table finishes them,
 * which is end-time order, not start-time order (a long flow arrives after
 * short ones that started later). Each detector therefore keeps what it
 * needs per key (bounded, see BoundedMap) and orders it itself inside
 * `evaluate`: beaconing and scans sort by flow start, floods bin by packet
 * time, long connections need no order. `observePacket` receives link-layer
 * observations in capture order.
 *
 * `evaluate` does not change state, so a live capture can call it as often as
 * it likes and a loaded capture calls it once at the end.
 */
import type { Alert } from '../../../shared/domain/alert';
import type { FlowRecord } from '../../../shared/domain/flow';
import type { DetectionSettings } from './detection-settings';
import type { NetworkScope } from './network-scope';
import type { PacketObservation } from './packet-observation';

export interface CaptureSpan {
  firstUs: number;
  lastUs: number;
}

export interface DetectorContext {
  settings: DetectionSettings;
  scope: NetworkScope;
}

export interface Detector {
  readonly name: string;
  observeFlow?(flow: FlowRecord): void;
  observePacket?(packet: PacketObservation): void;
  /**
   * Take over what `previous`, a detector of the same name in an engine being
   * replaced, learnt from packets. Only for detectors whose packet state does
   * not depend on settings that a rebuild changes (the allow-list).
   */
  adoptPacketState?(previous: Detector): void;
  /** Alerts for everything seen so far; `span` is the capture's first and last packet time. */
  evaluate(span: CaptureSpan): Alert[];
  /** Keys evicted because a cap was reached. */
  readonly evictions: number;
}

/** End of the opening period: `openingPeriodSeconds` after the start, at most `openingPeriodMaxFraction` of the capture. */
export function computeOpeningEndUs(span: CaptureSpan, settings: DetectionSettings): number {
  const byTime = settings.openingPeriodSeconds * 1_000_000;
  const byFraction = (span.lastUs - span.firstUs) * settings.openingPeriodMaxFraction;
  return span.firstUs + Math.min(byTime, byFraction);
}

/** True when the flow carried data both ways (TCP: data letters in history; others: packets both ways). */
export function isAnswered(flow: FlowRecord): boolean {
  if (flow.transport === 'tcp') return /[Dd]/.test(flow.history) && flow.responderBytes > 0;
  return flow.responderPackets > 0;
}
