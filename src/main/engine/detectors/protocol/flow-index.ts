/**
 * Flows by uid, so that detectors reading analyzer records (which carry a
 * uid but no packet numbers or byte counts) can attach the flow's evidence
 * and volume. It is fed like a detector and raises no alerts; records and
 * flows may arrive in either order because lookups happen in `evaluate`.
 */
import type { Alert } from '../../../../shared/domain/alert';
import type { FlowRecord } from '../../../../shared/domain/flow';
import type { FlowReference } from '../alert-factory';
import { BoundedMap } from '../bounded-map';
import type { Detector } from '../detector';

/** What detectors read of an indexed flow. */
export type IndexedFlow = FlowReference &
  Pick<
    FlowRecord,
    | 'endUs'
    | 'originatorBytes'
    | 'responderBytes'
    | 'originatorPackets'
    | 'responderPackets'
    | 'service'
    | 'responderPort'
  >;

export class FlowIndex implements Detector {
  readonly name = 'protocol-flow-index';
  private readonly flows: BoundedMap<string, IndexedFlow>;

  constructor(maxFlows: number) {
    this.flows = new BoundedMap(maxFlows);
  }

  get evictions(): number {
    return this.flows.evictions;
  }

  observeFlow(flow: FlowRecord): void {
    this.flows.getOrCreate(flow.uid, () => ({
      uid: flow.uid,
      startUs: flow.startUs,
      endUs: flow.endUs,
      firstPacketNumber: flow.firstPacketNumber,
      lastPacketNumber: flow.lastPacketNumber,
      originatorBytes: flow.originatorBytes,
      responderBytes: flow.responderBytes,
      originatorPackets: flow.originatorPackets,
      responderPackets: flow.responderPackets,
      service: flow.service,
      responderPort: flow.responderPort,
    }));
  }

  get(uid: string): IndexedFlow | undefined {
    return this.flows.get(uid);
  }

  /** The indexed flows among `uids`, each once, in the order given. */
  collect(uids: Iterable<string>): IndexedFlow[] {
    const found: IndexedFlow[] = [];
    const seen = new Set<string>();
    for (const uid of uids) {
      if (seen.has(uid)) continue;
      seen.add(uid);
      const flow = this.flows.get(uid);
      if (flow !== undefined) found.push(flow);
    }
    return found;
  }

  evaluate(): Alert[] {
    return [];
  }
}
