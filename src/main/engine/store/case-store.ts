/**
 * One case on disk: a folder with case.json and an embedded DuckDB database.
 *
 * Writes go through appenders inside one open transaction; `commit` flushes
 * them, updates the ingest marker in the same transaction and commits, so a
 * crash leaves the rows of every committed batch and none of the open one.
 * The adding methods are synchronous (they run inside the packet loop) and
 * `commit` is awaited between chunks of the capture.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type DuckDBAppender, type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import type { Alert } from '../../../shared/domain/alert';
import {
  CASE_FORMAT_VERSION,
  type CaseIngestMarker,
  type CaseIngestState,
  type CaseManifest,
  type CaseSettings,
  type CaseSource,
} from '../../../shared/domain/case';
import type { FlowRecord } from '../../../shared/domain/flow';
import { getAddressKey } from '../filter/address-key';
import { getFlowDurationUs } from '../filter/filter-fields';
import { type StoredRecord, getRecordColumnValues, getRecordTable } from '../filter/record-columns';
import { SCHEMA_STATEMENTS } from './case-schema';
import { DEFAULT_MEMORY_CEILING_BYTES, getDatabaseMemoryBytes } from './memory-ceiling';

export const MANIFEST_FILE = 'case.json';
export const DATABASE_FILE = 'case.duckdb';
/** Rows per transaction before `isCommitDue` returns true. */
export const DEFAULT_BATCH_ROWS = 50_000;
/** Milliseconds after which an open batch is due anyway. */
export const DEFAULT_BATCH_MS = 250;

export const defaultCaseSettings: CaseSettings = {
  isPayloadKept: true,
  diskCapBytes: null,
  databaseMemoryBytes: getDatabaseMemoryBytes(DEFAULT_MEMORY_CEILING_BYTES),
  databaseThreads: 2,
};

/** One row of the packet index. */
export interface PacketIndexRow {
  sourceId: number;
  packetNumber: number;
  /** Offset of the record in the (decompressed) capture stream. */
  fileOffset: number;
  timestampUs: number;
  capturedLength: number;
  originalLength: number;
  interfaceId: number;
  /** Outermost flow the packet joined, or null (ARP, undecodable). */
  flowUid: string | null;
  /** Flow of a tunnelled inner layer, or null. */
  innerFlowUid: string | null;
}

export interface CreateCaseOptions {
  /** Folder holding the cases; default getDefaultCasesFolder(). */
  casesFolder: string;
  name: string;
  sources: CaseSource[];
  settings?: Partial<CaseSettings>;
  /** Rows per transaction and its age limit; tests lower them. */
  batchRows?: number;
  batchMs?: number;
}

type Row = Record<string, string | number | boolean | null>;

/**
 * The flows still open when a batch commits: `forEach` hands each one's
 * provisional record to `visit` (FlowTable.forEachActiveFlow). They replace
 * the previous snapshot in the same transaction.
 */
export interface OpenFlowSnapshot {
  forEach(visit: (flow: FlowRecord) => void): void;
  /** Last packet the snapshot counts. */
  atPacketNumber: number;
}

const emptyPending = () => ({ flows: 0, records: 0, packets: 0, alerts: 0, rows: 0, lastPacketNumber: 0 });

export class CaseStore {
  private appenders: Map<string, DuckDBAppender> | null = null;
  private pending = emptyPending();
  private committed: CaseIngestMarker;
  /** uids of the open-flow rows in the database (committed or in the open batch). */
  private openUidsStored = new Set<string>();
  /** Open-flow rows whose flow ended in the open batch; deleted when it commits. */
  private endedOpenUids: string[] = [];
  private batchStartedMs = Date.now();
  private isClosed = false;

  private constructor(
    readonly folder: string,
    readonly manifest: CaseManifest,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** Queries run here, so they see committed batches only and never touch the ingest's open transaction. */
    private readonly readConnection: DuckDBConnection,
    marker: CaseIngestMarker,
    private readonly batchRows: number,
    private readonly batchMs: number,
  ) {
    this.committed = marker;
  }

  /** Make a new case folder with an empty database; returns the open store. */
  static async create(options: CreateCaseOptions): Promise<CaseStore> {
    const id = `${new Date().toISOString().slice(0, 10)}-${slugify(options.name)}-${randomBytes(3).toString('hex')}`;
    const folder = join(options.casesFolder, id);
    await mkdir(join(folder, 'tmp'), { recursive: true });
    const manifest: CaseManifest = {
      formatVersion: CASE_FORMAT_VERSION,
      id,
      name: options.name,
      createdUs: Date.now() * 1000,
      sources: options.sources,
      settings: { ...defaultCaseSettings, ...options.settings },
    };
    await writeManifest(folder, manifest);
    return CaseStore.openFolder(folder, manifest, true, options.batchRows, options.batchMs);
  }

  /**
   * Open an existing case. Throws when case.json is missing or from a newer
   * format; DuckDB replays its write-ahead log, so a case cut off by a crash
   * opens with every committed batch.
   */
  static async open(folder: string, batch: { batchRows?: number; batchMs?: number } = {}): Promise<CaseStore> {
    const manifest = await readManifest(folder);
    return CaseStore.openFolder(folder, manifest, false, batch.batchRows, batch.batchMs);
  }

  private static async openFolder(folder: string, manifest: CaseManifest, isNew: boolean, batchRows?: number, batchMs?: number): Promise<CaseStore> {
    const { settings } = manifest;
    await mkdir(join(folder, 'tmp'), { recursive: true });
    const instance = await DuckDBInstance.create(join(folder, DATABASE_FILE), {
      // MiB, not MB: DuckDB reads "MB" as 10^6 bytes.
      memory_limit: `${Math.max(64, Math.floor(settings.databaseMemoryBytes / (1024 * 1024)))}MiB`,
      threads: String(Math.max(1, settings.databaseThreads)),
      temp_directory: join(folder, 'tmp'),
    });
    const connection = await instance.connect();
    for (const statement of SCHEMA_STATEMENTS) await connection.run(statement);
    const readConnection = await instance.connect();
    const marker = await readMarker(connection);
    const store = new CaseStore(folder, manifest, instance, connection, readConnection, marker, batchRows ?? DEFAULT_BATCH_ROWS, batchMs ?? DEFAULT_BATCH_MS);
    if (!isNew && marker.state === 'ingesting') store.committed = describeInterruptedIngest(marker);
    return store;
  }

  /** Ingest progress as last committed. */
  get marker(): CaseIngestMarker {
    return { ...this.committed };
  }

  /** Append finished flows to the open batch; each replaces its open-flow row, if one was stored. */
  addFlows(flows: readonly FlowRecord[]): void {
    const appender = this.getAppender('flows');
    for (const flow of flows) {
      appendFlow(appender, flow, false);
      if (this.openUidsStored.delete(flow.uid)) this.endedOpenUids.push(flow.uid);
      this.pending.flows++;
    }
    this.pending.rows += flows.length;
  }

  /** Append one analyzer record (any type) and its filterable columns. */
  addRecord(record: StoredRecord): void {
    const appender = this.getAppender('records');
    appender.appendVarchar(record.type);
    appender.appendVarchar(record.uid);
    appender.appendBigInt(BigInt(Math.trunc(record.timestampUs)));
    appender.appendVarchar(JSON.stringify(record.data));
    appender.endRow();
    const table = getRecordTable(record.type);
    const values = getRecordColumnValues(record);
    if (table !== null && values !== null) {
      const typed = this.getAppender(table);
      typed.appendVarchar(record.uid);
      typed.appendBigInt(BigInt(Math.trunc(record.timestampUs)));
      for (const value of values) appendValue(typed, value);
      typed.endRow();
    }
    this.pending.records++;
    this.pending.rows++;
  }

  addAlerts(alerts: readonly Alert[]): void {
    const appender = this.getAppender('alerts');
    for (const alert of alerts) {
      appender.appendVarchar(alert.id);
      appender.appendVarchar(alert.detector);
      appender.appendVarchar(alert.severity);
      appender.appendDouble(alert.score);
      appender.appendBigInt(BigInt(alert.firstUs));
      appender.appendBigInt(BigInt(alert.lastUs));
      appender.appendVarchar(JSON.stringify(alert));
      appender.endRow();
      this.pending.alerts++;
    }
    this.pending.rows += alerts.length;
  }

  addPacket(row: PacketIndexRow): void {
    const appender = this.getAppender('packets');
    appender.appendInteger(row.sourceId);
    appender.appendBigInt(BigInt(row.packetNumber));
    appender.appendBigInt(BigInt(row.fileOffset));
    appender.appendBigInt(BigInt(row.timestampUs));
    appender.appendInteger(row.capturedLength);
    appender.appendInteger(row.originalLength);
    appender.appendInteger(row.interfaceId);
    appendValue(appender, row.flowUid);
    appendValue(appender, row.innerFlowUid);
    appender.endRow();
    this.pending.packets++;
    this.pending.rows++;
    if (row.packetNumber > this.pending.lastPacketNumber) this.pending.lastPacketNumber = row.packetNumber;
  }

  /** True when the open batch contains `batchRows` rows or is older than `batchMs`. */
  isCommitDue(): boolean {
    return this.pending.rows >= this.batchRows || (this.pending.rows > 0 && Date.now() - this.batchStartedMs >= this.batchMs);
  }

  /**
   * Flush the open batch and commit it with the updated marker in one
   * transaction. `state` replaces the marker's state (for the last batch).
   */
  async commit(state: CaseIngestState = 'ingesting', message: string | null = null, openFlows?: OpenFlowSnapshot): Promise<CaseIngestMarker> {
    this.assertOpen();
    if (this.appenders === null) await this.connection.run('BEGIN TRANSACTION');
    for (const appender of this.appenders?.values() ?? []) {
      appender.flushSync();
      appender.closeSync();
    }
    this.appenders = null;
    const openCount = await this.writeOpenFlows(state, openFlows);
    const next: CaseIngestMarker = {
      state,
      batches: this.committed.batches + 1,
      flows: this.committed.flows + this.pending.flows,
      records: this.committed.records + this.pending.records,
      packets: this.committed.packets + this.pending.packets,
      alerts: this.committed.alerts + this.pending.alerts,
      lastPacketNumber: Math.max(this.committed.lastPacketNumber, this.pending.lastPacketNumber),
      message,
      openFlows: openCount,
      openFlowsAtPacket: openFlows?.atPacketNumber ?? (state === 'complete' ? 0 : (this.committed.openFlowsAtPacket ?? 0)),
    };
    await this.connection.run(
      `UPDATE ingest_marker SET state = ?, batches = ?, flows = ?, records = ?, packets = ?, alerts = ?, last_packet_number = ?, message = ?,
       open_flows = ?, open_flows_at_packet = ? WHERE id = 0`,
      [next.state, next.batches, next.flows, next.records, next.packets, next.alerts, next.lastPacketNumber, next.message, openCount, next.openFlowsAtPacket ?? 0],
    );
    await this.connection.run('COMMIT');
    this.committed = next;
    this.pending = emptyPending();
    this.batchStartedMs = Date.now();
    return { ...next };
  }

  /**
   * Inside the commit's transaction: drop the open-flow rows of flows that
   * ended in this batch, or all of them when a new snapshot comes (its rows
   * follow) or ingest completes. Returns the open flows stored after it.
   */
  private async writeOpenFlows(state: CaseIngestState, snapshot: OpenFlowSnapshot | undefined): Promise<number> {
    // A failed or stopped ingest keeps its last snapshot unless it passes a new one; a complete one has none left.
    const isReplacing = snapshot !== undefined || state === 'complete';
    if (isReplacing && (this.openUidsStored.size > 0 || this.endedOpenUids.length > 0)) {
      await this.connection.run('DELETE FROM flows WHERE is_open');
      this.openUidsStored.clear();
    } else if (this.endedOpenUids.length > 0) {
      await this.connection.run('DELETE FROM flows WHERE is_open AND list_contains(?::VARCHAR[], uid)', [JSON.stringify(this.endedOpenUids)]);
    }
    this.endedOpenUids = [];
    if (snapshot === undefined) return this.openUidsStored.size;
    const appender = await this.connection.createAppender('flows');
    snapshot.forEach((flow) => {
      appendFlow(appender, flow, true);
      this.openUidsStored.add(flow.uid);
    });
    appender.flushSync();
    appender.closeSync();
    return this.openUidsStored.size;
  }

  /** Bytes the case folder uses now (database, write-ahead log, spill files, manifest, live captures). */
  async getSizeBytes(): Promise<number> {
    return getFolderSizeBytes(this.folder);
  }

  /**
   * Run a read query on the read connection, which sees committed batches
   * only, so the case can be browsed while it loads. BIGINT columns come
   * back as numbers (exact to 2^53).
   */
  async query(sql: string, parameters: ReadonlyArray<string | number | boolean | null> = []): Promise<Row[]> {
    this.assertOpen();
    const reader = await this.readConnection.runAndReadAll(sql, parameters as DuckDBValue[]);
    return reader.getRowObjectsJS().map((row) => {
      const converted: Row = {};
      for (const [key, value] of Object.entries(row)) {
        converted[key] = typeof value === 'bigint' ? Number(value) : (value as string | number | boolean | null);
      }
      return converted;
    });
  }

  /** Drop the rows added since the last commit; the next rows need `beginBatch()` again. */
  async discardBatch(): Promise<void> {
    this.assertOpen();
    if (this.appenders === null) return;
    for (const appender of this.appenders.values()) appender.closeSync();
    this.appenders = null;
    await this.connection.run('ROLLBACK');
    this.pending = emptyPending();
    // Rows of flows that ended in the dropped batch are gone, so their open rows stay.
    for (const uid of this.endedOpenUids) this.openUidsStored.add(uid);
    this.endedOpenUids = [];
  }

  /** Drop the uncommitted batch and close the database. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    if (this.appenders !== null) {
      for (const appender of this.appenders.values()) appender.closeSync();
      this.appenders = null;
      await this.connection.run('ROLLBACK');
    }
    this.isClosed = true;
    this.readConnection.closeSync();
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private getAppender(table: string): DuckDBAppender {
    this.assertOpen();
    const appender = this.appenders?.get(table);
    // A missing appender is a bug in the caller: rows need an open batch.
    if (appender === undefined) throw new Error(`CaseStore ${this.folder}: call beginBatch() before adding rows to ${table}.`);
    return appender;
  }

  /**
   * Open the next batch's transaction and prepare its appenders. Called
   * before adding rows and after every commit; async, so the ingest loop
   * awaits it between chunks.
   */
  async beginBatch(): Promise<void> {
    this.assertOpen();
    if (this.appenders !== null) return;
    await this.connection.run('BEGIN TRANSACTION');
    const appenders = new Map<string, DuckDBAppender>();
    for (const table of ['flows', 'packets', 'records', 'dns_records', 'http_records', 'tls_records', 'alerts']) {
      appenders.set(table, await this.connection.createAppender(table));
    }
    this.appenders = appenders;
    this.batchStartedMs = Date.now();
  }

  private assertOpen(): void {
    if (this.isClosed) throw new Error(`CaseStore ${this.folder} is closed.`);
  }
}

function appendValue(appender: DuckDBAppender, value: string | number | null): void {
  if (value === null) appender.appendNull();
  else if (typeof value === 'string') appender.appendVarchar(value);
  else appender.appendInteger(value);
}

function appendNullableInteger(appender: DuckDBAppender, value: number | null): void {
  if (value === null) appender.appendNull();
  else appender.appendInteger(value);
}

/** Columns in FLOW_COLUMNS order; `isOpen` marks an open flow's snapshot row. */
function appendFlow(appender: DuckDBAppender, flow: FlowRecord, isOpen: boolean): void {
  const originatorKey = getAddressKey(flow.originatorAddress);
  appender.appendVarchar(flow.uid);
  appender.appendVarchar(flow.communityId);
  appender.appendBigInt(BigInt(flow.startUs));
  appender.appendBigInt(BigInt(flow.endUs));
  appender.appendBigInt(BigInt(flow.firstPacketNumber));
  appender.appendBigInt(BigInt(flow.lastPacketNumber));
  appender.appendVarchar(flow.originatorAddress);
  appender.appendInteger(flow.originatorPort);
  appender.appendVarchar(flow.responderAddress);
  appender.appendInteger(flow.responderPort);
  appendValue(appender, originatorKey);
  appendValue(appender, getAddressKey(flow.responderAddress));
  appender.appendInteger(flow.originatorAddress.includes(':') ? 6 : 4);
  appender.appendVarchar(flow.transport);
  appender.appendInteger(flow.ipProtocol);
  appendNullableInteger(appender, flow.vlan);
  appendNullableInteger(appender, flow.innerVlan);
  appendValue(appender, flow.service);
  appender.appendBigInt(BigInt(flow.originatorBytes));
  appender.appendBigInt(BigInt(flow.responderBytes));
  appender.appendBigInt(BigInt(flow.missedBytes));
  appender.appendBigInt(BigInt(flow.originatorPackets));
  appender.appendBigInt(BigInt(flow.responderPackets));
  appender.appendBigInt(BigInt(flow.originatorIpBytes));
  appender.appendBigInt(BigInt(flow.responderIpBytes));
  appender.appendVarchar(flow.connectionState);
  appender.appendVarchar(flow.history);
  appender.appendBigInt(BigInt(getFlowDurationUs(flow)));
  appender.appendVarchar(JSON.stringify(flow));
  appender.appendBoolean(isOpen);
  appender.endRow();
}

async function readMarker(connection: DuckDBConnection): Promise<CaseIngestMarker> {
  const reader = await connection.runAndReadAll(
    'SELECT state, batches, flows, records, packets, alerts, last_packet_number, message, open_flows, open_flows_at_packet FROM ingest_marker WHERE id = 0',
  );
  const row = reader.getRowObjectsJS()[0] ?? {};
  return {
    state: (typeof row.state === 'string' ? row.state : 'ingesting') as CaseIngestState,
    batches: Number(row.batches ?? 0),
    flows: Number(row.flows ?? 0),
    records: Number(row.records ?? 0),
    packets: Number(row.packets ?? 0),
    alerts: Number(row.alerts ?? 0),
    lastPacketNumber: Number(row.last_packet_number ?? 0),
    message: typeof row.message === 'string' ? row.message : null,
    openFlows: Number(row.open_flows ?? 0),
    openFlowsAtPacket: Number(row.open_flows_at_packet ?? 0),
  };
}

/**
 * Describe a case found 'ingesting' when opened. The process that ingested it
 * stopped before the end, because a running ingest keeps the database locked.
 */
function describeInterruptedIngest(marker: CaseIngestMarker): CaseIngestMarker {
  const open = marker.openFlows ?? 0;
  const openText = open === 0 ? '' : ` ${open} flow${open === 1 ? ' was' : 's were'} still open at packet ${marker.openFlowsAtPacket ?? 0} and ${open === 1 ? 'is' : 'are'} shown as incomplete.`;
  return {
    ...marker,
    state: 'interrupted',
    message: `Ingest was interrupted at packet ${marker.lastPacketNumber}: the engine stopped before the end of the capture, and the case contains what was committed up to that packet.${openText}`,
  };
}

/** Read and check case.json. Throws naming the folder when it is missing, unreadable or from a newer Tideline. */
export async function readManifest(folder: string): Promise<CaseManifest> {
  const path = join(folder, MANIFEST_FILE);
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new Error(`${path} could not be read (${(error as Error).message}); this folder is not a Tideline case.`, { cause: error });
  });
  const manifest = JSON.parse(text) as CaseManifest;
  if (typeof manifest.formatVersion !== 'number' || manifest.formatVersion > CASE_FORMAT_VERSION) {
    throw new Error(`${path} has format version ${String(manifest.formatVersion)}; this Tideline reads up to ${CASE_FORMAT_VERSION}. Open it with a newer Tideline.`);
  }
  return manifest;
}

/** Write case.json through a temporary file and a rename, so a crash leaves the old or the new manifest. */
export async function writeManifest(folder: string, manifest: CaseManifest): Promise<void> {
  const path = join(folder, MANIFEST_FILE);
  const temporary = `${path}.tmp`;
  await writeFile(temporary, `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  await rename(temporary, path);
}

/** Total size of regular files under `folder`, recursively. */
export async function getFolderSizeBytes(folder: string): Promise<number> {
  let total = 0;
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) total += await getFolderSizeBytes(path);
    else if (entry.isFile()) total += (await stat(path).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/** Delete a case folder; refuses a folder without case.json so a wrong path never deletes other data. */
export async function deleteCaseFolder(folder: string): Promise<void> {
  await readManifest(folder);
  await rm(folder, { recursive: true, force: true });
}

function slugify(name: string): string {
  const slug = basename(name).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return slug === '' ? 'case' : slug;
}
