/**
 * Flow queries: the filter shared by every view, the sortable columns and a
 * page of results. The schemas are the run-time check of the contract and
 * the types are inferred from them, so the two cannot drift.
 */
import { z } from 'zod';

import type { FlowRecord } from './flow';

/** Upper bounds that keep one request from asking the engine for unbounded work. */
export const queryLimits = {
  /** Rows in one page of the flow table. */
  maxPageRows: 5_000,
  /** Addresses in one host filter. */
  maxFilterHosts: 1_000,
  /** Flow uids in one uid filter (an alert's evidence). */
  maxFilterUids: 10_000,
  /** Characters in the quick filter text. */
  maxFilterTextLength: 500,
  /** Buckets in one timeline. */
  maxTimelineBuckets: 2_000,
  /** Nodes in one host graph, the grouped node included. */
  maxGraphNodes: 2_000,
} as const;

/** Microseconds since the Unix epoch; integers up to 2^53 stay exact. */
export const epochMicrosecondsSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A half-open time range [startUs, endUs). */
export const timeRangeSchema = z
  .strictObject({
    startUs: epochMicrosecondsSchema,
    endUs: epochMicrosecondsSchema,
  })
  .refine((range) => range.endUs >= range.startUs, {
    message: 'endUs must not be before startUs',
    path: ['endUs'],
  });

export type TimeRange = z.infer<typeof timeRangeSchema>;

/**
 * The one selection shared by all views. Every present field narrows the
 * result, so an empty object selects everything.
 */
export const flowFilterSchema = z.strictObject({
  /** Keeps flows whose [startUs, endUs] overlaps the range. */
  timeRange: timeRangeSchema.optional(),
  /** Keeps flows with either endpoint in the list (exact address match). */
  hosts: z.array(z.string().min(1).max(100)).max(queryLimits.maxFilterHosts).optional(),
  /** Keeps flows whose uid is in the list, as an alert's evidence selects them. */
  uids: z.array(z.string().min(1).max(64)).max(queryLimits.maxFilterUids).optional(),
  /**
   * Case-insensitive substring over uid, community id, addresses, ports,
   * transport, service, connection state and history.
   */
  text: z.string().max(queryLimits.maxFilterTextLength).optional(),
  /**
   * Wireshark display filter over flows (`tcp.port == 80`, `conn_state == "REJ"`).
   * A filter that does not parse fails the request with `invalid-argument`
   * and `details` {field: 'filter.displayFilter', column, length}.
   */
  displayFilter: z.string().max(4_096).optional(),
});

export type FlowFilter = z.infer<typeof flowFilterSchema>;

/**
 * Sortable columns: Zeek conn.log fields under their FlowRecord names, plus
 * `durationUs` (endUs - startUs) and `totalBytes` (originator + responder IP bytes).
 */
export const flowSortColumns = [
  'startUs',
  'endUs',
  'durationUs',
  'uid',
  'communityId',
  'originatorAddress',
  'originatorPort',
  'responderAddress',
  'responderPort',
  'transport',
  'service',
  'originatorBytes',
  'responderBytes',
  'missedBytes',
  'originatorPackets',
  'responderPackets',
  'originatorIpBytes',
  'responderIpBytes',
  'totalBytes',
  'connectionState',
  'history',
  'firstPacketNumber',
] as const;

export type FlowSortColumn = (typeof flowSortColumns)[number];

export const flowSortSchema = z.strictObject({
  column: z.enum(flowSortColumns),
  direction: z.enum(['ascending', 'descending']),
});

export type FlowSort = z.infer<typeof flowSortSchema>;

export const captureIdSchema = z.string().min(1).max(64);

export const flowQuerySchema = z.strictObject({
  captureId: captureIdSchema,
  offset: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  limit: z.number().int().min(1).max(queryLimits.maxPageRows),
  sort: flowSortSchema,
  filter: flowFilterSchema,
});

export type FlowQuery = z.infer<typeof flowQuerySchema>;

export interface FlowPage {
  /** Flows that match the filter, over the whole capture loaded so far. */
  total: number;
  /** Echo of the request's offset, so a late response can be placed or dropped. */
  offset: number;
  rows: FlowRecord[];
}
