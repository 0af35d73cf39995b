/**
 * The pcapng files of one live capture: a single file, or a ring buffer as
 * dumpcap's `-b filesize:KB -b files:N` makes it. Each ring file is a whole
 * pcapng file (section header, interface description, packets, statistics)
 * named NAME_NNNNN_YYYYMMDDHHMMSS.EXT, and the oldest is deleted once more
 * than `maxFiles` exist.
 */
import { unlinkSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

import { type BlockTimestamp, type InterfaceStatisticsOptions, getEnhancedPacketLength } from './pcapng-blocks';
import { CaptureError } from './capture-error';
import { type PcapngFileHeader, PcapngFileWriter } from './pcapng-file-writer';

export interface CaptureFileSetOptions {
  /** The file, or the name pattern of the ring files. */
  path: string;
  header: PcapngFileHeader;
  /** Start a new file before one would exceed this many bytes; null for one file. */
  maxFileBytes: number | null;
  /** Keep at most this many ring files; null keeps all. */
  maxFiles: number | null;
  /** Statistics written at the end of each file (counts since the capture started). */
  getStatistics(): InterfaceStatisticsOptions;
  /** Wall clock for ring file names. */
  now?: () => Date;
}

export class CaptureFileSet {
  private readonly options: CaptureFileSetOptions;
  private readonly now: () => Date;
  private writer: PcapngFileWriter;
  private fileNumber = 1;
  private readonly kept: string[] = [];
  private readonly removed: string[] = [];
  private rotationFailure: CaptureError | null = null;
  private packetsInClosedFiles = 0;

  /** Open the first file; throws CaptureError when it cannot be created. */
  constructor(options: CaptureFileSetOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
    this.writer = this.openFile();
  }

  /** Files written and still present, oldest first. */
  get files(): readonly string[] {
    return this.kept;
  }

  /** Packets whose blocks are whole on disk, in every file written (deleted ring files included). */
  get committedPackets(): number {
    return this.packetsInClosedFiles + this.writer.committedPackets;
  }

  /** Ring files deleted to stay within maxFiles. */
  get deletedFiles(): readonly string[] {
    return this.removed;
  }

  /** The error that stopped writing (disk full while moving to the next ring file), or null. */
  get failure(): CaptureError | null {
    return this.rotationFailure;
  }

  /**
   * Stage one packet, moving to the next ring file first when this one would
   * grow past maxFileBytes. Returns the byte offset of its block in the
   * current file, or -1, staging nothing, once a ring change failed (see
   * `failure`). The files written so far stay whole.
   */
  stagePacket(timestamp: BlockTimestamp, data: Uint8Array, originalLength: number): number {
    if (this.rotationFailure !== null) return -1;
    const limit = this.options.maxFileBytes;
    if (
      limit !== null &&
      this.writer.packets > 0 &&
      this.writer.byteLength + getEnhancedPacketLength(data.length) > limit
    ) {
      this.rotationFailure = this.tryRotate();
      if (this.rotationFailure !== null) return -1;
    }
    const offset = this.writer.byteLength;
    this.writer.stagePacket(timestamp, data, originalLength);
    return offset;
  }

  /** Write what was staged. Throws CaptureError 'disk-full' or 'file-write-failed'. */
  commit(): void {
    this.writer.commit();
  }

  /** Close the current file with its statistics block. Throws CaptureError when the disk is full. */
  close(): void {
    this.writer.close(this.options.getStatistics());
  }

  private tryRotate(): CaptureError | null {
    try {
      this.rotate();
      return null;
    } catch (error) {
      if (error instanceof CaptureError) return error;
      throw error;
    }
  }

  private rotate(): void {
    this.writer.close(this.options.getStatistics());
    this.packetsInClosedFiles += this.writer.committedPackets;
    this.fileNumber++;
    this.writer = this.openFile();
    const maxFiles = this.options.maxFiles;
    while (maxFiles !== null && this.kept.length > maxFiles) {
      const oldest = this.kept.shift();
      if (oldest === undefined) break;
      unlinkSync(oldest);
      this.removed.push(oldest);
    }
  }

  private openFile(): PcapngFileWriter {
    const path =
      this.options.maxFileBytes === null
        ? this.options.path
        : formatRingFileName(this.options.path, this.fileNumber, this.now());
    const writer = new PcapngFileWriter(path, this.options.header);
    this.kept.push(path);
    return writer;
  }
}

/** dumpcap's ring file name: NAME_00001_20261204221500.pcapng beside `path`. */
export function formatRingFileName(path: string, fileNumber: number, at: Date): string {
  const extension = extname(path) || '.pcapng';
  const stem = basename(path, extname(path));
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  const stamp = `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  return join(dirname(path), `${stem}_${pad(fileNumber, 5)}_${stamp}${extension}`);
}

/** Seconds and nanoseconds of a microsecond timestamp with its nanosecond remainder, as pcapng ticks want them. */
export function toBlockTimestamp(
  timestampUs: number,
  nanosecondRemainder: number,
  digits: 6 | 9,
  out: BlockTimestamp,
): BlockTimestamp {
  out.seconds = Math.floor(timestampUs / 1_000_000);
  const microseconds = timestampUs - out.seconds * 1_000_000;
  out.fraction = digits === 9 ? microseconds * 1000 + nanosecondRemainder : microseconds;
  return out;
}
