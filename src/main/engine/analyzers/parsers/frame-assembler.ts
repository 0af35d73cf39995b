/**
 * Cuts a byte stream into length-prefixed frames (TLS records, SSH binary
 * packets, NetBIOS session messages) whatever the segment boundaries.
 *
 * A frame that lies wholly inside one pushed chunk is handed over as a view of
 * that chunk, with no copy. Only a frame split across chunks is copied into
 * the pending buffer, which never grows past `maxKeptLength`. A frame longer
 * than that is delivered with its first `maxKeptLength` bytes and
 * `isTruncated` set, and the rest of it is skipped as it arrives.
 */

export interface FrameHandler {
  /**
   * Receives one frame. `frame` is borrowed: it is valid only during the
   * call. `declaredLength` is the whole frame's length as its header states.
   */
  onFrame(frame: Uint8Array, streamOffset: number, declaredLength: number, isTruncated: boolean): void;
  /**
   * Optional: returns how many bytes of the frame whose header is at
   * `offset` of `bytes` the handler reads (at least the header). A frame
   * split across pushes is copied only that far, and the rest is skipped.
   * The frame still arrives when its last byte does, marked truncated.
   * Without this method every frame is kept up to `maxKeptLength`.
   */
  keptLength?(bytes: Uint8Array, offset: number, frameLength: number): number;
}

/** Returns the whole frame length (header included) from the header at `offset`, or -1 when the header is invalid. */
export type FrameLengthReader = (bytes: Uint8Array, offset: number) => number;

export class FrameAssembler {
  private readonly headerLength: number;
  private readonly maxKeptLength: number;
  private readonly readFrameLength: FrameLengthReader;
  private readonly handler: FrameHandler;
  private pending: Uint8Array;
  private pendingLength = 0;
  /** Length of the frame being assembled in `pending`, or -1 while its header is incomplete. */
  private frameLength = -1;
  private frameStartOffset = 0;
  /** Bytes of the frame in `pending` that are kept (see `keptLengthOf`). */
  private frameKeptLength = 0;
  /** Bytes of the frame in `pending` received past its kept prefix and not copied. */
  private skippedInFrame = 0;
  private skipRemaining = 0;
  /** Offset in the stream of the next byte pushed. */
  streamOffset = 0;
  /** Set once a header was invalid; later pushes are ignored. */
  isFailed = false;
  /** Bytes that arrived after a failure or were dropped from oversized frames. */
  droppedBytes = 0;

  constructor(headerLength: number, maxKeptLength: number, readFrameLength: FrameLengthReader, handler: FrameHandler) {
    this.headerLength = headerLength;
    this.maxKeptLength = Math.max(maxKeptLength, headerLength);
    this.readFrameLength = readFrameLength;
    this.handler = handler;
    // Empty until a frame spans two pushes: most frames arrive whole and go out as views.
    this.pending = new Uint8Array(0);
  }

  /** Feeds in-order bytes; `data` is borrowed and not kept. Returns false once the framing is broken. */
  push(data: Uint8Array): boolean {
    if (this.isFailed) {
      this.droppedBytes += data.length;
      return false;
    }
    let offset = 0;
    while (offset < data.length) {
      if (this.skipRemaining > 0) {
        const skipped = Math.min(this.skipRemaining, data.length - offset);
        this.skipRemaining -= skipped;
        this.droppedBytes += skipped;
        offset += skipped;
        this.streamOffset += skipped;
        continue;
      }
      offset = this.pendingLength === 0 ? this.consumeWholeFrames(data, offset) : offset;
      if (this.isFailed) {
        this.droppedBytes += data.length - offset;
        return false;
      }
      if (offset < data.length) offset = this.appendToPending(data, offset);
      if (this.isFailed) {
        this.droppedBytes += data.length - offset;
        return false;
      }
    }
    return true;
  }

  /** Bytes of an incomplete frame received so far (held, or skipped past the kept prefix). */
  get pendingBytes(): number {
    return this.pendingLength + this.skippedInFrame;
  }

  private fail(): void {
    this.isFailed = true;
    this.pendingLength = 0;
    this.skippedInFrame = 0;
  }

  /** Hands over frames that lie wholly in `data` from `offset`; returns the offset of the first byte not consumed. */
  private consumeWholeFrames(data: Uint8Array, offset: number): number {
    while (data.length - offset >= this.headerLength) {
      const length = this.readFrameLength(data, offset);
      if (length < this.headerLength) {
        this.fail();
        return offset;
      }
      const available = data.length - offset;
      const kept = this.keptLengthOf(data, offset, length);
      if (length <= available) {
        this.handler.onFrame(data.subarray(offset, offset + kept), this.streamOffset, length, kept < length);
        this.droppedBytes += length - kept;
        offset += length;
        this.streamOffset += length;
        continue;
      }
      if (available >= kept && kept === this.maxKeptLength) {
        // An oversized frame whose kept prefix is all here: deliver it now and skip the rest later.
        this.handler.onFrame(data.subarray(offset, offset + kept), this.streamOffset, length, true);
        this.skipRemaining = length - available;
        this.droppedBytes += available - kept;
        this.streamOffset += available;
        return data.length;
      }
      return offset;
    }
    return offset;
  }

  /** Bytes of a frame of `frameLength` to keep: the handler's choice, within the header and `maxKeptLength`. */
  private keptLengthOf(bytes: Uint8Array, offset: number, frameLength: number): number {
    const requested =
      this.handler.keptLength === undefined ? frameLength : this.handler.keptLength(bytes, offset, frameLength);
    return Math.min(frameLength, this.maxKeptLength, Math.max(requested, this.headerLength));
  }

  private ensurePendingCapacity(size: number): void {
    if (this.pending.length >= size) return;
    const grown = new Uint8Array(Math.min(Math.max(size, this.pending.length * 2), this.maxKeptLength));
    grown.set(this.pending.subarray(0, this.pendingLength));
    this.pending = grown;
  }

  /** Copies bytes toward the pending frame and delivers it when complete; returns the new offset. */
  private appendToPending(data: Uint8Array, offset: number): number {
    if (this.pendingLength === 0) this.frameStartOffset = this.streamOffset;

    // Complete the header first so the frame length is known.
    if (this.frameLength < 0) {
      const take = Math.min(this.headerLength - this.pendingLength, data.length - offset);
      this.ensurePendingCapacity(this.headerLength);
      this.pending.set(data.subarray(offset, offset + take), this.pendingLength);
      this.pendingLength += take;
      this.streamOffset += take;
      offset += take;
      if (this.pendingLength < this.headerLength) return offset;
      const length = this.readFrameLength(this.pending, 0);
      if (length < this.headerLength) {
        this.fail();
        return offset;
      }
      this.frameLength = length;
      this.frameKeptLength = this.keptLengthOf(this.pending, 0, length);
    }

    const keptTarget = this.frameKeptLength;
    const take = Math.min(keptTarget - this.pendingLength, data.length - offset);
    if (take > 0) {
      this.ensurePendingCapacity(keptTarget);
      this.pending.set(data.subarray(offset, offset + take), this.pendingLength);
      this.pendingLength += take;
      this.streamOffset += take;
      offset += take;
    }
    if (this.pendingLength < keptTarget) return offset;

    const declared = this.frameLength;
    const isPrefixOnly = keptTarget < Math.min(declared, this.maxKeptLength);
    if (isPrefixOnly) {
      // The handler reads only a prefix: skip the rest uncopied and deliver when the frame ends, as a whole frame would be.
      const skipped = Math.min(declared - keptTarget - this.skippedInFrame, data.length - offset);
      this.skippedInFrame += skipped;
      this.droppedBytes += skipped;
      this.streamOffset += skipped;
      offset += skipped;
      if (keptTarget + this.skippedInFrame < declared) return offset;
    }
    const frame = this.pending.subarray(0, keptTarget);
    this.pendingLength = 0;
    this.frameLength = -1;
    this.skippedInFrame = 0;
    // An oversized frame goes out when its kept prefix is complete, and the rest is skipped as it arrives.
    this.skipRemaining = isPrefixOnly ? 0 : declared - keptTarget;
    this.handler.onFrame(frame, this.frameStartOffset, declared, keptTarget < declared);
    return offset;
  }
}
