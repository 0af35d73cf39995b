/**
 * Runs the behavioural detectors over one capture (loaded or live).
 *
 * Feed finished flows with `addFlows` (any order; see detector.ts), for
 * link-layer detectors every packet with `observeDecodedPacket` from the
 * capture's per-packet loop, and for the protocol-aware detectors every
 * analyzer record with `observeRecord` (createProtocolRecordSinks maps the
 * analyzers' records to it). `evaluate()` returns the alerts for what was
 * seen so far, allow-listed findings removed and the analyst's verdicts
 * (dismissed/confirmed) applied; it can run at any time.
 */
import type { Alert, AlertStatus } from '../../../shared/domain/alert';
import { alertSeverities } from '../../../shared/domain/alert';
import type { FlowRecord } from '../../../shared/domain/flow';
import type { DecodedPacket } from '../decode/decoded-packet';
import { BeaconDetector } from './beacon-detector';
import { type DetectionSettings, defaultDetectionSettings } from './detection-settings';
import type { CaptureSpan, Detector, DetectorContext } from './detector';
import { FailedConnectionDetector } from './failed-connection-detector';
import { FloodDetector } from './flood-detector';
import { LateralMovementDetector } from './lateral-movement-detector';
import { LongConnectionDetector } from './long-connection-detector';
import { NetworkScope, parseAddress } from './network-scope';
import { OffHoursDetector } from './off-hours-detector';
import { OutboundTransferDetector } from './outbound-transfer-detector';
import { type PacketObservation, createPacketObservation, observePacket } from './packet-observation';
import { createProtocolDetectors } from './protocol';
import type { ProtocolDetector, ProtocolObservation } from './protocol/protocol-observation';
import { type ProtocolDetectionSettings, defaultProtocolDetectionSettings } from './protocol-settings';
import { RareDestinationDetector } from './rare-destination-detector';
import { RogueDeviceDetector } from './rogue-device-detector';

export interface DetectionStatistics {
  flows: number;
  allowListedFlows: number;
  packets: number;
  /** Detector name -> keys evicted at a state cap. */
  evictions: Record<string, number>;
}

export class DetectionEngine {
  readonly scope: NetworkScope;
  private readonly detectors: ProtocolDetector[];
  /** The detectors that take packets: the per-packet loop calls these only (one of a dozen today). */
  private readonly packetObservers: ProtocolDetector[];
  private readonly observation: PacketObservation = createPacketObservation();
  private readonly verdicts = new Map<string, AlertStatus>();
  private firstUs = Infinity;
  private lastUs = -Infinity;
  private flowCount = 0;
  private allowListedFlows = 0;
  private packetCount = 0;

  constructor(
    readonly settings: DetectionSettings = defaultDetectionSettings,
    protocolSettings: ProtocolDetectionSettings = defaultProtocolDetectionSettings,
  ) {
    this.scope = new NetworkScope(settings);
    const context: DetectorContext = { settings, scope: this.scope };
    const all: Detector[] = [
      new BeaconDetector(context),
      new RareDestinationDetector(context),
      new OutboundTransferDetector(context),
      new FailedConnectionDetector(context),
      new FloodDetector(context),
      new LateralMovementDetector(context),
      new RogueDeviceDetector(context),
      new OffHoursDetector(context),
      new LongConnectionDetector(context),
    ];
    const disabled = new Set(settings.disabledDetectors);
    // createProtocolDetectors applies the disabled list itself and keeps the flow index it needs.
    this.detectors = [
      ...all.filter((detector) => !disabled.has(detector.name)),
      ...createProtocolDetectors(context, protocolSettings),
    ];
    this.packetObservers = this.detectors.filter((detector) => detector.observePacket !== undefined);
  }

  /** Detector names, for settings and documentation. */
  get detectorNames(): string[] {
    return this.detectors.map((detector) => detector.name);
  }

  addFlows(flows: readonly FlowRecord[]): void {
    for (const flow of flows) this.addFlow(flow);
  }

  addFlow(flow: FlowRecord): void {
    this.flowCount++;
    this.widenSpan(flow.startUs, flow.endUs);
    if (this.scope.isPairAllowed(flow.originatorAddress, flow.responderAddress)) {
      this.allowListedFlows++;
      return;
    }
    for (const detector of this.detectors) detector.observeFlow?.(flow);
  }

  /** Feed one packet from the per-packet loop; `data` is borrowed for the call. Does not throw. */
  observeDecodedPacket(decoded: DecodedPacket, data: Uint8Array, timestampUs: number, packetNumber: number): void {
    if (this.packetObservers.length === 0) {
      // No detector reads link-layer fields: count the packet without filling the observation.
      this.packetCount++;
      this.widenSpan(timestampUs, timestampUs);
      return;
    }
    observePacket(decoded, data, timestampUs, packetNumber, this.observation);
    this.observePacket(this.observation);
  }

  /**
   * Carry over what `previous`, an engine over the same capture with another
   * allow-list, learnt from packets: the packet count, the span and the state
   * of the detectors that read packets, which consult the allow-list only when
   * they evaluate. A rebuilt engine then needs the flows and records replayed,
   * not the packets.
   */
  adoptPacketState(previous: DetectionEngine): void {
    this.packetCount += previous.packetCount;
    this.widenSpan(previous.firstUs, previous.lastUs);
    for (const detector of this.packetObservers) {
      const earlier = previous.packetObservers.find((candidate) => candidate.name === detector.name);
      if (earlier !== undefined) detector.adoptPacketState?.(earlier);
    }
  }

  observePacket(packet: PacketObservation): void {
    this.packetCount++;
    this.widenSpan(packet.timestampUs, packet.timestampUs);
    for (const detector of this.packetObservers) detector.observePacket?.(packet);
  }

  /**
   * Feed one analyzer record (DNS, HTTP, TLS, QUIC, certificate, SMB) to the
   * protocol detectors. Names it carries are learned first, so domain
   * allow-lists apply to the record itself.
   */
  observeRecord(record: ProtocolObservation): void {
    if (record.kind === 'dns' && record.query !== null) {
      for (const answer of record.answers) if (parseAddress(answer) !== null) this.scope.noteName(answer, record.query);
    }
    if ((record.kind === 'tls' || record.kind === 'quic') && record.serverName !== null) {
      this.scope.noteName(record.server, record.serverName);
    }
    if (record.kind !== 'certificate' && this.scope.isPairAllowed(record.client, record.server)) return;
    // A query for an allow-listed domain goes to a resolver, whose address carries no name, so check the query.
    if (record.kind === 'dns' && record.query !== null && this.scope.isNameAllowed(record.query)) return;
    for (const detector of this.detectors) detector.observeRecord?.(record);
  }

  /** Learn a name for an address (DNS answer, SNI) so domain allow-lists apply. */
  noteName(address: string, name: string): void {
    this.scope.noteName(address, name);
  }

  /** Apply the analyst's verdicts (alert id -> status), e.g. from AlertStateStore. */
  setVerdicts(verdicts: ReadonlyMap<string, AlertStatus>): void {
    this.verdicts.clear();
    for (const [id, status] of verdicts) this.verdicts.set(id, status);
  }

  /** The capture's time span so far; both 0 before any packet or flow. */
  get span(): CaptureSpan {
    if (this.firstUs === Infinity) return { firstUs: 0, lastUs: 0 };
    return { firstUs: this.firstUs, lastUs: this.lastUs };
  }

  /** Alerts for everything seen so far: highest severity, then score, then time first. */
  evaluate(): Alert[] {
    const span = this.span;
    const alerts: Alert[] = [];
    for (const detector of this.detectors) {
      for (const alert of detector.evaluate(span)) {
        if (alert.hosts.length >= 2 && this.scope.isPairAllowed(alert.hosts[0] as string, alert.hosts[1] as string))
          continue;
        alert.status = this.verdicts.get(alert.id) ?? 'open';
        alerts.push(alert);
      }
    }
    return alerts.sort(
      (a, b) =>
        alertSeverities.indexOf(b.severity) - alertSeverities.indexOf(a.severity) ||
        b.score - a.score ||
        a.firstUs - b.firstUs ||
        a.id.localeCompare(b.id),
    );
  }

  get statistics(): DetectionStatistics {
    const evictions: Record<string, number> = {};
    for (const detector of this.detectors) evictions[detector.name] = detector.evictions;
    return { flows: this.flowCount, allowListedFlows: this.allowListedFlows, packets: this.packetCount, evictions };
  }

  private widenSpan(startUs: number, endUs: number): void {
    if (startUs < this.firstUs) this.firstUs = startUs;
    if (endUs > this.lastUs) this.lastUs = endUs;
  }
}
