/**
 * Live capture behind the contract: lists interfaces, checks filters, and
 * runs one LiveCaptureSession at a time. The engine installs the capture as
 * a CaptureSession whose analysis is the live session. So the flow table,
 * timeline, host graph and alerts query it like a loaded file, and they
 * follow it through the same `capture.batch` events every 250 ms.
 *
 * Files go to `<data folder>/captures/<start time>-<device>/capture.pcapng`.
 * NOTE: the case store will own this folder once it exists; until then the
 * capture folder stands alone and is not listed as a case.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import type { LiveCaptureStartArgument } from '../../../shared/contract/live-capture-contract';
import type { LiveCaptureDevice, LiveCaptureEnded, LiveCaptureStarted } from '../../../shared/domain/live-capture';
import type { FlowRecord } from '../../../shared/domain/flow';
import { fail, succeed, type Result } from '../../../shared/errors';
import { type CaptureAddon, loadCaptureAddon } from '../../capture/capture-addon';
import type { CaptureCounters } from '../../capture/capture-counters';
import { listCaptureDevices } from '../../capture/capture-devices';
import { CaptureError } from '../../capture/capture-error';
import { type LiveCaptureResult, LiveCaptureSession, validateCaptureFilter } from '../../capture/live-capture-session';
import { ApplicationAnalyzers } from '../analyzers/application-analyzers';
import { getLogger } from '../logging';
import { ActiveFlowTracker } from './active-flows';
import { createAnalyzeSinks } from './analyze-with-analyzers';
import type { AnalyzeCapture, AnalyzeOptions } from './analyzer';
import { CaptureSession, type EmitEvent } from './capture-session';
import { hashFileSha256 } from './file-hash';

const log = getLogger('engine.live');

export interface LiveCaptureHostOptions {
  emit: EmitEvent;
  /** Make `session` the capture the views query, ending the one held before. */
  adoptSession(session: CaptureSession): void;
  /** Defaults to the real addon; tests pass the fake one. */
  loadAddon?: () => CaptureAddon;
  /** Parent of the per-capture folders; defaults to getDefaultCapturesFolder(). */
  capturesFolder?: string;
  /** Default-route interface for the picker; defaults to the routing table's. */
  defaultRouteInterface?: string | null;
  counterIntervalMs?: number;
  now?: () => number;
}

interface RunningCapture {
  captureId: string;
  live: LiveCaptureSession;
  ended: Promise<LiveCaptureEnded>;
}

export class LiveCaptureHost {
  private readonly options: LiveCaptureHostOptions;
  private running: RunningCapture | null = null;

  constructor(options: LiveCaptureHostOptions) {
    this.options = options;
  }

  /** The running capture's id, or null. */
  get runningCaptureId(): string | null {
    return this.running?.captureId ?? null;
  }

  listInterfaces(): Result<LiveCaptureDevice[]> {
    const addon = this.loadAddon();
    if (!addon.ok) return addon;
    try {
      const devices =
        this.options.defaultRouteInterface === undefined
          ? listCaptureDevices(addon.value)
          : listCaptureDevices(addon.value, this.options.defaultRouteInterface);
      return succeed(devices);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return fail('read-failed', `libpcap could not list the capture interfaces: ${reason}`, {
        captureCode: 'device-list-failed',
      });
    }
  }

  /** libpcap's message for an invalid filter, or null; compiled for `linkType` (Ethernet by default). */
  validateFilter(filter: string, linkType = 1): Result<{ message: string | null }> {
    if (filter.trim() === '') return succeed({ message: null });
    const addon = this.loadAddon();
    if (!addon.ok) return addon;
    return succeed({ message: validateCaptureFilter(addon.value, filter, linkType) });
  }

  /** Open the device and start; fails with the CaptureError's message and `details.captureCode`. */
  startLive(argument: LiveCaptureStartArgument): Result<LiveCaptureStarted> {
    if (this.running !== null) {
      return fail(
        'unsupported',
        `A live capture is already running (${this.running.live.device}). Stop it before starting another.`,
        { captureCode: 'capture-running' },
      );
    }
    const addon = this.loadAddon();
    if (!addon.ok) return addon;
    if ((argument.ringFileBytes === undefined) !== (argument.ringFiles === undefined)) {
      return fail('invalid-argument', 'A ring buffer needs both a file size and a file count.', {
        field: argument.ringFileBytes === undefined ? 'ringFileBytes' : 'ringFiles',
      });
    }

    const folder = join(
      this.options.capturesFolder ?? getDefaultCapturesFolder(),
      `${formatFolderTime(new Date(this.now()))}-${argument.device.replace(/[^\w.-]/g, '_')}`,
    );
    try {
      mkdirSync(folder, { recursive: true });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return fail('permission-denied', `Cannot create the capture folder ${folder}: ${reason}`, {
        captureCode: 'file-write-failed',
        folder,
      });
    }

    const wiring = new LiveWiring();
    let live: LiveCaptureSession;
    try {
      live = new LiveCaptureSession({
        device: argument.device,
        deviceDescription: this.describeDevice(argument.device),
        filter: argument.filter,
        snaplen: argument.snaplen,
        promiscuous: argument.promiscuous,
        bufferSizeBytes: argument.bufferSizeBytes,
        immediate: true,
        isHeadersOnly: argument.isHeadersOnly,
        outputPath: join(folder, 'capture.pcapng'),
        ringFileBytes: argument.ringFileBytes ?? null,
        ringFiles: argument.ringFiles ?? null,
        stopAfterPackets: argument.stopAfterPackets,
        stopAfterMs: argument.stopAfterMs,
        analyzers: wiring.analyzers,
        onFlows: (flows) => wiring.addFlows(flows),
        // The link-layer detectors (rogue devices, ARP) read every packet, as for a saved capture.
        onDecodedPacket: (decoded, record) => wiring.sink?.onDecodedPacket?.(decoded, record),
        onCounters: (counters) => {
          wiring.lastCounters = counters;
          this.publishCounters(counters);
        },
        counterIntervalMs: this.options.counterIntervalMs,
        addon: addon.value,
        now: this.options.now,
      });
    } catch (error) {
      if (!(error instanceof CaptureError)) throw error;
      log.warn({ device: argument.device, code: error.code }, 'live capture did not start');
      return failFromCaptureError(error, argument.device);
    }

    // NOTE: RateMeter has no sample before the first counter tick, so traffic
    // within the first 250 ms never showed in packets/s. Reading the counters
    // once now gives it the zero baseline.
    live.getCounters();
    const ended = live.finished.then((result) => this.finishCapture(result));
    const session = new CaptureSession({
      path: join(folder, 'capture.pcapng'),
      analyze: wiring.createAnalyze(live),
      emit: this.options.emit,
      hashFile: (_path, signal) => hashFinishedCapture(live, signal),
      now: this.options.now,
    });
    this.running = { captureId: session.id, live, ended };
    this.options.adoptSession(session);
    log.info({ captureId: session.id, folder }, 'live capture running');
    return succeed({
      captureId: session.id,
      device: live.device,
      linkType: live.linkType,
      isNanosecond: live.isNanosecond,
      warnings: live.warnings,
      folder,
      // A ring's file names carry their number and start time, so they are known only from liveEnded.
      files: argument.ringFiles === undefined ? [join(folder, 'capture.pcapng')] : [],
    });
  }

  /** Pause or resume analysis of the running capture; packets are still written. */
  setPaused(captureId: string, isPaused: boolean): Result<{ isPaused: boolean }> {
    const running = this.findRunning(captureId);
    if (!running.ok) return running;
    if (isPaused) running.value.live.pause();
    else running.value.live.resume();
    return succeed({ isPaused: running.value.live.isPaused });
  }

  /** Stop and resolve once the file is finalized. */
  async stopLive(captureId: string): Promise<Result<LiveCaptureEnded>> {
    const running = this.findRunning(captureId);
    if (!running.ok) return running;
    await running.value.live.stop();
    return succeed(await running.value.ended);
  }

  /** Stop any running capture, as the engine shuts down. */
  async dispose(): Promise<void> {
    const running = this.running;
    if (running === null) return;
    await running.live.stop();
    await running.ended;
  }

  private findRunning(captureId: string): Result<RunningCapture> {
    const running = this.running;
    if (running === null || running.captureId !== captureId) {
      return fail('not-found', `No live capture ${captureId} is running; it ended or was never started.`, {
        captureId,
      });
    }
    return succeed(running);
  }

  private publishCounters(counters: CaptureCounters): void {
    const running = this.running;
    if (running === null) return;
    this.options.emit('capture.liveCounters', {
      ...counters,
      captureId: running.captureId,
      device: running.live.device,
      isPaused: running.live.isPaused,
    });
  }

  private finishCapture(result: LiveCaptureResult): LiveCaptureEnded {
    const captureId = this.running?.captureId ?? '';
    this.running = null;
    const ended: LiveCaptureEnded = {
      captureId,
      reason: result.reason,
      message: result.message,
      files: result.files,
      counters: result.counters,
    };
    this.options.emit('capture.liveEnded', ended);
    return ended;
  }

  private describeDevice(device: string): string | undefined {
    const listed = this.listInterfaces();
    if (!listed.ok) return undefined;
    return listed.value.find((entry) => entry.name === device)?.description ?? undefined;
  }

  private loadAddon(): Result<CaptureAddon> {
    try {
      return succeed((this.options.loadAddon ?? loadCaptureAddon)());
    } catch (error) {
      if (!(error instanceof CaptureError)) throw error;
      return fail('unsupported', error.message, { captureCode: error.code });
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

/**
 * Connects the live session's hooks to the CaptureSession's analysis
 * options, which exist only once the CaptureSession calls `analyze`.
 * Flows that arrive before then wait in `pending`.
 */
class LiveWiring {
  readonly tracker = new ActiveFlowTracker();
  readonly applications: ApplicationAnalyzers;
  readonly analyzers: readonly [ApplicationAnalyzers, ActiveFlowTracker];
  /** Counters from the session's last tick; the progress reports reuse them so the rate window is sampled once per tick. */
  lastCounters: CaptureCounters | null = null;
  /** The CaptureSession's analysis options, once it has asked for analysis. */
  sink: AnalyzeOptions | null = null;
  private pending: FlowRecord[] = [];

  constructor() {
    // The same sinks as a saved capture, so live sessions fill the record
    // tables and feed the protocol-aware detectors too. Records that arrive
    // before the CaptureSession asks for analysis have no sink yet.
    const forward: AnalyzeOptions = {
      onDnsRecord: (record) => this.sink?.onDnsRecord?.(record),
      onHttpRecord: (record) => this.sink?.onHttpRecord?.(record),
      onDhcpRecord: (record) => this.sink?.onDhcpRecord?.(record),
      onServerName: (address, name) => this.sink?.onServerName?.(address, name),
      onRecord: (type, fields) => this.sink?.onRecord?.(type, fields),
      onProtocolRecord: (record) => this.sink?.onProtocolRecord?.(record),
    };
    this.applications = new ApplicationAnalyzers(createAnalyzeSinks(forward));
    // The tracker runs after the application analyzers, so it reads the service they set.
    this.analyzers = [this.applications, this.tracker];
  }

  addFlows(flows: FlowRecord[]): void {
    for (const flow of flows) this.applications.annotateFlowRecord(flow);
    if (this.sink === null) this.pending.push(...flows);
    else this.sink.onFlows?.(flows);
  }

  /** Provisional records of open flows changed since the last call, so views fill in before flows end. */
  publishActiveFlows(): void {
    const flows = this.tracker.takeChanged();
    if (flows.length > 0) this.sink?.onActiveFlows?.(flows);
  }

  /** An AnalyzeCapture that "reads" the live session until it ends. */
  createAnalyze(live: LiveCaptureSession): AnalyzeCapture {
    return async (_path, options = {}) => {
      this.sink = options;
      if (this.pending.length > 0) options.onFlows?.(this.pending);
      this.pending = [];
      const onAbort = (): void => void live.stop();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setInterval(() => {
        this.publishActiveFlows();
        const counters = this.lastCounters;
        if (counters !== null)
          options.onProgress?.({ bytesRead: counters.bytes, totalBytes: 0, packets: counters.packets, flows: 0 });
      }, 250);
      try {
        const result = await live.finished;
        this.publishActiveFlows();
        return { summary: result.summary };
      } finally {
        clearInterval(timer);
        options.signal?.removeEventListener('abort', onAbort);
      }
    };
  }
}

/**
 * SHA-256 of the capture file once the capture ended.
 * NOTE: a ring buffer has no single file to hash, so it has no digest; the
 * CaptureSession logs the rejection at warn and shows none.
 */
async function hashFinishedCapture(live: LiveCaptureSession, signal?: AbortSignal): Promise<string> {
  const result = await live.finished;
  const only = result.files.length === 1 && result.deletedFiles.length === 0 ? result.files[0] : undefined;
  if (only === undefined) throw new Error(`no single capture file to hash (${result.files.length} ring files)`);
  return hashFileSha256(only, signal?.aborted === true ? undefined : signal);
}

/** Map a CaptureError to the contract's error, keeping its own code in `details.captureCode`. */
function failFromCaptureError<T>(error: CaptureError, device: string): Result<T> {
  const details = { captureCode: error.code, device };
  switch (error.code) {
    case 'capture-unavailable':
      return fail('unsupported', error.message, details);
    case 'capture-permission-denied':
      return fail('permission-denied', error.message, details);
    case 'no-such-device':
      return fail('not-found', error.message, details);
    case 'invalid-filter':
    case 'invalid-argument':
      return fail('invalid-argument', error.message, { ...details, field: 'filter' });
    default:
      return fail('read-failed', error.message, details);
  }
}

/**
 * The folder that holds one sub-folder per live capture: `$TIDELINE_DATA_DIR/captures`
 * when set, else beside the cases in the platform's data folder.
 */
export function getDefaultCapturesFolder(
  platform: NodeJS.Platform = process.platform,
  environment: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  const override = environment.TIDELINE_DATA_DIR;
  if (override !== undefined && override !== '') return join(override, 'captures');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Tideline', 'captures');
  if (platform === 'win32')
    return join(environment.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Tideline', 'captures');
  const dataHome =
    environment.XDG_DATA_HOME !== undefined && environment.XDG_DATA_HOME !== ''
      ? environment.XDG_DATA_HOME
      : join(home, '.local', 'share');
  return join(dataHome, 'tideline', 'captures');
}

/** `2026-12-04T23-05-09Z`: sortable and valid on every file system. */
function formatFolderTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
}
