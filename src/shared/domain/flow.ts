/**
 * A flow (connection) with Zeek's conn.log meaning, as the engine reports it.
 *
 * Plain JSON-safe data: it crosses IPC and WebSocket unchanged. Times are
 * integer microseconds since the Unix epoch.
 */
import type { IcmpSummary } from './records';

/** Zeek's `proto` enum. */
export type TransportName = 'tcp' | 'udp' | 'icmp' | 'unknown_transport';

/** Zeek's conn_state values; see Zeek's base/protocols/conn/main.zeek for their meaning. */
export type ConnectionState =
  | 'S0'
  | 'S1'
  | 'SF'
  | 'REJ'
  | 'S2'
  | 'S3'
  | 'RSTO'
  | 'RSTR'
  | 'RSTOS0'
  | 'RSTRH'
  | 'SH'
  | 'SHR'
  | 'OTH';

export interface FlowRecord {
  /** Zeek-style connection id: "C" and 17 base62 characters derived from the key and first timestamp. */
  uid: string;
  /** Community ID v1 ("1:" + base64 SHA-1), seed 0. */
  communityId: string;
  /** Timestamp of the first packet, microseconds. */
  startUs: number;
  /** Timestamp of the last packet, microseconds. */
  endUs: number;
  /** 1-based numbers of the first and last packet of the flow in the capture. */
  firstPacketNumber: number;
  lastPacketNumber: number;

  originatorAddress: string;
  /** Port, or for ICMP the originator's message type as Zeek keys it. */
  originatorPort: number;
  responderAddress: string;
  /** Port, or for ICMP the counterpart type (echo reply for echo request, ...). */
  responderPort: number;
  transport: TransportName;
  /** IP protocol number (Zeek's ip_proto). */
  ipProtocol: number;
  /** Outer then inner VLAN id, or null. */
  vlan: number | null;
  innerVlan: number | null;
  /** Application protocol(s) identified, comma-separated as Zeek writes them; null until an analyzer sets it. */
  service: string | null;

  /** Zeek orig_bytes/resp_bytes: payload bytes from the TCP sequence span (UDP: payload length sum). */
  originatorBytes: number;
  responderBytes: number;
  /** Bytes in gaps of the TCP sequence space that were never seen. */
  missedBytes: number;
  originatorPackets: number;
  responderPackets: number;
  /** Sum of IP lengths (IPv4 total length, IPv6 payload length + 40). */
  originatorIpBytes: number;
  responderIpBytes: number;
  /** Sum of payload bytes present on the wire, retransmissions included. */
  originatorPayloadBytes: number;
  responderPayloadBytes: number;

  connectionState: ConnectionState;
  /** Zeek history letters, e.g. "ShADadFf". */
  history: string;
  /** uids of the flows that carried this one inside a tunnel. */
  tunnelParents: string[];
  /** True when the flow ended by FIN/RST or inactivity; false while it may still grow. */
  isFinished: boolean;
  /**
   * Zeek's duration in microseconds: first packet to the last packet that
   * counted, which leaves out TCP packets after both sides closed.
   */
  durationUs?: number;
  /** Zeek's local_orig and local_resp: the address is in a private or special-purpose range. */
  isOriginatorLocal?: boolean;
  isResponderLocal?: boolean;
  /** True when the identified `service` runs on neither of its usual ports (for example ssh on 8080). */
  isServiceOnUnusualPort?: boolean;
  /** The service's usual ports, set with `isServiceOnUnusualPort`. */
  expectedPorts?: number[];
  /** ICMP flows: message names, echo payload sizes and tunnel signs. */
  icmp?: IcmpSummary;
  /**
   * True on a provisional record of a flow still open while a capture loads:
   * packet and byte counts only, no TCP state or history. The final record
   * (same uid) replaces it when the flow leaves the flow table.
   */
  isProvisional?: boolean;
  /**
   * True on an IP-level flow: packets of one (source, destination, protocol)
   * that carry no transport header to key them by, namely IP fragments whose
   * first fragment never arrived. Ports are 0, history is empty and
   * conn_state is OTH. Zeek logs nothing for such packets, so conn.log
   * leaves these flows out; flow counts and per-address-pair totals include
   * them, as tshark's conversation tables do.
   */
  isIpOnly?: boolean;
}
