/**
 * Live capture as the page sees it: the interfaces it may pick, the options
 * it sends, the counters it shows while the capture runs and how it ended.
 * Mirrors src/main/capture (CaptureDevice, CaptureCounters) without importing
 * it, because shared code imports nothing from main.
 */

export type LiveConnectionStatus = 'unknown' | 'connected' | 'disconnected' | 'not-applicable';

export interface LiveDeviceAddress {
  family: 'ipv4' | 'ipv6' | 'link';
  address: string;
  netmask: string | null;
  broadcast: string | null;
  destination: string | null;
}

/** One capture interface with the flags libpcap reports. */
export interface LiveCaptureDevice {
  name: string;
  description: string | null;
  isUp: boolean;
  isRunning: boolean;
  isLoopback: boolean;
  isWireless: boolean;
  connectionStatus: LiveConnectionStatus;
  addresses: LiveDeviceAddress[];
  /** The interface of the default route; the picker preselects it. */
  isDefaultRoute: boolean;
  /** libpcap's PCAP_IF_* bits, for flags not named above. */
  flags: number;
}

/** Counters of a running capture, sent about every 250 ms. */
export interface LiveCaptureCounters {
  /** Packets delivered by libpcap (each one is written to the file). */
  packets: number;
  /** Sum of original (wire) lengths of those packets. */
  bytes: number;
  /** libpcap ps_recv: on Linux, packets that passed the filter, drops included. */
  libpcapReceived: number;
  /** libpcap ps_drop: dropped because the kernel buffer was full. */
  droppedByKernel: number;
  /** libpcap ps_ifdrop: dropped by the interface or its driver. */
  droppedByInterface: number;
  packetsPerSecond: number;
  bitsPerSecond: number;
  packetsWritten: number;
  /** Packets written but not analysed because analysis was paused. */
  packetsNotAnalyzed: number;
  elapsedMs: number;
}

export type LiveCaptureEndReason =
  | 'stopped'
  | 'packet-count-reached'
  | 'duration-reached'
  | 'disk-full'
  | 'file-write-failed'
  | 'interface-down'
  | 'interface-removed'
  | 'read-failed'
  | 'internal-error';

export interface LiveCaptureStarted {
  /** The same id as the capture the views query (`flows.query`, `aggregates.timeline`, ...). */
  captureId: string;
  device: string;
  linkType: number;
  isNanosecond: boolean;
  /** libpcap's warnings from opening the device. */
  warnings: string[];
  /** The folder this capture writes to, under the data folder's `captures/`. */
  folder: string;
  /** The pcapng file, or the first ring file. */
  files: string[];
}

export interface LiveCaptureEnded {
  captureId: string;
  reason: LiveCaptureEndReason;
  /** Message for the analyst when the capture ended on its own, or null after stop or a limit. */
  message: string | null;
  /** pcapng files still on disk, oldest first. */
  files: string[];
  counters: LiveCaptureCounters;
}

/** Counters as the engine sends them; `device` lets a page opened mid-capture pick the capture up. */
export type LiveCaptureCountersEvent = LiveCaptureCounters & { captureId: string; device: string; isPaused: boolean };

/** Limits of the options the page may send. */
export const liveCaptureLimits = {
  minSnaplen: 64,
  maxSnaplen: 262_144,
  maxBufferSizeBytes: 2 ** 31 - 1,
  minRingFileBytes: 64 * 1024,
  maxRingFiles: 100_000,
  maxFilterLength: 8_192,
} as const;
