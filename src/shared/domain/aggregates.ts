/** Aggregates the engine computes for the charts and the overview. JSON-safe. */
import type { CaptureSummary } from './capture-summary';
import type { TransportName } from './flow';
import type { HostTotals } from './host';

export interface TimelineBucket {
  /** Start of the bucket; the bucket covers [startUs, startUs + bucketUs). */
  startUs: number;
  /** IP bytes, a flow's bytes spread evenly over its duration. */
  bytes: number;
  /** Packets, spread the same way as bytes. */
  packets: number;
  /** Flows whose first packet falls in the bucket. */
  newFlows: number;
}

export interface Timeline {
  /** Bucket width, one of the steps in `timelineBucketSteps`; 0 when there are no flows. */
  bucketUs: number;
  /** Consecutive buckets in time order, empty ones included. */
  buckets: TimelineBucket[];
}

export interface ProtocolShare {
  transport: TransportName;
  flows: number;
  bytes: number;
  packets: number;
}

export interface ServiceShare {
  /** Zeek service name, or '(unknown)' for flows no analyzer identified. */
  service: string;
  flows: number;
  bytes: number;
}

export interface CaptureOverview {
  captureId: string;
  /** Final summary, or null while the capture is still loading. */
  summary: CaptureSummary | null;
  /** SHA-256 of the capture file as lowercase hex, or null until the whole file was hashed. */
  sha256: string | null;
  /** Hosts with the most bytes, largest first. */
  topTalkers: HostTotals[];
  /** Largest share first. */
  protocolMix: ProtocolShare[];
  serviceMix: ServiceShare[];
  /** Flows loaded so far (equals summary.flows once done). */
  flows: number;
}
