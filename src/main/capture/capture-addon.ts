/**
 * Types of the tideline_capture addon (native/) and its loader. The addon is
 * optional: when it was not built, or libpcap cannot be loaded at run time,
 * `loadCaptureAddon` throws a CaptureError 'capture-unavailable' that names
 * what to install, and everything except live capture keeps working.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CaptureError } from './capture-error';
import { describeCaptureInstall } from './permission-advice';

export interface NativeDeviceAddress {
  family: 'ipv4' | 'ipv6' | 'link';
  address: string;
  netmask: string | null;
  broadcast: string | null;
  destination: string | null;
}

/** One entry of pcap_findalldevs; `flags` is libpcap's PCAP_IF_* bit set. */
export interface NativeDevice {
  name: string;
  description: string | null;
  flags: number;
  addresses: NativeDeviceAddress[];
}

export interface NativeOpenOptions {
  snaplen?: number;
  promiscuous?: boolean;
  /** Kernel buffer size in bytes; 0 keeps libpcap's default. */
  bufferSizeBytes?: number;
  immediate?: boolean;
  /** libpcap read timeout, which bounds how long a partial batch waits. */
  timeoutMs?: number;
  nanosecond?: boolean;
}

/** pcap_stats counters; 32-bit in libpcap, so they wrap after 2^32 packets. */
export interface NativeStats {
  received: number;
  droppedByKernel: number;
  droppedByInterface: number;
  /** False when no sample could be taken yet. */
  isValid: boolean;
}

export interface NativeEndReport {
  stats: NativeStats;
  /** 'interface-down' | 'interface-removed' | 'read-failed', or null after a requested stop. */
  errorCode: string | null;
  errorMessage: string | null;
}

/**
 * An activated pcap handle. Packets arrive in `onBatch` as consecutive
 * records of a 16-byte header (seconds, fraction in ns or us, captured length,
 * original length, each u32 in `recordByteOrder`) and the packet bytes padded
 * to 4. The buffer belongs to the callee once delivered.
 */
export interface NativeCaptureHandle {
  readonly linkType: number;
  readonly snaplen: number;
  readonly isNanosecond: boolean;
  readonly warnings: string[];
  /** Throws an Error with code 'invalid-filter' and libpcap's message. */
  setFilter(expression: string): void;
  start(
    onBatch: (batch: Buffer, packetCount: number) => void,
    onEnd: (report: NativeEndReport) => void,
    options?: { maxBatchBytes?: number; maxPendingBatches?: number },
  ): void;
  /** Returns false when the reader was not running. */
  stop(): boolean;
  stats(): NativeStats;
  close(): void;
}

export interface CaptureAddon {
  listDevices(): NativeDevice[];
  compileFilter(
    linkType: number,
    snaplen: number,
    expression: string,
  ): { ok: true; instructionCount: number } | { ok: false; message: string };
  libraryVersion(): string;
  readonly recordHeaderBytes: number;
  readonly recordByteOrder: 'little' | 'big';
  /** Throws an Error whose `code` is permission-denied, no-such-device, interface-down, ... */
  CaptureHandle: new (device: string, options: NativeOpenOptions) => NativeCaptureHandle;
}

const ADDON_FILE = 'tideline_capture.node';

let cachedAddon: CaptureAddon | null = null;

/**
 * Load the addon once and return it. Looks in TIDELINE_CAPTURE_ADDON, then
 * beside this source file (tsx, tests), then from the bundled command line in
 * out/cli. Throws CaptureError 'capture-unavailable' naming what to install.
 */
export function loadCaptureAddon(): CaptureAddon {
  if (cachedAddon === null) cachedAddon = loadCaptureAddonFrom(listAddonCandidates());
  return cachedAddon;
}

/** Load the first of `candidates` that exists. Throws CaptureError 'capture-unavailable'. */
export function loadCaptureAddonFrom(
  candidates: readonly string[],
  platform: NodeJS.Platform = process.platform,
): CaptureAddon {
  const path = candidates.find((candidate) => existsSync(candidate));
  const install = describeCaptureInstall(platform);
  if (path === undefined) {
    throw new CaptureError(
      'capture-unavailable',
      `Live capture is unavailable: the capture addon is not built (looked for ${candidates.join(', ')}). ` +
        `To enable it, ${install}, then run "npm run build:capture". Saved captures still open.`,
    );
  }
  try {
    return createRequire(import.meta.url)(path) as CaptureAddon;
  } catch (error) {
    throw new CaptureError(
      'capture-unavailable',
      `Live capture is unavailable: ${path} failed to load (${error instanceof Error ? error.message : String(error)}). ` +
        `Check that libpcap is installed (${install}) and rebuild with "npm run build:capture".`,
      { cause: error },
    );
  }
}

/**
 * Where the addon may be, first match wins: TIDELINE_CAPTURE_ADDON, the
 * packaged app's resources (electron-builder's extraResources copies it to
 * `resources/native/`, outside the asar archive), then the build folders.
 * `resourcesPath` is Electron's `process.resourcesPath`, absent under Node.
 */
export function listAddonCandidates(
  resourcesPath: string | undefined = (process as { resourcesPath?: string }).resourcesPath,
): string[] {
  const candidates: string[] = [];
  const fromEnvironment = process.env.TIDELINE_CAPTURE_ADDON;
  if (fromEnvironment !== undefined && fromEnvironment !== '') candidates.push(fromEnvironment);
  if (resourcesPath !== undefined && resourcesPath !== '') candidates.push(join(resourcesPath, 'native', ADDON_FILE));
  candidates.push(fileURLToPath(new URL(`./native/build/Release/${ADDON_FILE}`, import.meta.url)));
  // The bundled command line runs from out/cli/tideline.mjs at the repository root.
  candidates.push(fileURLToPath(new URL(`../../src/main/capture/native/build/Release/${ADDON_FILE}`, import.meta.url)));
  return candidates;
}
