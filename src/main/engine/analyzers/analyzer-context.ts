/**
 * Surroundings of a per-flow analyzer: the flow's identity and the sinks its
 * records go to. One context is created per analyzed flow.
 */
import type { ConnectionEndpoints, DnsRecord, HttpRecord } from '../../../shared/domain/records';
import type { DhcpMessage } from './dhcp-message';

export interface AnalyzerContext {
  readonly flowUid: string;
  readonly flowEndpoints: ConnectionEndpoints;
  emitDns(record: DnsRecord): void;
  emitHttp(record: HttpRecord): void;
  emitDhcpMessage(message: DhcpMessageEvent): void;
  /**
   * Report a protocol violation with Zeek's weird name where one exists.
   * Repeats of one name on one flow are written once.
   */
  emitWeird(name: string, additional: string | null, source: string, packetNumber: number, timestampUs: number): void;
}

/** One decoded DHCP message with the flow facts Zeek's aggregation needs. */
export interface DhcpMessageEvent {
  timestampUs: number;
  uid: string;
  endpoints: ConnectionEndpoints;
  isFromOriginator: boolean;
  message: DhcpMessage;
}
