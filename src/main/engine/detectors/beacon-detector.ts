/**
 * Beaconing: an internal host connecting to one external host at regular
 * intervals with similar amounts of data, all through the capture.
 *
 * Scoring follows RITA's beacon analyzer: for the gaps between connection
 * starts, the Bowley skew score 1 - |skew| and the dispersion score
 * 1 - MAD/30 s; for the bytes sent per connection, the same two with a
 * 32-byte cutoff and a smallness score 1 - mode/65535. To these we add a
 * connection-count score (connections seen / connections expected at the
 * median interval over the capture) and a spread score (share of the
 * capture's time bins holding a connection), which stand in for RITA's
 * persistence over days. The seven parts weigh the same.
 *
 * Pairs with at least `strobeConnectionsPerSecond` over the capture (and
 * `strobeMinConnections`) are strobes: reported as such, not scored.
 */
import type { Alert, AlertSeries, AlertSubScore } from '../../../shared/domain/alert';
import type { FlowRecord } from '../../../shared/domain/flow';
import {
  type FlowReference,
  buildAlert,
  formatBytes,
  formatDuration,
  roundForReading,
  techniques,
} from './alert-factory';
import { BoundedMap, pushSampled } from './bounded-map';
import type { CaptureSpan, Detector, DetectorContext } from './detector';
import {
  clampUnit,
  computeBowleySkew,
  computeMedianAbsoluteDeviation,
  computeQuartiles,
  sortNumbers,
} from './robust-statistics';

/** One connection as kept per pair: its evidence and the bytes its originator sent. */
type BeaconSample = FlowReference & { bytes: number };

interface PairState {
  source: string;
  destination: string;
  /** Connections seen, including those the sample dropped. */
  connections: number;
  samples: BeaconSample[];
  sampling: { stride: number; seen: number };
}

export interface BeaconMeasures {
  connections: number;
  medianIntervalSeconds: number;
  intervalSkew: number;
  intervalMadSeconds: number;
  sizeSkew: number;
  sizeMadBytes: number;
  sizeModeBytes: number;
  binsWithConnections: number;
  subScores: AlertSubScore[];
  /** 0-100. */
  score: number;
}

/** Series points kept per alert. */
const maxSeriesPoints = 1000;

/**
 * Score one pair from its connection starts (µs, ascending) and bytes sent
 * per connection (same order). Returns null with fewer than 3 connections,
 * where no interval quartiles exist.
 */
export function scoreBeacon(
  startsUs: readonly number[],
  bytes: readonly number[],
  span: CaptureSpan,
  settings: {
    intervalMadCutoffSeconds: number;
    sizeMadCutoffBytes: number;
    smallnessCutoffBytes: number;
    timeBins: number;
  },
): BeaconMeasures | null {
  if (startsUs.length < 3) return null;
  const intervals: number[] = [];
  for (let i = 1; i < startsUs.length; i++)
    intervals.push(((startsUs[i] as number) - (startsUs[i - 1] as number)) / 1_000_000);
  const sortedIntervals = sortNumbers(intervals);
  const intervalQuartiles = computeQuartiles(sortedIntervals);
  const intervalSkew = computeBowleySkew(intervalQuartiles);
  const intervalMad = computeMedianAbsoluteDeviation(sortedIntervals);

  const sortedSizes = sortNumbers(bytes);
  const sizeSkew = computeBowleySkew(computeQuartiles(sortedSizes));
  const sizeMad = computeMedianAbsoluteDeviation(sortedSizes);
  const sizeMode = findMode(sortedSizes);

  const spanSeconds = Math.max((span.lastUs - span.firstUs) / 1_000_000, 1e-6);
  const expected = intervalQuartiles.median > 0 ? spanSeconds / intervalQuartiles.median : Infinity;
  const binWidth = (span.lastUs - span.firstUs) / settings.timeBins;
  const bins = new Set<number>();
  for (const start of startsUs) {
    bins.add(binWidth > 0 ? Math.min(settings.timeBins - 1, Math.floor((start - span.firstUs) / binWidth)) : 0);
  }

  const parts: [string, number][] = [
    ['interval skew', 1 - Math.abs(intervalSkew)],
    ['interval dispersion (MAD)', clampUnit(1 - intervalMad / settings.intervalMadCutoffSeconds)],
    ['connection count', clampUnit(startsUs.length / expected)],
    ['size skew', 1 - Math.abs(sizeSkew)],
    ['size dispersion (MAD)', clampUnit(1 - sizeMad / settings.sizeMadCutoffBytes)],
    ['size smallness', clampUnit(1 - sizeMode / settings.smallnessCutoffBytes)],
    ['spread over time bins', bins.size / settings.timeBins],
  ];
  const weight = 1 / parts.length;
  const subScores = parts.map(([name, value]) => ({ name, value, weight }));
  const score = 100 * subScores.reduce((sum, part) => sum + part.value * part.weight, 0);
  return {
    connections: startsUs.length,
    medianIntervalSeconds: intervalQuartiles.median,
    intervalSkew,
    intervalMadSeconds: intervalMad,
    sizeSkew,
    sizeMadBytes: sizeMad,
    sizeModeBytes: sizeMode,
    binsWithConnections: bins.size,
    subScores,
    score,
  };
}

/** Most frequent value of a sorted list; the smallest on ties. */
export function findMode(sorted: readonly number[]): number {
  let mode = sorted[0] ?? 0;
  let modeCount = 0;
  let run = 0;
  for (let i = 0; i < sorted.length; i++) {
    run = i > 0 && sorted[i] === sorted[i - 1] ? run + 1 : 1;
    if (run > modeCount) {
      modeCount = run;
      mode = sorted[i] as number;
    }
  }
  return mode;
}

export class BeaconDetector implements Detector {
  readonly name = 'beaconing';
  private readonly pairs: BoundedMap<string, PairState>;

  constructor(private readonly context: DetectorContext) {
    this.pairs = new BoundedMap(context.settings.limits.maxKeysPerDetector);
  }

  get evictions(): number {
    return this.pairs.evictions;
  }

  observeFlow(flow: FlowRecord): void {
    const { scope } = this.context;
    if (!scope.isInternal(flow.originatorAddress) || scope.isInternal(flow.responderAddress)) return;
    const key = `${flow.originatorAddress}>${flow.responderAddress}`;
    const pair = this.pairs.getOrCreate(key, () => ({
      source: flow.originatorAddress,
      destination: flow.responderAddress,
      connections: 0,
      samples: [],
      sampling: { stride: 1, seen: 0 },
    }));
    pair.connections++;
    const sample: BeaconSample = {
      uid: flow.uid,
      startUs: flow.startUs,
      firstPacketNumber: flow.firstPacketNumber,
      lastPacketNumber: flow.lastPacketNumber,
      packets: flow.originatorPackets + flow.responderPackets,
      bytes: flow.originatorBytes,
    };
    pushSampled(pair.samples, sample, this.context.settings.limits.maxSamplesPerPair, pair.sampling);
  }

  evaluate(span: CaptureSpan): Alert[] {
    const settings = this.context.settings.beacon;
    const alerts: Alert[] = [];
    for (const [key, pair] of this.pairs) {
      if (pair.connections < settings.minConnections) continue;
      const samples = [...pair.samples].sort((a, b) => a.startUs - b.startUs);
      const bytes = samples.map((sample) => sample.bytes);
      const startsUs = samples.map((sample) => sample.startUs);
      const firstUs = startsUs[0] as number;
      const lastUs = startsUs[startsUs.length - 1] as number;
      const spanSeconds = Math.max((span.lastUs - span.firstUs) / 1_000_000, 1);
      const rate = pair.connections / spanSeconds;
      if (rate >= settings.strobeConnectionsPerSecond && pair.connections >= settings.strobeMinConnections) {
        alerts.push(this.buildStrobe(key, pair, samples, rate, firstUs, lastUs));
        continue;
      }
      const measures = scoreBeacon(startsUs, bytes, span, settings);
      if (measures === null || measures.score < settings.alertScore) continue;
      alerts.push(this.buildBeacon(key, pair, samples, bytes, measures, firstUs, lastUs));
    }
    return alerts;
  }

  private buildBeacon(
    key: string,
    pair: PairState,
    samples: FlowReference[],
    bytes: number[],
    m: BeaconMeasures,
    firstUs: number,
    lastUs: number,
  ): Alert {
    const settings = this.context.settings.beacon;
    const reason =
      `${pair.source} connected to ${pair.destination} ${pair.connections} times over ${formatDuration(lastUs - firstUs)}. ` +
      `Median gap ${roundForReading(m.medianIntervalSeconds)} s, gap MAD ${roundForReading(m.intervalMadSeconds)} s ` +
      `(dispersion score 0 at ${settings.intervalMadCutoffSeconds} s), gap Bowley skew ${roundForReading(m.intervalSkew)}; ` +
      `bytes sent: most common ${formatBytes(m.sizeModeBytes)}, MAD ${roundForReading(m.sizeMadBytes)} B ` +
      `(score 0 at ${settings.sizeMadCutoffBytes} B), skew ${roundForReading(m.sizeSkew)}; ` +
      `connections in ${m.binsWithConnections} of ${settings.timeBins} time bins. ` +
      `Score ${Math.round(m.score)}, alert threshold ${settings.alertScore}.`;
    return buildAlert(
      {
        detector: this.name,
        key,
        score: m.score,
        title: `Beaconing from ${pair.source} to ${pair.destination}`,
        reason,
        measurements: [
          { name: 'beacon score', value: m.score, threshold: settings.alertScore, unit: 'points' },
          { name: 'connections', value: pair.connections, threshold: settings.minConnections, unit: 'connections' },
          {
            name: 'gap MAD',
            value: m.intervalMadSeconds,
            threshold: settings.intervalMadCutoffSeconds,
            unit: 'seconds',
          },
          { name: 'bytes MAD', value: m.sizeMadBytes, threshold: settings.sizeMadCutoffBytes, unit: 'bytes' },
        ],
        technique: techniques.applicationLayerProtocol,
        firstUs,
        lastUs,
        hosts: [pair.source, pair.destination],
        flows: samples,
        subScores: m.subScores,
        series: buildSeries(samples, bytes, pair.connections > samples.length),
      },
      this.context.settings.limits.maxEvidence,
    );
  }

  private buildStrobe(
    key: string,
    pair: PairState,
    samples: FlowReference[],
    rate: number,
    firstUs: number,
    lastUs: number,
  ): Alert {
    const settings = this.context.settings.beacon;
    const score = Math.min(100, 50 + 25 * Math.log10(rate / settings.strobeConnectionsPerSecond + 1) * 2);
    return buildAlert(
      {
        detector: 'strobe',
        key,
        score,
        maxSeverity: 'medium',
        title: `Strobe: ${pair.connections} connections from ${pair.source} to ${pair.destination}`,
        reason:
          `${pair.source} opened ${pair.connections} connections to ${pair.destination} in ${formatDuration(lastUs - firstUs)}, ` +
          `${roundForReading(rate)} per second over the capture; a strobe is at least ${settings.strobeConnectionsPerSecond} ` +
          `per second and ${settings.strobeMinConnections} connections. Too many to score as a beacon.`,
        measurements: [
          {
            name: 'connections per second',
            value: rate,
            threshold: settings.strobeConnectionsPerSecond,
            unit: 'connections/s',
          },
          {
            name: 'connections',
            value: pair.connections,
            threshold: settings.strobeMinConnections,
            unit: 'connections',
          },
        ],
        technique: techniques.applicationLayerProtocol,
        firstUs,
        lastUs,
        hosts: [pair.source, pair.destination],
        flows: samples,
      },
      this.context.settings.limits.maxEvidence,
    );
  }
}

function buildSeries(samples: readonly FlowReference[], bytes: readonly number[], isSampled: boolean): AlertSeries[] {
  const step = Math.max(1, Math.ceil(samples.length / maxSeriesPoints));
  const intervalTimes: number[] = [];
  const intervalValues: number[] = [];
  const byteTimes: number[] = [];
  const byteValues: number[] = [];
  for (let i = 0; i < samples.length; i += step) {
    const sample = samples[i] as FlowReference;
    byteTimes.push(sample.startUs);
    byteValues.push(bytes[i] ?? 0);
    if (i === 0) continue;
    intervalTimes.push(sample.startUs);
    intervalValues.push(roundForReading((sample.startUs - (samples[i - 1] as FlowReference).startUs) / 1_000_000));
  }
  const isTruncated = isSampled || step > 1;
  return [
    {
      name: 'gap since previous connection',
      unit: 'seconds',
      timesUs: intervalTimes,
      values: intervalValues,
      isTruncated,
    },
    { name: 'bytes sent per connection', unit: 'bytes', timesUs: byteTimes, values: byteValues, isTruncated },
  ];
}
