/**
 * Push parser for pcap and pcapng byte streams: feed chunks of any size in
 * order and receive packets, interfaces, names, comments and warnings through
 * callbacks.
 *
 * Records are read in place from each chunk. Only a record that spans two
 * chunks is copied, into a carry buffer that grows to that record's length
 * (at most one pcapng block, MAX_BLOCK_LENGTH).
 */
import type {
  CaptureFileWarning,
  CaptureFileWarningCode,
  CaptureFormat,
  CaptureInterface,
  PacketRecord,
} from './packet-record';
import type { CaptureRecordParser, CaptureRecordSink } from './capture-record-parser';
import { createNotACaptureError, SIGNATURE_SAMPLE_LENGTH } from './file-signature';
import { isPcapMagic, PcapRecordParser } from './pcap-record-parser';
import { PcapngBlockParser, PcapngBlockType } from './pcapng-block-parser';

/** Largest captured length trusted per packet; libpcap's MAXIMUM_SNAPLEN is 262144. */
export const DEFAULT_MAX_CAPTURED_LENGTH = 262_144;

export interface CaptureParserHandlers {
  /** Receives each packet. `record` and `record.data` are reused and borrowed: valid only during the call. */
  onPacket(record: PacketRecord): void;
  onWarning(warning: CaptureFileWarning): void;
  onInterface?(captureInterface: CaptureInterface): void;
  /** Receives each IPv4 or IPv6 entry of a pcapng Name Resolution Block. */
  onNameResolution?(entry: { address: string; names: string[] }): void;
  /** Receives opt_comment text of Section Header, Interface Description and packet blocks. */
  onComment?(comment: { packetNumber: number | null; fileOffset: number; text: string }): void;
}

export interface CaptureStreamParserOptions {
  /** Captured lengths above this are reported as 'captured-length-too-large'; default 262144. */
  maxCapturedLength?: number;
  /** Name used in NotACaptureError messages, usually the file path; default "input". */
  sourceName?: string;
  /** True when the stream is the output of gzip decompression, for error messages. */
  isDecompressed?: boolean;
}

export class CaptureStreamParser implements CaptureRecordSink {
  readonly handlers: CaptureParserHandlers;
  readonly maxCapturedLength: number;

  private formatValue: CaptureFormat | null = null;
  private recordParser: CaptureRecordParser | null = null;
  private consumed = 0;
  private packets = 0;
  private isStopped = false;
  private isEnded = false;
  private readonly sourceName: string;
  private readonly isDecompressed: boolean;

  // Bytes of the unit that spans chunks: carry[0, carryLength) starts at stream offset `consumed`.
  private carry = new Uint8Array(0);
  private carryLength = 0;
  private carryNeeded = 0;
  private lastNeeded = 0;

  constructor(handlers: CaptureParserHandlers, options: CaptureStreamParserOptions = {}) {
    this.handlers = handlers;
    this.maxCapturedLength = options.maxCapturedLength ?? DEFAULT_MAX_CAPTURED_LENGTH;
    this.sourceName = options.sourceName ?? 'input';
    this.isDecompressed = options.isDecompressed ?? false;
  }

  /** 'pcap' or 'pcapng' once the first bytes were recognized, else null. */
  get format(): CaptureFormat | null {
    return this.formatValue;
  }

  /** Stream offset just past the last complete file header, record or block. */
  get bytesConsumed(): number {
    return this.consumed;
  }

  get packetCount(): number {
    return this.packets;
  }

  /** Interfaces described so far, across all pcapng sections. */
  get interfaces(): readonly CaptureInterface[] {
    return this.recordParser?.interfaces ?? [];
  }

  /** Whether the parser met damage it cannot read past; further chunks are ignored. */
  get hasStopped(): boolean {
    return this.isStopped;
  }

  /**
   * Parses the chunk, which is only borrowed until this call returns. Never
   * throws for damaged capture data; throws NotACaptureError when the first
   * bytes are not pcap or pcapng.
   */
  push(chunk: Uint8Array): void {
    if (this.isStopped || this.isEnded) {
      return;
    }

    let position = 0;
    while (this.carryLength > 0 && position < chunk.length) {
      // Fill the carry to exactly the length the pending unit needs, then parse it there.
      const take = Math.min(this.carryNeeded - this.carryLength, chunk.length - position);
      this.carry.set(chunk.subarray(position, position + take), this.carryLength);
      this.carryLength += take;
      position += take;
      if (this.carryLength < this.carryNeeded) {
        return;
      }
      this.drainCarry();
      if (this.isStopped) {
        return;
      }
    }

    if (position < chunk.length) {
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const reached = this.parseUnits(chunk, view, position, chunk.length);
      if (!this.isStopped && reached < chunk.length) {
        this.startCarry(chunk.subarray(reached));
      }
    }
  }

  /**
   * Ends the stream. Reports one 'truncated-file' warning when a partial unit
   * is pending. Throws NotACaptureError when the stream ended before its
   * first bytes could be recognized (an empty or tiny input).
   */
  end(): void {
    if (this.isEnded) {
      return;
    }
    this.isEnded = true;
    if (this.formatValue === null && !this.isStopped) {
      throw createNotACaptureError(this.sourceName, this.carry.subarray(0, this.carryLength), this.isDecompressed);
    }
    if (this.isStopped || this.carryLength === 0 || this.recordParser === null) {
      return;
    }

    const parser = this.recordParser;
    const packetNumber = parser.isPendingUnitPacket ? this.packets + 1 : null;
    this.warn(
      'truncated-file',
      this.consumed,
      packetNumber,
      `Capture file ends inside the ${parser.pendingUnitName} at byte offset ${this.consumed}: ${this.carryLength} of ${this.carryNeeded} bytes present; the packets before it were read.`,
    );
    this.carryLength = 0;
  }

  deliverPacket(record: PacketRecord): void {
    this.packets += 1;
    record.packetNumber = this.packets;
    this.handlers.onPacket(record);
  }

  warn(code: CaptureFileWarningCode, fileOffset: number, packetNumber: number | null, message: string): void {
    this.handlers.onWarning({ code, fileOffset, packetNumber, message });
  }

  addInterface(captureInterface: CaptureInterface): void {
    this.handlers.onInterface?.(captureInterface);
  }

  /** Parses units in bytes[start, end); returns where parsing stopped. */
  private parseUnits(bytes: Uint8Array, view: DataView, start: number, end: number): number {
    let position = start;
    while (position < end) {
      const parser = this.recordParser ?? this.detectFormat(bytes, view, position, end);
      if (parser === null) {
        return position;
      }

      const result = parser.parse(bytes, view, position, end, this.consumed);
      if (result > 0) {
        position += result;
        this.consumed += result;
        continue;
      }
      if (result === 0 || -result <= end - position) {
        // A parser asking for bytes it already has would loop forever; treat it as a stop.
        this.isStopped = true;
        return position;
      }
      this.lastNeeded = -result;
      return position;
    }
    return position;
  }

  /** Picks the format parser from the magic number, or sets lastNeeded, or throws. */
  private detectFormat(bytes: Uint8Array, view: DataView, start: number, end: number): CaptureRecordParser | null {
    const available = end - start;
    if (available >= 4) {
      const magic = view.getUint32(start, true);
      if (isPcapMagic(magic)) {
        this.formatValue = 'pcap';
        this.recordParser = new PcapRecordParser(this);
        return this.recordParser;
      }
      if (magic === PcapngBlockType.sectionHeader) {
        this.formatValue = 'pcapng';
        this.recordParser = new PcapngBlockParser(this);
        return this.recordParser;
      }
    }

    if (available < 4) {
      this.lastNeeded = 4;
      return null;
    }
    // Not a capture: collect a longer sample first so the error can name what the bytes are.
    if (available < SIGNATURE_SAMPLE_LENGTH) {
      this.lastNeeded = SIGNATURE_SAMPLE_LENGTH;
      return null;
    }
    throw createNotACaptureError(
      this.sourceName,
      bytes.subarray(start, start + SIGNATURE_SAMPLE_LENGTH),
      this.isDecompressed,
    );
  }

  private startCarry(tail: Uint8Array): void {
    this.ensureCarryCapacity(Math.max(this.lastNeeded, tail.length));
    this.carry.set(tail, 0);
    this.carryLength = tail.length;
    this.carryNeeded = this.lastNeeded;
  }

  /** Parses the full carry; keeps any unparsed rest at its start with its new need. */
  private drainCarry(): void {
    const view = new DataView(this.carry.buffer, this.carry.byteOffset, this.carryLength);
    const reached = this.parseUnits(this.carry, view, 0, this.carryLength);
    if (this.isStopped) {
      this.carryLength = 0;
      return;
    }
    if (reached === this.carryLength) {
      this.carryLength = 0;
      return;
    }
    this.carry.copyWithin(0, reached, this.carryLength);
    this.carryLength -= reached;
    this.ensureCarryCapacity(this.lastNeeded);
    this.carryNeeded = this.lastNeeded;
  }

  private ensureCarryCapacity(length: number): void {
    if (this.carry.length >= length) {
      return;
    }
    const grown = new Uint8Array(Math.max(length, this.carry.length * 2, 256));
    grown.set(this.carry.subarray(0, this.carryLength), 0);
    this.carry = grown;
  }
}
