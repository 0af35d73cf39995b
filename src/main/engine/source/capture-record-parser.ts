/**
 * The contract between the stream parser, which owns chunks and offsets, and
 * the per-format parsers (pcap, pcapng), which read one record or block.
 */
import type { CaptureFileWarningCode, CaptureInterface, PacketRecord } from './packet-record';
import type { CaptureParserHandlers } from './capture-stream-parser';

/** What a format parser reports to; implemented by CaptureStreamParser. */
export interface CaptureRecordSink {
  readonly handlers: CaptureParserHandlers;
  /** Largest captured length trusted in one packet. */
  readonly maxCapturedLength: number;
  /** Packets delivered so far; the next packet's number is this plus one. */
  readonly packetCount: number;
  /** Hands the record to the consumer and counts it; sets `record.packetNumber` first. */
  deliverPacket(record: PacketRecord): void;
  warn(code: CaptureFileWarningCode, fileOffset: number, packetNumber: number | null, message: string): void;
  addInterface(captureInterface: CaptureInterface): void;
}

/**
 * One format's reader. `parse` reads the unit (file header, record or block)
 * starting at `start` within bytes[start, end) and returns:
 * - a positive count of bytes consumed,
 * - a negative number -n when the unit needs n bytes from `start` and fewer
 *   are present (n is always more than end - start),
 * - 0 when the stream cannot be followed any further; the parser has warned.
 * `fileOffset` is the uncompressed stream offset of `start`.
 */
export interface CaptureRecordParser {
  parse(bytes: Uint8Array, view: DataView, start: number, end: number, fileOffset: number): number;
  /** Name of the unit the last negative return waits for, e.g. "pcap record header". */
  readonly pendingUnitName: string;
  /** Whether that unit is a packet, so a truncation warning can carry its number. */
  readonly isPendingUnitPacket: boolean;
  readonly interfaces: readonly CaptureInterface[];
}
