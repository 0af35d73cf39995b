/**
 * Turns a detector's finding into an Alert: stable id, severity from the
 * score, evidence capped, values rounded for reading.
 */
import { hash } from 'node:crypto';
import type { Alert, AlertMeasurement, AlertSeries, AlertSeverity, AlertSubScore } from '../../../shared/domain/alert';
import { alertSeverities } from '../../../shared/domain/alert';
import type { FlowRecord } from '../../../shared/domain/flow';

export interface Technique {
  id: string;
  name: string;
}

/** ATT&CK techniques the detectors name. */
export const techniques = {
  applicationLayerProtocol: { id: 'T1071', name: 'Application Layer Protocol' },
  exfiltrationOverC2: { id: 'T1041', name: 'Exfiltration Over C2 Channel' },
  networkServiceDiscovery: { id: 'T1046', name: 'Network Service Discovery' },
  remoteSystemDiscovery: { id: 'T1018', name: 'Remote System Discovery' },
  bruteForce: { id: 'T1110', name: 'Brute Force' },
  networkDenialOfService: { id: 'T1498', name: 'Network Denial of Service' },
  remoteServices: { id: 'T1021', name: 'Remote Services' },
  arpCachePoisoning: { id: 'T1557.002', name: 'Adversary-in-the-Middle: ARP Cache Poisoning' },
  dhcpSpoofing: { id: 'T1557.003', name: 'Adversary-in-the-Middle: DHCP Spoofing' },
  hardwareAdditions: { id: 'T1200', name: 'Hardware Additions' },
  encryptedChannel: { id: 'T1573', name: 'Encrypted Channel' },
  nonStandardPort: { id: 'T1571', name: 'Non-Standard Port' },
  validAccounts: { id: 'T1078', name: 'Valid Accounts' },
} as const satisfies Record<string, Technique>;

/**
 * Flow fields an alert needs; a FlowRecord has them all. `packets` (both
 * directions) gives the evidence the flows' packet total when the reference
 * is not a whole FlowRecord.
 */
export type FlowReference = Pick<FlowRecord, 'uid' | 'startUs' | 'firstPacketNumber' | 'lastPacketNumber'> & {
  packets?: number;
};

export interface AlertDraft {
  detector: string;
  /** Grouping key of the finding; with detector and firstUs it makes the id. */
  key: string;
  score: number;
  /** Highest severity this finding may take whatever its score. */
  maxSeverity?: AlertSeverity;
  title: string;
  reason: string;
  measurements: AlertMeasurement[];
  technique: Technique;
  firstUs: number;
  lastUs: number;
  hosts: string[];
  flows?: readonly FlowReference[];
  /** Packet numbers beyond the flows' first and last packets (ARP replies, DHCP offers, a TLS Certificate). */
  packetNumbers?: readonly number[];
  subScores?: AlertSubScore[];
  series?: AlertSeries[];
}

/** Id: "A" and 16 hex digits of SHA-1 over detector, key and first time, so a re-run gives the same id. */
export function deriveAlertId(detector: string, key: string, firstUs: number): string {
  return `A${hash('sha1', `${detector}\u0000${key}\u0000${firstUs}`, 'hex').slice(0, 16)}`;
}

/** Severity for a 0-100 score: 90 critical, 70 high, 50 medium, 25 low, else info. */
export function severityForScore(score: number): AlertSeverity {
  if (score >= 90) return 'critical';
  if (score >= 70) return 'high';
  if (score >= 50) return 'medium';
  if (score >= 25) return 'low';
  return 'info';
}

export function capSeverity(severity: AlertSeverity, max: AlertSeverity | undefined): AlertSeverity {
  if (max === undefined) return severity;
  return alertSeverities.indexOf(severity) > alertSeverities.indexOf(max) ? max : severity;
}

/** Build the alert; evidence lists at most `maxEvidence` flow uids and packet numbers each. */
export function buildAlert(draft: AlertDraft, maxEvidence: number): Alert {
  const flows = [...(draft.flows ?? [])].sort(
    (a, b) => a.startUs - b.startUs || a.firstPacketNumber - b.firstPacketNumber,
  );
  const packetSet = new Set<number>(draft.packetNumbers ?? []);
  for (const flow of flows) {
    packetSet.add(flow.firstPacketNumber);
    packetSet.add(flow.lastPacketNumber);
  }
  const packetNumbers = [...packetSet].sort((a, b) => a - b);
  const packetsDescription =
    flows.length === 0 ? undefined : describeFlowPackets(flows, draft.packetNumbers ?? [], packetNumbers.length, maxEvidence);
  const score = Math.max(0, Math.min(100, Math.round(draft.score)));
  return {
    id: deriveAlertId(draft.detector, draft.key, draft.firstUs),
    detector: draft.detector,
    severity: capSeverity(severityForScore(score), draft.maxSeverity),
    score,
    title: draft.title,
    reason: draft.reason,
    measurements: draft.measurements.map((m) => ({ ...m, value: roundForReading(m.value) })),
    mitreTechnique: draft.technique.id,
    mitreTechniqueName: draft.technique.name,
    firstUs: draft.firstUs,
    lastUs: draft.lastUs,
    hosts: [...new Set(draft.hosts)],
    evidence: {
      flowUids: flows.slice(0, maxEvidence).map((flow) => flow.uid),
      packetNumbers: packetNumbers.slice(0, maxEvidence),
      isTruncated: flows.length > maxEvidence || packetNumbers.length > maxEvidence,
      ...(packetsDescription === undefined ? {} : { packetsDescription }),
    },
    key: draft.key,
    ...(draft.subScores === undefined
      ? {}
      : { subScores: draft.subScores.map((s) => ({ ...s, value: roundForReading(s.value) })) }),
    ...(draft.series === undefined ? {} : { series: draft.series }),
  };
}

/** Packets of one flow (both directions), or null when the reference does not carry the counts. */
function countFlowPackets(flow: FlowReference): number | null {
  if (flow.packets !== undefined) return flow.packets;
  const counted = flow as Partial<Pick<FlowRecord, 'originatorPackets' | 'responderPackets'>>;
  if (counted.originatorPackets === undefined || counted.responderPackets === undefined) return null;
  return counted.originatorPackets + counted.responderPackets;
}

/**
 * "60 packets: the first and last packet of each of the 30 flows, which have
 * 451 packets in all; open a flow for all its packets." Flow records carry
 * only their first and last packet numbers, so a flow-based alert cannot
 * list every packet; the text puts that beside the count.
 */
function describeFlowPackets(
  flows: readonly FlowReference[],
  ownPackets: readonly number[],
  listed: number,
  maxEvidence: number,
): string {
  const counts = flows.map(countFlowPackets);
  const total = counts.every((count): count is number => count !== null)
    ? counts.reduce((sum, count) => sum + count, 0)
    : null;
  const flowText = flows.length === 1 ? 'the flow' : `each of the ${flows.length} flows`;
  const own = new Set(ownPackets).size;
  const ownText = own === 0 ? '' : `the ${own === 1 ? 'packet' : `${own} packets`} that raised the alert and `;
  const totalText = total === null ? '' : `, which ${flows.length === 1 ? 'has' : 'have'} ${total} packet${total === 1 ? '' : 's'} in all`;
  return (
    `${listed} packet${listed === 1 ? '' : 's'}: ${ownText}the first and last packet of ${flowText}${totalText}; ` +
    `open a flow for all its packets.${listed > maxEvidence ? ` The list stops at ${maxEvidence}.` : ''}`
  );
}

/** Round to 3 significant decimals for people; integers stay as they are. */
export function roundForReading(value: number): number {
  if (Number.isInteger(value)) return value;
  return Math.round(value * 1000) / 1000;
}

/** "1.5 MB", "300 B": bytes for a reason text. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GiB`;
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** "2 h 5 min", "40 s": a duration for a reason text. */
export function formatDuration(us: number): string {
  const seconds = us / 1_000_000;
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
  if (seconds >= 120) return `${Math.round(seconds / 60)} min`;
  return `${roundForReading(seconds)} s`;
}
