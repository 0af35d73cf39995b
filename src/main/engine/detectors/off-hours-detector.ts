/**
 * Off-hours activity, per internal host:
 * - encrypted volume: bytes of encrypted flows (service tls/ssl/ssh/quic, or
 *   an `encryptedPorts` port) per clock hour; an off-hours hour above both
 *   `volumeMultiplier` times the host's median business-hours hour (hours of
 *   the capture with no traffic count as 0) and `minBytesPerHour` alerts;
 * - internal sessions: TCP sessions to other internal hosts that carried
 *   data both ways and started outside business hours (UDP is left out so
 *   that DNS and NTP to internal servers do not count).
 * Bytes of a flow count in the hour where it started.
 */
import type { Alert } from '../../../shared/domain/alert';
import type { FlowRecord } from '../../../shared/domain/flow';
import { type FlowReference, buildAlert, formatBytes, techniques } from './alert-factory';
import { BoundedMap } from './bounded-map';
import { BusinessHours } from './business-hours';
import { type CaptureSpan, type Detector, type DetectorContext, isAnswered } from './detector';
import { sortNumbers } from './robust-statistics';

interface HostState {
  /** UTC hour index -> encrypted bytes and the largest flows. */
  hours: Map<number, { bytes: number; flows: FlowReference[] }>;
  internalSessions: FlowReference[];
  internalSessionCount: number;
  peers: Set<string>;
}

const hourUs = 3_600_000_000;
const maxFlowsPerHour = 50;
const maxSessionsKept = 200;
/** Hours of a capture examined for business hours: ten years. */
const maxHoursCounted = 24 * 366 * 10;
const encryptedServices = /(^|,)(ssl|tls|ssh|quic|dtls)(,|$)/;

export class OffHoursDetector implements Detector {
  readonly name = 'off-hours';
  private readonly hosts: BoundedMap<string, HostState>;
  private readonly hours: BusinessHours;
  private readonly encryptedPorts: Set<number>;
  private businessHourCache: { firstUs: number; lastUs: number; count: number } | null = null;

  constructor(private readonly context: DetectorContext) {
    this.hosts = new BoundedMap(context.settings.limits.maxKeysPerDetector);
    this.hours = new BusinessHours(context.settings.offHours);
    this.encryptedPorts = new Set(context.settings.offHours.encryptedPorts);
  }

  get evictions(): number {
    return this.hosts.evictions;
  }

  observeFlow(flow: FlowRecord): void {
    const { scope } = this.context;
    if (!scope.isInternal(flow.originatorAddress)) return;
    const isInternalPeer = scope.isInternal(flow.responderAddress);
    const isEncrypted =
      (flow.service !== null && encryptedServices.test(flow.service)) || this.encryptedPorts.has(flow.responderPort);
    const isOffHoursSession =
      isInternalPeer && flow.transport === 'tcp' && isAnswered(flow) && !this.hours.isBusinessTime(flow.startUs);
    if (!isEncrypted && !isOffHoursSession) return;
    const host = this.hosts.getOrCreate(flow.originatorAddress, () => ({
      hours: new Map(),
      internalSessions: [],
      internalSessionCount: 0,
      peers: new Set(),
    }));
    if (isEncrypted) {
      const index = Math.floor(flow.startUs / hourUs);
      let hour = host.hours.get(index);
      if (hour === undefined) {
        hour = { bytes: 0, flows: [] };
        host.hours.set(index, hour);
      }
      hour.bytes += flow.originatorBytes + flow.responderBytes;
      if (hour.flows.length < maxFlowsPerHour) hour.flows.push(flow);
    }
    if (isOffHoursSession) {
      host.internalSessionCount++;
      if (host.peers.size < 64) host.peers.add(flow.responderAddress);
      if (host.internalSessions.length < maxSessionsKept) host.internalSessions.push(flow);
    }
  }

  evaluate(span: CaptureSpan): Alert[] {
    const alerts: Alert[] = [];
    for (const [address, host] of this.hosts) {
      const volume = this.evaluateVolume(address, host, span);
      if (volume !== null) alerts.push(volume);
      const sessions = this.evaluateSessions(address, host);
      if (sessions !== null) alerts.push(sessions);
    }
    return alerts;
  }

  private evaluateVolume(address: string, host: HostState, span: CaptureSpan): Alert | null {
    const settings = this.context.settings.offHours;
    const businessHourCount = this.countBusinessHours(span);
    const activeBusinessBytes = [...host.hours.entries()]
      .filter(([index]) => this.hours.isBusinessTime(index * hourUs))
      .map(([, hour]) => hour.bytes);
    const baseline = computeMedianWithZeros(activeBusinessBytes, businessHourCount - activeBusinessBytes.length);
    const threshold = Math.max(settings.volumeMultiplier * baseline, settings.minBytesPerHour);
    const hot = [...host.hours.entries()]
      .filter(([index, hour]) => !this.hours.isBusinessTime(index * hourUs) && hour.bytes > threshold)
      .sort((a, b) => a[0] - b[0]);
    if (hot.length === 0) return null;
    const peak = Math.max(...hot.map(([, hour]) => hour.bytes));
    const hoursText = hot
      .map(([index]) => new Date(index * 3_600_000).toISOString().slice(0, 13) + ':00Z')
      .slice(0, 6)
      .join(', ');
    return buildAlert(
      {
        detector: 'off-hours-encrypted-volume',
        key: address,
        score: 45 + 20 * Math.log2(peak / threshold),
        maxSeverity: 'high',
        title: `Encrypted traffic off hours from ${address}`,
        reason:
          `${address} moved up to ${formatBytes(peak)} of encrypted traffic per hour outside business hours ` +
          `(${settings.startHour}:00-${settings.endHour}:00 ${settings.timeZone}) in ${hot.length} hour${hot.length === 1 ? '' : 's'} ` +
          `(${hoursText}); its business-hours median is ${formatBytes(baseline)} per hour over ${businessHourCount} hours, ` +
          `and the threshold is the larger of ${settings.volumeMultiplier} x that and ${formatBytes(settings.minBytesPerHour)}.`,
        measurements: [
          { name: 'peak off-hours encrypted bytes per hour', value: peak, threshold, unit: 'bytes' },
          { name: 'business-hours median per hour', value: baseline, threshold: baseline, unit: 'bytes' },
        ],
        technique: techniques.encryptedChannel,
        firstUs: (hot[0] as [number, unknown])[0] * hourUs,
        lastUs: ((hot[hot.length - 1] as [number, unknown])[0] + 1) * hourUs,
        hosts: [address],
        flows: hot.flatMap(([, hour]) => hour.flows),
        series: [
          {
            name: 'encrypted bytes per hour',
            unit: 'bytes',
            timesUs: [...host.hours.keys()].sort((a, b) => a - b).map((index) => index * hourUs),
            values: [...host.hours.entries()].sort((a, b) => a[0] - b[0]).map(([, hour]) => hour.bytes),
            isTruncated: false,
          },
        ],
      },
      this.context.settings.limits.maxEvidence,
    );
  }

  /** Business hours between the capture's first and last hour, counted once per span. */
  private countBusinessHours(span: CaptureSpan): number {
    if (
      this.businessHourCache !== null &&
      this.businessHourCache.firstUs === span.firstUs &&
      this.businessHourCache.lastUs === span.lastUs
    ) {
      return this.businessHourCache.count;
    }
    const firstHour = Math.floor(span.firstUs / hourUs);
    const lastHour = Math.min(Math.floor(span.lastUs / hourUs), firstHour + maxHoursCounted);
    let count = 0;
    for (let index = firstHour; index <= lastHour; index++) if (this.hours.isBusinessTime(index * hourUs)) count++;
    this.businessHourCache = { firstUs: span.firstUs, lastUs: span.lastUs, count };
    return count;
  }

  private evaluateSessions(address: string, host: HostState): Alert | null {
    const settings = this.context.settings.offHours;
    if (host.internalSessionCount < settings.minInternalSessions) return null;
    const sessions = [...host.internalSessions].sort((a, b) => a.startUs - b.startUs);
    const first = sessions[0] as FlowReference;
    const last = sessions[sessions.length - 1] as FlowReference;
    const peers = [...host.peers];
    return buildAlert(
      {
        detector: 'off-hours-internal-session',
        key: address,
        score: 30 + 5 * Math.min(6, Math.log2(host.internalSessionCount)),
        maxSeverity: 'low',
        title: `Internal sessions off hours from ${address}`,
        reason:
          `${address} started ${host.internalSessionCount} session${host.internalSessionCount === 1 ? '' : 's'} with data to ` +
          `internal host${peers.length === 1 ? '' : 's'} ${peers.slice(0, 10).join(', ')} outside business hours ` +
          `(${settings.startHour}:00-${settings.endHour}:00 ${settings.timeZone}, days ${settings.days.join(',')}); ` +
          `the threshold is ${settings.minInternalSessions}. The first started ${new Date(first.startUs / 1000).toISOString()}.`,
        measurements: [
          {
            name: 'internal sessions off hours',
            value: host.internalSessionCount,
            threshold: settings.minInternalSessions,
            unit: 'sessions',
          },
        ],
        technique: techniques.validAccounts,
        firstUs: first.startUs,
        lastUs: last.startUs,
        hosts: [address, ...peers],
        flows: sessions,
      },
      this.context.settings.limits.maxEvidence,
    );
  }
}

/**
 * Return the median of `values` plus `zeros` zero values, picked as
 * pickQuantile does, without building the zeros.
 */
export function computeMedianWithZeros(values: readonly number[], zeros: number): number {
  const total = values.length + Math.max(0, zeros);
  if (total === 0) return 0;
  const index = Math.round(0.5 * (total - 1));
  if (index < zeros) return 0;
  return sortNumbers(values)[index - zeros] as number;
}
