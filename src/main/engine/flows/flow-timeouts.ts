/**
 * Inactivity and close timeouts of the flow table, in microseconds of
 * capture time (the packet clock), never wall time.
 */
export interface FlowTimeouts {
  /** Established TCP connection without packets (Zeek tcp_inactivity_timeout, 5 min). */
  tcpInactivityUs: number;
  /** SYN sent, no reply (Zeek tcp_attempt_delay, 5 s). */
  tcpAttemptUs: number;
  /** After both sides closed or one reset (Zeek tcp_close_delay, 5 s). */
  tcpCloseUs: number;
  /** After one side closed while the other is idle or gone (Zeek tcp_connection_linger, 5 s). */
  tcpLingerUs: number;
  /** UDP flow without packets (Zeek udp_inactivity_timeout, 1 min). */
  udpInactivityUs: number;
  /** UDP flow on a DNS port (53, 137, 5353, 5355), where Zeek's DNS analyzer applies dns_session_timeout (10 s). */
  udpDnsInactivityUs: number;
  /** ICMP flow without packets (Zeek icmp_inactivity_timeout, 1 min). */
  icmpInactivityUs: number;
  /** Other IP protocols (Zeek unknown_ip_inactivity_timeout, 1 min). */
  otherInactivityUs: number;
}

export const DEFAULT_FLOW_TIMEOUTS: Readonly<FlowTimeouts> = {
  tcpInactivityUs: 300_000_000,
  tcpAttemptUs: 5_000_000,
  tcpCloseUs: 5_000_000,
  tcpLingerUs: 5_000_000,
  udpInactivityUs: 60_000_000,
  udpDnsInactivityUs: 10_000_000,
  icmpInactivityUs: 60_000_000,
  otherInactivityUs: 60_000_000,
};

/** Merge caller overrides onto the Zeek defaults. */
export function resolveFlowTimeouts(overrides: Partial<FlowTimeouts> | undefined): FlowTimeouts {
  return { ...DEFAULT_FLOW_TIMEOUTS, ...overrides };
}
