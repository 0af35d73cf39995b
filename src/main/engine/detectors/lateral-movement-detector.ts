/**
 * Lateral movement by fan-out: an internal host reaching at least `newHosts`
 * other internal hosts on administration ports (SMB, RDP, WinRM, SSH, RPC)
 * within `windowSeconds`, each for the first time in the capture and after
 * the opening period (so that hosts it already administered before are its
 * habit, not news). Attempts count whether or not they were answered.
 */
import type { Alert } from '../../../shared/domain/alert';
import type { FlowRecord } from '../../../shared/domain/flow';
import { type FlowReference, buildAlert, formatDuration, techniques } from './alert-factory';
import { BoundedMap } from './bounded-map';
import { type CaptureSpan, type Detector, type DetectorContext, computeOpeningEndUs } from './detector';
import { findBestWindow } from './sliding-window';

interface FirstContact extends FlowReference {
  destination: string;
  port: number;
}

const maxDestinationsPerSource = 4096;

export class LateralMovementDetector implements Detector {
  readonly name = 'lateral-movement';
  /** Source -> destination -> first admin-port contact. */
  private readonly sources: BoundedMap<string, Map<string, FirstContact>>;
  private readonly ports: Set<number>;

  constructor(private readonly context: DetectorContext) {
    this.sources = new BoundedMap(context.settings.limits.maxKeysPerDetector);
    this.ports = new Set(context.settings.lateralMovement.ports);
  }

  get evictions(): number {
    return this.sources.evictions;
  }

  observeFlow(flow: FlowRecord): void {
    if (flow.transport !== 'tcp' || !this.ports.has(flow.responderPort)) return;
    const { scope } = this.context;
    if (!scope.isInternal(flow.originatorAddress) || !scope.isInternal(flow.responderAddress)) return;
    const contacts = this.sources.getOrCreate(flow.originatorAddress, () => new Map());
    const known = contacts.get(flow.responderAddress);
    if (known !== undefined && known.startUs <= flow.startUs) return;
    if (known === undefined && contacts.size >= maxDestinationsPerSource) return;
    contacts.set(flow.responderAddress, {
      uid: flow.uid,
      startUs: flow.startUs,
      firstPacketNumber: flow.firstPacketNumber,
      lastPacketNumber: flow.lastPacketNumber,
      destination: flow.responderAddress,
      port: flow.responderPort,
    });
  }

  evaluate(span: CaptureSpan): Alert[] {
    const settings = this.context.settings.lateralMovement;
    const openingEndUs = computeOpeningEndUs(span, this.context.settings);
    const alerts: Alert[] = [];
    for (const [source, contacts] of this.sources) {
      const fresh = [...contacts.values()]
        .filter((contact) => contact.startUs >= openingEndUs)
        .sort((a, b) => a.startUs - b.startUs);
      if (fresh.length < settings.newHosts) continue;
      const items = fresh.map((contact) => ({ timeUs: contact.startUs, target: contact.destination }));
      const best = findBestWindow(items, settings.windowSeconds * 1_000_000);
      if (best.distinct < settings.newHosts) continue;
      const window = fresh.slice(best.from, best.to + 1);
      const firstUs = (window[0] as FirstContact).startUs;
      const lastUs = (window[window.length - 1] as FirstContact).startUs;
      const ports = [...new Set(window.map((contact) => contact.port))].sort((a, b) => a - b);
      const listed = window
        .slice(0, 10)
        .map((contact) => `${contact.destination}:${contact.port}`)
        .join(', ');
      alerts.push(
        buildAlert(
          {
            detector: this.name,
            key: source,
            score: 55 + 20 * Math.log2(best.distinct / settings.newHosts),
            title: `${source} reached ${best.distinct} new internal hosts on admin ports`,
            reason:
              `${source} contacted ${best.distinct} internal hosts on administration ports (${ports.join(', ')}) within ` +
              `${formatDuration(lastUs - firstUs)}, none of them on those ports before in the capture (opening period ends ` +
              `${formatDuration(openingEndUs - span.firstUs)} in); the threshold is ${settings.newHosts} hosts within ` +
              `${formatDuration(settings.windowSeconds * 1_000_000)}. First contacts: ${listed}.`,
            measurements: [
              {
                name: 'new internal hosts on admin ports',
                value: best.distinct,
                threshold: settings.newHosts,
                unit: 'hosts',
              },
            ],
            technique: techniques.remoteServices,
            firstUs,
            lastUs,
            hosts: [source, ...window.map((contact) => contact.destination)],
            flows: window,
          },
          this.context.settings.limits.maxEvidence,
        ),
      );
    }
    return alerts;
  }
}
