/**
 * In-order TCP byte stream for one direction of a connection, enough for the
 * application analyzers. Sequence numbers are unsigned 32-bit and compared
 * modulo 2^32, so streams that wrap past 0xffffffff are handled.
 *
 * Rules, following Zeek's reassembler: the first data seen for a sequence
 * range wins, so a retransmission or overlap never replaces bytes already
 * delivered or buffered. Segments ahead of the next expected byte are copied
 * and buffered until the hole before them fills, within `maxBufferedBytes`
 * per direction. Bytes past that cap are counted and dropped, and a hole
 * that cannot fill is reported to the consumer as a gap.
 */

/** Receives the stream. `data` is borrowed: valid only during the call. */
export interface StreamConsumer {
  deliver(data: Uint8Array, packetNumber: number, timestampUs: number): void;
  /** `length` bytes were never seen, at the current stream position. */
  gap(length: number): void;
}

/** Counters for one direction, for weird.log and tests. */
export interface ReassemblyCounters {
  deliveredBytes: number;
  /** Bytes of segments that repeated data already seen (retransmissions and overlaps). */
  duplicateBytes: number;
  /** Duplicate bytes whose content differed from the first copy still buffered (Zeek's rexmit_inconsistency). */
  inconsistentBytes: number;
  /** Bytes reported as gaps. */
  gapBytes: number;
  /** Out-of-order bytes dropped because the buffer was full. */
  droppedBytes: number;
  outOfOrderSegments: number;
  /** One-byte keep-alive segments at the start of a stream seen without its SYN, dropped. */
  keepAliveBytes: number;
}

interface BufferedSegment {
  /** Absolute sequence number of the first byte of `data`. */
  sequence: number;
  /** Held first byte only: the peer had acknowledged it when it was sent. */
  isAcknowledged?: boolean;
  data: Uint8Array;
  packetNumber: number;
  timestampUs: number;
}

/** Default out-of-order buffer cap per direction. */
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024;

/** Signed distance from `from` to `to` in 32-bit sequence space. */
export function getSequenceDistance(from: number, to: number): number {
  return ((to >>> 0) - (from >>> 0)) | 0;
}

export class TcpReassembler {
  readonly counters: ReassemblyCounters = {
    deliveredBytes: 0,
    duplicateBytes: 0,
    inconsistentBytes: 0,
    gapBytes: 0,
    droppedBytes: 0,
    outOfOrderSegments: 0,
    keepAliveBytes: 0,
  };
  /** Next sequence number expected, or -1 before the stream start is known. */
  private nextSequence = -1;
  private readonly pending: BufferedSegment[] = [];
  /** A one-byte first segment of a stream without SYN, until the next segment shows whether it was a keep-alive. */
  private heldFirstByte: BufferedSegment | null = null;
  /** Highest acknowledgement number seen from the other side, or -1. */
  private peerAcknowledgement = -1;
  private pendingBytes = 0;
  private hasStopped = false;

  constructor(
    private readonly consumer: StreamConsumer,
    private readonly maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES,
  ) {}

  /** True once the stream start is known (a SYN or the first data segment). */
  get hasStarted(): boolean {
    return this.nextSequence >= 0;
  }

  /** Bytes held in the out-of-order buffer. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** True after `stop`: the consumer needs no more of this direction. */
  get isStopped(): boolean {
    return this.hasStopped;
  }

  /** Stop delivering: later segments are ignored (the consumer has what it needs). */
  stop(): void {
    this.hasStopped = true;
    this.pending.length = 0;
    this.pendingBytes = 0;
  }

  /** Start the stream at a SYN (or SYN-ACK) with initial sequence number `sequence`, so data starts at sequence + 1. */
  addSyn(sequence: number): void {
    if (this.nextSequence >= 0) return;
    this.heldFirstByte = null;
    this.nextSequence = (sequence + 1) >>> 0;
  }

  /**
   * Add one segment's payload (`payload` is borrowed). SYN segments carrying
   * data must be passed with `sequence` already advanced by one.
   */
  addSegment(sequence: number, payload: Uint8Array, packetNumber: number, timestampUs: number): void {
    if (this.hasStopped || payload.length === 0) return;
    const start = sequence >>> 0;
    if (this.nextSequence < 0 && !this.resolveFirstByte(start, payload, packetNumber, timestampUs)) return;

    const offset = getSequenceDistance(this.nextSequence, start);
    if (offset + payload.length <= 0) {
      // Entirely before the next byte: a retransmission of delivered data.
      this.counters.duplicateBytes += payload.length;
      return;
    }
    if (offset > 0) {
      this.bufferSegment(start, payload, packetNumber, timestampUs);
      return;
    }

    // The segment starts at or before the next byte: deliver the new part.
    if (offset < 0) this.counters.duplicateBytes += -offset;
    this.deliverNow(payload.subarray(-offset), packetNumber, timestampUs);
    this.drainPending();
  }

  /**
   * End of stream (FIN, RST, or the flow leaving the table): report the hole
   * before each buffered segment as a gap and deliver what is buffered.
   */
  finish(): void {
    if (this.hasStopped) return;
    const held = this.heldFirstByte;
    if (held !== null) {
      this.heldFirstByte = null;
      this.nextSequence = held.sequence;
      this.deliverNow(held.data, held.packetNumber, held.timestampUs);
    }
    while (this.pending.length > 0) {
      const first = this.pending[0];
      if (first === undefined) break;
      const hole = getSequenceDistance(this.nextSequence, first.sequence);
      if (hole > 0) {
        this.counters.gapBytes += hole;
        this.consumer.gap(hole);
        this.nextSequence = first.sequence;
      }
      this.drainPending();
    }
  }

  /**
   * Record the highest acknowledgement number the other side sent, so a
   * resent byte it had already acknowledged is recognised as a keep-alive.
   */
  addPeerAcknowledgement(acknowledgement: number): void {
    const value = acknowledgement >>> 0;
    if (this.peerAcknowledgement < 0 || getSequenceDistance(this.peerAcknowledgement, value) > 0) this.peerAcknowledgement = value;
  }

  /**
   * Decide where a stream seen without its SYN starts. A lone first byte may
   * be a keep-alive: the last byte sent again, which the other side has
   * already acknowledged. Taking it as the start would shift the real data
   * by one, so it is held until the next segment. A repeat at the same
   * sequence, or a byte the peer had acknowledged when it was sent, is
   * dropped. Otherwise the stream starts at the held byte. Returns false
   * when `payload` was held.
   */
  private resolveFirstByte(start: number, payload: Uint8Array, packetNumber: number, timestampUs: number): boolean {
    const held = this.heldFirstByte;
    if (payload.length === 1 && (held === null || start === held.sequence)) {
      if (held !== null) this.counters.keepAliveBytes++;
      const isAcknowledged = this.peerAcknowledgement >= 0 && getSequenceDistance((start + 1) >>> 0, this.peerAcknowledgement) >= 0;
      this.heldFirstByte = { sequence: start, data: payload.slice(), packetNumber, timestampUs, isAcknowledged };
      return false;
    }
    this.heldFirstByte = null;
    if (held === null || held.isAcknowledged === true) {
      if (held !== null) this.counters.keepAliveBytes++;
      this.nextSequence = start;
      return true;
    }
    this.nextSequence = held.sequence;
    this.deliverNow(held.data, held.packetNumber, held.timestampUs);
    return true;
  }

  private deliverNow(data: Uint8Array, packetNumber: number, timestampUs: number): void {
    if (data.length === 0) return;
    this.nextSequence = (this.nextSequence + data.length) >>> 0;
    this.counters.deliveredBytes += data.length;
    this.consumer.deliver(data, packetNumber, timestampUs);
  }

  private drainPending(): void {
    while (this.pending.length > 0 && !this.hasStopped) {
      const first = this.pending[0];
      if (first === undefined) break;
      const offset = getSequenceDistance(this.nextSequence, first.sequence);
      if (offset > 0) return;
      this.pending.shift();
      this.pendingBytes -= first.data.length;
      if (offset + first.data.length <= 0) {
        this.counters.duplicateBytes += first.data.length;
        continue;
      }
      if (offset < 0) this.counters.duplicateBytes += -offset;
      this.deliverNow(first.data.subarray(-offset), first.packetNumber, first.timestampUs);
    }
  }

  /** Store an out-of-order segment, keeping the list sorted and the first copy of each byte. */
  private bufferSegment(start: number, payload: Uint8Array, packetNumber: number, timestampUs: number): void {
    this.counters.outOfOrderSegments++;
    let index = 0;
    while (index < this.pending.length && getSequenceDistance((this.pending[index] as BufferedSegment).sequence, start) > 0) index++;

    // Trim what earlier buffered segments already cover (first data wins).
    let data = payload;
    let sequence = start;
    const previous = this.pending[index - 1];
    if (previous !== undefined) {
      const overlap = getSequenceDistance(sequence, (previous.sequence + previous.data.length) >>> 0);
      if (overlap > 0) {
        this.compareOverlap(previous, sequence, data.subarray(0, Math.min(overlap, data.length)));
        if (overlap >= data.length) {
          this.counters.duplicateBytes += data.length;
          return;
        }
        this.counters.duplicateBytes += overlap;
        data = data.subarray(overlap);
        sequence = (sequence + overlap) >>> 0;
      }
    }
    const next = this.pending[index];
    if (next !== undefined) {
      const room = getSequenceDistance(sequence, next.sequence);
      if (room <= 0) {
        this.compareOverlap(next, next.sequence, data.subarray(Math.max(0, -room)));
        // NOTE: bytes of this segment past the end of `next` are dropped with it;
        // a retransmission carrying them fills the stream later.
        this.counters.duplicateBytes += data.length;
        return;
      }
      if (room < data.length) {
        this.counters.duplicateBytes += data.length - room;
        data = data.subarray(0, room);
      }
    }

    if (this.pendingBytes + data.length > this.maxBufferedBytes) {
      this.counters.droppedBytes += data.length;
      return;
    }
    this.pending.splice(index, 0, { sequence, data: data.slice(), packetNumber, timestampUs });
    this.pendingBytes += data.length;
  }

  /** Count bytes of `data` (starting at `sequence`) that differ from the buffered copy in `segment`. */
  private compareOverlap(segment: BufferedSegment, sequence: number, data: Uint8Array): void {
    const base = getSequenceDistance(segment.sequence, sequence);
    let differing = 0;
    for (let i = 0; i < data.length; i++) {
      const position = base + i;
      if (position < 0 || position >= segment.data.length) continue;
      if (segment.data[position] !== data[i]) differing++;
    }
    this.counters.inconsistentBytes += differing;
  }
}
