/**
 * Reads a capture into a case: flows, analyzer records, alerts and the
 * packet index, in batches committed between chunks of the file, with the
 * source's SHA-256 computed from the same reads.
 *
 * NOTE: this is its own read loop rather than analyzeCapture, because the
 * packet index needs each record's file offset with the flow uids the flow
 * table assigned it, and commits need an awaited pause between chunks;
 * analyzeCapture gives neither yet. See the report for the hooks that would
 * let the store ride on analyzeCapture's single pass.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Alert } from '../../../shared/domain/alert';
import type { CaseIngestMarker, CaseSource } from '../../../shared/domain/case';
import type { FlowRecord } from '../../../shared/domain/flow';
import { ApplicationAnalyzers } from '../analyzers/application-analyzers';
import { createDecodedPacket } from '../decode/decoded-packet';
import { decodePacket } from '../decode/packet-decoder';
import { type FlowAnalyzer, type FlowPacketEvent, combineFlowAnalyzers } from '../flows/flow-hooks';
import { FlowTable } from '../flows/flow-table';
import { CaptureStreamParser } from '../source/capture-stream-parser';
import { isGzipSignature } from '../source/file-signature';
import type { PacketRecord } from '../source/packet-record';
import type { StoredRecord } from '../filter/record-columns';
import { getTimestampResolutionByte } from '../packets/capture-random-reader';
import type { ZeekRow } from '../analyzers/parsers/zeek-row';
import { type CaseStore, type OpenFlowSnapshot, writeManifest } from './case-store';

const CHUNK_BYTES = 4 * 1024 * 1024;
/** Minimum time between two snapshots of the open flows, in milliseconds. */
export const DEFAULT_OPEN_FLOW_SNAPSHOT_MS = 1_000;
/**
 * A snapshot costs a record per open flow. The next one waits at least this
 * many times the last commit that carried one, so a capture with a very
 * large flow table spends at most about a tenth of its commit time on them.
 */
const SNAPSHOT_COST_FACTOR = 10;

export interface IngestOptions {
  /** Source id in the manifest; default 0. */
  sourceId?: number;
  signal?: AbortSignal;
  /** Called after every commit with the committed marker. */
  onCommit?(marker: CaseIngestMarker): void;
  /** Sees each finished flow batch (detection runs here). */
  onFlows?(flows: readonly FlowRecord[]): void;
  /** Alerts to store once the capture is read, e.g. a DetectionEngine's output. */
  collectAlerts?(): readonly Alert[];
  /** Replaces the default application analyzers; receives the record sink. */
  createAnalyzers?(addRecord: (record: StoredRecord) => void): FlowAnalyzer[];
  /**
   * Minimum milliseconds between two commits that also store the open flows
   * (default DEFAULT_OPEN_FLOW_SNAPSHOT_MS; 0: every commit). The first
   * commit always stores them.
   */
  openFlowSnapshotMs?: number;
}

export interface IngestResult {
  marker: CaseIngestMarker;
  sha256: string;
  sizeBytes: number;
  isCompressed: boolean;
}

/**
 * Ingest the capture at `path` into `store` as source `sourceId`, then write
 * the source's size and SHA-256 into case.json. Returns the final marker.
 * Throws when the file cannot be opened or is not a capture; damage inside
 * the file stops nothing (the parser skips it).
 */
export async function ingestCaptureIntoCase(store: CaseStore, path: string, options: IngestOptions = {}): Promise<IngestResult> {
  try {
    return await ingestUnguarded(store, path, options);
  } catch (error) {
    // The one boundary of the ingest: keep what was committed, mark the case failed, and rethrow.
    await store.discardBatch();
    await store.beginBatch();
    const message = error instanceof Error ? error.message : String(error);
    const marker = await store.commit('failed', message);
    options.onCommit?.(marker);
    throw error;
  }
}

async function ingestUnguarded(store: CaseStore, path: string, options: IngestOptions): Promise<IngestResult> {
  const sourceId = options.sourceId ?? 0;
  const { sizeBytes, isCompressed } = await inspectFile(path);
  const hash = createHash('sha256');
  const state = createPacketState(store, sourceId, options);
  const parser = new CaptureStreamParser(
    { onPacket: (record) => state.onPacket(record), onWarning: () => undefined },
    { sourceName: path, isDecompressed: isCompressed },
  );

  await store.beginBatch();
  let stopState: 'cancelled' | 'disk-cap-reached' | null = null;
  const snapshotMinMs = options.openFlowSnapshotMs ?? DEFAULT_OPEN_FLOW_SNAPSHOT_MS;
  let nextSnapshotMs = -Infinity;
  for await (const chunk of readChunks(path, isCompressed, hash)) {
    parser.push(chunk);
    if (parser.hasStopped) break;
    if (options.signal?.aborted === true) {
      stopState = 'cancelled';
      break;
    }
    if (!store.isCommitDue()) continue;
    const startedMs = Date.now();
    const snapshot = startedMs >= nextSnapshotMs ? state.snapshotOpenFlows() : undefined;
    // Not `onCommit?.(await commit())`: an absent callback would skip the commit itself.
    const committed = await store.commit('ingesting', null, snapshot);
    if (snapshot !== undefined && snapshotMinMs > 0) nextSnapshotMs = Date.now() + Math.max(snapshotMinMs, SNAPSHOT_COST_FACTOR * (Date.now() - startedMs));
    options.onCommit?.(committed);
    if (await isOverDiskCap(store)) {
      stopState = 'disk-cap-reached';
      break;
    }
    await store.beginBatch();
  }

  if (stopState === null) {
    parser.end();
    state.finish();
  }
  await store.beginBatch();
  const message = stopState === 'disk-cap-reached' ? `The case reached its disk cap of ${store.manifest.settings.diskCapBytes} bytes; ingest stopped at packet ${store.marker.lastPacketNumber}.` : null;
  // A stopped ingest keeps its open flows, as a crash would; a finished one flushed them all.
  const marker = await store.commit(stopState ?? 'complete', message, stopState === null ? undefined : state.snapshotOpenFlows());
  options.onCommit?.(marker);

  const sha256 = stopState === null ? hash.digest('hex') : '';
  const interfaces = parser.interfaces
    .filter((captureInterface) => captureInterface.sectionIndex === 0)
    .sort((a, b) => a.interfaceId - b.interfaceId)
    .map((captureInterface) => ({
      linkType: captureInterface.linkType & 0xffff,
      snaplen: captureInterface.snaplen,
      timestampResolution: getTimestampResolutionByte(captureInterface.ticksPerSecond),
      timestampOffsetSeconds: captureInterface.timestampOffsetSeconds,
    }));
  if (stopState === null && options.collectAlerts !== undefined) store.manifest.areAlertsStored = true;
  await recordSource(store, { id: sourceId, path, sizeBytes, sha256, isCompressed, interfaces });
  return { marker, sha256, sizeBytes, isCompressed };
}

/** Per-packet work: decode, flow table, analyzers, packet index. */
function createPacketState(store: CaseStore, sourceId: number, options: IngestOptions) {
  const decoded = createDecodedPacket();
  const addRecord = (record: StoredRecord): void => store.addRecord(record);
  const applicationAnalyzers = options.createAnalyzers === undefined ? new ApplicationAnalyzers(createRecordSinks(addRecord)) : null;
  const analyzer = combineFlowAnalyzers(applicationAnalyzers !== null ? [applicationAnalyzers] : (options.createAnalyzers?.(addRecord) ?? []));
  let packetFlowUid: string | null = null;
  let packetInnerFlowUid: string | null = null;
  let lastPacketNumber = 0;

  const flowTable = new FlowTable({
    onFlow(flow) {
      applicationAnalyzers?.annotateFlowRecord(flow);
      store.addFlows([flow]);
      options.onFlows?.([flow]);
    },
    onFlowPacket(event: FlowPacketEvent) {
      if (event.layerIndex === 0 || packetFlowUid === null) packetFlowUid = event.flow.uid;
      else packetInnerFlowUid = event.flow.uid;
      analyzer.onFlowPacket?.(event);
    },
    onFlowEnd: analyzer.onFlowEnd?.bind(analyzer),
  });

  return {
    onPacket(record: PacketRecord): void {
      lastPacketNumber = record.packetNumber;
      packetFlowUid = null;
      packetInnerFlowUid = null;
      decodePacket(record.data, record.linkType, decoded);
      flowTable.addPacket(decoded, record.data, record.timestampUs, record.packetNumber);
      store.addPacket({
        sourceId,
        packetNumber: record.packetNumber,
        fileOffset: record.fileOffset,
        timestampUs: record.timestampUs,
        capturedLength: record.capturedLength,
        originalLength: record.originalLength,
        interfaceId: record.interfaceId,
        flowUid: packetFlowUid,
        innerFlowUid: packetInnerFlowUid,
      });
    },
    /**
     * Snapshot the flows in the table now. Annotations (unusual port, ICMP summary)
     * are made when a flow ends, so open flows have none yet.
     */
    snapshotOpenFlows(): OpenFlowSnapshot {
      return { atPacketNumber: lastPacketNumber, forEach: (visit) => flowTable.forEachActiveFlow(visit) };
    },
    finish(): void {
      flowTable.flush();
      analyzer.onCaptureEnd?.();
      const alerts = options.collectAlerts?.() ?? [];
      if (alerts.length > 0) store.addAlerts(alerts);
    },
  };
}

/**
 * Every record the analyzers make, as stored records: DNS, HTTP, DHCP and
 * weird as their typed records, the session logs (ssl.log as type "tls",
 * x509, ssh, smb_mapping, smb_files, quic) as their Zeek rows.
 */
function createRecordSinks(addRecord: (record: StoredRecord) => void) {
  const addRow = (type: string) => (row: ZeekRow) => {
    const uid = row['uid'];
    const ts = row['ts'];
    addRecord({ type, uid: typeof uid === 'string' ? uid : '', timestampUs: typeof ts === 'number' ? ts : 0, data: row });
  };
  return {
    onDns: (data: { uid: string; timestampUs: number }) => addRecord({ type: 'dns', uid: data.uid, timestampUs: data.timestampUs, data }),
    onHttp: (data: { uid: string; timestampUs: number }) => addRecord({ type: 'http', uid: data.uid, timestampUs: data.timestampUs, data }),
    onDhcp: (data: { uids: string[]; timestampUs: number }) => addRecord({ type: 'dhcp', uid: data.uids[0] ?? '', timestampUs: data.timestampUs, data }),
    onWeird: (data: { uid: string | null; timestampUs: number }) => addRecord({ type: 'weird', uid: data.uid ?? '', timestampUs: data.timestampUs, data }),
    onSsl: addRow('tls'),
    onX509: addRow('x509'),
    onSsh: addRow('ssh'),
    onSmbMapping: addRow('smb_mapping'),
    onSmbFiles: addRow('smb_files'),
    onQuic: addRow('quic'),
  };
}

async function inspectFile(path: string): Promise<{ sizeBytes: number; isCompressed: boolean }> {
  const info = await stat(path).catch((error: unknown) => {
    throw new Error(`${path} could not be opened (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}); check the path and permissions.`, { cause: error });
  });
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return { sizeBytes: info.size, isCompressed: isGzipSignature(head.subarray(0, bytesRead)) };
  } finally {
    await handle.close();
  }
}

/** The file's bytes (inflated for gzip) in chunks; `hash` sees the bytes as stored on disk. */
async function* readChunks(path: string, isCompressed: boolean, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  const fileStream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  if (!isCompressed) {
    for await (const chunk of fileStream) {
      hash.update(chunk as Buffer);
      yield chunk as Buffer;
    }
    return;
  }
  // pipe() reads through 'data' events too, so this listener sees every compressed byte once.
  fileStream.on('data', (chunk) => hash.update(chunk as Buffer));
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  fileStream.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } finally {
    fileStream.destroy();
    gunzip.destroy();
  }
}

async function isOverDiskCap(store: CaseStore): Promise<boolean> {
  const cap = store.manifest.settings.diskCapBytes;
  if (cap === null) return false;
  return (await store.getSizeBytes()) >= cap;
}

async function recordSource(store: CaseStore, source: CaseSource): Promise<void> {
  const sources = store.manifest.sources.filter((candidate) => candidate.id !== source.id);
  sources.push(source);
  sources.sort((a, b) => a.id - b.id);
  store.manifest.sources = sources;
  await writeManifest(store.folder, store.manifest);
}
