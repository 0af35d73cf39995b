/**
 * Reader for classic libpcap files: the 24-byte file header, then records of
 * a 16-byte header and the packet bytes. Follows the pcap file format draft
 * (draft-ietf-opsawg-pcap) and libpcap's sf-pcap.c checks.
 *
 * A record whose captured length is above the cap (262144 by default, libpcap's
 * MAXIMUM_SNAPLEN) stops the reader, because pcap has no framing to resync on.
 * Above the snaplen or the original length, a record is read with a warning.
 */
import { createPacketRecord, type CaptureInterface, type PacketRecord } from './packet-record';
import type { CaptureRecordParser, CaptureRecordSink } from './capture-record-parser';

export const PCAP_FILE_HEADER_LENGTH = 24;

/** Magic numbers as read little-endian from the first four bytes. */
const PcapMagic = {
  microsecondsLittleEndian: 0xa1b2c3d4,
  microsecondsBigEndian: 0xd4c3b2a1,
  nanosecondsLittleEndian: 0xa1b23c4d,
  nanosecondsBigEndian: 0x4d3cb2a1,
  /** Alexey Kuznetzov's patched libpcap: 8 more bytes per record header (ifindex, protocol, packet type). */
  modifiedLittleEndian: 0xa1b2cd34,
  modifiedBigEndian: 0x34cdb2a1,
} as const;

/** Link-type field layout: LinkType in bits 0-15, reserved bits 16-25 and 27, FCS present bit 26, FCS length (16-bit words) in bits 28-31. */
const LINK_TYPE_MASK = 0x0000ffff;
const LINK_TYPE_RESERVED_MASK = 0x0bff0000;
const FCS_PRESENT_BIT = 0x04000000;

/** Returns true when the four bytes read little-endian are a pcap magic number. */
export function isPcapMagic(magicLittleEndian: number): boolean {
  return Object.values(PcapMagic).includes(magicLittleEndian as never);
}

export class PcapRecordParser implements CaptureRecordParser {
  pendingUnitName = 'pcap file header';
  isPendingUnitPacket = false;
  readonly interfaces: CaptureInterface[] = [];

  private readonly sink: CaptureRecordSink;
  private readonly record: PacketRecord = createPacketRecord();
  private hasHeader = false;
  private isLittleEndian = true;
  private isNanosecond = false;
  private recordHeaderLength = 16;
  private snaplen = 0;

  constructor(sink: CaptureRecordSink) {
    this.sink = sink;
  }

  parse(bytes: Uint8Array, view: DataView, start: number, end: number, fileOffset: number): number {
    if (!this.hasHeader) {
      return this.parseFileHeader(view, start, end, fileOffset);
    }
    return this.parseRecord(bytes, view, start, end, fileOffset);
  }

  private parseFileHeader(view: DataView, start: number, end: number, fileOffset: number): number {
    if (end - start < PCAP_FILE_HEADER_LENGTH) {
      return -PCAP_FILE_HEADER_LENGTH;
    }

    const magic = view.getUint32(start, true);
    this.isLittleEndian =
      magic === PcapMagic.microsecondsLittleEndian ||
      magic === PcapMagic.nanosecondsLittleEndian ||
      magic === PcapMagic.modifiedLittleEndian;
    this.isNanosecond = magic === PcapMagic.nanosecondsLittleEndian || magic === PcapMagic.nanosecondsBigEndian;
    const isModified = magic === PcapMagic.modifiedLittleEndian || magic === PcapMagic.modifiedBigEndian;
    this.recordHeaderLength = isModified ? 24 : 16;

    const littleEndian = this.isLittleEndian;
    const versionMajor = view.getUint16(start + 4, littleEndian);
    const versionMinor = view.getUint16(start + 6, littleEndian);
    // Bytes 8-15 are thiszone and sigfigs, which writers leave 0 and readers ignore.
    this.snaplen = view.getUint32(start + 16, littleEndian);
    const linkTypeField = view.getUint32(start + 20, littleEndian);

    // libpcap rejects every major version but 2 because the record layout may differ.
    if (versionMajor !== 2) {
      this.sink.warn(
        'unsupported-block',
        fileOffset,
        null,
        `pcap file header at byte offset ${fileOffset} has version ${versionMajor}.${versionMinor}; only version 2.x has a known record layout, so no packets were read.`,
      );
      return 0;
    }

    if ((linkTypeField & LINK_TYPE_RESERVED_MASK) !== 0) {
      this.sink.warn(
        'invalid-option',
        fileOffset + 20,
        null,
        `pcap file header link-type field 0x${hex32(linkTypeField)} has reserved bits set (expected 0 under mask 0x0bff0000); using link type ${linkTypeField & LINK_TYPE_MASK} from the low 16 bits.`,
      );
    }

    const captureInterface: CaptureInterface = {
      globalId: 0,
      sectionIndex: 0,
      interfaceId: 0,
      linkType: linkTypeField & LINK_TYPE_MASK,
      snaplen: this.snaplen,
      ticksPerSecond: this.isNanosecond ? 1e9 : 1e6,
      timestampOffsetSeconds: 0,
      name: null,
      description: null,
      filter: null,
      os: null,
    };
    if ((linkTypeField & FCS_PRESENT_BIT) !== 0) {
      captureInterface.fcsLengthBytes = (linkTypeField >>> 28) * 2;
    }
    this.interfaces.push(captureInterface);
    this.sink.addInterface(captureInterface);
    this.record.linkType = captureInterface.linkType;

    this.hasHeader = true;
    this.pendingUnitName = 'pcap record header';
    this.isPendingUnitPacket = true;
    return PCAP_FILE_HEADER_LENGTH;
  }

  private parseRecord(bytes: Uint8Array, view: DataView, start: number, end: number, fileOffset: number): number {
    const headerLength = this.recordHeaderLength;
    if (end - start < headerLength) {
      this.pendingUnitName = 'pcap record header';
      return -headerLength;
    }

    const littleEndian = this.isLittleEndian;
    const seconds = view.getUint32(start, littleEndian);
    const fraction = view.getUint32(start + 4, littleEndian);
    const capturedLength = view.getUint32(start + 8, littleEndian);
    const originalLength = view.getUint32(start + 12, littleEndian);
    const packetNumber = this.sink.packetCount + 1;

    // A captured length past the cap is most likely garbage, so the next record's position is unknown.
    if (capturedLength > this.sink.maxCapturedLength) {
      this.sink.warn(
        'captured-length-too-large',
        fileOffset,
        packetNumber,
        `pcap record ${packetNumber} at byte offset ${fileOffset} claims ${capturedLength} captured bytes, more than the maximum of ${this.sink.maxCapturedLength}; the file is damaged here and reading stopped.`,
      );
      return 0;
    }

    const recordLength = headerLength + capturedLength;
    if (end - start < recordLength) {
      this.pendingUnitName = `pcap record ${packetNumber} (${headerLength}-byte header + ${capturedLength} packet bytes)`;
      return -recordLength;
    }

    this.checkLengths(capturedLength, originalLength, fileOffset, packetNumber);

    const fractionPerSecond = this.isNanosecond ? 1e9 : 1e6;
    if (fraction >= fractionPerSecond) {
      const unit = this.isNanosecond ? 'nanoseconds' : 'microseconds';
      this.sink.warn(
        'invalid-timestamp',
        fileOffset + 4,
        packetNumber,
        `pcap record ${packetNumber} at byte offset ${fileOffset} has ${fraction} ${unit} past the second (expected below ${fractionPerSecond}); the excess was added to the time.`,
      );
    }

    const record = this.record;
    record.fileOffset = fileOffset;
    if (this.isNanosecond) {
      record.timestampUs = seconds * 1e6 + Math.floor(fraction / 1000);
      record.timestampNsRemainder = fraction % 1000;
    } else {
      record.timestampUs = seconds * 1e6 + fraction;
      record.timestampNsRemainder = 0;
    }
    record.capturedLength = capturedLength;
    record.originalLength = originalLength;
    record.data = bytes.subarray(start + headerLength, start + recordLength);
    this.sink.deliverPacket(record);
    return recordLength;
  }

  private checkLengths(capturedLength: number, originalLength: number, fileOffset: number, packetNumber: number): void {
    if (this.snaplen !== 0 && capturedLength > this.snaplen) {
      this.sink.warn(
        'captured-length-exceeds-snaplen',
        fileOffset,
        packetNumber,
        `pcap record ${packetNumber} at byte offset ${fileOffset} has ${capturedLength} captured bytes, more than the file's snaplen of ${this.snaplen}; the packet was read in full.`,
      );
    }
    if (capturedLength > originalLength) {
      this.sink.warn(
        'captured-length-exceeds-original',
        fileOffset,
        packetNumber,
        `pcap record ${packetNumber} at byte offset ${fileOffset} has ${capturedLength} captured bytes but an original length of ${originalLength}; the packet was read with its captured bytes.`,
      );
    }
  }
}

function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
