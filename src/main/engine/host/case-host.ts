/**
 * Cases in the engine: every capture opened from a file is also ingested
 * into a case (flows, records and the packet index on disk), so packets,
 * follow stream and carving read the source by indexed offset. The flows
 * the views query stay in the CaptureSession's memory for now.
 *
 * NOTE: the ingest reads the capture a second time, after the session's
 * analysis ends, so the first flows show as fast as before and packets can
 * be read once the ingest has indexed them (requests wait for it). See
 * case-ingest.ts for the hooks that would let the store ride on one pass.
 */
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { mkdir, readFile, writeFile } from 'node:fs/promises';

import {
  maxCarveDownloadBytes,
  type CarvedFile,
  type CarveSelection,
  type OpenedCase,
  type PacketList,
} from '../../../shared/contract/case-contract';
import type { Alert } from '../../../shared/domain/alert';
import type { CaseIngestMarker, CaseListEntry, CaseManifest } from '../../../shared/domain/case';
import type { CaptureSummary, ProblemTally } from '../../../shared/domain/capture-summary';
import type { FlowRecord } from '../../../shared/domain/flow';
import type { FollowedStream, PacketDetail } from '../../../shared/domain/packet-tree';
import { fail, succeed, type Result } from '../../../shared/errors';
import { getLogger } from '../logging';
import { carveAlertEvidence, carveFlows, carveTimeRange, type CarveResult } from '../packets/carve-selection';
import { followCaseStream } from '../packets/follow-stream';
import { readPacketDetail } from '../packets/packet-detail';
import { type PacketSummary, readPacketSummaries } from '../packets/packet-summary';
import type { PacketLocation } from '../packets/capture-random-reader';
import { ingestCaptureIntoCase } from '../store/case-ingest';
import { CaptureFileError } from '../source/capture-file-error';
import { listCases } from '../store/case-list';
import { readCaseAlerts, readCaseFlowsInEndOrder, readCaseRecords } from '../store/case-queries';
import type { ApplicationAnalyzerSinks } from '../analyzers/application-analyzers';
import type { ZeekRow } from '../analyzers/parsers/zeek-row';
import type { StoredRecord } from '../filter/record-columns';
import type { DhcpRecord, DnsRecord, HttpRecord, WeirdRecord } from '../../../shared/domain/records';
import { createAnalyzeSinks } from './analyze-with-analyzers';
import { CaseStore, defaultCaseSettings, deleteCaseFolder } from '../store/case-store';
import { getDatabaseMemoryBytes, readMemoryCeilingBytes } from '../store/memory-ceiling';
import { type NewCaseSettings, newCaseSettingsSchema } from '../../../shared/contract/case-contract';
import type { AnalyzeCapture } from './analyzer';
import type { EmitEvent } from './capture-session';

const log = getLogger('engine.cases');

/** Folder inside a case where carved files go when the analyst gives no path. */
export const EXPORTS_FOLDER = 'exports';

export interface CaseHostOptions {
  /** Folder holding the cases (getDefaultCasesFolder() in the engine process). */
  casesFolder: string;
  emit: EmitEvent;
  /** The engine's memory ceiling; default readMemoryCeilingBytes() (TIDELINE_MEMORY_CEILING, else 2 GiB). */
  memoryCeilingBytes?: number;
}

interface CaptureCase {
  captureId: string;
  /** Settles with the open store, or null when the case could not be made. */
  store: Promise<CaseStore | null>;
  /** Settles when ingest ended (or at once for a reopened case). */
  ingested: Promise<void>;
  abort: AbortController;
}

/** File in the cases folder holding the settings of the next case. */
export const NEW_CASE_SETTINGS_FILE = 'new-case-settings.json';

export class CaseHost {
  private current: CaptureCase | null = null;
  private newCaseSettings: NewCaseSettings | null = null;

  constructor(private readonly options: CaseHostOptions) {}

  /** Return the privacy and storage settings the next case gets, or the defaults when none were saved. */
  async getNewCaseSettings(): Promise<NewCaseSettings> {
    if (this.newCaseSettings !== null) return this.newCaseSettings;
    const path = join(this.options.casesFolder, NEW_CASE_SETTINGS_FILE);
    const text = await readFile(path, 'utf8').catch(() => null);
    const parsed = text === null ? null : newCaseSettingsSchema.safeParse(parseJsonOrNull(text));
    if (parsed !== null && !parsed.success) log.warn({ path }, 'new case settings are invalid; using the defaults');
    this.newCaseSettings =
      parsed?.success === true
        ? parsed.data
        : { isPayloadKept: defaultCaseSettings.isPayloadKept, diskCapBytes: defaultCaseSettings.diskCapBytes };
    return this.newCaseSettings;
  }

  /** Change the next case's settings and save them in the cases folder; the open case keeps its own. */
  async setNewCaseSettings(change: Partial<NewCaseSettings>): Promise<NewCaseSettings> {
    const settings = { ...(await this.getNewCaseSettings()), ...change };
    await mkdir(this.options.casesFolder, { recursive: true });
    await writeFile(join(this.options.casesFolder, NEW_CASE_SETTINGS_FILE), `${JSON.stringify(settings, null, 2)}\n`);
    this.newCaseSettings = settings;
    return settings;
  }

  get casesFolder(): string {
    return this.options.casesFolder;
  }

  /**
   * Ingest `path` into a new case for capture `captureId` once `after`
   * settles (the session's analysis); replaces the previous capture's case.
   */
  attachCapture(
    captureId: string,
    path: string,
    after: Promise<void> = Promise.resolve(),
    collectAlerts?: () => readonly Alert[],
    shouldIngest: () => boolean = () => true,
  ): void {
    void this.detach();
    const abort = new AbortController();
    let resolveStore: (store: CaseStore | null) => void = () => undefined;
    const store = new Promise<CaseStore | null>((settle) => {
      resolveStore = settle;
    });
    // `shouldIngest` is asked once `after` settles: a file the session could not read as a capture gets no case.
    const ingested = after.then(() =>
      abort.signal.aborted || !shouldIngest()
        ? resolveStore(null)
        : this.ingest(captureId, path, abort.signal, resolveStore, collectAlerts),
    );
    this.current = { captureId, store, ingested, abort };
  }

  /** Reopen case `caseId`; the caller makes a session from `analyze` and passes its id to `adopt`. */
  async openCase(
    caseId: string,
  ): Promise<Result<{ store: CaseStore; analyze: AnalyzeCapture; summaryPath: string; storedAlerts: Alert[] | null }>> {
    const folder = join(this.options.casesFolder, caseId);
    // One process opens a database once: close the current case first (it may be this one).
    await this.detach();
    const store = await CaseStore.open(folder).catch((error: unknown) => error as Error);
    if (store instanceof Error) {
      return fail('not-found', `Case ${caseId} cannot be opened from ${folder}: ${store.message}`, { caseId });
    }
    const source = store.manifest.sources[0];
    const summaryPath = source?.path ?? folder;
    const storedAlerts = store.manifest.areAlertsStored === true ? await readCaseAlerts(store) : null;
    return succeed({ store, analyze: replayCase(store), summaryPath, storedAlerts });
  }

  /** Make a reopened case the current one, for capture `captureId`. */
  adoptCase(captureId: string, store: CaseStore): void {
    void this.detach();
    this.current = { captureId, store: Promise.resolve(store), ingested: Promise.resolve(), abort: new AbortController() };
  }

  async list(): Promise<CaseListEntry[]> {
    // The current case first: a case still being made for a just-opened capture then shows in the list.
    const current = await this.currentStoreIfAny();
    const entries = await listCases(this.options.casesFolder);
    if (current === null) return entries;
    // The open case's database is held by this process, so listCases could not read its marker.
    return entries.map((entry) => (entry.id === current.manifest.id ? { ...entry, marker: current.marker } : entry));
  }

  async delete(caseId: string): Promise<Result<{ caseId: string }>> {
    const current = await this.currentStoreIfAny();
    if (current !== null && current.manifest.id === caseId) {
      await this.detach();
    }
    const folder = join(this.options.casesFolder, caseId);
    const error = await deleteCaseFolder(folder).then(
      () => null,
      (reason: unknown) => reason as Error,
    );
    if (error !== null) {
      log.warn({ caseId, err: error }, 'case delete failed');
      return fail('not-found', `Case ${caseId} was not deleted: ${error.message}`, { caseId });
    }
    log.info({ caseId }, 'case deleted');
    return succeed({ caseId });
  }

  async listPackets(captureId: string, uid: string, offset = 0, limit = 500): Promise<Result<PacketList>> {
    const store = await this.indexedStoreOf(captureId);
    if (!store.ok) return store;
    const total = await store.value.query('SELECT count(*) AS n FROM packets WHERE flow_uid = ? OR inner_flow_uid = ?', [uid, uid]);
    const rows = await store.value.query(
      `SELECT source_id, packet_number, file_offset, ts_us, captured_length, original_length, flow_uid FROM packets
       WHERE flow_uid = ? OR inner_flow_uid = ? ORDER BY source_id, packet_number LIMIT ? OFFSET ?`,
      [uid, uid, limit, offset],
    );
    const summaries = await this.summarizeRows(store.value, rows);
    return succeed({
      total: Number(total[0]?.n ?? 0),
      offset,
      rows: rows.map((row) => {
        const sourceId = Number(row.source_id);
        const packetNumber = Number(row.packet_number);
        const summary = summaries.get(sourceId)?.get(packetNumber);
        return {
          sourceId,
          packetNumber,
          timestampUs: Number(row.ts_us),
          capturedLength: Number(row.captured_length),
          originalLength: Number(row.original_length),
          flowUid: row.flow_uid === null ? null : String(row.flow_uid),
          ...(summary === undefined ? {} : { summary }),
        };
      }),
    });
  }

  /** Source, destination, protocol and info of each listed packet, read from its source capture; source id -> packet number -> summary. */
  private async summarizeRows(store: CaseStore, rows: readonly Record<string, unknown>[]): Promise<Map<number, Map<number, PacketSummary>>> {
    const bySource = new Map<number, PacketLocation[]>();
    for (const row of rows) {
      const sourceId = Number(row.source_id);
      const locations = bySource.get(sourceId) ?? [];
      locations.push({ packetNumber: Number(row.packet_number), fileOffset: Number(row.file_offset), capturedLength: Number(row.captured_length) });
      bySource.set(sourceId, locations);
    }
    const summaries = new Map<number, Map<number, PacketSummary>>();
    for (const [sourceId, locations] of bySource) {
      const source = store.manifest.sources.find((candidate) => candidate.id === sourceId);
      if (source !== undefined) summaries.set(sourceId, await readPacketSummaries(source.path, locations, source.interfaces));
    }
    return summaries;
  }

  async packetDetail(captureId: string, sourceId: number, packetNumber: number): Promise<Result<PacketDetail>> {
    const store = await this.indexedStoreOf(captureId);
    if (!store.ok) return store;
    const detail = await readPacketDetail(store.value, sourceId, packetNumber);
    if (detail.ok) return succeed(detail.value);
    return fail(detail.code === 'unknown-packet' ? 'not-found' : 'read-failed', detail.message, { reason: detail.code, packetNumber });
  }

  async follow(captureId: string, flow: FlowRecord, capBytes: number | undefined): Promise<Result<FollowedStream>> {
    const store = await this.indexedStoreOf(captureId);
    if (!store.ok) return store;
    const followed = await followCaseStream(store.value, flow, capBytes);
    if (followed.ok) return succeed(followed.value);
    return fail(errorCodeOfFollow(followed.code), followed.message, { reason: followed.code, uid: flow.uid });
  }

  /**
   * Carve `selection` into `path`, or into the case's exports folder when
   * `path` is empty. `findAlert` looks an alert up in the loaded capture.
   */
  async carve(
    captureId: string,
    path: string,
    selection: CarveSelection,
    findAlert: (alertId: string) => Alert | undefined,
  ): Promise<Result<CarvedFile>> {
    const store = await this.indexedStoreOf(captureId);
    if (!store.ok) return store;
    if (path !== '' && !isAbsolute(path)) {
      return fail('invalid-argument', `Export path ${path} is relative; give an absolute path or none.`, { field: 'path' });
    }
    const exportName = path === '' ? `${selectionName(selection)}-${Date.now()}.pcapng` : null;
    let outPath = path;
    if (exportName !== null) {
      const folder = join(store.value.folder, EXPORTS_FOLDER);
      await mkdir(folder, { recursive: true });
      outPath = join(folder, exportName);
    }
    let result: CarveResult;
    if (selection.kind === 'flows') result = await carveFlows(store.value, selection.uids, outPath);
    else if (selection.kind === 'alert') {
      const alert = findAlert(selection.alertId);
      if (alert === undefined) return fail('not-found', `Alert ${selection.alertId} is not in the loaded capture.`, { alertId: selection.alertId });
      result = await carveAlertEvidence(store.value, alert, outPath);
    } else result = await carveTimeRange(store.value, selection.filter, selection.timeRange, outPath);
    if (!result.ok) {
      log.warn({ captureId, reason: result.code, selection: selection.kind }, 'carve failed');
      return fail(errorCodeOfCarve(result.code), result.message, { reason: result.code });
    }
    log.info({ captureId, packets: result.packets, bytes: result.bytes }, 'packets carved');
    const bytesBase64 =
      exportName !== null && result.bytes <= maxCarveDownloadBytes ? (await readFile(result.path)).toString('base64') : null;
    return succeed({ path: resolve(result.path), packets: result.packets, bytes: result.bytes, exportName, bytesBase64 });
  }

  /** Absolute path of an exported file of the current case, or null when there is none by that name. */
  async exportPath(captureId: string, name: string): Promise<string | null> {
    if (!/^[A-Za-z0-9._-]+\.pcapng$/.test(name)) return null;
    const store = await this.storeOf(captureId);
    if (!store.ok) return null;
    const path = join(store.value.folder, EXPORTS_FOLDER, name);
    const info = await stat(path).catch(() => null);
    return info?.isFile() === true ? path : null;
  }

  /** Stop the ingest and close the current case. */
  async detach(): Promise<void> {
    const current = this.current;
    this.current = null;
    if (current === null) return;
    current.abort.abort();
    await current.ingested;
    const store = await current.store;
    await store?.close().catch((error: unknown) => log.warn({ err: error }, 'case close failed'));
  }

  /** Return the current case's store, for tests and the serve download route. */
  async storeOf(captureId: string): Promise<Result<CaseStore>> {
    const current = this.current;
    if (current === null || current.captureId !== captureId) {
      return fail('not-found', `Capture ${captureId} has no case open in the engine; open the capture or the case again.`, { captureId });
    }
    const store = await current.store;
    if (store === null) {
      return fail('unsupported', `The case of capture ${captureId} could not be made, so packets cannot be read; see the engine log.`, { captureId });
    }
    return succeed(store);
  }

  /**
   * The store once its packet index is complete, so a read never sees part
   * of a flow's packets. TODO: answer from the committed batches while a big
   * capture still ingests, marking the answer as partial.
   */
  private async indexedStoreOf(captureId: string): Promise<Result<CaseStore>> {
    const current = this.current;
    if (current !== null && current.captureId === captureId) await current.ingested;
    return this.storeOf(captureId);
  }

  /** Settles when the current capture's ingest ended. */
  async ingestFinished(): Promise<void> {
    await this.current?.ingested;
  }

  private async currentStoreIfAny(): Promise<CaseStore | null> {
    return (await this.current?.store) ?? null;
  }

  private async ingest(
    captureId: string,
    path: string,
    signal: AbortSignal,
    resolveStore: (store: CaseStore | null) => void,
    collectAlerts: (() => readonly Alert[]) | undefined,
  ): Promise<void> {
    let store: CaseStore;
    try {
      const info = await stat(path);
      const settings = await this.getNewCaseSettings();
      const ceilingBytes = this.options.memoryCeilingBytes ?? readMemoryCeilingBytes();
      store = await CaseStore.create({
        casesFolder: this.options.casesFolder,
        name: basename(path),
        settings: { ...settings, databaseMemoryBytes: getDatabaseMemoryBytes(ceilingBytes) },
        // Size and hash are filled in by the ingest; the path lets packets be read while it runs.
        sources: [{ id: 0, path, sizeBytes: info.size, sha256: '', isCompressed: false }],
      });
    } catch (error) {
      log.warn({ captureId, err: error }, 'case could not be created');
      resolveStore(null);
      return;
    }
    resolveStore(store);
    const sizeBytes = store.manifest.sources[0]?.sizeBytes ?? 0;
    const caseId = store.manifest.id;
    try {
      await ingestCaptureIntoCase(store, path, {
        signal,
        collectAlerts,
        onCommit: (marker) => this.options.emit('case.ingest', { captureId, caseId, marker, sizeBytes }),
      });
    } catch (error) {
      // A file that is not a capture is the user's expected mistake: one line, no stack.
      if (error instanceof CaptureFileError) log.warn({ captureId, caseId, code: error.code }, `case ingest failed: ${error.message}`);
      else log.warn({ captureId, caseId, err: error }, 'case ingest failed');
    }
  }
}

/**
 * An AnalyzeCapture that feeds a session the flows and the analyzer records
 * of a case (DNS, HTTP, DHCP, TLS, x509, SSH, SMB, QUIC, weird), reading no
 * packet. Records pass through the same sinks as while the capture was open,
 * so record tables, host names, display filters over record fields and the
 * protocol-aware detectors see what they saw then. Records go first, so
 * filters over record fields hold once the flows arrive. Open flows of an
 * interrupted ingest come as the provisional records they were stored as.
 */
function replayCase(store: CaseStore): AnalyzeCapture {
  return async (_path, options = {}) => {
    const flows = await readCaseFlowsInEndOrder(store);
    const marker = store.marker;
    options.onProgress?.({ bytesRead: 0, totalBytes: 0, packets: marker.packets, flows: flows.length });
    const sinks = createAnalyzeSinks(options);
    for (const record of await readCaseRecords(store)) replayRecord(sinks, record);
    // The final records first, then the open ones, as a loading session gets them.
    options.onFlows?.(flows.filter((flow) => flow.isProvisional !== true));
    const openFlows = flows.filter((flow) => flow.isProvisional === true);
    if (openFlows.length > 0) options.onActiveFlows?.(openFlows);
    const totals = await store.query(
      `SELECT count(*) AS n, sum(captured_length) AS captured, sum(original_length) AS wire, min(ts_us) AS first, max(ts_us) AS last,
       max(file_offset) AS last_offset FROM packets`,
    );
    const row = totals[0] ?? {};
    const summary = summarizeCase(store.manifest, flows.length, row, marker.state === 'cancelled');
    if (marker.state === 'interrupted') summary.fileProblems.push(describeInterruption(marker, Number(row.last_offset ?? 0)));
    return { summary };
  };
}

/** Hand one stored record to the sink that made it. */
function replayRecord(sinks: ApplicationAnalyzerSinks, record: StoredRecord): void {
  const row = record.data as ZeekRow;
  switch (record.type) {
    case 'dns': return sinks.onDns?.(record.data as DnsRecord);
    case 'http': return sinks.onHttp?.(record.data as HttpRecord);
    case 'dhcp': return sinks.onDhcp?.(record.data as DhcpRecord);
    case 'weird': return sinks.onWeird?.(record.data as WeirdRecord);
    case 'tls': return sinks.onSsl?.(row);
    case 'x509': return sinks.onX509?.(row);
    case 'ssh': return sinks.onSsh?.(row);
    case 'smb_mapping': return sinks.onSmbMapping?.(row);
    case 'smb_files': return sinks.onSmbFiles?.(row);
    case 'quic': return sinks.onQuic?.(row);
    default: log.warn({ type: record.type }, 'stored record of an unknown type skipped');
  }
}

/** Build the overview's problem entry for an ingest that stopped before the end of the capture. */
function describeInterruption(marker: CaseIngestMarker, lastFileOffset: number): ProblemTally {
  return {
    code: 'ingest-interrupted',
    count: 1,
    examples: [{ packetNumber: marker.lastPacketNumber, fileOffset: lastFileOffset, message: marker.message ?? `ingest was interrupted at packet ${marker.lastPacketNumber}` }],
  };
}

function summarizeCase(manifest: CaseManifest, flows: number, row: Record<string, unknown>, isCancelled: boolean): CaptureSummary {
  const source = manifest.sources[0];
  const path = source?.path ?? '';
  const numberOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
  return {
    path,
    // NOTE: the case does not record the source's format; the extension decides.
    format: /\.pcapng(\.gz)?$/i.test(path) ? 'pcapng' : 'pcap',
    isCompressed: source?.isCompressed ?? false,
    fileBytes: source?.sizeBytes ?? 0,
    packets: Number(row.n ?? 0),
    capturedBytes: Number(row.captured ?? 0),
    wireBytes: Number(row.wire ?? 0),
    flows,
    firstUs: numberOrNull(row.first),
    lastUs: numberOrNull(row.last),
    linkTypes: [],
    fileProblems: [],
    decodeProblems: [],
    isCancelled,
  };
}

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function selectionName(selection: CarveSelection): string {
  if (selection.kind === 'flows') return selection.uids.length === 1 ? `flow-${selection.uids[0]}` : `flows-${selection.uids.length}`;
  if (selection.kind === 'alert') return `alert-${selection.alertId.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60)}`;
  return 'range';
}

export type { OpenedCase };

/** Map a follow-stream failure to the contract's error code. */
function errorCodeOfFollow(reason: string): 'unsupported' | 'not-found' | 'read-failed' {
  if (reason === 'not-tcp-or-udp') return 'unsupported';
  if (reason === 'no-packets') return 'not-found';
  return 'read-failed';
}

/** Map a carving failure to the contract's error code. */
function errorCodeOfCarve(reason: string): 'not-found' | 'invalid-argument' | 'read-failed' {
  if (reason === 'nothing-selected') return 'not-found';
  if (reason === 'invalid-filter') return 'invalid-argument';
  return 'read-failed';
}
