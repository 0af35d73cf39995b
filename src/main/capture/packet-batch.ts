/**
 * Reader of the addon's packet batches: consecutive records of a 16-byte
 * header (u32 seconds, u32 fraction, u32 captured length, u32 original
 * length) and the packet bytes padded to a multiple of 4.
 */
import { createPacketRecord, type PacketRecord } from '../engine/source/packet-record';

export const BATCH_RECORD_HEADER_BYTES = 16;

/** Problem that stopped reading a batch; the records before it were delivered. */
export interface BatchProblem {
  byteOffset: number;
  message: string;
}

export interface BatchReadOptions {
  linkType: number;
  /** True when the fraction is nanoseconds (pcap_set_tstamp_precision NANO), false for microseconds. */
  isNanosecond: boolean;
  isLittleEndian: boolean;
  /** Largest captured length the handle can deliver (its snaplen). */
  snaplen: number;
}

/** Create the reusable PacketRecord for live packets, whose `fileOffset` is the byte offset inside the batch. */
export function createLivePacketRecord(): PacketRecord {
  return createPacketRecord();
}

/**
 * Call `onPacket` for each of `packetCount` records in `batch`, filling the
 * one reused `record` whose `data` is a view into `batch`. `firstPacketNumber`
 * numbers the first record. Returns the records read and the problem that
 * stopped the read, if any (a record that claims more bytes than remain, or a
 * captured length above snaplen or the original length).
 */
export function readPacketBatch(
  batch: Uint8Array,
  packetCount: number,
  firstPacketNumber: number,
  options: BatchReadOptions,
  record: PacketRecord,
  onPacket: (record: PacketRecord) => void,
): { packets: number; problem: BatchProblem | null } {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  const littleEndian = options.isLittleEndian;
  const fractionPerMicrosecond = options.isNanosecond ? 1000 : 1;
  let offset = 0;
  let packets = 0;

  while (packets < packetCount) {
    if (batch.byteLength - offset < BATCH_RECORD_HEADER_BYTES) {
      return {
        packets,
        problem: {
          byteOffset: offset,
          message: `record header needs ${BATCH_RECORD_HEADER_BYTES} bytes, found ${batch.byteLength - offset}`,
        },
      };
    }
    const seconds = view.getUint32(offset, littleEndian);
    const fraction = view.getUint32(offset + 4, littleEndian);
    const capturedLength = view.getUint32(offset + 8, littleEndian);
    const originalLength = view.getUint32(offset + 12, littleEndian);
    const dataStart = offset + BATCH_RECORD_HEADER_BYTES;
    if (capturedLength > batch.byteLength - dataStart) {
      return {
        packets,
        problem: {
          byteOffset: offset,
          message: `captured length ${capturedLength} exceeds the ${batch.byteLength - dataStart} bytes left in the batch`,
        },
      };
    }
    if (capturedLength > options.snaplen || capturedLength > originalLength) {
      return {
        packets,
        problem: {
          byteOffset: offset,
          message: `captured length ${capturedLength} exceeds snaplen ${options.snaplen} or original length ${originalLength}`,
        },
      };
    }

    record.packetNumber = firstPacketNumber + packets;
    record.fileOffset = offset;
    record.timestampUs = seconds * 1_000_000 + Math.floor(fraction / fractionPerMicrosecond);
    record.timestampNsRemainder = options.isNanosecond ? fraction % 1000 : 0;
    record.capturedLength = capturedLength;
    record.originalLength = originalLength;
    record.linkType = options.linkType;
    record.data = batch.subarray(dataStart, dataStart + capturedLength);
    onPacket(record);

    packets++;
    offset = dataStart + ((capturedLength + 3) & ~3);
  }
  return { packets, problem: null };
}
