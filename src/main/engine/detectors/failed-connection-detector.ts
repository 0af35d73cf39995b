/**
 * Port scans, address scans and brute force, from failed and short TCP
 * sessions.
 *
 * A failed attempt is what Zeek's policy/misc/scan.zeek counts: a SYN from
 * the originator that got no answer (S0), was rejected (REJ), or was reset
 * before any data (RSTO, RSTR, RSTOS0). Port scan: one scanner, one victim,
 * at least `portScanPorts` distinct ports within `windowSeconds`. Address
 * scan: one scanner, one port, at least `addressScanHosts` distinct victims.
 *
 * Brute force: one client opening at least `sessions` short sessions
 * (failed, or established but closed within `maxSessionSeconds` with at most
 * `maxResponderBytes` from the server) to one password service within
 * `windowSeconds`, after Zeek's SSH guessing model which counts failed logins.
 *
 * NOTE: Zeek decides an SSH login failed from the SSH analyzer; here a short
 * session stands in for a failed login, so a client that logs in
 * successfully many times in quick succession (scripts over SSH) looks like
 * a guesser. Allow-list such pairs. UDP scans are not counted (Zeek's
 * policy neither).
 */
import type { Alert } from '../../../shared/domain/alert';
import type { FlowRecord } from '../../../shared/domain/flow';
import { type FlowReference, buildAlert, formatDuration, techniques } from './alert-factory';
import { BoundedMap, pushSampled } from './bounded-map';
import type { CaptureSpan, Detector, DetectorContext } from './detector';
import { findBestWindow } from './sliding-window';

interface Attempt extends FlowReference {
  target: string;
  timeUs: number;
}

interface AttemptList {
  scanner: string;
  /** Victim (port scan, brute force) or port (address scan). */
  group: string;
  service: number;
  attempts: Attempt[];
  sampling: { stride: number; seen: number };
}

/** True when the flow is a TCP attempt from its originator that failed before any data (Zeek's scan rule). */
export function isFailedAttempt(flow: FlowRecord): boolean {
  if (flow.transport !== 'tcp' || !flow.history.includes('S') || /[Dd]/.test(flow.history)) return false;
  return ['S0', 'REJ', 'RSTOS0', 'RSTO', 'RSTR'].includes(flow.connectionState);
}

export class FailedConnectionDetector implements Detector {
  readonly name = 'failed-connections';
  private readonly portScans: BoundedMap<string, AttemptList>;
  private readonly addressScans: BoundedMap<string, AttemptList>;
  private readonly guesses: BoundedMap<string, AttemptList>;
  private readonly bruteForcePorts: Set<number>;

  constructor(private readonly context: DetectorContext) {
    const max = context.settings.limits.maxKeysPerDetector;
    this.portScans = new BoundedMap(max);
    this.addressScans = new BoundedMap(max);
    this.guesses = new BoundedMap(max);
    this.bruteForcePorts = new Set(context.settings.bruteForce.ports);
  }

  get evictions(): number {
    return this.portScans.evictions + this.addressScans.evictions + this.guesses.evictions;
  }

  observeFlow(flow: FlowRecord): void {
    if (flow.transport !== 'tcp') return;
    const scanner = flow.originatorAddress;
    const victim = flow.responderAddress;
    const port = flow.responderPort;
    if (isFailedAttempt(flow)) {
      this.add(this.portScans, `${scanner}>${victim}`, scanner, victim, port, flow, String(port));
      this.add(this.addressScans, `${scanner}>:${port}`, scanner, String(port), port, flow, victim);
    }
    if (this.bruteForcePorts.has(port) && this.isShortSession(flow)) {
      this.add(this.guesses, `${scanner}>${victim}:${port}`, scanner, victim, port, flow, flow.uid);
    }
  }

  private isShortSession(flow: FlowRecord): boolean {
    if (isFailedAttempt(flow)) return true;
    const settings = this.context.settings.bruteForce;
    if (!flow.history.includes('S') || !flow.history.includes('h')) return false;
    if (flow.responderBytes === 0 && flow.originatorBytes === 0) return false;
    const durationUs = flow.durationUs ?? flow.endUs - flow.startUs;
    return durationUs <= settings.maxSessionSeconds * 1_000_000 && flow.responderBytes <= settings.maxResponderBytes;
  }

  private add(
    map: BoundedMap<string, AttemptList>,
    key: string,
    scanner: string,
    group: string,
    service: number,
    flow: FlowRecord,
    target: string,
  ): void {
    const list = map.getOrCreate(key, () => ({
      scanner,
      group,
      service,
      attempts: [],
      sampling: { stride: 1, seen: 0 },
    }));
    const attempt: Attempt = {
      uid: flow.uid,
      startUs: flow.startUs,
      firstPacketNumber: flow.firstPacketNumber,
      lastPacketNumber: flow.lastPacketNumber,
      target,
      timeUs: flow.startUs,
    };
    pushSampled(list.attempts, attempt, this.context.settings.limits.maxSamplesPerPair, list.sampling);
  }

  evaluate(_span: CaptureSpan): Alert[] {
    const scan = this.context.settings.scan;
    const brute = this.context.settings.bruteForce;
    return [
      ...this.evaluateMap(this.portScans, scan.portScanPorts, scan.windowSeconds, (list, distinct, window) => ({
        detector: 'port-scan',
        title: `Port scan of ${list.group} from ${list.scanner}`,
        reason:
          `${list.scanner} made failed TCP attempts (unanswered, rejected, or reset before data) to ${distinct} distinct ports ` +
          `on ${list.group} within ${formatDuration(window)}; the threshold is ${scan.portScanPorts} ports within ` +
          `${formatDuration(scan.windowSeconds * 1_000_000)} (Zeek scan policy).`,
        measurement: { name: 'distinct ports with failed attempts', threshold: scan.portScanPorts, unit: 'ports' },
        technique: techniques.networkServiceDiscovery,
        hosts: [list.scanner, list.group],
      })),
      ...this.evaluateMap(
        this.addressScans,
        scan.addressScanHosts,
        scan.windowSeconds,
        (list, distinct, window, victims) => ({
          detector: 'address-scan',
          title: `Address scan on port ${list.service} from ${list.scanner}`,
          reason:
            `${list.scanner} made failed TCP attempts to port ${list.service} on ${distinct} distinct hosts within ` +
            `${formatDuration(window)}; the threshold is ${scan.addressScanHosts} hosts within ` +
            `${formatDuration(scan.windowSeconds * 1_000_000)} (Zeek scan policy).`,
          measurement: { name: 'distinct hosts with failed attempts', threshold: scan.addressScanHosts, unit: 'hosts' },
          technique: techniques.remoteSystemDiscovery,
          hosts: [list.scanner, ...victims.slice(0, 50)],
        }),
      ),
      ...this.evaluateMap(this.guesses, brute.sessions, brute.windowSeconds, (list, distinct, window) => ({
        detector: 'brute-force',
        title: `Password guessing against ${list.group}:${list.service} from ${list.scanner}`,
        reason:
          `${list.scanner} opened ${distinct} short or failed sessions to ${list.group} port ${list.service} within ` +
          `${formatDuration(window)} (each at most ${brute.maxSessionSeconds} s with at most ${brute.maxResponderBytes} bytes ` +
          `from the server); the threshold is ${brute.sessions} sessions within ${formatDuration(brute.windowSeconds * 1_000_000)} ` +
          `(Zeek SSH guessing limit).`,
        measurement: { name: 'short or failed sessions', threshold: brute.sessions, unit: 'sessions' },
        technique: techniques.bruteForce,
        hosts: [list.scanner, list.group],
      })),
    ];
  }

  private evaluateMap(
    map: BoundedMap<string, AttemptList>,
    threshold: number,
    windowSeconds: number,
    describe: (
      list: AttemptList,
      distinct: number,
      windowUs: number,
      targets: string[],
    ) => {
      detector: string;
      title: string;
      reason: string;
      measurement: { name: string; threshold: number; unit: string };
      technique: { id: string; name: string };
      hosts: string[];
    },
  ): Alert[] {
    const alerts: Alert[] = [];
    for (const [key, list] of map) {
      if (list.attempts.length < threshold) continue;
      const sorted = [...list.attempts].sort((a, b) => a.timeUs - b.timeUs);
      const best = findBestWindow(sorted, windowSeconds * 1_000_000);
      if (best.distinct < threshold) continue;
      const window = sorted.slice(best.from, best.to + 1);
      const firstUs = (window[0] as Attempt).timeUs;
      const lastUs = (window[window.length - 1] as Attempt).timeUs;
      const targets = [...new Set(window.map((attempt) => attempt.target))];
      const text = describe(list, best.distinct, lastUs - firstUs, targets);
      // Score: 50 at the threshold, +25 per doubling past it.
      const score = 50 + 25 * Math.log2(best.distinct / threshold);
      alerts.push(
        buildAlert(
          {
            detector: text.detector,
            key,
            score,
            title: text.title,
            reason: text.reason,
            measurements: [{ ...text.measurement, value: best.distinct }],
            technique: text.technique,
            firstUs,
            lastUs,
            hosts: text.hosts,
            flows: window,
          },
          this.context.settings.limits.maxEvidence,
        ),
      );
    }
    return alerts;
  }
}
