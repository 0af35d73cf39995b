/**
 * A live capture on one interface: opens it through the addon, writes every
 * packet to pcapng (one file or a ring), feeds the flow pipeline unless
 * analysis is paused, and reports counters. Ends on stop, on a packet count
 * or duration limit, on a full disk, or when the interface goes away, and
 * always finalizes the file it was writing.
 */
import { statSync } from 'node:fs';
import { arch, release, type } from 'node:os';

import type { CaptureSummary } from '../../shared/domain/capture-summary';
import type { FlowRecord } from '../../shared/domain/flow';
import type { DecodedPacket } from '../engine/decode/decoded-packet';
import type { FlowAnalyzer } from '../engine/flows/flow-hooks';
import type { PacketRecord } from '../engine/source/packet-record';
import { getLogger } from '../engine/logging';
import {
  type CaptureAddon,
  type NativeCaptureHandle,
  type NativeEndReport,
  type NativeStats,
  loadCaptureAddon,
} from './capture-addon';
import { type CaptureCounters, RateMeter } from './capture-counters';
import { CaptureError } from './capture-error';
import { CaptureFileSet, toBlockTimestamp } from './capture-file-set';
import { getHeadersOnlyLength } from './headers-only';
import { LiveFlowPipeline } from './live-flow-pipeline';
import { type BatchReadOptions, createLivePacketRecord, readPacketBatch } from './packet-batch';
import type { BlockTimestamp, InterfaceStatisticsOptions } from './pcapng-blocks';
import { describeCapturePermissionFix } from './permission-advice';

const log = getLogger('capture.session');

export const DEFAULT_SNAPLEN = 262144;

export interface LiveCaptureOptions {
  device: string;
  /** Shown in the file's interface description block. */
  deviceDescription?: string;
  /** BPF capture filter in libpcap syntax; empty or absent captures everything. */
  filter?: string;
  snaplen?: number;
  promiscuous?: boolean;
  /** Kernel capture buffer in bytes; absent keeps libpcap's default (2 MiB on Linux). */
  bufferSizeBytes?: number;
  /** Deliver packets as they arrive instead of in kernel-sized blocks. */
  immediate?: boolean;
  /** Cut every packet after its last transport header before writing and analysing (see headers-only.ts). */
  isHeadersOnly?: boolean;
  /** pcapng file, or the name pattern of the ring files. */
  outputPath: string;
  ringFileBytes?: number | null;
  ringFiles?: number | null;
  /** Stop after this many packets were written. */
  stopAfterPackets?: number;
  /** Stop after this many milliseconds. */
  stopAfterMs?: number;
  onFlows?(flows: FlowRecord[]): void;
  /** Application analyzers fed with every analysed packet, as analyzeCapture feeds them. */
  analyzers?: readonly FlowAnalyzer[];
  /** Every analysed packet, decoded, before it joins a flow (the link-layer detectors read it). */
  onDecodedPacket?(decoded: DecodedPacket, record: PacketRecord): void;
  onCounters?(counters: CaptureCounters): void;
  counterIntervalMs?: number;
  addon?: CaptureAddon;
  /** Binary named in the permission message; defaults to this process's executable. */
  executablePath?: string;
  now?: () => number;
}

export type CaptureEndReason =
  | 'stopped'
  | 'packet-count-reached'
  | 'duration-reached'
  | 'disk-full'
  | 'file-write-failed'
  | 'interface-down'
  | 'interface-removed'
  | 'read-failed'
  | 'internal-error';

export interface LiveCaptureResult {
  reason: CaptureEndReason;
  /** Message for the user when the capture ended on its own, or null after stop or a limit. */
  message: string | null;
  /** pcapng files still on disk, oldest first. */
  files: string[];
  deletedFiles: string[];
  counters: CaptureCounters;
  /** libpcap's final pcap_stats values. */
  libpcapStats: NativeStats;
  summary: CaptureSummary;
}

export class LiveCaptureSession {
  readonly device: string;
  readonly linkType: number;
  readonly isNanosecond: boolean;
  /** libpcap's warnings from opening the device (promiscuous mode not supported, ...). */
  readonly warnings: string[];
  /** Settles with the result once the capture ended and the file was closed. */
  readonly finished: Promise<LiveCaptureResult>;

  private readonly options: LiveCaptureOptions;
  private readonly handle: NativeCaptureHandle;
  private readonly files: CaptureFileSet;
  private readonly pipeline: LiveFlowPipeline;
  private readonly now: () => number;
  private readonly startedAtMs: number;
  private readonly readOptions: BatchReadOptions;
  private readonly digits: 6 | 9;
  private readonly record: PacketRecord = createLivePacketRecord();
  private readonly blockTimestamp: BlockTimestamp = { seconds: 0, fraction: 0 };
  private readonly rateMeter = new RateMeter();
  private readonly handleRecord = (record: PacketRecord): void => this.acceptPacket(record);
  private resolveFinished!: (result: LiveCaptureResult) => void;
  private isPausedFlag = false;
  private isHandleOpen = true;
  private isAccepting = true;
  private stopReason: CaptureEndReason | null = null;
  private stopMessage: string | null = null;
  private lastStats: NativeStats = { received: 0, droppedByKernel: 0, droppedByInterface: 0, isValid: false };
  private packets = 0;
  private bytes = 0;
  private packetsWritten = 0;
  private packetsNotAnalyzed = 0;
  /** Number of the packet being handled, for the message of an unexpected error. */
  private currentPacketNumber = 0;
  private counterTimer: ReturnType<typeof setInterval> | null = null;
  private durationTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Open `options.device`, set the filter, create the first file and start
   * reading. Throws CaptureError: capture-unavailable, capture-permission-denied,
   * no-such-device, interface-down, invalid-filter, file-write-failed, capture-failed.
   */
  constructor(options: LiveCaptureOptions) {
    this.options = options;
    this.device = options.device;
    this.now = options.now ?? Date.now;
    const addon = options.addon ?? loadCaptureAddon();
    this.handle = openHandle(addon, options);
    this.linkType = this.handle.linkType;
    this.isNanosecond = this.handle.isNanosecond;
    this.warnings = [...this.handle.warnings];
    this.digits = this.isNanosecond ? 9 : 6;
    this.readOptions = {
      linkType: this.linkType,
      isNanosecond: this.isNanosecond,
      isLittleEndian: addon.recordByteOrder === 'little',
      snaplen: this.handle.snaplen,
    };

    try {
      setFilter(this.handle, options.filter);
      this.files = new CaptureFileSet({
        path: options.outputPath,
        header: {
          section: { userApplication: 'Tideline', os: `${type()} ${release()}`, hardware: arch() },
          interface: {
            linkType: this.linkType,
            snaplen: this.handle.snaplen,
            name: options.device,
            description: options.deviceDescription,
            timestampResolutionDigits: this.digits,
            filter: options.filter,
            comment:
              options.isHeadersOnly === true
                ? 'headers only: each packet was cut after its last transport header'
                : undefined,
          },
        },
        maxFileBytes: options.ringFileBytes ?? null,
        maxFiles: options.ringFiles ?? null,
        getStatistics: () => this.buildStatistics(),
      });
    } catch (error) {
      this.handle.close();
      throw error;
    }

    this.pipeline = new LiveFlowPipeline({
      onFlows: (flows) => options.onFlows?.(flows),
      analyzers: options.analyzers,
      onDecodedPacket: options.onDecodedPacket,
    });
    this.startedAtMs = this.now();
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
    this.handle.start(
      (batch, packetCount) => this.acceptBatchSafely(batch, packetCount),
      (report) => this.finish(report),
    );
    this.counterTimer = setInterval(() => this.publishCounters(), options.counterIntervalMs ?? 250);
    if (options.stopAfterMs !== undefined)
      this.durationTimer = setTimeout(() => this.requestStop('duration-reached', null), options.stopAfterMs);
    log.info(
      { device: options.device, linkType: this.linkType, isNanosecond: this.isNanosecond },
      'live capture started',
    );
  }

  get isPaused(): boolean {
    return this.isPausedFlag;
  }

  /** Pause analysis: packets are still counted and written, but no longer fed to the flow table. */
  pause(): void {
    this.isPausedFlag = true;
  }

  resume(): void {
    this.isPausedFlag = false;
  }

  /** Stop the capture; resolves once the last packets were written and the file was closed. */
  stop(): Promise<LiveCaptureResult> {
    this.requestStop('stopped', null);
    return this.finished;
  }

  getCounters(): CaptureCounters {
    if (this.isHandleOpen) {
      const stats = this.handle.stats();
      if (stats.isValid) this.lastStats = stats;
    }
    const atMs = this.now();
    const rates = this.rateMeter.sample(atMs, this.packets, this.bytes);
    return {
      packets: this.packets,
      bytes: this.bytes,
      libpcapReceived: this.lastStats.received,
      droppedByKernel: this.lastStats.droppedByKernel,
      droppedByInterface: this.lastStats.droppedByInterface,
      packetsPerSecond: rates.packetsPerSecond,
      bitsPerSecond: rates.bitsPerSecond,
      packetsWritten: this.packetsWritten,
      packetsNotAnalyzed: this.packetsNotAnalyzed,
      elapsedMs: atMs - this.startedAtMs,
    };
  }

  /**
   * The boundary for unexpected errors: an exception escaping into the addon's
   * callback would be lost by Node-API and cut the batch short, so it stops the
   * capture with the error instead, and the file is finalized as usual.
   */
  private acceptBatchSafely(batch: Buffer, packetCount: number): void {
    try {
      this.acceptBatch(batch, packetCount);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const stack = error instanceof Error ? error.stack : undefined;
      log.error({ device: this.device, packet: this.currentPacketNumber, error: reason, stack }, 'live capture failed while processing a batch');
      this.requestStop('internal-error', `Capture on ${this.device} stopped after an internal error at packet ${this.currentPacketNumber}: ${reason}`);
    }
  }

  private acceptBatch(batch: Buffer, packetCount: number): void {
    if (!this.isAccepting) return;
    const result = readPacketBatch(
      batch,
      packetCount,
      this.packets + 1,
      this.readOptions,
      this.record,
      this.handleRecord,
    );
    if (result.problem !== null) {
      log.error(
        { byteOffset: result.problem.byteOffset, problem: result.problem.message },
        'malformed batch from the capture addon',
      );
    }
    if (this.files.failure !== null) {
      this.requestStop(
        this.files.failure.code === 'disk-full' ? 'disk-full' : 'file-write-failed',
        this.files.failure.message,
      );
    } else {
      this.commitFiles();
    }
    this.pipeline.emitFlows();
  }

  private acceptPacket(record: PacketRecord): void {
    if (!this.isAccepting) return;
    this.currentPacketNumber = record.packetNumber;
    const pipeline = this.pipeline;
    pipeline.decode(record);

    // Headers only: cut, then decode the cut packet again so analysis matches what the file holds.
    if (this.options.isHeadersOnly === true) {
      const keep = getHeadersOnlyLength(pipeline.decoded, record.data);
      if (keep < record.data.length) {
        record.data = record.data.subarray(0, keep);
        record.capturedLength = keep;
        pipeline.decode(record);
      }
    }

    const timestamp = toBlockTimestamp(
      record.timestampUs,
      record.timestampNsRemainder,
      this.digits,
      this.blockTimestamp,
    );
    // The block's offset in the pcapng file lets problems and flows point at the packet there.
    const fileOffset = this.files.stagePacket(timestamp, record.data, record.originalLength);
    if (fileOffset < 0) {
      this.isAccepting = false;
      return;
    }
    record.fileOffset = fileOffset;
    this.packets++;
    this.bytes += record.originalLength;
    if (this.isPausedFlag) this.packetsNotAnalyzed++;
    else pipeline.addDecodedPacket(record);

    const limit = this.options.stopAfterPackets;
    if (limit !== undefined && this.packets >= limit) this.requestStop('packet-count-reached', null);
  }

  private commitFiles(): void {
    try {
      this.files.commit();
      this.packetsWritten = this.files.committedPackets;
    } catch (error) {
      if (!(error instanceof CaptureError)) throw error;
      this.packetsWritten = this.files.committedPackets;
      this.requestStop(error.code === 'disk-full' ? 'disk-full' : 'file-write-failed', error.message);
    }
  }

  private requestStop(reason: CaptureEndReason, message: string | null): void {
    if (this.stopReason === null) {
      this.stopReason = reason;
      this.stopMessage = message;
    }
    // Packets after a limit or a write failure are neither counted nor written.
    if (reason !== 'stopped') this.isAccepting = false;
    this.handle.stop();
  }

  private finish(report: NativeEndReport): void {
    this.clearTimers();
    if (report.stats.isValid) this.lastStats = report.stats;
    this.isAccepting = false;

    let reason = this.stopReason ?? 'stopped';
    let message = this.stopMessage;
    if (this.stopReason === null && report.errorCode !== null) {
      reason =
        report.errorCode === 'interface-down' || report.errorCode === 'interface-removed'
          ? report.errorCode
          : 'read-failed';
      message = `Capture on ${this.device} ended: ${report.errorMessage ?? report.errorCode}. The capture file was finalized.`;
    }

    // Close the last file with its statistics; a full disk leaves out the statistics block only.
    try {
      this.files.close();
      if (this.files.failure === null && reason !== 'disk-full' && reason !== 'file-write-failed')
        this.packetsWritten = this.packets;
    } catch (error) {
      if (!(error instanceof CaptureError)) throw error;
      if (reason === 'stopped' || reason === 'packet-count-reached' || reason === 'duration-reached') {
        reason = error.code === 'disk-full' ? 'disk-full' : 'file-write-failed';
        message = error.message;
      }
    }
    this.packetsWritten = this.files.committedPackets;
    this.isHandleOpen = false;
    this.handle.close();

    const files = [...this.files.files];
    const fileBytes = files.reduce((total, path) => total + sizeOrZero(path), 0);
    const summary = this.pipeline.finish(files[files.length - 1] ?? this.options.outputPath, fileBytes, false);
    const counters = this.getCounters();
    log.info(
      { device: this.device, reason, packets: this.packets, droppedByKernel: this.lastStats.droppedByKernel },
      'live capture ended',
    );
    this.options.onCounters?.(counters);
    this.resolveFinished({
      reason,
      message,
      files,
      deletedFiles: [...this.files.deletedFiles],
      counters,
      libpcapStats: this.lastStats,
      summary,
    });
  }

  private publishCounters(): void {
    this.options.onCounters?.(this.getCounters());
  }

  private buildStatistics(): InterfaceStatisticsOptions {
    const nowMs = this.now();
    return {
      interfaceId: 0,
      timestamp: millisecondsToBlockTimestamp(nowMs, this.digits),
      startTime: millisecondsToBlockTimestamp(this.startedAtMs, this.digits),
      endTime: millisecondsToBlockTimestamp(nowMs, this.digits),
      received: this.lastStats.received,
      droppedByKernel: this.lastStats.droppedByKernel,
      droppedByInterface: this.lastStats.droppedByInterface,
      delivered: this.packets,
    };
  }

  private clearTimers(): void {
    if (this.counterTimer !== null) clearInterval(this.counterTimer);
    if (this.durationTimer !== null) clearTimeout(this.durationTimer);
    this.counterTimer = null;
    this.durationTimer = null;
  }
}

/**
 * Check a capture filter without opening a device. Returns null when it
 * compiles, or libpcap's message. `linkType` defaults to Ethernet.
 */
export function validateCaptureFilter(
  addon: CaptureAddon,
  expression: string,
  linkType = 1,
  snaplen = DEFAULT_SNAPLEN,
): string | null {
  const result = addon.compileFilter(linkType, snaplen, expression);
  return result.ok ? null : result.message;
}

function openHandle(addon: CaptureAddon, options: LiveCaptureOptions): NativeCaptureHandle {
  try {
    return new addon.CaptureHandle(options.device, {
      snaplen: options.snaplen ?? DEFAULT_SNAPLEN,
      promiscuous: options.promiscuous ?? true,
      bufferSizeBytes: options.bufferSizeBytes ?? 0,
      immediate: options.immediate ?? false,
      nanosecond: true,
    });
  } catch (error) {
    throw toOpenError(error, options.device, options.executablePath ?? process.execPath);
  }
}

function setFilter(handle: NativeCaptureHandle, filter: string | undefined): void {
  if (filter === undefined || filter.trim() === '') return;
  try {
    handle.setFilter(filter);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CaptureError('invalid-filter', `Invalid capture filter "${filter}": ${reason}`, { cause: error });
  }
}

/** Turn the addon's open error into a CaptureError with the next step. */
export function toOpenError(
  error: unknown,
  device: string,
  executablePath: string,
  platform: NodeJS.Platform = process.platform,
): CaptureError {
  const code = (error as { code?: unknown }).code;
  const reason = error instanceof Error ? error.message : String(error);
  if (code === 'permission-denied' || code === 'promiscuous-permission-denied') {
    return new CaptureError(
      'capture-permission-denied',
      `This process may not capture on ${device} (${reason}). ${describeCapturePermissionFix(platform, executablePath)}`,
      { cause: error },
    );
  }
  if (code === 'no-such-device') {
    return new CaptureError(
      'no-such-device',
      `No capture interface named "${device}" (${reason}). List the interfaces with: tideline capture --list-interfaces`,
      { cause: error },
    );
  }
  if (code === 'interface-down') {
    return new CaptureError(
      'interface-down',
      `Interface ${device} is down (${reason}). Bring it up, e.g. "ip link set ${device} up", and start again.`,
      { cause: error },
    );
  }
  return new CaptureError('capture-failed', `Opening ${device} for capture failed: ${reason}`, { cause: error });
}

function sizeOrZero(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function millisecondsToBlockTimestamp(ms: number, digits: 6 | 9): BlockTimestamp {
  const seconds = Math.floor(ms / 1000);
  const milliseconds = ms - seconds * 1000;
  return { seconds, fraction: milliseconds * (digits === 9 ? 1_000_000 : 1000) };
}
