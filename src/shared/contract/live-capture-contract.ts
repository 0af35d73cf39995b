/**
 * Requests and events of live capture, spread into `requests` and `events`.
 * The engine handles them all (see engine/host/live-capture-host.ts).
 */
import { z } from 'zod';

import { captureIdSchema } from '../domain/query';
import {
  liveCaptureLimits,
  type LiveCaptureCountersEvent,
  type LiveCaptureDevice,
  type LiveCaptureEnded,
  type LiveCaptureStarted,
} from '../domain/live-capture';
import { defineEvent, defineRequest } from './define';

const deviceNameSchema = z.string().min(1).max(256);
const filterSchema = z.string().max(liveCaptureLimits.maxFilterLength);

export const liveCaptureStartSchema = z.strictObject({
  device: deviceNameSchema,
  /** BPF capture filter in libpcap syntax; empty captures everything. */
  filter: filterSchema.optional(),
  snaplen: z.number().int().min(liveCaptureLimits.minSnaplen).max(liveCaptureLimits.maxSnaplen).optional(),
  promiscuous: z.boolean().optional(),
  /** Kernel buffer in bytes; 0 or absent keeps libpcap's default. */
  bufferSizeBytes: z.number().int().min(0).max(liveCaptureLimits.maxBufferSizeBytes).optional(),
  /** Keep each packet only up to its last transport header. */
  isHeadersOnly: z.boolean().optional(),
  /** Ring buffer: start a new file past this size; needs `ringFiles`. */
  ringFileBytes: z.number().int().min(liveCaptureLimits.minRingFileBytes).max(Number.MAX_SAFE_INTEGER).optional(),
  /** Ring buffer: keep at most this many files. */
  ringFiles: z.number().int().min(2).max(liveCaptureLimits.maxRingFiles).optional(),
  stopAfterPackets: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  stopAfterMs: z
    .number()
    .int()
    .min(100)
    .max(366 * 24 * 3_600_000)
    .optional(),
});

export type LiveCaptureStartArgument = z.output<typeof liveCaptureStartSchema>;

const captureIdArgument = z.strictObject({ captureId: captureIdSchema });

export const liveCaptureRequests = {
  /** Interfaces libpcap can open, with addresses and flags; the default-route one is marked. */
  'capture.listInterfaces': defineRequest<LiveCaptureDevice[]>()('engine', z.strictObject({})),
  /** Compile a capture filter without opening a device: null when valid, else libpcap's message. */
  'capture.validateFilter': defineRequest<{ message: string | null }>()(
    'engine',
    z.strictObject({ filter: filterSchema, linkType: z.number().int().min(0).max(0xffff).optional() }),
  ),
  /** Start capturing; the capture replaces the one loaded and the views follow it through `capture.batch`. */
  'capture.startLive': defineRequest<LiveCaptureStarted>()('engine', liveCaptureStartSchema),
  /** Pause analysis: packets are still counted and written to the file. */
  'capture.pauseLive': defineRequest<{ isPaused: boolean }>()('engine', captureIdArgument),
  'capture.resumeLive': defineRequest<{ isPaused: boolean }>()('engine', captureIdArgument),
  /** Stop; resolves once the file is finalized. */
  'capture.stopLive': defineRequest<LiveCaptureEnded>()('engine', captureIdArgument),
} as const;

export const liveCaptureEvents = {
  /** Counters of the running capture, about every 250 ms. */
  'capture.liveCounters': defineEvent<LiveCaptureCountersEvent>('engine'),
  /** The capture ended: stopped, a limit reached, the interface gone or the disk full. */
  'capture.liveEnded': defineEvent<LiveCaptureEnded>('engine'),
} as const;
