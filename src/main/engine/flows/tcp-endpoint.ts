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

/** Out-of-order segments remembered per side; later ones are treated as missing until acknowledged. */
const MAX_OUT_OF_ORDER_RANGES = 16;

export class TcpEndpoint {
  state: TcpEndpointStateValue = TcpEndpointState.inactive;
  previousState: TcpEndpointStateValue = TcpEndpointState.inactive;
  /** Initial sequence number, unsigned 32-bit. */
  initialSequence = 0;
  /** One past the highest sequence number sent, relative to the ISN. */
  lastEnd = 0;
  /** Highest acknowledgement the peer sent for this side's data, relative to the ISN. */
  acknowledgedEnd = 0;
  /** End of the data seen without holes (or whose holes were counted as missing), relative to the ISN. */
  contiguousEnd = 0;
  /** Data seen beyond a hole: [start, end) pairs, at most MAX_OUT_OF_ORDER_RANGES of them; null until needed. */
  outOfOrderRanges: number[] | null = null;
  /** Relative sequence number one past this side's FIN, or -1. */
  finEnd = -1;
  finCount = 0;
  didClose = false;
  lastSynSequence = 0;
  lastFinSequence = 0;
  lastRstSequence = 0;
  /** Occurrences behind Zeek's scaled history letters T, W and G. */
  retransmissionCount = 0;
  zeroWindowCount = 0;
  gapCount = 0;

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
    // `| 0` takes the difference modulo 2^32 as a signed 32-bit value, so the reference
    // (initialSequence + nearEnd) needs no reduction of its own (a floating-point `%` per packet).
    return nearEnd + ((sequence - this.initialSequence - nearEnd) | 0);
  }

  /** Re-anchor the sequence space at `sequence` (a SYN, or the first packet of a partial connection). */
  initializeSequence(initialSequence: number, lastEnd: number): void {
    this.initialSequence = initialSequence >>> 0;
    this.lastEnd = lastEnd;
    this.acknowledgedEnd = 0;
    this.contiguousEnd = lastEnd;
    this.outOfOrderRanges = null;
  }

  /** Record payload bytes [start, end) in relative sequence space. */
  addData(start: number, end: number): void {
    if (end <= this.contiguousEnd) return;
    if (start <= this.contiguousEnd) {
      this.contiguousEnd = end;
      this.mergeRanges();
      return;
    }

    // A hole before this segment: remember the segment until the hole fills or is acknowledged.
    this.outOfOrderRanges ??= [];
    if (this.outOfOrderRanges.length >= 2 * MAX_OUT_OF_ORDER_RANGES) return;
    this.outOfOrderRanges.push(start, end);
  }

  /**
   * Move the contiguous end to `acknowledgedEnd` and return how many bytes
   * in between were never seen (Zeek's content gap), or 0.
   */
  acknowledgeData(acknowledgedEnd: number): number {
    if (acknowledgedEnd <= this.contiguousEnd) return 0;
    let missing = acknowledgedEnd - this.contiguousEnd;
    const ranges = this.outOfOrderRanges;
    if (ranges !== null) {
      for (let i = 0; i < ranges.length; i += 2) {
        const start = Math.max(ranges[i] ?? 0, this.contiguousEnd);
        const end = Math.min(ranges[i + 1] ?? 0, acknowledgedEnd);
        if (end > start) missing -= end - start;
      }
    }
    this.contiguousEnd = acknowledgedEnd;
    this.mergeRanges();
    return Math.max(0, missing);
  }

  /** Fold stored ranges that now touch the contiguous end into it and drop those below it. */
  private mergeRanges(): void {
    const ranges = this.outOfOrderRanges;
    if (ranges === null || ranges.length === 0) return;
    let isMerged = true;
    while (isMerged) {
      isMerged = false;
      for (let i = 0; i < ranges.length; i += 2) {
        const start = ranges[i] ?? 0;
        const end = ranges[i + 1] ?? 0;
        if (start > this.contiguousEnd) continue;
        if (end > this.contiguousEnd) this.contiguousEnd = end;
        ranges.splice(i, 2);
        isMerged = true;
        break;
      }
    }
  }

  /**
   * Zeek's TCP_Endpoint::Size: payload bytes from the sequence span (or the
   * peer's acknowledgements when they reach further), less the SYN and FIN
   * octets. Returns 0 for a SYN that was reset before any reply.
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

/**
 * Return true when an occurrence count reached the next power of ten, the
 * points (1st, 10th, 100th ...) where Zeek's ScaledHistoryEntry repeats a letter.
 */
export function isScaledLetterDue(count: number): boolean {
  let threshold = 1;
  while (threshold < count) threshold *= 10;
  return threshold === count;
}
