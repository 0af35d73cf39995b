/**
 * Unusual port usage, from the service the analyzers identified from
 * payload rather than from the port:
 * - a known protocol on a port that is not its own (SSH on 8080, HTTP on a
 *   high port, TLS on 53): the flow's `isServiceOnUnusualPort` mark, or the
 *   analyzers' table of usual ports when the mark is absent;
 * - a protocol no analyzer recognised, with data both ways, on a
 *   well-known port (custom or encrypted traffic on 443 that is not TLS,
 *   on 53 that is not DNS). This needs the analyzers to have run, so it is
 *   judged only when the capture has at least one identified flow, and for
 *   TCP only when the handshake was seen (a flow caught mid-stream is never
 *   identified).
 * Findings are grouped per client, server, port and protocol.
 */
import type { Alert } from '../../../../shared/domain/alert';
import type { FlowRecord } from '../../../../shared/domain/flow';
import { EXPECTED_SERVICE_PORTS, type ServiceName } from '../../analyzers/service-identification';
import { type FlowReference, buildAlert, formatBytes } from '../alert-factory';
import { BoundedMap } from '../bounded-map';
import type { CaptureSpan, DetectorContext } from '../detector';
import type { ProtocolDetectionSettings } from '../protocol-settings';
import type { ProtocolDetector } from './protocol-observation';
import { protocolTechniques } from './techniques';

interface Finding {
  client: string;
  server: string;
  port: number;
  transport: string;
  /** Identified service, or null for an unrecognised protocol. */
  service: string | null;
  expectedPorts: readonly number[];
  flows: FlowReference[];
  flowCount: number;
  bytes: number;
  firstUs: number;
  lastUs: number;
}

const maxFlowsKept = 500;

export class UnusualPortDetector implements ProtocolDetector {
  readonly name = 'unusual-port';
  private readonly findings: BoundedMap<string, Finding>;
  private readonly wellKnownPorts: Set<number>;
  private identifiedFlows = 0;

  constructor(
    private readonly context: DetectorContext,
    private readonly settings: ProtocolDetectionSettings,
  ) {
    this.findings = new BoundedMap(context.settings.limits.maxKeysPerDetector);
    this.wellKnownPorts = new Set(settings.unusualPort.wellKnownPorts);
  }

  get evictions(): number {
    return this.findings.evictions;
  }

  observeFlow(flow: FlowRecord): void {
    if (flow.transport !== 'tcp' && flow.transport !== 'udp') return;
    if (flow.service !== null) {
      this.identifiedFlows++;
      const service = (flow.service.split(',')[0] ?? '') as ServiceName;
      const expected = flow.expectedPorts ?? EXPECTED_SERVICE_PORTS[service] ?? null;
      if (expected === null) return;
      const isUnusual =
        flow.isServiceOnUnusualPort ??
        (!expected.includes(flow.responderPort) && !expected.includes(flow.originatorPort));
      if (isUnusual) this.add(flow, service, expected);
      return;
    }
    if (!this.wellKnownPorts.has(flow.responderPort)) return;
    const minimum = this.settings.unusualPort.minUnrecognisedBytes;
    if (flow.originatorBytes < minimum || flow.responderBytes < minimum) return;
    if (flow.transport === 'tcp' && !flow.history.startsWith('S')) return;
    this.add(flow, null, []);
  }

  evaluate(_span: CaptureSpan): Alert[] {
    const alerts: Alert[] = [];
    for (const [key, finding] of this.findings) {
      if (finding.service === null && this.identifiedFlows === 0) continue;
      alerts.push(this.build(key, finding));
    }
    return alerts;
  }

  private add(flow: FlowRecord, service: string | null, expectedPorts: readonly number[]): void {
    const key = `${flow.originatorAddress}>${flow.responderAddress}:${flow.responderPort}/${flow.transport} ${service ?? 'unknown'}`;
    const finding = this.findings.getOrCreate(key, () => ({
      client: flow.originatorAddress,
      server: flow.responderAddress,
      port: flow.responderPort,
      transport: flow.transport,
      service,
      expectedPorts,
      flows: [],
      flowCount: 0,
      bytes: 0,
      firstUs: flow.startUs,
      lastUs: flow.endUs,
    }));
    finding.flowCount++;
    finding.bytes += flow.originatorBytes + flow.responderBytes;
    finding.firstUs = Math.min(finding.firstUs, flow.startUs);
    finding.lastUs = Math.max(finding.lastUs, flow.endUs);
    if (finding.flows.length < maxFlowsKept) finding.flows.push(flow);
  }

  private build(key: string, finding: Finding): Alert {
    const { client, server, port, transport, service } = finding;
    const flowsText = `${finding.flowCount} flow${finding.flowCount === 1 ? '' : 's'}, ${formatBytes(finding.bytes)}`;
    const isUnrecognised = service === null;
    const reason = isUnrecognised
      ? `${client} exchanged data with ${server} on ${port}/${transport} (${flowsText}, at least ` +
        `${formatBytes(this.settings.unusualPort.minUnrecognisedBytes)} each way) in a protocol no analyzer recognised; ` +
        `a well-known port normally carries its own protocol, so this is likely custom or encrypted traffic.`
      : `${client} spoke ${service.toUpperCase()} to ${server} on ${port}/${transport} (${flowsText}); ` +
        `${service.toUpperCase()} usually runs on ${finding.expectedPorts.slice(0, 8).join(', ')}. The protocol was identified from the payload.`;
    // A high port for a known protocol is common (development servers); an admin protocol or an unknown one on a well-known port less so.
    const score = isUnrecognised ? 55 : service === 'ssh' || service === 'smb' || service === 'rdp' ? 60 : 45;
    return buildAlert(
      {
        detector: isUnrecognised ? 'unrecognised-protocol-on-well-known-port' : this.name,
        key,
        score,
        maxSeverity: 'medium',
        title: isUnrecognised
          ? `Unrecognised protocol on ${port}/${transport} from ${client}`
          : `${service.toUpperCase()} on port ${port} from ${client}`,
        reason,
        measurements: [
          { name: 'flows', value: finding.flowCount, threshold: 1, unit: 'flows' },
          isUnrecognised
            ? {
                name: 'bytes both ways',
                value: finding.bytes,
                threshold: 2 * this.settings.unusualPort.minUnrecognisedBytes,
                unit: 'bytes',
              }
            : { name: 'server port', value: port, threshold: finding.expectedPorts[0] ?? 0, unit: 'port' },
        ],
        technique: protocolTechniques.nonStandardPort,
        firstUs: finding.firstUs,
        lastUs: finding.lastUs,
        hosts: [client, server],
        flows: finding.flows,
      },
      this.context.settings.limits.maxEvidence,
    );
  }
}
