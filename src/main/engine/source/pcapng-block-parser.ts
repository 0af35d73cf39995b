/**
 * Reader for pcapng (draft-ietf-opsawg-pcapng): sections, interfaces, packet
 * blocks and name resolution. Blocks of other types are skipped by their
 * length.
 *
 * NOTE: a block whose framing is wrong stops the reader with one
 * 'invalid-block-length' warning. Wrong framing is a total length below 12,
 * not a multiple of 4 or above MAX_BLOCK_LENGTH, or a trailing length that
 * differs. The reader does not scan for the next Section Header Block,
 * because a resync would guess and could turn payload bytes into packets.
 * Packets before the bad block are all delivered.
 */
import { createPacketRecord, type CaptureInterface, type PacketRecord } from './packet-record';
import type { CaptureRecordParser, CaptureRecordSink } from './capture-record-parser';
import { convertTicks, createTickScaleFromResolution, type TickScale } from './capture-timestamp';
import { decodeText, forEachOption, OPTION_COMMENT, padTo4, readNameRecords } from './pcapng-options';

/** Largest block accepted, as Wireshark's pcapng reader caps blocks (16 MiB). */
export const MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

export const PcapngBlockType = {
  sectionHeader: 0x0a0d0d0a,
  interfaceDescription: 0x00000001,
  obsoletePacket: 0x00000002,
  simplePacket: 0x00000003,
  nameResolution: 0x00000004,
  interfaceStatistics: 0x00000005,
  enhancedPacket: 0x00000006,
  systemdJournalExport: 0x00000009,
  decryptionSecrets: 0x0000000a,
  custom: 0x00000bad,
  customNoCopy: 0x40000bad,
} as const;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Smallest total length of each block type that this reader interprets. */
const MIN_LENGTH_BY_TYPE = new Map<number, number>([
  [PcapngBlockType.sectionHeader, 28],
  [PcapngBlockType.interfaceDescription, 20],
  [PcapngBlockType.obsoletePacket, 32],
  [PcapngBlockType.simplePacket, 16],
  [PcapngBlockType.enhancedPacket, 32],
]);

/** Block types skipped on purpose, without a warning. */
const SKIPPED_TYPES = new Set<number>([
  PcapngBlockType.interfaceStatistics,
  PcapngBlockType.systemdJournalExport,
  PcapngBlockType.decryptionSecrets,
  PcapngBlockType.custom,
  PcapngBlockType.customNoCopy,
]);

const InterfaceOption = {
  name: 2,
  description: 3,
  timestampResolution: 9,
  filter: 11,
  os: 12,
  fcsLength: 13,
  timestampOffset: 14,
} as const;

interface SectionInterface {
  captureInterface: CaptureInterface;
  scale: TickScale;
}

export class PcapngBlockParser implements CaptureRecordParser {
  pendingUnitName = 'pcapng block header';
  isPendingUnitPacket = false;
  readonly interfaces: CaptureInterface[] = [];

  private readonly sink: CaptureRecordSink;
  private readonly record: PacketRecord = createPacketRecord();
  private isLittleEndian = true;
  private sectionIndex = -1;
  private sectionInterfaces: SectionInterface[] = [];
  private readonly warnedBlockTypes = new Set<number>();

  constructor(sink: CaptureRecordSink) {
    this.sink = sink;
  }

  parse(bytes: Uint8Array, view: DataView, start: number, end: number, fileOffset: number): number {
    const available = end - start;
    this.pendingUnitName = 'pcapng block header';
    this.isPendingUnitPacket = false;
    if (available < 8) {
      return -8;
    }

    // The SHB type reads the same in both byte orders; its byte-order magic sets the order for the section.
    const isSectionHeader = view.getUint32(start, true) === PcapngBlockType.sectionHeader;
    if (isSectionHeader) {
      if (available < 12) {
        this.pendingUnitName = 'pcapng Section Header Block';
        return -12;
      }
      if (!this.readByteOrder(view, start + 8, fileOffset)) {
        return 0;
      }
    }

    const littleEndian = this.isLittleEndian;
    const blockType = view.getUint32(start, littleEndian);
    const totalLength = view.getUint32(start + 4, littleEndian);
    if (!this.checkFraming(blockType, totalLength, fileOffset)) {
      return 0;
    }

    this.pendingUnitName = `pcapng ${describeBlockType(blockType)}`;
    this.isPendingUnitPacket = isPacketBlock(blockType);
    if (available < totalLength) {
      return -totalLength;
    }

    const trailingLength = view.getUint32(start + totalLength - 4, littleEndian);
    if (trailingLength !== totalLength) {
      this.warnInvalidLength(
        fileOffset,
        `pcapng ${describeBlockType(blockType)} at byte offset ${fileOffset} has a trailing total length of ${trailingLength} but a leading one of ${totalLength}; the file is damaged here and reading stopped.`,
      );
      return 0;
    }

    const minLength = MIN_LENGTH_BY_TYPE.get(blockType) ?? 12;
    if (totalLength < minLength) {
      this.sink.warn(
        'invalid-block-length',
        fileOffset,
        null,
        `pcapng ${describeBlockType(blockType)} at byte offset ${fileOffset} is ${totalLength} bytes, shorter than the ${minLength} its fields need; the block was skipped.`,
      );
      return blockType === PcapngBlockType.sectionHeader ? 0 : totalLength;
    }

    return this.readBlock(bytes, view, start, totalLength, blockType, fileOffset) ? totalLength : 0;
  }

  /** Dispatches one complete block; returns false when the stream cannot continue. */
  private readBlock(
    bytes: Uint8Array,
    view: DataView,
    start: number,
    totalLength: number,
    blockType: number,
    fileOffset: number,
  ): boolean {
    const blockEnd = start + totalLength - 4;
    switch (blockType) {
      case PcapngBlockType.sectionHeader:
        return this.readSectionHeader(bytes, view, start, blockEnd, fileOffset);
      case PcapngBlockType.interfaceDescription:
        this.readInterfaceDescription(bytes, view, start, blockEnd, fileOffset);
        return true;
      case PcapngBlockType.enhancedPacket:
      case PcapngBlockType.obsoletePacket:
        this.readTimestampedPacket(bytes, view, start, blockEnd, blockType, fileOffset);
        return true;
      case PcapngBlockType.simplePacket:
        this.readSimplePacket(bytes, view, start, blockEnd, fileOffset);
        return true;
      case PcapngBlockType.nameResolution:
        this.readNameResolution(bytes, view, start, blockEnd, fileOffset);
        return true;
      default:
        this.warnUnknownBlockType(blockType, fileOffset);
        return true;
    }
  }

  private readByteOrder(view: DataView, magicOffset: number, fileOffset: number): boolean {
    const magic = view.getUint32(magicOffset, true);
    if (magic === BYTE_ORDER_MAGIC) {
      this.isLittleEndian = true;
      return true;
    }
    if (magic === 0x4d3c2b1a) {
      this.isLittleEndian = false;
      return true;
    }
    this.sink.warn(
      'unsupported-block',
      fileOffset + 8,
      null,
      `pcapng Section Header Block at byte offset ${fileOffset} has byte-order magic 0x${magic.toString(16).padStart(8, '0')} (expected 1a2b3c4d in either byte order); reading stopped.`,
    );
    return false;
  }

  private checkFraming(blockType: number, totalLength: number, fileOffset: number): boolean {
    const name = describeBlockType(blockType);
    if (totalLength < 12 || totalLength % 4 !== 0) {
      this.warnInvalidLength(
        fileOffset,
        `pcapng ${name} at byte offset ${fileOffset} has total length ${totalLength} (expected a multiple of 4, at least 12); the file is damaged here and reading stopped.`,
      );
      return false;
    }
    if (totalLength > MAX_BLOCK_LENGTH) {
      this.warnInvalidLength(
        fileOffset,
        `pcapng ${name} at byte offset ${fileOffset} has total length ${totalLength}, more than the maximum of ${MAX_BLOCK_LENGTH}; the file is damaged here and reading stopped.`,
      );
      return false;
    }
    return true;
  }

  private warnInvalidLength(fileOffset: number, message: string): void {
    this.sink.warn('invalid-block-length', fileOffset, null, message);
  }

  private readSectionHeader(
    bytes: Uint8Array,
    view: DataView,
    start: number,
    blockEnd: number,
    fileOffset: number,
  ): boolean {
    const versionMajor = view.getUint16(start + 12, this.isLittleEndian);
    const versionMinor = view.getUint16(start + 14, this.isLittleEndian);
    // Bytes 16-23 hold the section length, which may be -1 (unknown) and is not needed to walk blocks.
    this.sectionIndex += 1;
    this.sectionInterfaces = [];

    if (versionMajor !== 1) {
      this.sink.warn(
        'unsupported-block',
        fileOffset,
        null,
        `pcapng Section Header Block at byte offset ${fileOffset} has version ${versionMajor}.${versionMinor}; only version 1.x has a known block layout, so reading stopped.`,
      );
      return false;
    }

    this.readComments(bytes, view, start + 24, blockEnd, fileOffset, null);
    return true;
  }

  private readInterfaceDescription(
    bytes: Uint8Array,
    view: DataView,
    start: number,
    blockEnd: number,
    fileOffset: number,
  ): void {
    const littleEndian = this.isLittleEndian;
    const captureInterface: CaptureInterface = {
      globalId: this.interfaces.length,
      sectionIndex: this.sectionIndex,
      interfaceId: this.sectionInterfaces.length,
      linkType: view.getUint16(start + 8, littleEndian),
      snaplen: view.getUint32(start + 12, littleEndian),
      ticksPerSecond: 1e6,
      timestampOffsetSeconds: 0,
      name: null,
      description: null,
      filter: null,
      os: null,
    };
    let resolution = 6;

    // Options: names and text are copied out as strings, numbers read in the section's byte order.
    const badOffset = forEachOption(view, start + 16, blockEnd, littleEndian, (code, valueStart, length) => {
      switch (code) {
        case OPTION_COMMENT:
          this.emitComment(bytes, valueStart, length, fileOffset, null);
          break;
        case InterfaceOption.name:
          captureInterface.name = decodeText(bytes, valueStart, length);
          break;
        case InterfaceOption.description:
          captureInterface.description = decodeText(bytes, valueStart, length);
          break;
        case InterfaceOption.os:
          captureInterface.os = decodeText(bytes, valueStart, length);
          break;
        case InterfaceOption.filter:
          // The first byte is the filter kind; 0 is a libpcap filter string.
          if (length >= 1 && bytes[valueStart] === 0) {
            captureInterface.filter = decodeText(bytes, valueStart + 1, length - 1);
          }
          break;
        case InterfaceOption.timestampResolution:
          if (length >= 1) {
            resolution = bytes[valueStart] ?? 6;
          }
          break;
        case InterfaceOption.fcsLength:
          if (length >= 1) {
            captureInterface.fcsLengthBytes = bytes[valueStart] ?? 0;
          }
          break;
        case InterfaceOption.timestampOffset:
          if (length >= 8) {
            captureInterface.timestampOffsetSeconds = readInt64(view, valueStart, littleEndian);
          }
          break;
        default:
          break;
      }
    });
    this.warnBadOption(badOffset, fileOffset, 'Interface Description Block');

    const scale = createTickScaleFromResolution(resolution, captureInterface.timestampOffsetSeconds);
    captureInterface.ticksPerSecond = scale.ticksPerSecond;
    if (!scale.isExact) {
      this.sink.warn(
        'invalid-option',
        fileOffset,
        null,
        `pcapng interface ${captureInterface.interfaceId} at byte offset ${fileOffset} has if_tsresol 0x${resolution.toString(16)} (${scale.ticksPerSecond} ticks per second), finer than Tideline converts exactly; its timestamps are rounded to the microsecond.`,
      );
    }

    this.sectionInterfaces.push({ captureInterface, scale });
    this.interfaces.push(captureInterface);
    this.sink.addInterface(captureInterface);
  }

  /** Reads an Enhanced Packet Block (type 6) or an obsolete Packet Block (type 2); both put the timestamp at +12. */
  private readTimestampedPacket(
    bytes: Uint8Array,
    view: DataView,
    start: number,
    blockEnd: number,
    blockType: number,
    fileOffset: number,
  ): void {
    const littleEndian = this.isLittleEndian;
    const isEnhanced = blockType === PcapngBlockType.enhancedPacket;
    const interfaceId = isEnhanced ? view.getUint32(start + 8, littleEndian) : view.getUint16(start + 8, littleEndian);
    const timestampHigh = view.getUint32(start + 12, littleEndian);
    const timestampLow = view.getUint32(start + 16, littleEndian);
    const capturedLength = view.getUint32(start + 20, littleEndian);
    const originalLength = view.getUint32(start + 24, littleEndian);
    const dataStart = start + 28;
    const packetNumber = this.sink.packetCount + 1;
    const blockName = describeBlockType(blockType);

    const sectionInterface = this.findInterface(interfaceId, fileOffset, packetNumber, blockName);
    if (sectionInterface === null) {
      return;
    }
    if (capturedLength > blockEnd - dataStart) {
      this.sink.warn(
        'invalid-block-length',
        fileOffset,
        packetNumber,
        `pcapng ${blockName} at byte offset ${fileOffset} claims ${capturedLength} captured bytes but the block holds ${blockEnd - dataStart}; the packet was skipped.`,
      );
      return;
    }
    if (
      !this.checkCapturedLength(
        capturedLength,
        originalLength,
        sectionInterface.captureInterface,
        fileOffset,
        packetNumber,
      )
    ) {
      return;
    }

    const record = this.record;
    record.isTimestampMissing = false;
    if (!convertTicks(timestampHigh, timestampLow, sectionInterface.scale, record)) {
      this.sink.warn(
        'invalid-timestamp',
        fileOffset + 12,
        packetNumber,
        `pcapng ${blockName} at byte offset ${fileOffset} has timestamp ticks 0x${timestampHigh.toString(16)}:${timestampLow.toString(16).padStart(8, '0')} that do not convert exactly to microseconds; the time is approximate.`,
      );
    }
    this.fillRecord(bytes, dataStart, capturedLength, originalLength, sectionInterface.captureInterface, fileOffset);
    this.sink.deliverPacket(record);

    this.readComments(bytes, view, dataStart + padTo4(capturedLength), blockEnd, fileOffset, packetNumber);
  }

  /** Reads a Simple Packet Block: interface 0, no timestamp, captured length derived from the block and snaplen. */
  private readSimplePacket(
    bytes: Uint8Array,
    view: DataView,
    start: number,
    blockEnd: number,
    fileOffset: number,
  ): void {
    const originalLength = view.getUint32(start + 8, this.isLittleEndian);
    const dataStart = start + 12;
    const packetNumber = this.sink.packetCount + 1;
    const sectionInterface = this.findInterface(0, fileOffset, packetNumber, 'Simple Packet Block');
    if (sectionInterface === null) {
      return;
    }

    const snaplen = sectionInterface.captureInterface.snaplen;
    let capturedLength = Math.min(originalLength, blockEnd - dataStart);
    if (snaplen !== 0) {
      capturedLength = Math.min(capturedLength, snaplen);
    }
    if (
      !this.checkCapturedLength(
        capturedLength,
        originalLength,
        sectionInterface.captureInterface,
        fileOffset,
        packetNumber,
      )
    ) {
      return;
    }

    // A Simple Packet Block has no timestamp, so the record sets isTimestampMissing and carries time 0.
    const record = this.record;
    record.isTimestampMissing = true;
    record.timestampUs = 0;
    record.timestampNsRemainder = 0;
    this.fillRecord(bytes, dataStart, capturedLength, originalLength, sectionInterface.captureInterface, fileOffset);
    this.sink.deliverPacket(record);
  }

  private readNameResolution(
    bytes: Uint8Array,
    view: DataView,
    start: number,
    blockEnd: number,
    fileOffset: number,
  ): void {
    const onNameResolution = this.sink.handlers.onNameResolution?.bind(this.sink.handlers) ?? (() => undefined);
    const { optionsStart, badOffset } = readNameRecords(
      bytes,
      view,
      start + 8,
      blockEnd,
      this.isLittleEndian,
      onNameResolution,
    );
    if (badOffset !== -1) {
      this.sink.warn(
        'invalid-option',
        fileOffset + (badOffset - start),
        null,
        `pcapng Name Resolution Block at byte offset ${fileOffset} has a record at byte offset ${fileOffset + (badOffset - start)} that runs past the block end; the rest of the block was skipped.`,
      );
      return;
    }
    this.readComments(bytes, view, optionsStart, blockEnd, fileOffset, null);
  }

  private findInterface(
    interfaceId: number,
    fileOffset: number,
    packetNumber: number,
    blockName: string,
  ): SectionInterface | null {
    const sectionInterface = this.sectionInterfaces[interfaceId];
    if (sectionInterface !== undefined) {
      return sectionInterface;
    }
    this.sink.warn(
      'unknown-interface',
      fileOffset,
      packetNumber,
      `pcapng ${blockName} at byte offset ${fileOffset} refers to interface ${interfaceId}, but section ${this.sectionIndex} describes ${this.sectionInterfaces.length} interface(s) before it; the packet was skipped.`,
    );
    return null;
  }

  /** Warns about suspicious lengths; returns false when the packet is too large to deliver. */
  private checkCapturedLength(
    capturedLength: number,
    originalLength: number,
    captureInterface: CaptureInterface,
    fileOffset: number,
    packetNumber: number,
  ): boolean {
    if (capturedLength > this.sink.maxCapturedLength) {
      this.sink.warn(
        'captured-length-too-large',
        fileOffset,
        packetNumber,
        `pcapng packet at byte offset ${fileOffset} has ${capturedLength} captured bytes, more than the maximum of ${this.sink.maxCapturedLength}; the packet was skipped.`,
      );
      return false;
    }
    if (captureInterface.snaplen !== 0 && capturedLength > captureInterface.snaplen) {
      this.sink.warn(
        'captured-length-exceeds-snaplen',
        fileOffset,
        packetNumber,
        `pcapng packet ${packetNumber} at byte offset ${fileOffset} has ${capturedLength} captured bytes, more than interface ${captureInterface.interfaceId}'s snaplen of ${captureInterface.snaplen}; the packet was read in full.`,
      );
    }
    if (capturedLength > originalLength) {
      this.sink.warn(
        'captured-length-exceeds-original',
        fileOffset,
        packetNumber,
        `pcapng packet ${packetNumber} at byte offset ${fileOffset} has ${capturedLength} captured bytes but an original length of ${originalLength}; the packet was read with its captured bytes.`,
      );
    }
    return true;
  }

  private fillRecord(
    bytes: Uint8Array,
    dataStart: number,
    capturedLength: number,
    originalLength: number,
    captureInterface: CaptureInterface,
    fileOffset: number,
  ): void {
    const record = this.record;
    record.fileOffset = fileOffset;
    record.capturedLength = capturedLength;
    record.originalLength = originalLength;
    record.linkType = captureInterface.linkType;
    record.interfaceId = captureInterface.interfaceId;
    record.data = bytes.subarray(dataStart, dataStart + capturedLength);
  }

  /** Reports opt_comment options of a block, unless no onComment handler is set. */
  private readComments(
    bytes: Uint8Array,
    view: DataView,
    optionsStart: number,
    blockEnd: number,
    fileOffset: number,
    packetNumber: number | null,
  ): void {
    if (optionsStart >= blockEnd || this.sink.handlers.onComment === undefined) {
      return;
    }
    const badOffset = forEachOption(view, optionsStart, blockEnd, this.isLittleEndian, (code, valueStart, length) => {
      if (code === OPTION_COMMENT) {
        this.emitComment(bytes, valueStart, length, fileOffset, packetNumber);
      }
    });
    this.warnBadOption(badOffset, fileOffset, 'block');
  }

  private emitComment(
    bytes: Uint8Array,
    valueStart: number,
    length: number,
    fileOffset: number,
    packetNumber: number | null,
  ): void {
    this.sink.handlers.onComment?.({ packetNumber, fileOffset, text: decodeText(bytes, valueStart, length) });
  }

  private warnBadOption(badOffset: number, fileOffset: number, blockName: string): void {
    if (badOffset === -1) {
      return;
    }
    this.sink.warn(
      'invalid-option',
      fileOffset,
      null,
      `pcapng ${blockName} at byte offset ${fileOffset} has an option whose length runs past the end of the block; the remaining options were ignored.`,
    );
  }

  private warnUnknownBlockType(blockType: number, fileOffset: number): void {
    if (SKIPPED_TYPES.has(blockType) || this.warnedBlockTypes.has(blockType)) {
      return;
    }
    this.warnedBlockTypes.add(blockType);
    this.sink.warn(
      'unsupported-block',
      fileOffset,
      null,
      `pcapng block type 0x${blockType.toString(16).padStart(8, '0')} at byte offset ${fileOffset} is not known to Tideline; blocks of this type were skipped (reported once).`,
    );
  }
}

function isPacketBlock(blockType: number): boolean {
  return (
    blockType === PcapngBlockType.enhancedPacket ||
    blockType === PcapngBlockType.simplePacket ||
    blockType === PcapngBlockType.obsoletePacket
  );
}

/** Reads a signed 64-bit integer as a number; exact within ±2^53. */
function readInt64(view: DataView, offset: number, isLittleEndian: boolean): number {
  const high = view.getInt32(isLittleEndian ? offset + 4 : offset, isLittleEndian);
  const low = view.getUint32(isLittleEndian ? offset : offset + 4, isLittleEndian);
  return high * 4_294_967_296 + low;
}

function describeBlockType(blockType: number): string {
  switch (blockType) {
    case PcapngBlockType.sectionHeader:
      return 'Section Header Block';
    case PcapngBlockType.interfaceDescription:
      return 'Interface Description Block';
    case PcapngBlockType.obsoletePacket:
      return 'Packet Block';
    case PcapngBlockType.simplePacket:
      return 'Simple Packet Block';
    case PcapngBlockType.nameResolution:
      return 'Name Resolution Block';
    case PcapngBlockType.interfaceStatistics:
      return 'Interface Statistics Block';
    case PcapngBlockType.enhancedPacket:
      return 'Enhanced Packet Block';
    case PcapngBlockType.decryptionSecrets:
      return 'Decryption Secrets Block';
    default:
      return `block of type 0x${blockType.toString(16).padStart(8, '0')}`;
  }
}
