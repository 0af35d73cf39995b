/**
 * Encrypted volume outside business hours per server name (TLS or QUIC
 * SNI), beside the off-hours detector's per-host view: many hosts sending a
 * little each to one name at night add up here, and one host's spike is
 * named. The rule and settings are the off-hours detector's (`offHours` of
 * DetectionSettings): bytes of a name's encrypted flows per clock hour; an
 * off-hours hour above both `volumeMultiplier` times the name's median
 * business-hours hour (hours of the capture with no traffic count as 0) and
 * `minBytesPerHour` alerts. Bytes count in the hour where the flow started.
 */
import type { Alert } from '../../../../shared/domain/alert';
import { type FlowReference, buildAlert, formatBytes } from '../alert-factory';
import { BoundedMap } from '../bounded-map';
import { BusinessHours } from '../business-hours';
import type { CaptureSpan, DetectorContext } from '../detector';
import { pickQuantile, sortNumbers } from '../robust-statistics';
import type { FlowIndex } from './flow-index';
import type { ProtocolDetector, ProtocolObservation } from './protocol-observation';
import { toPrintable } from './printable';
import { protocolTechniques } from './techniques';

const hourUs = 3_600_000_000;

interface NameSessions {
  /** uid -> internal client. */
  sessions: Map<string, string>;
}

export class OffHoursNameDetector implements ProtocolDetector {
  readonly name = 'off-hours-by-name';
  private readonly names: BoundedMap<string, NameSessions>;
  private readonly hours: BusinessHours;

  constructor(
    private readonly context: DetectorContext,
    private readonly flows: FlowIndex,
  ) {
    this.names = new BoundedMap(context.settings.limits.maxKeysPerDetector);
    this.hours = new BusinessHours(context.settings.offHours);
  }

  get evictions(): number {
    return this.names.evictions;
  }

  observeRecord(record: ProtocolObservation): void {
    if (record.kind !== 'tls' && record.kind !== 'quic') return;
    if (record.serverName === null || !this.context.scope.isInternal(record.client)) return;
    const entry = this.names.getOrCreate(record.serverName, () => ({ sessions: new Map() }));
    if (entry.sessions.size < this.context.settings.limits.maxSamplesPerPair)
      entry.sessions.set(record.uid, record.client);
  }

  evaluate(span: CaptureSpan): Alert[] {
    const alerts: Alert[] = [];
    for (const [name, entry] of this.names) {
      const alert = this.judge(name, entry, span);
      if (alert !== null) alerts.push(alert);
    }
    return alerts;
  }

  private judge(name: string, entry: NameSessions, span: CaptureSpan): Alert | null {
    const settings = this.context.settings.offHours;
    const hours = new Map<number, { bytes: number; flows: FlowReference[]; clients: Set<string> }>();
    for (const [uid, client] of entry.sessions) {
      const flow = this.flows.get(uid);
      if (flow === undefined) continue;
      const index = Math.floor(flow.startUs / hourUs);
      const hour = hours.get(index) ?? { bytes: 0, flows: [], clients: new Set<string>() };
      hour.bytes += flow.originatorBytes + flow.responderBytes;
      if (hour.flows.length < 50) hour.flows.push(flow);
      hour.clients.add(client);
      hours.set(index, hour);
    }
    if (hours.size === 0) return null;

    const businessBytes: number[] = [];
    const firstHour = Math.floor(span.firstUs / hourUs);
    const lastHour = Math.floor(span.lastUs / hourUs);
    for (let index = firstHour; index <= lastHour && index - firstHour < 24 * 366; index++) {
      if (this.hours.isBusinessTime(index * hourUs)) businessBytes.push(hours.get(index)?.bytes ?? 0);
    }
    const baseline = businessBytes.length === 0 ? 0 : pickQuantile(sortNumbers(businessBytes), 0.5);
    const threshold = Math.max(settings.volumeMultiplier * baseline, settings.minBytesPerHour);
    const hot = [...hours.entries()]
      .filter(([index, hour]) => !this.hours.isBusinessTime(index * hourUs) && hour.bytes > threshold)
      .sort((a, b) => a[0] - b[0]);
    if (hot.length === 0) return null;

    const peak = Math.max(...hot.map(([, hour]) => hour.bytes));
    const clients = [...new Set(hot.flatMap(([, hour]) => [...hour.clients]))].sort();
    const ordered = [...hours.entries()].sort((a, b) => a[0] - b[0]);
    return buildAlert(
      {
        detector: this.name,
        key: name,
        score: 45 + 20 * Math.log2(peak / threshold),
        maxSeverity: 'high',
        title: `Encrypted traffic off hours to ${toPrintable(name)}`,
        reason:
          `${clients.length} internal host${clients.length === 1 ? '' : 's'} (${clients.slice(0, 6).join(', ')}) moved up to ${formatBytes(peak)} ` +
          `per hour of encrypted traffic to ${toPrintable(name)} outside business hours (${settings.startHour}:00-${settings.endHour}:00 ${settings.timeZone}) ` +
          `in ${hot.length} hour${hot.length === 1 ? '' : 's'}; the name's business-hours median is ${formatBytes(baseline)} per hour over ` +
          `${businessBytes.length} hours, and the threshold is the larger of ${settings.volumeMultiplier} x that and ${formatBytes(settings.minBytesPerHour)}.`,
        measurements: [
          { name: 'peak off-hours encrypted bytes per hour', value: peak, threshold, unit: 'bytes' },
          { name: 'business-hours median per hour', value: baseline, threshold: baseline, unit: 'bytes' },
        ],
        technique: protocolTechniques.encryptedChannel,
        firstUs: (hot[0] as [number, unknown])[0] * hourUs,
        lastUs: ((hot[hot.length - 1] as [number, unknown])[0] + 1) * hourUs,
        hosts: clients,
        flows: hot.flatMap(([, hour]) => hour.flows),
        series: [
          {
            name: `encrypted bytes per hour to ${toPrintable(name)}`,
            unit: 'bytes',
            timesUs: ordered.map(([index]) => index * hourUs),
            values: ordered.map(([, hour]) => hour.bytes),
            isTruncated: entry.sessions.size >= this.context.settings.limits.maxSamplesPerPair,
          },
        ],
      },
      this.context.settings.limits.maxEvidence,
    );
  }
}
