/**
 * One capture loaded into the engine: runs the analysis, keeps its flows in
 * a FlowStore, hashes the file, and reports progress and batches as events.
 */
import { randomUUID } from 'node:crypto';

import type { Alert } from '../../../shared/domain/alert';
import { alertSeverities } from '../../../shared/domain/alert';
import type { CaptureSummary } from '../../../shared/domain/capture-summary';
import type { CaptureProgress, CaptureState, CaptureStatus } from '../../../shared/domain/capture-status';
import type { FlowRecord } from '../../../shared/domain/flow';
import type { HostGraph } from '../../../shared/domain/host';
import type { ContractError } from '../../../shared/errors';
import type { EventName, EventPayload } from '../../../shared/contract/types';
import { getLogger } from '../logging';
import type { AnalyzeCapture, AnalyzeProgress } from './analyzer';
import { describeLoadError } from './error-mapping';
import { hashFileSha256 } from './file-hash';
import type { LayoutPoint } from './force-layout';
import { FlowStore } from './flow-store';
import { HostNames } from './host-names';
import { alertsForProblems } from './problem-alerts';
import { CaptureDetection } from './capture-detection';
import { RecordStore } from './record-store';

const log = getLogger('engine.capture');

/** Interval between progress and batch events while loading, in milliseconds. */
export const batchIntervalMs = 250;
/** Window over which the read rate is measured, in milliseconds. */
const rateWindowMs = 3_000;

export type EmitEvent = <TName extends EventName>(name: TName, payload: EventPayload<TName>) => void;

export interface CaptureSessionOptions {
  path: string;
  analyze: AnalyzeCapture;
  emit: EmitEvent;
  hashFile?: (path: string, signal?: AbortSignal) => Promise<string>;
  /** Clock in milliseconds; tests pass a fake one. */
  now?: () => number;
  /** Folder of the per-capture alert verdict and allow-list files; default in the user's data folder. */
  alertStateFolder?: string;
  /**
   * Alerts a reopened case stored when its capture was analyzed, or null.
   * They are shown, with the current verdicts, until the allow-list changes;
   * the alerts are then evaluated again from the replayed flows and records.
   */
  storedAlerts?: readonly Alert[] | null;
}

export class CaptureSession {
  readonly id = randomUUID();
  readonly path: string;
  readonly store = new FlowStore();
  readonly hostNames = new HostNames();
  readonly detection: CaptureDetection;
  readonly records = new RecordStore();
  /** Last layout positions by node id, so the host graph keeps its shape between batches. */
  readonly graphPositions = new Map<string, LayoutPoint>();
  /** The last host graph with the request key and store version it was built for. */
  graphCache: { key: string; version: number; graph: HostGraph } | null = null;

  private state: CaptureState = 'loading';
  private hasFileError = false;
  private summary: CaptureSummary | null = null;
  private sha256: string | null = null;
  private error: ContractError | null = null;
  private progress: AnalyzeProgress = { bytesRead: 0, totalBytes: 0, packets: 0, flows: 0 };
  private rateSamples: { atMs: number; bytesRead: number }[] = [];
  private newFlowsSinceBatch = 0;
  private lastBatchVersion = -1;
  private alertCache: { version: number; hasSummary: boolean; alerts: Alert[] } | null = null;
  /** The stored alerts of a reopened case and the allow-list they were raised under (set once it is read). */
  private stored: { alerts: readonly Alert[]; allowListKey: string | null } | null = null;
  private detectionVersionAtCache = -1;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly abortController = new AbortController();
  private readonly options: CaptureSessionOptions;
  private readonly now: () => number;

  /** Settles when loading ended, whichever way. */
  readonly finished: Promise<void>;

  /** True when the load failed because the file is not a readable capture (not a capture, gone, unreadable). */
  get isFileError(): boolean {
    return this.hasFileError;
  }

  constructor(options: CaptureSessionOptions) {
    this.options = options;
    this.path = options.path;
    this.now = options.now ?? Date.now;
    this.detection = new CaptureDetection(options.path, options.alertStateFolder);
    // Display filters over DNS, HTTP and TLS fields read the records this session keeps.
    this.store.records = this.records.lookup;
    if (options.storedAlerts !== undefined && options.storedAlerts !== null) {
      const stored = { alerts: options.storedAlerts, allowListKey: null as string | null };
      this.stored = stored;
      void this.detection.loaded.then(() => {
        stored.allowListKey = JSON.stringify(this.detection.currentAllowList);
      });
    }
    this.finished = this.run();
  }

  get isLoading(): boolean {
    return this.state === 'loading';
  }

  /** Stop loading; returns false when loading had already ended. */
  cancel(): boolean {
    if (this.state !== 'loading') return false;
    this.abortController.abort();
    return true;
  }

  status(): CaptureStatus {
    return {
      captureId: this.id,
      path: this.path,
      state: this.state,
      progress: this.currentProgress(),
      summary: this.summary,
      error: this.error === null ? null : { code: this.error.code, message: this.error.message },
    };
  }

  get fileSha256(): string | null {
    return this.sha256;
  }

  get finalSummary(): CaptureSummary | null {
    return this.summary;
  }

  /**
   * Alerts from the detection engine and the problem tallies, with the
   * analyst's verdicts, most severe first, then earliest.
   */
  alerts(): Alert[] {
    const hasSummary = this.summary !== null;
    const cached = this.alertCache;
    if (
      cached !== null &&
      cached.version === this.store.version &&
      cached.hasSummary === hasSummary &&
      this.detectionVersionAtCache === this.detection.version
    )
      return cached.alerts;

    const alerts = this.storedAlertsIfCurrent() ?? this.evaluateAlerts();
    alerts.sort(
      (a, b) =>
        alertSeverities.indexOf(b.severity) - alertSeverities.indexOf(a.severity) ||
        a.firstUs - b.firstUs ||
        (a.id < b.id ? -1 : 1),
    );
    this.alertCache = { version: this.store.version, hasSummary, alerts };
    this.detectionVersionAtCache = this.detection.version;
    return alerts;
  }

  private evaluateAlerts(): Alert[] {
    const problemAlerts = this.summary === null ? [] : alertsForProblems(this.summary);
    for (const alert of problemAlerts) alert.status = this.detection.statusOf(alert.id);
    return [...this.detection.evaluate(), ...problemAlerts];
  }

  /** Return a reopened case's stored alerts with the current verdicts, while the allow-list is the one they were raised under. */
  private storedAlertsIfCurrent(): Alert[] | null {
    const stored = this.stored;
    if (stored === null) return null;
    if (stored.allowListKey !== null && stored.allowListKey !== JSON.stringify(this.detection.currentAllowList)) {
      this.stored = null;
      return null;
    }
    return stored.alerts.map((alert) => ({ ...alert, status: this.detection.statusOf(alert.id) }));
  }

  private async run(): Promise<void> {
    const { signal } = this.abortController;
    this.options.emit('capture.started', { captureId: this.id, path: this.path });
    this.timer = setInterval(() => this.emitBatch(), batchIntervalMs);
    log.info({ captureId: this.id }, 'capture load started');

    const hashing = (this.options.hashFile ?? hashFileSha256)(this.path, signal).then(
      (digest) => {
        this.sha256 = digest;
      },
      (error: unknown) => {
        if (!signal.aborted) log.warn({ captureId: this.id, err: error }, 'capture hash failed');
      },
    );

    void this.detection.loaded.then(() => this.detection.applyLoadedAllowList(this.finishedFlows()));

    try {
      const { summary } = await this.options.analyze(this.path, {
        signal,
        onProgress: (progress) => this.recordProgress(progress),
        onFlows: (flows) => {
          this.addFlows(flows);
          this.detection.addFlows(flows);
        },
        onActiveFlows: (flows) => this.addFlows(flows),
        onDnsRecord: (record) => {
          this.hostNames.addDnsRecord(record);
          if (record.query !== null) for (const answer of record.answers) this.detection.noteName(answer, record.query);
        },
        onHttpRecord: (record) => {
          this.hostNames.addHttpRecord(record);
          if (record.host !== null) this.detection.noteName(record.responderAddress, record.host);
        },
        onDhcpRecord: (record) => this.hostNames.addDhcpRecord(record),
        onServerName: (address, name) => {
          this.hostNames.addServerName(address, name);
          this.detection.noteName(address, name);
        },
        onRecord: (type, fields) => this.records.add(type, fields),
        onProtocolRecord: (record) => this.detection.observeRecord(record),
        onDecodedPacket: (decoded, record) =>
          this.detection.observeDecodedPacket(decoded, record.data, record.timestampUs, record.packetNumber),
      });
      await hashing;
      this.summary = summary;
      this.state = summary.isCancelled || signal.aborted ? 'cancelled' : 'done';
    } catch (error) {
      this.abortController.abort();
      await hashing;
      this.hasFileError = isCaptureFileProblem(error);
      this.error = describeLoadError(error, this.path);
      this.state = this.error.code === 'cancelled' ? 'cancelled' : 'failed';
    } finally {
      this.finish();
    }
  }

  private finish(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.emitBatch();

    if (this.state === 'failed' && this.error !== null) {
      log.warn({ captureId: this.id, code: this.error.code }, `capture load failed: ${this.error.message}`);
      this.options.emit('capture.failed', { captureId: this.id, error: this.error });
      return;
    }
    log.info(
      { captureId: this.id, state: this.state, flows: this.store.size, packets: this.progress.packets },
      'capture load ended',
    );
    if (this.summary !== null) {
      this.options.emit('capture.done', { captureId: this.id, summary: this.summary, sha256: this.sha256 });
    } else {
      // Cancelled by an abort that the analysis reported as an error: no summary exists.
      this.options.emit('capture.failed', {
        captureId: this.id,
        error: this.error ?? {
          code: 'cancelled',
          message: `Loading ${this.path} was cancelled.`,
          details: { path: this.path },
        },
      });
    }
  }

  /** The flows that left the flow table so far (provisional records of open flows left out). */
  finishedFlows(): FlowRecord[] {
    return this.store.all().filter((flow) => flow.isProvisional !== true);
  }

  private recordProgress(progress: AnalyzeProgress): void {
    this.progress = { ...progress };
    const atMs = this.now();
    this.rateSamples.push({ atMs, bytesRead: progress.bytesRead });
    while (this.rateSamples.length > 2 && atMs - (this.rateSamples[0]?.atMs ?? atMs) > rateWindowMs)
      this.rateSamples.shift();
  }

  private addFlows(flows: FlowRecord[]): void {
    this.newFlowsSinceBatch += this.store.upsert(flows);
  }

  /** Progress with a rate over the last few seconds and the time left at that rate. */
  private currentProgress(): CaptureProgress {
    const first = this.rateSamples[0];
    const last = this.rateSamples[this.rateSamples.length - 1];
    const elapsedMs = first !== undefined && last !== undefined ? last.atMs - first.atMs : 0;
    const rateBytesPerSecond =
      first !== undefined && last !== undefined && elapsedMs > 0
        ? Math.round(((last.bytesRead - first.bytesRead) * 1000) / elapsedMs)
        : 0;
    const remainingBytes = Math.max(0, this.progress.totalBytes - this.progress.bytesRead);
    let etaSeconds: number | null = null;
    if (this.state !== 'loading') etaSeconds = 0;
    else if (rateBytesPerSecond > 0) etaSeconds = Math.ceil(remainingBytes / rateBytesPerSecond);
    return {
      captureId: this.id,
      bytesRead: this.progress.bytesRead,
      totalBytes: this.progress.totalBytes,
      packets: this.progress.packets,
      flows: Math.max(this.progress.flows, this.store.size),
      rateBytesPerSecond,
      etaSeconds,
    };
  }

  /** Send progress, and a batch when flows changed since the last one. */
  private emitBatch(): void {
    this.options.emit('capture.progress', this.currentProgress());
    if (this.store.version === this.lastBatchVersion) return;
    this.lastBatchVersion = this.store.version;
    this.options.emit('capture.batch', {
      captureId: this.id,
      packets: this.progress.packets,
      flows: this.store.size,
      alerts: this.alerts().length,
      newFlows: this.newFlowsSinceBatch,
    });
    this.newFlowsSinceBatch = 0;
  }
}

/** Codes of the capture reader's CaptureFileError (and Node's) for a file that cannot be read as a capture at all. */
const captureFileProblemCodes = new Set(['not-a-capture', 'not-found', 'permission-denied', 'is-directory', 'ENOENT', 'EACCES', 'EISDIR']);

function isCaptureFileProblem(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return captureFileProblemCodes.has(code);
}
