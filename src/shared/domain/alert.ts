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
  /**
   * Description of what `packetNumbers` contains, when the alert has flows.
   * Flow records keep only their first and last packet numbers, so the list
   * is those two per flow plus packets a detector recorded itself. The flows'
   * other packets are reached through the listed flows.
   */
  packetsDescription?: string;
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
  /** ATT&CK technique name ("Application Layer Protocol"); absent on alerts made before detectors set it. */
  mitreTechniqueName?: string | null;
  /** Grouping key of the detector ("10.66.0.5>198.18.0.9"); with detector and firstUs it derives `id`. */
  key?: string;
  /** Parts of the score, each 0 to 1 (beaconing: interval skew, interval MAD, count, size skew, ...). */
  subScores?: AlertSubScore[];
  /** Measured sequences behind the alert, for the detail chart (beaconing: intervals and bytes per connection). */
  series?: AlertSeries[];
  /** The analyst's verdict, kept beside the outputs until a case store exists. */
  status?: AlertStatus;
}

export const alertStatuses = ['open', 'dismissed', 'confirmed'] as const;

export type AlertStatus = (typeof alertStatuses)[number];

export interface AlertSubScore {
  name: string;
  /** 0 to 1; 1 is the most suspicious. */
  value: number;
  /** Weight of this part in the 0-100 score; the weights of one alert add up to 1. */
  weight: number;
}

export interface AlertSeries {
  /** Name of the measured values ("gap since previous connection"). */
  name: string;
  unit: string;
  /** Time of each point, microseconds; same length as `values`. */
  timesUs: number[];
  values: number[];
  /** True when the series was thinned to its cap. */
  isTruncated: boolean;
}
