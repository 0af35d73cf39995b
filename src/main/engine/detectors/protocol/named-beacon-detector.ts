/**
 * Beaconing per internal source and server name instead of per address
 * pair, so a beacon whose server rotates between addresses behind one name
 * is still one beacon. A connection belongs to a name through the TLS or
 * QUIC SNI, the HTTP Host header, or a DNS answer: a flow to an address
 * that the source had just resolved from that name. DNS lookups themselves
 * form a second series per source and registered domain, which catches
 * beacons carried in DNS queries (each with a fresh subdomain).
 *
 * The score is the beacon detector's own (scoreBeacon, RITA's method) with
 * its settings; only the grouping key differs.
 */
import type { Alert } from '../../../../shared/domain/alert';
import type { FlowRecord } from '../../../../shared/domain/flow';
import { type FlowReference, buildAlert, formatBytes, formatDuration, roundForReading } from '../alert-factory';
import { type BeaconMeasures, scoreBeacon } from '../beacon-detector';
import { BoundedMap } from '../bounded-map';
import type { CaptureSpan, DetectorContext } from '../detector';
import type { ProtocolDetectionSettings } from '../protocol-settings';
import { splitDnsName } from './dns-names';
import type { FlowIndex } from './flow-index';
import type { ProtocolDetector, ProtocolObservation } from './protocol-observation';
import { toPrintable } from './printable';
import { protocolTechniques } from './techniques';

type NameSource = 'sni' | 'http-host' | 'dns-answer';

interface NamedConnections {
  source: string;
  name: string;
  /** uid -> the server address and how the flow was tied to the name (first way wins). */
  uids: Map<string, { server: string; via: NameSource }>;
}

interface LookupSample extends FlowReference {
  bytes: number;
  server: string;
}

interface LookupSeries {
  source: string;
  domain: string;
  names: Set<string>;
  samples: LookupSample[];
  lookups: number;
}

/** Addresses a source resolved, with the name and when; bounded per source. */
const maxResolvedPerSource = 4096;
const maxSeriesPoints = 1000;

export class NamedBeaconDetector implements ProtocolDetector {
  readonly name = 'named-beaconing';
  private readonly connections: BoundedMap<string, NamedConnections>;
  private readonly lookups: BoundedMap<string, LookupSeries>;
  /** source -> resolved address -> name. */
  private readonly resolved: BoundedMap<string, Map<string, string>>;

  constructor(
    private readonly context: DetectorContext,
    private readonly settings: ProtocolDetectionSettings,
    private readonly flows: FlowIndex,
  ) {
    const maxKeys = context.settings.limits.maxKeysPerDetector;
    this.connections = new BoundedMap(maxKeys);
    this.lookups = new BoundedMap(maxKeys);
    this.resolved = new BoundedMap(maxKeys);
  }

  get evictions(): number {
    return this.connections.evictions + this.lookups.evictions + this.resolved.evictions;
  }

  observeRecord(record: ProtocolObservation): void {
    switch (record.kind) {
      case 'tls':
      case 'quic':
        if (record.serverName !== null)
          this.addConnection(record.client, record.server, record.serverName, record.uid, 'sni');
        break;
      case 'http':
        if (record.host !== null)
          this.addConnection(record.client, record.server, record.host, record.uid, 'http-host');
        break;
      case 'dns':
        this.addLookup(record);
        break;
      default:
        break;
    }
  }

  observeFlow(flow: FlowRecord): void {
    const names = this.resolved.get(flow.originatorAddress);
    const name = names?.get(flow.responderAddress);
    if (name === undefined) return;
    this.addConnection(flow.originatorAddress, flow.responderAddress, name, flow.uid, 'dns-answer');
  }

  evaluate(span: CaptureSpan): Alert[] {
    const alerts: Alert[] = [];
    for (const [key, entry] of this.connections) {
      const alert = this.evaluateConnections(key, entry, span);
      if (alert !== null) alerts.push(alert);
    }
    for (const [key, series] of this.lookups) {
      const alert = this.evaluateLookups(key, series, span);
      if (alert !== null) alerts.push(alert);
    }
    return alerts;
  }

  private addConnection(source: string, server: string, name: string, uid: string, via: NameSource): void {
    const { scope } = this.context;
    if (!scope.isInternal(source) || scope.isInternal(server)) return;
    const key = `${source}>${name}`;
    const entry = this.connections.getOrCreate(key, () => ({ source, name, uids: new Map() }));
    if (entry.uids.has(uid) || entry.uids.size >= this.context.settings.limits.maxSamplesPerPair) return;
    entry.uids.set(uid, { server, via });
  }

  private addLookup(record: Extract<ProtocolObservation, { kind: 'dns' }>): void {
    const { scope } = this.context;
    if (record.query === null || !scope.isInternal(record.client)) return;

    // Remember what the name resolved to, for flows that follow.
    if (record.answers.length > 0) {
      const names = this.resolved.getOrCreate(record.client, () => new Map());
      for (const answer of record.answers) {
        if (!/^[\d.]+$|:/.test(answer) || names.size >= maxResolvedPerSource) continue;
        names.set(answer, record.query);
      }
    }

    const { registeredDomain } = splitDnsName(record.query);
    const key = `${record.client}>${registeredDomain}`;
    const series = this.lookups.getOrCreate(key, () => ({
      source: record.client,
      domain: registeredDomain,
      names: new Set(),
      samples: [],
      lookups: 0,
    }));
    series.lookups++;
    if (series.names.size < this.settings.limits.maxItemsPerKey) series.names.add(record.query);
    if (series.samples.length >= this.context.settings.limits.maxSamplesPerPair) return;
    const packet = record.queryPacketNumber ?? record.responsePacketNumber ?? 0;
    series.samples.push({
      uid: record.uid,
      startUs: record.timestampUs,
      firstPacketNumber: packet,
      lastPacketNumber: record.responsePacketNumber ?? packet,
      bytes: record.query.length,
      server: record.server,
    });
  }

  private evaluateConnections(key: string, entry: NamedConnections, span: CaptureSpan): Alert | null {
    const beacon = this.context.settings.beacon;
    if (entry.uids.size < beacon.minConnections) return null;
    const flows = this.flows.collect(entry.uids.keys()).sort((a, b) => a.startUs - b.startUs);
    if (flows.length < beacon.minConnections) return null;
    const bytes = flows.map((flow) => flow.originatorBytes);
    const measures = scoreBeacon(
      flows.map((flow) => flow.startUs),
      bytes,
      span,
      beacon,
    );
    if (measures === null || measures.score < beacon.alertScore) return null;

    const addresses = new Set<string>();
    const ways = new Set<NameSource>();
    for (const { server, via } of entry.uids.values()) {
      ways.add(via);
      addresses.add(server);
    }
    const addressList = [...addresses].sort();
    const first = flows[0] as FlowReference;
    const last = flows[flows.length - 1] as FlowReference;
    const reason =
      `${entry.source} connected to ${toPrintable(entry.name)} ${flows.length} times over ${formatDuration(last.startUs - first.startUs)}, ` +
      `at ${addressList.length} address${addressList.length === 1 ? '' : 'es'} (${addressList.slice(0, 8).join(', ')}); ` +
      `the name came from ${[...ways].sort().join(', ')}. ${describeMeasures(measures, beacon)}`;
    return buildAlert(
      {
        detector: this.name,
        key,
        score: measures.score,
        title: `Beaconing from ${entry.source} to ${toPrintable(entry.name)}`,
        reason,
        measurements: buildMeasurements(measures, beacon, 'connections'),
        technique: protocolTechniques.webProtocols,
        firstUs: first.startUs,
        lastUs: last.startUs,
        hosts: [entry.source, ...addressList],
        flows,
        subScores: measures.subScores,
        series: buildSeries(flows, bytes, 'bytes sent per connection'),
      },
      this.context.settings.limits.maxEvidence,
    );
  }

  private evaluateLookups(key: string, series: LookupSeries, span: CaptureSpan): Alert | null {
    const beacon = this.context.settings.beacon;
    if (series.lookups < beacon.minConnections) return null;
    const samples = [...series.samples].sort((a, b) => a.startUs - b.startUs);
    const bytes = samples.map((sample) => sample.bytes);
    const measures = scoreBeacon(
      samples.map((sample) => sample.startUs),
      bytes,
      span,
      beacon,
    );
    if (measures === null || measures.score < beacon.alertScore) return null;
    const first = samples[0] as LookupSample;
    const last = samples[samples.length - 1] as LookupSample;
    const servers = new Set<string>();
    for (const sample of samples) if (servers.size < 16) servers.add(sample.server);
    const reason =
      `${series.source} looked up ${series.names.size} name${series.names.size === 1 ? '' : 's'} under ${toPrintable(series.domain)} ` +
      `${series.lookups} times over ${formatDuration(last.startUs - first.startUs)} (${[...series.names]
        .slice(0, 3)
        .map((name) => toPrintable(name))
        .join(', ')}). ` +
      describeMeasures(measures, beacon);
    return buildAlert(
      {
        detector: 'named-beaconing-dns',
        key,
        score: measures.score,
        title: `DNS beaconing from ${series.source} to ${toPrintable(series.domain)}`,
        reason,
        measurements: buildMeasurements(measures, beacon, 'lookups'),
        technique: protocolTechniques.dns,
        firstUs: first.startUs,
        lastUs: last.startUs,
        hosts: [series.source, ...servers],
        flows: samples,
        subScores: measures.subScores,
        series: buildSeries(samples, bytes, 'query name length'),
      },
      this.context.settings.limits.maxEvidence,
    );
  }
}

function describeMeasures(
  m: BeaconMeasures,
  beacon: { intervalMadCutoffSeconds: number; sizeMadCutoffBytes: number; timeBins: number; alertScore: number },
): string {
  return (
    `Median gap ${roundForReading(m.medianIntervalSeconds)} s, gap MAD ${roundForReading(m.intervalMadSeconds)} s ` +
    `(dispersion score 0 at ${beacon.intervalMadCutoffSeconds} s), gap Bowley skew ${roundForReading(m.intervalSkew)}; ` +
    `size: most common ${formatBytes(m.sizeModeBytes)}, MAD ${roundForReading(m.sizeMadBytes)} B (score 0 at ${beacon.sizeMadCutoffBytes} B); ` +
    `in ${m.binsWithConnections} of ${beacon.timeBins} time bins. Score ${Math.round(m.score)}, alert threshold ${beacon.alertScore}.`
  );
}

function buildMeasurements(
  m: BeaconMeasures,
  beacon: { alertScore: number; minConnections: number; intervalMadCutoffSeconds: number; sizeMadCutoffBytes: number },
  unit: string,
): Alert['measurements'] {
  return [
    { name: 'beacon score', value: m.score, threshold: beacon.alertScore, unit: 'points' },
    { name: unit, value: m.connections, threshold: beacon.minConnections, unit },
    { name: 'gap MAD', value: m.intervalMadSeconds, threshold: beacon.intervalMadCutoffSeconds, unit: 'seconds' },
    { name: 'size MAD', value: m.sizeMadBytes, threshold: beacon.sizeMadCutoffBytes, unit: 'bytes' },
  ];
}

function buildSeries(
  samples: readonly FlowReference[],
  bytes: readonly number[],
  sizeName: string,
): NonNullable<Alert['series']> {
  const step = Math.max(1, Math.ceil(samples.length / maxSeriesPoints));
  const gapTimes: number[] = [];
  const gaps: number[] = [];
  const sizeTimes: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < samples.length; i += step) {
    const sample = samples[i] as FlowReference;
    sizeTimes.push(sample.startUs);
    sizes.push(bytes[i] ?? 0);
    if (i === 0) continue;
    gapTimes.push(sample.startUs);
    gaps.push(roundForReading((sample.startUs - (samples[i - 1] as FlowReference).startUs) / 1_000_000));
  }
  return [
    { name: 'gap since previous connection', unit: 'seconds', timesUs: gapTimes, values: gaps, isTruncated: step > 1 },
    { name: sizeName, unit: 'bytes', timesUs: sizeTimes, values: sizes, isTruncated: step > 1 },
  ];
}
