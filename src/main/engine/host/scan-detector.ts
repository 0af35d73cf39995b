/**
 * Failed-connection scan detector: one source whose TCP connection attempts
 * fail on many ports of one host (port scan) or on one port of many hosts
 * (address scan) within a time window.
 *
 * The thresholds and window are the defaults of Zeek's
 * scripts/policy/misc/scan.zeek: `port_scan_threshold = 15.0` unique ports
 * on a single victim host, `addr_scan_threshold = 25.0` unique hosts on a
 * single port, each over `port_scan_interval` / `addr_scan_interval = 5min`.
 * That script also defines which connections count as failed: an unanswered
 * SYN (S0), a rejected SYN (REJ), and a reset before data in either direction.
 */
import type { Alert, AlertMeasurement } from '../../../shared/domain/alert';
import type { FlowRecord } from '../../../shared/domain/flow';

export const portScanThresholdPorts = 15;
export const addressScanThresholdHosts = 25;
export const scanWindowUs = 5 * 60 * 1_000_000;
/** Flows and packets listed as evidence per alert; the rest are counted in `isTruncated`. */
export const maxEvidenceItems = 500;
/** Victims (port scans) or ports (address scans) named in one alert's hosts and reason. */
const maxListedTargets = 20;

/** ATT&CK technique for scanning: Network Service Discovery. */
const networkServiceDiscovery = 'T1046';

interface FailedAttempt {
  flow: FlowRecord;
  scanner: string;
  victim: string;
  port: number;
}

/** True when the flow is a TCP connection attempt from its originator that failed before any data. */
export function isFailedConnection(flow: FlowRecord): boolean {
  if (flow.transport !== 'tcp') return false;
  if (!flow.history.includes('S')) return false;
  if (/[Dd]/.test(flow.history)) return false;
  switch (flow.connectionState) {
    case 'S0':
    case 'REJ':
    case 'RSTOS0':
    case 'RSTO':
    case 'RSTR':
      return true;
    default:
      return false;
  }
}

/**
 * Find port scans and address scans among `flows`. Returns at most one alert
 * per scanner and kind, with the largest count any window reached.
 *
 * NOTE: the window slides over attempt start times, while Zeek's SumStats
 * counts in fixed 5-minute epochs. So a scan split by an epoch boundary can
 * alert here and not in Zeek. Scans whose originator never sent a SYN
 * (backscatter, Zeek's "reverse" scans) are not counted.
 */
export function detectScans(flows: readonly FlowRecord[]): Alert[] {
  const attempts: FailedAttempt[] = [];
  for (const flow of flows) {
    if (!isFailedConnection(flow)) continue;
    attempts.push({ flow, scanner: flow.originatorAddress, victim: flow.responderAddress, port: flow.responderPort });
  }
  attempts.sort((a, b) => a.flow.startUs - b.flow.startUs);

  const portScans = findCrossings(
    attempts,
    (attempt) => `${attempt.scanner}\u0000${attempt.victim}`,
    (attempt) => String(attempt.port),
    portScanThresholdPorts,
  );
  const addressScans = findCrossings(
    attempts,
    (attempt) => `${attempt.scanner}\u0000${attempt.port}`,
    (attempt) => attempt.victim,
    addressScanThresholdHosts,
  );

  return [...alertsForPortScans(portScans), ...alertsForAddressScans(addressScans)];
}

/** A key (scanner and victim, or scanner and port) whose distinct targets crossed the threshold in some window. */
interface Crossing {
  scanner: string;
  /** Victim address for port scans, port for address scans. */
  keyTarget: string;
  /** Largest number of distinct targets in one window. */
  maxDistinct: number;
  /** Attempts in that window. */
  windowAttempts: FailedAttempt[];
}

function findCrossings(
  attempts: readonly FailedAttempt[],
  keyOf: (attempt: FailedAttempt) => string,
  targetOf: (attempt: FailedAttempt) => string,
  threshold: number,
): Crossing[] {
  const groups = new Map<string, FailedAttempt[]>();
  for (const attempt of attempts) {
    const key = keyOf(attempt);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [attempt]);
    else group.push(attempt);
  }

  const crossings: Crossing[] = [];
  for (const [key, group] of groups) {
    const best = findBestWindow(group, targetOf);
    if (best.maxDistinct < threshold) continue;
    const [scanner = '', keyTarget = ''] = key.split('\u0000');
    crossings.push({
      scanner,
      keyTarget,
      maxDistinct: best.maxDistinct,
      windowAttempts: group.slice(best.from, best.to + 1),
    });
  }
  return crossings;
}

/** Slide a `scanWindowUs` window over time-ordered attempts and find the one with the most distinct targets. */
function findBestWindow(
  group: readonly FailedAttempt[],
  targetOf: (attempt: FailedAttempt) => string,
): { maxDistinct: number; from: number; to: number } {
  const counts = new Map<string, number>();
  let best = { maxDistinct: 0, from: 0, to: 0 };
  let from = 0;
  for (let to = 0; to < group.length; to += 1) {
    const entering = group[to] as FailedAttempt;
    const target = targetOf(entering);
    counts.set(target, (counts.get(target) ?? 0) + 1);

    while (entering.flow.startUs - (group[from] as FailedAttempt).flow.startUs > scanWindowUs) {
      const leaving = targetOf(group[from] as FailedAttempt);
      const remaining = (counts.get(leaving) ?? 1) - 1;
      if (remaining === 0) counts.delete(leaving);
      else counts.set(leaving, remaining);
      from += 1;
    }
    if (counts.size > best.maxDistinct) best = { maxDistinct: counts.size, from, to };
  }
  return best;
}

function alertsForPortScans(crossings: readonly Crossing[]): Alert[] {
  return groupByScanner(crossings).map(([scanner, scans]) => {
    const top = scans[0] as Crossing;
    const victims = scans.map((scan) => scan.keyTarget);
    const others = scans.length - 1;
    const measurement: AlertMeasurement = {
      name: 'distinct destination ports with failed connections on one host',
      value: top.maxDistinct,
      threshold: portScanThresholdPorts,
      unit: 'ports',
    };
    const reason =
      `${scanner} made failed TCP connection attempts (no answer, rejected, or reset before any data) ` +
      `to ${top.maxDistinct} distinct ports on ${top.keyTarget} within ${describeSpan(top.windowAttempts)}; ` +
      `the threshold is ${portScanThresholdPorts} ports within ${scanWindowUs / 60_000_000} minutes.` +
      (others > 0 ? ` ${others} more host${others === 1 ? ' was' : 's were'} scanned the same way.` : '');
    return buildScanAlert('port-scan', scanner, victims, scans, measurement, `Port scan from ${scanner}`, reason);
  });
}

function alertsForAddressScans(crossings: readonly Crossing[]): Alert[] {
  return groupByScanner(crossings).map(([scanner, scans]) => {
    const top = scans[0] as Crossing;
    const ports = scans.map((scan) => scan.keyTarget);
    const victims = [...new Set(scans.flatMap((scan) => scan.windowAttempts.map((attempt) => attempt.victim)))];
    const measurement: AlertMeasurement = {
      name: 'distinct hosts with failed connections on one port',
      value: top.maxDistinct,
      threshold: addressScanThresholdHosts,
      unit: 'hosts',
    };
    const reason =
      `${scanner} made failed TCP connection attempts to port ${top.keyTarget} on ${top.maxDistinct} distinct hosts ` +
      `within ${describeSpan(top.windowAttempts)}; the threshold is ${addressScanThresholdHosts} hosts within ` +
      `${scanWindowUs / 60_000_000} minutes.` +
      (ports.length > 1 ? ` Ports swept the same way: ${ports.slice(0, maxListedTargets).join(', ')}.` : '');
    return buildScanAlert(
      'address-scan',
      scanner,
      victims,
      scans,
      measurement,
      `Address scan from ${scanner} on port ${top.keyTarget}`,
      reason,
    );
  });
}

/** Scanner -> its crossings, largest count first; scanners in order of their largest count. */
function groupByScanner(crossings: readonly Crossing[]): [string, Crossing[]][] {
  const byScanner = new Map<string, Crossing[]>();
  for (const crossing of crossings) {
    const list = byScanner.get(crossing.scanner);
    if (list === undefined) byScanner.set(crossing.scanner, [crossing]);
    else list.push(crossing);
  }
  const groups = [...byScanner.entries()];
  for (const [, list] of groups) list.sort((a, b) => b.maxDistinct - a.maxDistinct);
  groups.sort((a, b) => (b[1][0]?.maxDistinct ?? 0) - (a[1][0]?.maxDistinct ?? 0));
  return groups;
}

function buildScanAlert(
  kind: 'port-scan' | 'address-scan',
  scanner: string,
  victims: readonly string[],
  scans: readonly Crossing[],
  measurement: AlertMeasurement,
  title: string,
  reason: string,
): Alert {
  const flows = scans.flatMap((scan) => scan.windowAttempts.map((attempt) => attempt.flow));
  flows.sort((a, b) => a.startUs - b.startUs);
  const listed = flows.slice(0, maxEvidenceItems);
  const ratio = measurement.value / measurement.threshold;
  return {
    id: `${kind}:${scanner}`,
    detector: 'failed-connection-scan',
    severity: ratio >= 4 || scans.length >= 5 ? 'high' : 'medium',
    score: Math.max(0, Math.min(100, Math.round(40 + 20 * Math.log2(ratio)))),
    title,
    reason,
    measurements: [measurement],
    mitreTechnique: networkServiceDiscovery,
    firstUs: flows[0]?.startUs ?? 0,
    lastUs: flows.reduce((max, flow) => Math.max(max, flow.endUs), 0),
    hosts: [scanner, ...victims.slice(0, maxListedTargets)],
    evidence: {
      flowUids: listed.map((flow) => flow.uid),
      packetNumbers: listed.map((flow) => flow.firstPacketNumber),
      isTruncated: flows.length > listed.length,
    },
  };
}

/** Time between the first and last attempt of a window, in words ("42 seconds"). */
function describeSpan(attempts: readonly FailedAttempt[]): string {
  const firstUs = attempts[0]?.flow.startUs ?? 0;
  const lastUs = attempts[attempts.length - 1]?.flow.startUs ?? firstUs;
  const seconds = (lastUs - firstUs) / 1_000_000;
  if (seconds < 1) return `${Math.round(seconds * 1000)} milliseconds`;
  if (seconds < 120) return `${Math.round(seconds * 10) / 10} seconds`;
  return `${Math.round((seconds / 60) * 10) / 10} minutes`;
}
