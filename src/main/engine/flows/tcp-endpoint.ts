/**
 * One side of a TCP connection, tracked the way Zeek's TCP_Endpoint does so
 * that conn_state, history and byte counts match Zeek's conn.log.
 *
 * Sequence numbers are kept relative to the endpoint's initial sequence
 * number (ISN) as plain numbers, so 32-bit wrap-around needs no special
 * case: a new sequence number is placed relative to the highest one seen.
 */

export const TcpEndpointState = {
  inactive: 0,
  synSent: 1,
  synAckSent: 2,
  partial: 3,
  established: 4,
  closed: 5,
  reset: 6,
} as const;
export type TcpEndpointStateValue = (typeof TcpEndpointState)[keyof typeof TcpEndpointState];

/** Zeek's ScaledHistoryEntry: a letter at the 1st, 10th, 100th ... occurrence. */
export interface ScaledLetter {
  count: number;
  threshold: number;
}

export class TcpEndpoint {
  state: TcpEndpointStateValue = TcpEndpointState.inactive;
  previousState: TcpEndpointStateValue = TcpEndpointState.inactive;
  /** Initial sequence number, unsigned 32-bit. */
  initialSequence = 0;
  /** One past the highest sequence number sent, relative to the ISN. */
  lastEnd = 0;
  /** Highest acknowledgement the peer sent for this side's data, relative to the ISN. */
  acknowledgedEnd = 0;
  /** Highest relative sequence number seen or already counted as missing. */
  coveredEnd = 0;
  finCount = 0;
  didClose = false;
  lastSynSequence = 0;
  lastFinSequence = 0;
  lastRstSequence = 0;
  readonly retransmissions: ScaledLetter = { count: 0, threshold: 1 };
  readonly zeroWindows: ScaledLetter = { count: 0, threshold: 1 };
  readonly gaps: ScaledLetter = { count: 0, threshold: 1 };

  setState(state: TcpEndpointStateValue): void {
    if (state === this.state) return;
    this.previousState = this.state;
    this.state = state;
  }

  /**
   * Place an unsigned 32-bit sequence number in this side's relative space,
   * within 2^31 of `nearEnd` (the highest sequence end by default).
   */
  toRelative(sequence: number, nearEnd: number = this.lastEnd): number {
    const reference = (this.initialSequence + nearEnd) % 4294967296;
    return nearEnd + ((sequence - reference) | 0);
  }

  /** Re-anchor the sequence space at `sequence` (a SYN, or the first packet of a partial connection). */
  initializeSequence(initialSequence: number, lastEnd: number): void {
    this.initialSequence = initialSequence >>> 0;
    this.lastEnd = lastEnd;
    this.acknowledgedEnd = 0;
    this.coveredEnd = lastEnd;
  }

  /**
   * Zeek's TCP_Endpoint::Size: payload bytes from the sequence span (or the
   * peer's acknowledgements when they reach further), less the SYN and FIN
   * octets. Returns 0 for a SYN that was reset before any answer.
   */
  getPayloadSize(peer: TcpEndpoint): number {
    const isAbortedAttempt =
      this.previousState === TcpEndpointState.synSent &&
      this.state === TcpEndpointState.reset &&
      peer.state === TcpEndpointState.inactive;
    if (isAbortedAttempt) return 0;

    let size = Math.max(this.lastEnd, this.acknowledgedEnd);
    if (size > 0) size--;
    if (this.finCount > 0 && size > 0) size--;
    return size;
  }
}

/** Count one occurrence and return true when it reaches the next power of ten. */
export function countScaledLetter(letter: ScaledLetter): boolean {
  letter.count++;
  if (letter.count !== letter.threshold) return false;
  letter.threshold *= 10;
  return true;
}
