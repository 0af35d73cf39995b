/**
 * Streaming pcap and pcapng writers for generated Ethernet frames.
 *
 * Records are gathered in one fixed buffer and written to the file
 * descriptor whenever it fills, so memory stays at the buffer size whatever
 * the capture size. Both formats write little-endian, microsecond
 * timestamps and LINKTYPE_ETHERNET (1).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export type GeneratedCaptureFormat = 'pcap' | 'pcapng';

const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 65535;
const BUFFER_BYTES = 8 * 1024 * 1024;

/** Size of the pcap file header and of one pcap record header. */
export const PCAP_FILE_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;

export class CaptureWriter {
  private readonly fd: number;
  private readonly buffer = new Uint8Array(BUFFER_BYTES);
  private readonly view = new DataView(this.buffer.buffer);
  private used = 0;
  /** Bytes written so far, buffered ones included. */
  bytesWritten = 0;
  packetsWritten = 0;

  constructor(
    path: string,
    readonly format: GeneratedCaptureFormat,
  ) {
    this.fd = openSync(path, 'w');
    if (format === 'pcap') this.writePcapFileHeader();
    else this.writePcapngHeaderBlocks();
  }

  /** Appends one frame; `frame` is copied, so the caller may reuse it at once. */
  writePacket(timestampUs: number, frame: Uint8Array, length: number): void {
    const paddedLength = (length + 3) & ~3;
    const recordBytes = this.format === 'pcap' ? PCAP_RECORD_HEADER_BYTES + length : 32 + paddedLength;
    this.reserve(recordBytes);

    const seconds = Math.floor(timestampUs / 1e6);
    const at = this.used;
    if (this.format === 'pcap') {
      this.view.setUint32(at, seconds, true);
      this.view.setUint32(at + 4, timestampUs - seconds * 1e6, true);
      this.view.setUint32(at + 8, length, true);
      this.view.setUint32(at + 12, length, true);
      this.buffer.set(frame.subarray(0, length), at + 16);
    } else {
      // Enhanced Packet Block: type, total length, interface, timestamp high/low, captured, original, data, total length.
      this.view.setUint32(at, 6, true);
      this.view.setUint32(at + 4, recordBytes, true);
      this.view.setUint32(at + 8, 0, true);
      this.view.setUint32(at + 12, Math.floor(timestampUs / 4294967296), true);
      this.view.setUint32(at + 16, timestampUs >>> 0, true);
      this.view.setUint32(at + 20, length, true);
      this.view.setUint32(at + 24, length, true);
      this.buffer.set(frame.subarray(0, length), at + 28);
      this.buffer.fill(0, at + 28 + length, at + 28 + paddedLength);
      this.view.setUint32(at + 28 + paddedLength, recordBytes, true);
    }
    this.used += recordBytes;
    this.bytesWritten += recordBytes;
    this.packetsWritten++;
  }

  /** Flushes the buffer and closes the file. */
  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private writePcapFileHeader(): void {
    this.reserve(PCAP_FILE_HEADER_BYTES);
    const at = this.used;
    this.view.setUint32(at, 0xa1b2c3d4, true);
    this.view.setUint16(at + 4, 2, true);
    this.view.setUint16(at + 6, 4, true);
    this.view.setInt32(at + 8, 0, true);
    this.view.setUint32(at + 12, 0, true);
    this.view.setUint32(at + 16, SNAPLEN, true);
    this.view.setUint32(at + 20, LINKTYPE_ETHERNET, true);
    this.used += PCAP_FILE_HEADER_BYTES;
    this.bytesWritten += PCAP_FILE_HEADER_BYTES;
  }

  private writePcapngHeaderBlocks(): void {
    this.reserve(48);
    const at = this.used;
    // Section Header Block without options; section length -1 means "not given".
    this.view.setUint32(at, 0x0a0d0d0a, true);
    this.view.setUint32(at + 4, 28, true);
    this.view.setUint32(at + 8, 0x1a2b3c4d, true);
    this.view.setUint16(at + 12, 1, true);
    this.view.setUint16(at + 14, 0, true);
    this.view.setInt32(at + 16, -1, true);
    this.view.setInt32(at + 20, -1, true);
    this.view.setUint32(at + 24, 28, true);
    // Interface Description Block without options, so if_tsresol is the default of microseconds.
    this.view.setUint32(at + 28, 1, true);
    this.view.setUint32(at + 32, 20, true);
    this.view.setUint16(at + 36, LINKTYPE_ETHERNET, true);
    this.view.setUint16(at + 38, 0, true);
    this.view.setUint32(at + 40, SNAPLEN, true);
    this.view.setUint32(at + 44, 20, true);
    this.used += 48;
    this.bytesWritten += 48;
  }

  private reserve(bytes: number): void {
    if (this.used + bytes > this.buffer.length) this.flush();
  }

  private flush(): void {
    let offset = 0;
    while (offset < this.used) offset += writeSync(this.fd, this.buffer, offset, this.used - offset);
    this.used = 0;
  }
}
