/**
 * SYN, ICMP and UDP floods towards one destination: a packet rate averaged
 * over `windowSeconds` above the kind's threshold, with at least
 * `unansweredRatio` of the attempts unanswered.
 *
 * Attempts: TCP counts one per connection attempt (flow with a SYN), and it
 * is unanswered when no data flowed both ways. ICMP and UDP count the
 * originator's packets, spread evenly over the flow's lifetime (an ICMP echo
 * flood is a single Zeek flow), and answered packets are the responder's.
 * Per destination the counts sit in one-second bins (at most a day of bins
 * per destination, oldest dropped first). SYNs that reach at least the port
 * scan threshold of distinct ports are left to the scan detector.
 */
import type { Alert } from '../../../shared/domain/alert';
import type { FlowRecord } from '../../../shared/domain/flow';
import { type FlowReference, buildAlert, formatDuration, roundForReading, techniques } from './alert-factory';
import { BoundedMap, pushSampled } from './bounded-map';
import { type CaptureSpan, type Detector, type DetectorContext, isAnswered } from './detector';

type FloodKind = 'syn' | 'icmp' | 'udp';

interface Bin {
  attempts: number;
  unanswered: number;
}

interface TargetState {
  destination: string;
  kind: FloodKind;
  bins: Map<number, Bin>;
  sources: Set<string>;
  /** Distinct destination ports (SYN only), to tell a flood from a port scan. */
  ports: Set<number>;
  samples: FlowReference[];
  sampling: { stride: number; seen: number };
}

const maxBinsPerTarget = 86_400;
const maxSourcesPerTarget = 10_000;
const maxPortsPerTarget = 1024;

export class FloodDetector implements Detector {
  readonly name = 'flood';
  private readonly targets: BoundedMap<string, TargetState>;

  constructor(private readonly context: DetectorContext) {
    this.targets = new BoundedMap(context.settings.limits.maxKeysPerDetector);
  }

  get evictions(): number {
    return this.targets.evictions;
  }

  observeFlow(flow: FlowRecord): void {
    const kind = floodKindOf(flow);
    if (kind === null) return;
    const key = `${flow.responderAddress}/${kind}`;
    const target = this.targets.getOrCreate(key, () => ({
      destination: flow.responderAddress,
      kind,
      bins: new Map(),
      sources: new Set(),
      ports: new Set(),
      samples: [],
      sampling: { stride: 1, seen: 0 },
    }));
    if (target.sources.size < maxSourcesPerTarget) target.sources.add(flow.originatorAddress);
    pushSampled(target.samples, flow, this.context.settings.limits.maxSamplesPerPair, target.sampling);

    if (kind === 'syn') {
      if (target.ports.size < maxPortsPerTarget) target.ports.add(flow.responderPort);
      addToBin(target.bins, Math.floor(flow.startUs / 1_000_000), 1, isAnswered(flow) ? 0 : 1);
      return;
    }
    const attempts = flow.originatorPackets;
    const unanswered = Math.max(0, attempts - flow.responderPackets);
    const firstSecond = Math.floor(flow.startUs / 1_000_000);
    const seconds = Math.min(3600, Math.floor(flow.endUs / 1_000_000) - firstSecond + 1);
    for (let i = 0; i < seconds; i++) addToBin(target.bins, firstSecond + i, attempts / seconds, unanswered / seconds);
  }

  evaluate(_span: CaptureSpan): Alert[] {
    const settings = this.context.settings.flood;
    const alerts: Alert[] = [];
    for (const [key, target] of this.targets) {
      const threshold =
        target.kind === 'syn'
          ? settings.synPerSecond
          : target.kind === 'icmp'
            ? settings.icmpPerSecond
            : settings.udpPerSecond;
      const best = findBusiestWindow(target.bins, settings.windowSeconds);
      if (best === null) continue;
      // SYNs spread over as many ports as a port scan needs are a scan: the scan detector reports them.
      if (target.kind === 'syn' && target.ports.size >= this.context.settings.scan.portScanPorts) continue;
      const rate = best.attempts / settings.windowSeconds;
      const ratio = best.attempts > 0 ? best.unanswered / best.attempts : 0;
      if (rate < threshold || ratio < settings.unansweredRatio) continue;
      const firstUs = best.startSecond * 1_000_000;
      const lastUs = (best.endSecond + 1) * 1_000_000;
      const flows = target.samples.filter(
        (flow) => flow.startUs < lastUs && flow.startUs >= firstUs - 3600 * 1_000_000,
      );
      const label = target.kind === 'syn' ? 'SYN' : target.kind.toUpperCase();
      const unit = target.kind === 'syn' ? 'attempts/s' : 'packets/s';
      alerts.push(
        buildAlert(
          {
            detector: `${target.kind}-flood`,
            key,
            score: 50 + 25 * Math.log2(rate / threshold) + 10 * ratio,
            title: `${label} flood against ${target.destination}`,
            reason:
              `${target.destination} received ${roundForReading(rate)} ${unit} (${label}) averaged over ${settings.windowSeconds} s ` +
              `from ${target.sources.size} source${target.sources.size === 1 ? '' : 's'}, ${Math.round(ratio * 100)}% unanswered; ` +
              `the thresholds are ${threshold} ${unit} and ${Math.round(settings.unansweredRatio * 100)}% unanswered. ` +
              `Busiest window ${formatDuration(lastUs - firstUs)} long.`,
            measurements: [
              { name: `${label} rate`, value: rate, threshold, unit },
              { name: 'unanswered share', value: ratio, threshold: settings.unansweredRatio, unit: 'ratio' },
            ],
            technique: techniques.networkDenialOfService,
            firstUs,
            lastUs,
            hosts: [target.destination, ...[...target.sources].slice(0, 50)],
            flows,
          },
          this.context.settings.limits.maxEvidence,
        ),
      );
    }
    return alerts;
  }
}

function floodKindOf(flow: FlowRecord): FloodKind | null {
  if (flow.transport === 'tcp') return flow.history.includes('S') ? 'syn' : null;
  if (flow.transport === 'icmp') return 'icmp';
  if (flow.transport === 'udp') return 'udp';
  return null;
}

function addToBin(bins: Map<number, Bin>, second: number, attempts: number, unanswered: number): void {
  let bin = bins.get(second);
  if (bin === undefined) {
    if (bins.size >= maxBinsPerTarget) {
      const oldest = Math.min(...bins.keys());
      bins.delete(oldest);
    }
    bin = { attempts: 0, unanswered: 0 };
    bins.set(second, bin);
  }
  bin.attempts += attempts;
  bin.unanswered += unanswered;
}

/** The `windowSeconds`-second window with the most attempts; null when there are no bins. */
export function findBusiestWindow(
  bins: Map<number, Bin>,
  windowSeconds: number,
): { attempts: number; unanswered: number; startSecond: number; endSecond: number } | null {
  const seconds = [...bins.keys()].sort((a, b) => a - b);
  if (seconds.length === 0) return null;
  let best = { attempts: -1, unanswered: 0, startSecond: 0, endSecond: 0 };
  let from = 0;
  let attempts = 0;
  let unanswered = 0;
  for (let to = 0; to < seconds.length; to++) {
    const second = seconds[to] as number;
    const bin = bins.get(second) as Bin;
    attempts += bin.attempts;
    unanswered += bin.unanswered;
    while (second - (seconds[from] as number) >= windowSeconds) {
      const leaving = bins.get(seconds[from] as number) as Bin;
      attempts -= leaving.attempts;
      unanswered -= leaving.unanswered;
      from++;
    }
    if (attempts > best.attempts)
      best = { attempts, unanswered, startSecond: seconds[from] as number, endSecond: second };
  }
  return best;
}
