/**
 * A stand-in for the tideline_capture addon: tests push batches and end
 * reports by hand and inspect what the session asked of the handle.
 */
import type {
  CaptureAddon,
  NativeCaptureHandle,
  NativeDevice,
  NativeEndReport,
  NativeOpenOptions,
  NativeStats,
} from '../../src/main/capture/capture-addon';

export interface FakePacket {
  seconds: number;
  /** Nanoseconds (or microseconds for a microsecond handle). */
  fraction: number;
  data: Uint8Array;
  originalLength?: number;
}

/** Lay packets out as the addon does: 16-byte little-endian header, bytes padded to 4. */
export function encodeBatch(packets: readonly FakePacket[]): Buffer {
  const total = packets.reduce((sum, packet) => sum + 16 + ((packet.data.length + 3) & ~3), 0);
  const batch = Buffer.alloc(total);
  let offset = 0;
  for (const packet of packets) {
    batch.writeUInt32LE(packet.seconds, offset);
    batch.writeUInt32LE(packet.fraction, offset + 4);
    batch.writeUInt32LE(packet.data.length, offset + 8);
    batch.writeUInt32LE(packet.originalLength ?? packet.data.length, offset + 12);
    batch.set(packet.data, offset + 16);
    offset += 16 + ((packet.data.length + 3) & ~3);
  }
  return batch;
}

export class FakeCaptureHandle implements NativeCaptureHandle {
  readonly linkType: number;
  readonly snaplen: number;
  readonly isNanosecond: boolean;
  readonly warnings: string[] = [];
  readonly device: string;
  readonly options: NativeOpenOptions;
  filter: string | null = null;
  isRunning = false;
  isClosed = false;
  stopCalls = 0;
  statsValue: NativeStats = { received: 0, droppedByKernel: 0, droppedByInterface: 0, isValid: true };
  private onBatch: ((batch: Buffer, packetCount: number) => void) | null = null;
  private onEnd: ((report: NativeEndReport) => void) | null = null;

  constructor(device: string, options: NativeOpenOptions, linkType = 1) {
    this.device = device;
    this.options = options;
    this.linkType = linkType;
    this.snaplen = options.snaplen ?? 262144;
    this.isNanosecond = options.nanosecond ?? true;
  }

  setFilter(expression: string): void {
    if (expression.includes('bogus')) throw Object.assign(new Error("can't parse filter expression: syntax error"), { code: 'invalid-filter' });
    this.filter = expression;
  }

  start(onBatch: (batch: Buffer, packetCount: number) => void, onEnd: (report: NativeEndReport) => void): void {
    this.onBatch = onBatch;
    this.onEnd = onEnd;
    this.isRunning = true;
  }

  /** Deliver one batch as the reader thread would. */
  deliver(packets: readonly FakePacket[]): void {
    if (!this.isRunning || this.onBatch === null) throw new Error('fake handle is not running');
    this.onBatch(encodeBatch(packets), packets.length);
  }

  /** End the capture as the reader thread does after stop or a read error. */
  end(errorCode: string | null = null, errorMessage: string | null = null): void {
    if (!this.isRunning || this.onEnd === null) return;
    this.isRunning = false;
    this.onEnd({ stats: this.statsValue, errorCode, errorMessage });
  }

  stop(): boolean {
    this.stopCalls++;
    if (!this.isRunning) return false;
    // The real reader ends asynchronously; the fake ends on the next microtask.
    queueMicrotask(() => this.end());
    return true;
  }

  stats(): NativeStats {
    if (this.isClosed) throw Object.assign(new Error('stats called on a closed capture handle'), { code: 'closed' });
    return this.statsValue;
  }

  close(): void {
    if (this.isRunning) throw new Error('close while running');
    this.isClosed = true;
  }
}

export interface FakeAddonOptions {
  devices?: NativeDevice[];
  /** Thrown by the CaptureHandle constructor, as the addon throws open errors. */
  openError?: { code: string; message: string };
  linkType?: number;
}

/** Create a fake addon whose `handles` lists every handle it opened. */
export function createFakeCaptureAddon(options: FakeAddonOptions = {}): CaptureAddon & { handles: FakeCaptureHandle[] } {
  const handles: FakeCaptureHandle[] = [];
  class Handle extends FakeCaptureHandle {
    constructor(device: string, openOptions: NativeOpenOptions) {
      if (options.openError !== undefined) throw Object.assign(new Error(options.openError.message), { code: options.openError.code });
      super(device, openOptions, options.linkType);
      handles.push(this);
    }
  }
  return {
    handles,
    listDevices: () => options.devices ?? [],
    compileFilter: (_linkType, _snaplen, expression) =>
      expression.includes('bogus') ? { ok: false, message: "can't parse filter expression: syntax error" } : { ok: true, instructionCount: 4 },
    libraryVersion: () => 'fake libpcap',
    recordHeaderBytes: 16,
    recordByteOrder: 'little',
    CaptureHandle: Handle,
  };
}
