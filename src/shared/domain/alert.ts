/** Alerts as the alerts panel shows them. JSON-safe. */

export const alertSeverities = ['info', 'low', 'medium', 'high', 'critical'] as const;

export type AlertSeverity = (typeof alertSeverities)[number];

/** One measured value beside the threshold it crossed, so the panel can show both. */
export interface AlertMeasurement {
  /** What was measured, in words ("distinct destination ports"). */
  name: string;
  value: number;
  threshold: number;
  /** Unit of value and threshold ("ports", "hosts", "seconds", "packets"). */
  unit: string;
}

export interface AlertEvidence {
  /** Flows behind the alert, at most a capped number (see `isTruncated`). */
  flowUids: string[];
  /** 1-based packet numbers in the capture, at most a capped number. */
  packetNumbers: number[];
  /** True when more evidence existed than the alert lists. */
  isTruncated: boolean;
}

export interface Alert {
  /** Stable within one loaded capture. */
  id: string;
  /** Detector name, e.g. "failed-connection-scan" or "decode-problems". */
  detector: string;
  severity: AlertSeverity;
  /** 0 to 100: how far the measurements went past their thresholds. */
  score: number;
  title: string;
  /** Plain-language reason with the measured values beside the thresholds. */
  reason: string;
  measurements: AlertMeasurement[];
  /** MITRE ATT&CK technique id (e.g. "T1046"), or null when none applies. */
  mitreTechnique: string | null;
  firstUs: number;
  lastUs: number;
  /** Addresses involved, the acting host first. */
  hosts: string[];
  evidence: AlertEvidence;
}
