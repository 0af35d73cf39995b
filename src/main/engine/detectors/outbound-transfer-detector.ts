/**
 * Large outbound transfers: an internal host sending at least
 * `largeUploadBytes` to one external host over the capture, and upload
 * bursts: a bin of `burstBinSeconds` in which the host sent at least
 * `burstBytes` to external hosts with a producer/consumer ratio
 * PCR = (sent - received) / (sent + received) of at least `burstRatio`,
 * while its PCR over its other bins stayed below `baselineRatio` (it was a
 * consumer and swung to producing). PCR is from Bullard and Gerth's
 * "PCR - A New Flow Metric" (FloCon 2014).
 *
 * NOTE: a flow's bytes count in the bin where it started, so one long upload
 * lands in one bin; that overstates the burst rate of slow long uploads and
 * is accepted for a desktop tool without per-packet byte timing.
 */
import type { Alert } from '../../../shared/domain/alert';
import type { FlowRecord } from '../../../shared/domain/flow';
import {
  type FlowReference,
  buildAlert,
  formatBytes,
  formatDuration,
  roundForReading,
  techniques,
} from './alert-factory';
import { BoundedMap } from './bounded-map';
import type { CaptureSpan, Detector, DetectorContext } from './detector';

interface PairState {
  source: string;
  destination: string;
  sent: number;
  received: number;
  firstUs: number;
  lastUs: number;
  flows: (FlowReference & { bytes: number })[];
}

interface HostBins {
  bins: Map<number, { sent: number; received: number; flows: (FlowReference & { bytes: number })[] }>;
}

const maxFlowsKept = 200;
const maxBinsPerHost = 100_000;

export function computeProducerConsumerRatio(sent: number, received: number): number {
  const total = sent + received;
  return total === 0 ? 0 : (sent - received) / total;
}

export class OutboundTransferDetector implements Detector {
  readonly name = 'outbound-transfer';
  private readonly pairs: BoundedMap<string, PairState>;
  private readonly hosts: BoundedMap<string, HostBins>;

  constructor(private readonly context: DetectorContext) {
    this.pairs = new BoundedMap(context.settings.limits.maxKeysPerDetector);
    this.hosts = new BoundedMap(context.settings.limits.maxKeysPerDetector);
  }

  get evictions(): number {
    return this.pairs.evictions + this.hosts.evictions;
  }

  observeFlow(flow: FlowRecord): void {
    const { scope } = this.context;
    if (!scope.isInternal(flow.originatorAddress) || scope.isInternal(flow.responderAddress)) return;
    const reference = {
      uid: flow.uid,
      startUs: flow.startUs,
      firstPacketNumber: flow.firstPacketNumber,
      lastPacketNumber: flow.lastPacketNumber,
      bytes: flow.originatorBytes,
    };
    const pair = this.pairs.getOrCreate(`${flow.originatorAddress}>${flow.responderAddress}`, () => ({
      source: flow.originatorAddress,
      destination: flow.responderAddress,
      sent: 0,
      received: 0,
      firstUs: flow.startUs,
      lastUs: flow.endUs,
      flows: [],
    }));
    pair.sent += flow.originatorBytes;
    pair.received += flow.responderBytes;
    pair.firstUs = Math.min(pair.firstUs, flow.startUs);
    pair.lastUs = Math.max(pair.lastUs, flow.endUs);
    keepLargest(pair.flows, reference);

    const host = this.hosts.getOrCreate(flow.originatorAddress, () => ({ bins: new Map() }));
    const binIndex = Math.floor(flow.startUs / (this.context.settings.outbound.burstBinSeconds * 1_000_000));
    let bin = host.bins.get(binIndex);
    if (bin === undefined) {
      if (host.bins.size >= maxBinsPerHost) return;
      bin = { sent: 0, received: 0, flows: [] };
      host.bins.set(binIndex, bin);
    }
    bin.sent += flow.originatorBytes;
    bin.received += flow.responderBytes;
    keepLargest(bin.flows, reference);
  }

  evaluate(_span: CaptureSpan): Alert[] {
    return [...this.evaluateLargeUploads(), ...this.evaluateBursts()];
  }

  private evaluateLargeUploads(): Alert[] {
    const settings = this.context.settings.outbound;
    const alerts: Alert[] = [];
    for (const [key, pair] of this.pairs) {
      if (pair.sent < settings.largeUploadBytes) continue;
      const ratio = computeProducerConsumerRatio(pair.sent, pair.received);
      alerts.push(
        buildAlert(
          {
            detector: 'large-upload',
            key,
            score: 50 + 25 * Math.log2(pair.sent / settings.largeUploadBytes) + 10 * Math.max(0, ratio),
            title: `${formatBytes(pair.sent)} sent from ${pair.source} to ${pair.destination}`,
            reason:
              `${pair.source} sent ${formatBytes(pair.sent)} to external host ${pair.destination} and received ` +
              `${formatBytes(pair.received)} over ${formatDuration(pair.lastUs - pair.firstUs)} (producer/consumer ratio ` +
              `${roundForReading(ratio)}); the threshold is ${formatBytes(settings.largeUploadBytes)} sent.`,
            measurements: [
              { name: 'bytes sent', value: pair.sent, threshold: settings.largeUploadBytes, unit: 'bytes' },
              { name: 'producer/consumer ratio', value: ratio, threshold: settings.burstRatio, unit: 'ratio' },
            ],
            technique: techniques.exfiltrationOverC2,
            firstUs: pair.firstUs,
            lastUs: pair.lastUs,
            hosts: [pair.source, pair.destination],
            flows: pair.flows,
          },
          this.context.settings.limits.maxEvidence,
        ),
      );
    }
    return alerts;
  }

  private evaluateBursts(): Alert[] {
    const settings = this.context.settings.outbound;
    const binUs = settings.burstBinSeconds * 1_000_000;
    const alerts: Alert[] = [];
    for (const [host, state] of this.hosts) {
      const burstBins = [...state.bins.entries()].filter(
        ([, bin]) =>
          bin.sent >= settings.burstBytes &&
          computeProducerConsumerRatio(bin.sent, bin.received) >= settings.burstRatio,
      );
      if (burstBins.length === 0) continue;
      let otherSent = 0;
      let otherReceived = 0;
      for (const [index, bin] of state.bins) {
        if (burstBins.some(([burstIndex]) => burstIndex === index)) continue;
        otherSent += bin.sent;
        otherReceived += bin.received;
      }
      const baseline = computeProducerConsumerRatio(otherSent, otherReceived);
      if (otherSent + otherReceived > 0 && baseline >= settings.baselineRatio) continue;
      burstBins.sort((a, b) => a[0] - b[0]);
      const sent = burstBins.reduce((sum, [, bin]) => sum + bin.sent, 0);
      const received = burstBins.reduce((sum, [, bin]) => sum + bin.received, 0);
      const ratio = computeProducerConsumerRatio(sent, received);
      const firstUs = (burstBins[0] as [number, unknown])[0] * binUs;
      const lastUs = ((burstBins[burstBins.length - 1] as [number, unknown])[0] + 1) * binUs;
      alerts.push(
        buildAlert(
          {
            detector: 'upload-burst',
            key: host,
            score: 45 + 20 * Math.log2(sent / burstBins.length / settings.burstBytes) + (15 * (ratio - baseline)) / 2,
            title: `Upload burst from ${host}`,
            reason:
              `${host} sent ${formatBytes(sent)} to external hosts in ${burstBins.length} bin${burstBins.length === 1 ? '' : 's'} ` +
              `of ${settings.burstBinSeconds} s with producer/consumer ratio ${roundForReading(ratio)} (thresholds ` +
              `${formatBytes(settings.burstBytes)} per bin and ratio ${settings.burstRatio}); over the rest of the capture its ` +
              `ratio was ${roundForReading(baseline)} (${formatBytes(otherSent)} sent, ${formatBytes(otherReceived)} received), ` +
              `below ${settings.baselineRatio}: it swung from consuming to producing.`,
            measurements: [
              {
                name: 'bytes sent in burst bins',
                value: sent,
                threshold: settings.burstBytes * burstBins.length,
                unit: 'bytes',
              },
              { name: 'producer/consumer ratio in burst', value: ratio, threshold: settings.burstRatio, unit: 'ratio' },
              {
                name: 'producer/consumer ratio otherwise',
                value: baseline,
                threshold: settings.baselineRatio,
                unit: 'ratio',
              },
            ],
            technique: techniques.exfiltrationOverC2,
            firstUs,
            lastUs,
            hosts: [host],
            flows: burstBins.flatMap(([, bin]) => bin.flows),
            series: [
              {
                name: 'bytes sent to external hosts per bin',
                unit: 'bytes',
                timesUs: [...state.bins.keys()].sort((a, b) => a - b).map((index) => index * binUs),
                values: [...state.bins.entries()].sort((a, b) => a[0] - b[0]).map(([, bin]) => bin.sent),
                isTruncated: false,
              },
            ],
          },
          this.context.settings.limits.maxEvidence,
        ),
      );
    }
    return alerts;
  }
}

/** Keep the `maxFlowsKept` flows that sent the most. */
function keepLargest(list: (FlowReference & { bytes: number })[], item: FlowReference & { bytes: number }): void {
  if (list.length < maxFlowsKept) {
    list.push(item);
    return;
  }
  let smallest = 0;
  for (let i = 1; i < list.length; i++)
    if ((list[i] as { bytes: number }).bytes < (list[smallest] as { bytes: number }).bytes) smallest = i;
  if ((list[smallest] as { bytes: number }).bytes < item.bytes) list[smallest] = item;
}
