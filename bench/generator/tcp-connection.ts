/**
 * One TCP connection's sequence state and the byte streams its two sides
 * send, so every segment carries consistent sequence and acknowledgment
 * numbers and payload taken from the right place of its side's stream.
 */
import { FrameBuilder, TCP_FLAG, type ConversationPath } from './frame-builder';

/** A byte stream one side of a connection sends, readable at any offset. */
export interface ByteStream {
  readonly length: number;
  fill(target: Uint8Array, offset: number, streamOffset: number, length: number): void;
}

/** Copies `length` bytes of the endless repetition of `pool`, starting at `poolOffset`. */
function copyFromPool(pool: Uint8Array, poolOffset: number, target: Uint8Array, offset: number, length: number): void {
  let from = poolOffset % pool.length;
  let at = offset;
  let left = length;
  while (left > 0) {
    const count = Math.min(left, pool.length - from);
    target.set(pool.subarray(from, from + count), at);
    at += count;
    left -= count;
    from = 0;
  }
}

/** A fixed head (an HTTP response head, say) followed by `bodyBytes` of opaque content. */
export class HeadThenBodyStream implements ByteStream {
  readonly length: number;

  constructor(
    private readonly head: Uint8Array,
    private readonly pool: Uint8Array,
    private readonly poolStart: number,
    bodyBytes: number,
  ) {
    this.length = head.length + bodyBytes;
  }

  fill(target: Uint8Array, offset: number, streamOffset: number, length: number): void {
    let at = offset;
    let position = streamOffset;
    const end = streamOffset + length;
    if (position < this.head.length) {
      const count = Math.min(end, this.head.length) - position;
      target.set(this.head.subarray(position, position + count), at);
      at += count;
      position += count;
    }
    if (position < end) copyFromPool(this.pool, this.poolStart + position, target, at, end - position);
  }
}

const TLS_RECORD_PAYLOAD_BYTES = 16384;
const TLS_RECORD_BYTES = TLS_RECORD_PAYLOAD_BYTES + 5;

/**
 * A TLS byte stream: plaintext handshake records (`head`) followed by
 * application_data records of up to 16384 bytes of opaque content each, so a
 * reader that walks the records finds a valid header at every boundary.
 */
export class TlsStream implements ByteStream {
  readonly length: number;

  constructor(
    private readonly head: Uint8Array,
    private readonly pool: Uint8Array,
    private readonly poolStart: number,
    private readonly applicationDataBytes: number,
  ) {
    const recordCount = Math.ceil(applicationDataBytes / TLS_RECORD_PAYLOAD_BYTES);
    this.length = head.length + applicationDataBytes + 5 * recordCount;
  }

  fill(target: Uint8Array, offset: number, streamOffset: number, length: number): void {
    let at = offset;
    let position = streamOffset;
    const end = streamOffset + length;
    if (position < this.head.length) {
      const count = Math.min(end, this.head.length) - position;
      target.set(this.head.subarray(position, position + count), at);
      at += count;
      position += count;
    }

    // Walk the application_data records: a 5-byte header, then opaque bytes.
    while (position < end) {
      const recordsOffset = position - this.head.length;
      const recordIndex = Math.floor(recordsOffset / TLS_RECORD_BYTES);
      const withinRecord = recordsOffset - recordIndex * TLS_RECORD_BYTES;
      if (withinRecord < 5) {
        const payloadBytes = Math.min(TLS_RECORD_PAYLOAD_BYTES, this.applicationDataBytes - recordIndex * TLS_RECORD_PAYLOAD_BYTES);
        const header = [23, 0x03, 0x03, payloadBytes >>> 8, payloadBytes & 0xff];
        target[at++] = header[withinRecord]!;
        position++;
        continue;
      }
      const count = Math.min(end - position, TLS_RECORD_BYTES - withinRecord);
      copyFromPool(this.pool, this.poolStart + position, target, at, count);
      at += count;
      position += count;
    }
  }
}

const SYN_OPTIONS_BYTES = 12;

export class TcpConnection {
  /** Next sequence number each side sends; both start at a random initial sequence number. */
  private clientSequence: number;
  private serverSequence: number;
  /** Stream bytes each side has sent so far. */
  clientBytesSent = 0;
  serverBytesSent = 0;

  constructor(
    private readonly frame: FrameBuilder,
    readonly path: ConversationPath,
    readonly clientPort: number,
    readonly serverPort: number,
    clientInitialSequence: number,
    serverInitialSequence: number,
    private readonly clientStream: ByteStream | null,
    private readonly serverStream: ByteStream | null,
  ) {
    this.clientSequence = clientInitialSequence;
    this.serverSequence = serverInitialSequence;
  }

  /** Maximum segment size: a full 1500-byte IP packet. */
  get maximumSegmentBytes(): number {
    return this.path.isIpv6 ? 1440 : 1460;
  }

  /**
   * Builds one segment from a side with `flags` and the next `payloadBytes`
   * of that side's stream; returns the frame length. SYN and FIN consume a
   * sequence number as on the wire.
   */
  send(isFromClient: boolean, flags: number, payloadBytes = 0): number {
    const isSyn = (flags & TCP_FLAG.syn) !== 0;
    const optionBytes = isSyn ? SYN_OPTIONS_BYTES : 0;
    const optionsOffset = this.frame.startTcp(this.path, isFromClient, optionBytes);
    if (isSyn) this.writeSynOptions(optionsOffset);

    const stream = isFromClient ? this.clientStream : this.serverStream;
    if (payloadBytes > 0 && stream !== null) {
      const streamOffset = isFromClient ? this.clientBytesSent : this.serverBytesSent;
      stream.fill(this.frame.bytes, this.frame.tcpPayloadOffset(), streamOffset, payloadBytes);
    }

    const sequence = isFromClient ? this.clientSequence : this.serverSequence;
    const hasAck = (flags & TCP_FLAG.ack) !== 0;
    const acknowledgment = hasAck ? (isFromClient ? this.serverSequence : this.clientSequence) : 0;
    const length = this.frame.finishTcp(
      isFromClient ? this.clientPort : this.serverPort,
      isFromClient ? this.serverPort : this.clientPort,
      sequence,
      acknowledgment,
      flags,
      isFromClient ? 64240 : 65160,
      payloadBytes,
    );

    const consumed = payloadBytes + (isSyn ? 1 : 0) + ((flags & TCP_FLAG.fin) !== 0 ? 1 : 0);
    if (isFromClient) {
      this.clientSequence = (this.clientSequence + consumed) >>> 0;
      this.clientBytesSent += payloadBytes;
    } else {
      this.serverSequence = (this.serverSequence + consumed) >>> 0;
      this.serverBytesSent += payloadBytes;
    }
    return length;
  }

  /** Rewinds the client's sequence number by one, so the next SYN is a retransmission of the last. */
  rewindClientSyn(): void {
    this.clientSequence = (this.clientSequence - 1) >>> 0;
  }

  /** Writes MSS, SACK permitted, a NOP and window scale 7, padded with NOPs to 12 bytes. */
  private writeSynOptions(offset: number): void {
    const bytes = this.frame.bytes;
    const mss = this.maximumSegmentBytes;
    bytes.set([2, 4, mss >>> 8, mss & 0xff, 4, 2, 1, 3, 3, 7, 1, 1], offset);
  }
}
