/**
 * One pcapng file of a live capture. Packets are staged in memory and
 * written with one write call per batch; a failed write (ENOSPC, EIO) cuts
 * the file back to the last whole block, so what is on disk always reads.
 */
import { closeSync, ftruncateSync, openSync, unlinkSync, writeSync } from 'node:fs';

import { CaptureError } from './capture-error';
import {
  type BlockTimestamp,
  type InterfaceDescriptionOptions,
  type InterfaceStatisticsOptions,
  type SectionHeaderOptions,
  encodeInterfaceDescription,
  encodeInterfaceStatistics,
  encodeSectionHeader,
  getEnhancedPacketLength,
  writeEnhancedPacket,
} from './pcapng-blocks';

export interface PcapngFileHeader {
  section: SectionHeaderOptions;
  interface: InterfaceDescriptionOptions;
}

const INITIAL_STAGING_BYTES = 1 << 20;

export class PcapngFileWriter {
  readonly path: string;
  private readonly fd: number;
  private readonly digits: 6 | 9;
  private staging = new Uint8Array(INITIAL_STAGING_BYTES);
  private stagedBytes = 0;
  private committedBytes = 0;
  private packetCount = 0;
  private packetsOnDisk = 0;
  private isClosed = false;

  /** Create (or replace) `path` and write the section header and interface description. Throws CaptureError. */
  constructor(path: string, header: PcapngFileHeader) {
    this.path = path;
    this.digits = header.interface.timestampResolutionDigits;
    try {
      this.fd = openSync(path, 'w');
    } catch (error) {
      throw toWriteError(error, path, 0);
    }
    try {
      this.writeNow(encodeSectionHeader(header.section));
      this.writeNow(encodeInterfaceDescription(header.interface));
    } catch (error) {
      // A file without its headers is no capture: remove it rather than leave it behind.
      closeSync(this.fd);
      unlinkSync(path);
      throw error;
    }
  }

  /** Bytes on disk plus bytes staged. */
  get byteLength(): number {
    return this.committedBytes + this.stagedBytes;
  }

  /** Packets staged or written to this file. */
  get packets(): number {
    return this.packetCount;
  }

  /** Stage one packet; `data` is copied, so it may be a borrowed view. */
  stagePacket(timestamp: BlockTimestamp, data: Uint8Array, originalLength: number): void {
    const length = getEnhancedPacketLength(data.length);
    this.ensureStagingRoom(length);
    this.stagedBytes = writeEnhancedPacket(
      this.staging,
      this.stagedBytes,
      0,
      timestamp,
      this.digits,
      data,
      originalLength,
    );
    this.packetCount++;
  }

  /** Packets whose blocks are whole on disk. */
  get committedPackets(): number {
    return this.packetsOnDisk;
  }

  /**
   * Write the staged packets. When the write fails part way, the packets
   * whose blocks reached the disk whole are kept and the rest is cut off;
   * then throws CaptureError 'disk-full' or 'file-write-failed'.
   */
  commit(): void {
    if (this.stagedBytes === 0) return;
    const staged = this.staging.subarray(0, this.stagedBytes);
    const stagedPackets = this.packetCount - this.packetsOnDisk;
    this.stagedBytes = 0;
    let written = 0;
    try {
      while (written < staged.length) written += writeSync(this.fd, staged, written, staged.length - written, this.committedBytes + written);
    } catch (error) {
      const kept = measureWholeBlocks(staged, written);
      ftruncateSync(this.fd, this.committedBytes + kept.bytes);
      this.committedBytes += kept.bytes;
      this.packetsOnDisk += kept.blocks;
      this.packetCount = this.packetsOnDisk;
      throw toWriteError(error, this.path, this.committedBytes);
    }
    this.committedBytes += staged.length;
    this.packetsOnDisk += stagedPackets;
  }

  /**
   * Commit, append an Interface Statistics Block when `statistics` is given,
   * and close. When the disk is full the statistics block is left out and
   * the file ends after its last whole packet; that error is then thrown.
   */
  close(statistics?: InterfaceStatisticsOptions): void {
    if (this.isClosed) return;
    this.isClosed = true;
    try {
      this.commit();
      if (statistics !== undefined) this.writeNow(encodeInterfaceStatistics(statistics, this.digits));
    } finally {
      closeSync(this.fd);
    }
  }

  private writeNow(bytes: Uint8Array): void {
    let written = 0;
    try {
      while (written < bytes.length)
        written += writeSync(this.fd, bytes, written, bytes.length - written, this.committedBytes + written);
    } catch (error) {
      // Drop the partial block so readers see only whole blocks.
      ftruncateSync(this.fd, this.committedBytes);
      throw toWriteError(error, this.path, this.committedBytes);
    }
    this.committedBytes += bytes.length;
  }

  private ensureStagingRoom(length: number): void {
    if (this.stagedBytes + length <= this.staging.length) return;
    const grown = new Uint8Array(Math.max(this.staging.length * 2, this.stagedBytes + length));
    grown.set(this.staging.subarray(0, this.stagedBytes));
    this.staging = grown;
  }
}

/** Bytes and count of the whole blocks at the start of `blocks` that lie within its first `written` bytes. */
function measureWholeBlocks(blocks: Uint8Array, written: number): { bytes: number; blocks: number } {
  const view = new DataView(blocks.buffer, blocks.byteOffset, blocks.byteLength);
  let offset = 0;
  let count = 0;
  while (offset + 8 <= written) {
    const length = view.getUint32(offset + 4, true);
    if (length < 12 || offset + length > written) break;
    offset += length;
    count++;
  }
  return { bytes: offset, blocks: count };
}

function toWriteError(error: unknown, path: string, byteOffset: number): CaptureError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new CaptureError(
      'disk-full',
      `The disk is full: writing ${path} failed at byte ${byteOffset} (${code}). The capture stopped; the file ends after its last whole packet.`,
      { cause: error },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new CaptureError('file-write-failed', `Writing ${path} failed at byte ${byteOffset}: ${reason}`, {
    cause: error,
  });
}
