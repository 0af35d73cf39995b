/** The part of an alert a scenario's expected.json records and the test compares. */
import type { Alert } from '../../../src/shared/domain/alert';

export interface AlertFixture {
  id: string;
  detector: string;
  severity: string;
  score: number;
  key: string | undefined;
  hosts: string[];
  firstUs: number;
  lastUs: number;
  measurements: { name: string; value: number; threshold: number }[];
  evidenceFlows: number;
  evidencePackets: number;
  /** First five of each, in order. */
  firstFlowUids: string[];
  firstPacketNumbers: number[];
}

export function summarizeAlertForFixture(alert: Alert): AlertFixture {
  return {
    id: alert.id,
    detector: alert.detector,
    severity: alert.severity,
    score: alert.score,
    key: alert.key,
    hosts: alert.hosts,
    firstUs: alert.firstUs,
    lastUs: alert.lastUs,
    measurements: alert.measurements.map(({ name, value, threshold }) => ({ name, value, threshold })),
    evidenceFlows: alert.evidence.flowUids.length,
    evidencePackets: alert.evidence.packetNumbers.length,
    firstFlowUids: alert.evidence.flowUids.slice(0, 5),
    firstPacketNumbers: alert.evidence.packetNumbers.slice(0, 5),
  };
}
