/**
 * ICMP tunnelling: echo requests and replies whose payloads are large,
 * random-looking or of varying size. Ordinary ping repeats one small
 * payload (56 bytes of a counting pattern on Linux, 32 bytes of the
 * alphabet on Windows), so the per-flow ICMP summary of the analyzers
 * (largest payload, total, highest entropy) separates the two. Flows
 * without a summary fall back to their byte counts, which gives size but
 * not entropy.
 *
 * Per pair of hosts, four signals as 0-1 sub-scores of equal weight: large
 * payload, high entropy, size spread (largest minus mean payload) and
 * volume. The alert needs `minEchoMessages` and the large or the entropy
 * signal at its threshold.
 */
import type { Alert } from '../../../../shared/domain/alert';
import type { FlowRecord } from '../../../../shared/domain/flow';
import { type FlowReference, buildAlert, formatBytes, roundForReading } from '../alert-factory';
import { BoundedMap } from '../bounded-map';
import type { CaptureSpan, DetectorContext } from '../detector';
import type { ProtocolDetectionSettings } from '../protocol-settings';
import { clampUnit } from '../robust-statistics';
import type { ProtocolDetector } from './protocol-observation';
import { protocolTechniques } from './techniques';

interface PairState {
  source: string;
  destination: string;
  echoMessages: number;
  totalBytes: number;
  maxBytes: number;
  /** Highest entropy seen, bits per byte, or null when no payload was long enough (or no summary). */
  maxEntropy: number | null;
  flows: FlowReference[];
  firstUs: number;
  lastUs: number;
}

const maxFlowsKept = 500;

export class IcmpTunnelDetector implements ProtocolDetector {
  readonly name = 'icmp-tunnel';
  private readonly pairs: BoundedMap<string, PairState>;

  constructor(
    private readonly context: DetectorContext,
    private readonly settings: ProtocolDetectionSettings,
  ) {
    this.pairs = new BoundedMap(context.settings.limits.maxKeysPerDetector);
  }

  get evictions(): number {
    return this.pairs.evictions;
  }

  observeFlow(flow: FlowRecord): void {
    if (flow.transport !== 'icmp') return;
    const summary = flow.icmp;
    const isEcho =
      summary !== undefined ? summary.echoMessages > 0 : flow.originatorPort === 8 || flow.originatorPort === 128;
    if (!isEcho) return;
    const messages = summary?.echoMessages ?? flow.originatorPackets + flow.responderPackets;
    // Without a summary, the payload is the flow's ICMP bytes less the 8-byte ICMP header per message.
    const total =
      summary?.echoPayloadTotalBytes ?? Math.max(0, flow.originatorBytes + flow.responderBytes - 8 * messages);
    const largest = summary?.echoPayloadMaxBytes ?? (messages === 0 ? 0 : Math.ceil(total / messages));

    const key = `${flow.originatorAddress}>${flow.responderAddress}`;
    const pair = this.pairs.getOrCreate(key, () => ({
      source: flow.originatorAddress,
      destination: flow.responderAddress,
      echoMessages: 0,
      totalBytes: 0,
      maxBytes: 0,
      maxEntropy: null,
      flows: [],
      firstUs: flow.startUs,
      lastUs: flow.endUs,
    }));
    pair.echoMessages += messages;
    pair.totalBytes += total;
    pair.maxBytes = Math.max(pair.maxBytes, largest);
    const entropy = summary?.echoPayloadMaxEntropyBitsPerByte ?? null;
    if (entropy !== null && (pair.maxEntropy === null || entropy > pair.maxEntropy)) pair.maxEntropy = entropy;
    pair.firstUs = Math.min(pair.firstUs, flow.startUs);
    pair.lastUs = Math.max(pair.lastUs, flow.endUs);
    if (pair.flows.length < maxFlowsKept) pair.flows.push(flow);
  }

  evaluate(_span: CaptureSpan): Alert[] {
    const alerts: Alert[] = [];
    for (const [key, pair] of this.pairs) {
      const alert = this.judge(key, pair);
      if (alert !== null) alerts.push(alert);
    }
    return alerts;
  }

  private judge(key: string, pair: PairState): Alert | null {
    const settings = this.settings.icmpTunnel;
    if (pair.echoMessages < settings.minEchoMessages) return null;
    const meanBytes = pair.totalBytes / pair.echoMessages;
    const spread = pair.maxBytes - meanBytes;
    const isLarge = pair.maxBytes > settings.largePayloadBytes;
    const isRandom = pair.maxEntropy !== null && pair.maxEntropy > settings.highEntropyBitsPerByte;
    if (!isLarge && !isRandom) return null;

    const parts: [string, number][] = [
      ['large payload', clampUnit(pair.maxBytes / settings.largePayloadBytes)],
      ['payload entropy', clampUnit((pair.maxEntropy ?? 0) / settings.highEntropyBitsPerByte)],
      ['payload size spread', clampUnit(spread / settings.sizeSpreadBytes)],
      ['volume', clampUnit(pair.totalBytes / settings.volumeBytes)],
    ];
    const weight = 1 / parts.length;
    const subScores = parts.map(([name, value]) => ({ name, value, weight }));
    const score = 100 * subScores.reduce((sum, part) => sum + part.value * part.weight, 0);
    const entropyText =
      pair.maxEntropy === null
        ? 'entropy not measured'
        : `highest entropy ${roundForReading(pair.maxEntropy)} bits per byte (threshold ${settings.highEntropyBitsPerByte})`;
    return buildAlert(
      {
        detector: this.name,
        key,
        score,
        title: `ICMP tunnelling between ${pair.source} and ${pair.destination}`,
        reason:
          `${pair.echoMessages} echo messages between ${pair.source} and ${pair.destination} carried ${formatBytes(pair.totalBytes)}: ` +
          `largest payload ${pair.maxBytes} B (threshold ${settings.largePayloadBytes} B), mean ${Math.round(meanBytes)} B, ` +
          `spread ${Math.round(spread)} B (threshold ${settings.sizeSpreadBytes} B), ${entropyText}. ` +
          `Ordinary ping repeats one payload of 32 to 64 bytes.`,
        measurements: [
          { name: 'largest echo payload', value: pair.maxBytes, threshold: settings.largePayloadBytes, unit: 'bytes' },
          {
            name: 'highest payload entropy',
            value: pair.maxEntropy ?? 0,
            threshold: settings.highEntropyBitsPerByte,
            unit: 'bits/byte',
          },
          { name: 'payload size spread', value: spread, threshold: settings.sizeSpreadBytes, unit: 'bytes' },
          { name: 'echo payload bytes', value: pair.totalBytes, threshold: settings.volumeBytes, unit: 'bytes' },
        ],
        technique: protocolTechniques.nonApplicationLayerProtocol,
        firstUs: pair.firstUs,
        lastUs: pair.lastUs,
        hosts: [pair.source, pair.destination],
        flows: pair.flows,
        subScores,
      },
      this.context.settings.limits.maxEvidence,
    );
  }
}
