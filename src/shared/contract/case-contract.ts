/**
 * Requests and events of cases, display filters, packet drill-down and
 * carving, spread into `requests` and `events`. The engine handles them all
 * (see engine/host/case-host.ts).
 */
import { z } from 'zod';

import type { CaseIngestMarker, CaseListEntry, CaseManifest } from '../domain/case';
import type { FilterCheckResult, FilterFieldInfo } from '../domain/filter';
import type { FollowedStream, PacketDetail } from '../domain/packet-tree';
import { captureIdSchema, timeRangeSchema } from '../domain/query';
import { defineEvent, defineRequest } from './define';

/** Longest display filter the engine accepts, as the filter lexer limits it. */
export const maxDisplayFilterLength = 4_096;

/** A case id is its folder name: no separators, no dot-dot. */
const caseIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a case id is a folder name of letters, digits, dot, dash and underscore');
const flowUidSchema = z.string().min(1).max(64);
const displayFilterSchema = z.string().max(maxDisplayFilterLength);

/** One row of a flow's packet list; numbers are the source file's, as Wireshark numbers frames. */
export interface PacketListRow {
  sourceId: number;
  packetNumber: number;
  timestampUs: number;
  capturedLength: number;
  originalLength: number;
  flowUid: string | null;
  /**
   * Wireshark's Source, Destination, Protocol and Info columns, decoded from
   * the packet's bytes; absent when the source capture cannot be read.
   */
  summary?: { source: string; destination: string; protocol: string; info: string };
}

export interface PacketList {
  /** Packets of the flow in the packet index. */
  total: number;
  offset: number;
  rows: PacketListRow[];
}

export interface OpenedCase {
  captureId: string;
  manifest: CaseManifest;
  marker: CaseIngestMarker;
}

export interface CarvedFile {
  /** Absolute path of the pcapng written. */
  path: string;
  packets: number;
  bytes: number;
  /** Name of the file in the case's exports folder, for the serve download route; null for a path the analyst gave. */
  exportName: string | null;
  /**
   * The file's bytes, base64, for a file written to the exports folder and
   * no larger than `maxCarveDownloadBytes`, so the page can save it (serve
   * mode has no other way to reach the engine's disk); null otherwise.
   */
  bytesBase64: string | null;
}

/** Largest carved file whose bytes come back with the answer. */
export const maxCarveDownloadBytes = 64 * 1024 * 1024;

/** Sent when the case of a capture commits a batch and when its ingest ends. */
export interface CaseIngestEvent {
  captureId: string;
  caseId: string;
  marker: CaseIngestMarker;
  /** Bytes of the source capture. */
  sizeBytes: number;
}

export const carveSelectionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('flows'), uids: z.array(flowUidSchema).min(1).max(10_000) }),
  z.strictObject({ kind: z.literal('alert'), alertId: z.string().min(1).max(128) }),
  z.strictObject({ kind: z.literal('range'), filter: displayFilterSchema, timeRange: timeRangeSchema }),
]);

export type CarveSelection = z.output<typeof carveSelectionSchema>;

/** Smallest disk cap a case accepts: below it the database alone would not fit. */
export const minCaseDiskCapBytes = 16 * 1024 * 1024;

/** Privacy and storage settings applied to the next case the engine makes. */
export const newCaseSettingsSchema = z.strictObject({
  /** False: the case keeps headers and metadata only (see `CaseSettings.isPayloadKept`). */
  isPayloadKept: z.boolean(),
  /** Most bytes the case folder may use; null for no cap. */
  diskCapBytes: z.number().int().min(minCaseDiskCapBytes).max(Number.MAX_SAFE_INTEGER).nullable(),
});

export type NewCaseSettings = z.output<typeof newCaseSettingsSchema>;

export const caseRequests = {
  /** Cases in the data folder, newest first, with their size on disk. */
  'cases.list': defineRequest<CaseListEntry[]>()('engine', z.strictObject({})),
  /** Reopen a case from its store, without reading the capture again; it replaces the capture loaded. */
  'cases.open': defineRequest<OpenedCase>()('engine', z.strictObject({ caseId: caseIdSchema })),
  /** Delete a case folder. Deleting the case of the loaded capture closes that capture first. */
  'cases.delete': defineRequest<{ caseId: string }>()('engine', z.strictObject({ caseId: caseIdSchema })),
  /** The privacy and storage settings the next case gets. */
  'cases.getSettings': defineRequest<NewCaseSettings>()('engine', z.strictObject({})),
  /** Change the settings of the next case (the open case keeps its own); returns all of them. */
  'cases.setSettings': defineRequest<NewCaseSettings>()('engine', newCaseSettingsSchema.partial().strict()),

  /** Parse a display filter: ok, or the error with its column and length. */
  'filter.check': defineRequest<FilterCheckResult>()('engine', z.strictObject({ text: displayFilterSchema })),
  /** Field names that start with `prefix`, for the filter box's completion. */
  'filter.complete': defineRequest<FilterFieldInfo[]>()(
    'engine',
    z.strictObject({ prefix: z.string().max(200) }),
  ),

  /** A page of a flow's packets from the case's packet index. */
  'packets.list': defineRequest<PacketList>()(
    'engine',
    z.strictObject({
      captureId: captureIdSchema,
      uid: flowUidSchema,
      offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
      limit: z.number().int().min(1).max(5_000).optional(),
    }),
  ),
  /** One packet decoded as a tree, with its bytes. */
  'packets.detail': defineRequest<PacketDetail>()(
    'engine',
    z.strictObject({
      captureId: captureIdSchema,
      sourceId: z.number().int().min(0).max(65_535),
      packetNumber: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    }),
  ),
  /** A TCP or UDP flow's payload per direction. */
  'stream.follow': defineRequest<FollowedStream>()(
    'engine',
    z.strictObject({
      captureId: captureIdSchema,
      uid: flowUidSchema,
      capBytes: z
        .number()
        .int()
        .min(1)
        .max(64 * 1024 * 1024)
        .optional(),
    }),
  ),
  /**
   * Write the selection's packets as pcapng. `path` is where the analyst
   * wants it; an empty path writes into the case's exports folder (serve
   * mode downloads it from there).
   */
  'export.carve': defineRequest<CarvedFile>()(
    'engine',
    z.strictObject({
      captureId: captureIdSchema,
      path: z.string().max(4_096),
      selection: carveSelectionSchema,
    }),
  ),
} as const;

export const caseEvents = {
  /** The case of the capture loaded committed a batch or finished ingesting. */
  'case.ingest': defineEvent<CaseIngestEvent>('engine'),
} as const;
