/**
 * Every request of the contract, keyed `area.verb`. The argument schema is
 * checked at run time by the process that receives the request (the engine host, the
 * Electron main process, the serve server); the result type is for the
 * compiler only.
 */
import { z } from 'zod';

import type { CaptureOverview, Timeline } from '../domain/aggregates';
import type { Alert, AlertSeverity, AlertStatus } from '../domain/alert';
import { alertStatuses } from '../domain/alert';
import { allowListSchema, type AllowList } from '../domain/allow-list';
import { recordQuerySchema, type RecordPage, type RecordRow } from '../domain/record-table';
import type { CaptureStatus } from '../domain/capture-status';
import type { FlowRecord } from '../domain/flow';
import type { HostGraph } from '../domain/host';
import { alertSeverities } from '../domain/alert';
import { captureIdSchema, flowFilterSchema, flowQuerySchema, queryLimits, type FlowPage } from '../domain/query';
import { settingsSchema, type RecentCapture, type Settings } from '../domain/settings';
import { defineRequest } from './define';
import { liveCaptureRequests } from './live-capture-contract';
import { caseRequests } from './case-contract';

/** A file path as the analyst gave it; the receiver resolves and checks it. */
const pathSchema = z.string().min(1).max(4_096);

const noArgumentSchema = z.strictObject({});

export interface OpenedCapture {
  captureId: string;
  path: string;
}

export interface AlertList {
  /** Alerts that match the filter, most severe first, then earliest first. */
  alerts: Alert[];
  /** Alerts in the capture before filtering. */
  totalAlerts: number;
}

export interface AppInfo {
  /** 'desktop' in the Electron app, 'serve' under `tideline serve`. */
  mode: 'desktop' | 'serve';
  version: string;
  /** True when `dialog.openCapture` can show a native file dialog. */
  canShowFileDialog: boolean;
  /**
   * True when `app.openInWireshark` can start Wireshark: a `wireshark`
   * executable was found, and under `tideline serve` the server only takes
   * connections from its own machine. Absent means false.
   */
  canOpenInWireshark?: boolean;
}

export const requests = {
  /** Start loading a capture file; progress and batches follow as events. Replaces the capture held before. */
  'capture.open': defineRequest<OpenedCapture>()('engine', z.strictObject({ path: pathSchema })),
  /** Stop loading; the flows read so far stay queryable. */
  'capture.cancel': defineRequest<{ isCancelled: boolean }>()('engine', z.strictObject({ captureId: captureIdSchema })),
  /** State of the capture loaded in the engine, or null when none is loaded. */
  'capture.status': defineRequest<CaptureStatus | null>()('engine', noArgumentSchema),

  /** One sorted, filtered page of flows. */
  'flows.query': defineRequest<FlowPage>()('engine', flowQuerySchema),
  /** One flow by uid. */
  'flows.get': defineRequest<FlowRecord>()(
    'engine',
    z.strictObject({ captureId: captureIdSchema, uid: z.string().min(1).max(64) }),
  ),

  /** Bytes, packets and new flows per time bucket; the bucket width follows the span. */
  'aggregates.timeline': defineRequest<Timeline>()(
    'engine',
    z.strictObject({
      captureId: captureIdSchema,
      filter: flowFilterSchema,
      /** Most buckets wanted; the engine picks the smallest standard width that stays within it. Default 300. */
      bucketCount: z.number().int().min(10).max(queryLimits.maxTimelineBuckets).optional(),
    }),
  ),
  /** The top hosts by bytes with the rest grouped, laid out by the engine. */
  'aggregates.hostGraph': defineRequest<HostGraph>()(
    'engine',
    z.strictObject({
      captureId: captureIdSchema,
      filter: flowFilterSchema,
      maxNodes: z.number().int().min(2).max(queryLimits.maxGraphNodes),
    }),
  ),
  /** Summary, SHA-256, top talkers, protocol and service mix. */
  'aggregates.overview': defineRequest<CaptureOverview>()(
    'engine',
    z.strictObject({ captureId: captureIdSchema, filter: flowFilterSchema.optional() }),
  ),

  /** Alerts whose time and hosts meet the filter. */
  'alerts.list': defineRequest<AlertList>()(
    'engine',
    z.strictObject({
      captureId: captureIdSchema,
      filter: flowFilterSchema,
      minimumSeverity: z.enum(alertSeverities).optional(),
    }),
  ),

  /** Set the analyst's verdict on one alert; 'open' clears it. Kept per capture. */
  'alerts.setState': defineRequest<{ alertId: string; state: AlertStatus }>()(
    'engine',
    z.strictObject({
      captureId: captureIdSchema,
      alertId: z.string().min(1).max(128),
      state: z.enum(alertStatuses),
    }),
  ),
  /** The capture's allow-list (hosts, networks, domains, pairs). */
  'alerts.getAllowList': defineRequest<AllowList>()('engine', z.strictObject({ captureId: captureIdSchema })),
  /** Replace the capture's allow-list and run the detectors again; returns the list kept. */
  'alerts.setAllowList': defineRequest<AllowList>()(
    'engine',
    z.strictObject({ captureId: captureIdSchema, allowList: allowListSchema }),
  ),

  /** One sorted, filtered page of one analyzer record type (DNS, HTTP, TLS, ...). */
  'records.query': defineRequest<RecordPage>()('engine', recordQuerySchema),
  /** Every analyzer record of one flow. */
  'records.forFlow': defineRequest<RecordRow[]>()(
    'engine',
    z.strictObject({ captureId: captureIdSchema, uid: z.string().min(1).max(64) }),
  ),

  /** Open Recent, newest first. */
  'recent.list': defineRequest<RecentCapture[]>()('host', noArgumentSchema),
  /** Put a path at the top of Open Recent; returns the new list. */
  'recent.add': defineRequest<RecentCapture[]>()('host', z.strictObject({ path: pathSchema })),
  /** Empty Open Recent. */
  'recent.clear': defineRequest<RecentCapture[]>()('host', noArgumentSchema),

  'settings.get': defineRequest<Settings>()('host', noArgumentSchema),
  /** Change some settings; returns all of them. */
  'settings.set': defineRequest<Settings>()('host', settingsSchema.partial().strict()),

  /** Show the native open dialog; null when the analyst cancelled. Serve mode returns `unsupported`. */
  'dialog.openCapture': defineRequest<{ path: string | null }>()('host', noArgumentSchema),
  'app.info': defineRequest<AppInfo>()('host', noArgumentSchema),
  /** Start Wireshark on a capture or carved file (absolute path). `unsupported` unless `AppInfo.canOpenInWireshark`. */
  'app.openInWireshark': defineRequest<{ path: string }>()('host', z.strictObject({ path: pathSchema })),

  ...liveCaptureRequests,
  ...caseRequests,
} as const;

export type { AlertSeverity };
