/**
 * The shape of the engine's capture analysis as the host uses it. The engine
 * process passes `analyzeCapture` from `../analyze-capture`; tests pass a
 * fake that feeds flows from memory.
 */
import type { CaptureSummary } from '../../../shared/domain/capture-summary';
import type { FlowRecord } from '../../../shared/domain/flow';
import type { RecordType, RecordValue } from '../../../shared/domain/record-table';
import type { DhcpRecord, DnsRecord, HttpRecord } from '../../../shared/domain/records';
import type { DecodedPacket } from '../decode/decoded-packet';
import type { ProtocolObservation } from '../detectors/protocol/protocol-observation';
import type { PacketRecord } from '../source/packet-record';

export interface AnalyzeProgress {
  bytesRead: number;
  totalBytes: number;
  packets: number;
  flows: number;
}

export interface AnalyzeOptions {
  signal?: AbortSignal;
  onProgress?(progress: AnalyzeProgress): void;
  onFlows?(flows: FlowRecord[]): void;
  /** DNS records as the analyzers complete them (only when the analysis runs the application analyzers). */
  onDnsRecord?(record: DnsRecord): void;
  /** HTTP records, likewise. */
  onHttpRecord?(record: HttpRecord): void;
  /** DHCP exchanges, likewise. */
  onDhcpRecord?(record: DhcpRecord): void;
  /**
   * Provisional records (`isProvisional`) of flows still open that changed
   * since the last call, so views fill in before flows finish. Called with
   * the progress reports, at most every `activeFlowIntervalMs`.
   */
  onActiveFlows?(flows: FlowRecord[]): void;
  /** Every analyzer record as a Zeek log row (dns.log, http.log, ssl.log, ...), keyed by Zeek's field names. */
  onRecord?(type: RecordType, fields: Record<string, RecordValue>): void;
  /** TLS server names (SNI) with the server address, as the analyzers see them. */
  onServerName?(address: string, name: string): void;
  /** Every analyzer record mapped for the protocol-aware detectors. */
  onProtocolRecord?(record: ProtocolObservation): void;
  /** Every packet right after decoding, for the link-layer detectors; both arguments are borrowed for the call. */
  onDecodedPacket?(decoded: DecodedPacket, record: PacketRecord): void;
}

/** Least time between two `onActiveFlows` calls, in milliseconds. */
export const activeFlowIntervalMs = 250;

export type AnalyzeCapture = (path: string, options?: AnalyzeOptions) => Promise<{ summary: CaptureSummary }>;
