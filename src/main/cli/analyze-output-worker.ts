/**
 * Runs the output side of `tideline analyze` (analyze-outputs.ts: the Zeek
 * logs, conn.log and every detector) in a worker thread, so that it uses the
 * machine's second core while the main thread reads, decodes, assembles
 * flows and runs the application analyzers.
 *
 * The main thread queues what the engine produces, in the order it comes:
 * analyzer records (by sink name), finished flows, and each packet's
 * link-layer facts as eight numbers in a Float64Array. Each record and flow
 * notes how many packets came before it, so the worker replays them in the
 * same interleaving as a single thread would. Batches are posted with
 * `postMessage` (records are copied, the packet array is transferred). The
 * main thread blocks with `Atomics.wait` when the worker is more than
 * MAX_BATCHES_IN_FLIGHT batches behind, so the queue between the threads
 * stays bounded whatever the capture size. When the worker fails, the next
 * batch throws its error in the main thread, which stops the analysis.
 *
 * The worker is the bundled command itself (out/cli/tideline.mjs) started a
 * second time with `workerData.role` set. For small captures, when the
 * command runs from the TypeScript sources (tsx, tests), or with
 * TIDELINE_ANALYZE_THREADS=1, the output side runs in the main thread
 * instead (`createAnalyzeOutputPort`).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { FlowRecord } from '../../shared/domain/flow';
import type { ApplicationAnalyzerSinks } from '../engine/analyzers/application-analyzers';
import type { DecodedPacket } from '../engine/decode/decoded-packet';
import { type PacketObservation, createPacketObservation, observePacket } from '../engine/detectors/packet-observation';
import {
  ANALYZER_SINK_NAMES,
  type AnalyzeOutputCounts,
  type AnalyzeOutputOptions,
  AnalyzeOutputs,
} from './analyze-outputs';

const WORKER_ROLE = 'tideline-analyze-outputs';
/** Numbers per packet in a batch's packet array (the fields of PacketObservation). */
const PACKET_FIELDS = 8;
/** Packets per batch: 1 MiB of packet facts. */
const PACKETS_PER_BATCH = 16_384;
/** Records and flows per batch. */
const EVENTS_PER_BATCH = 1_024;
/** Batches posted and not yet applied before the main thread waits. */
const MAX_BATCHES_IN_FLIGHT = 16;
/** How long the main thread waits for a worker that applies no batch before it gives up on it. */
const STALL_LIMIT_MS = 60_000;
/** The event kind of a finished flow; records use their sink's index in ANALYZER_SINK_NAMES. */
const FLOW_EVENT = -1;

/** The output side as the analyze command drives it, wherever it runs. */
export interface AnalyzeOutputPort {
  readonly sinks: ApplicationAnalyzerSinks;
  /** One packet from the engine's per-packet loop; `data` is borrowed for the call. */
  observeDecodedPacket(decoded: DecodedPacket, data: Uint8Array, timestampUs: number, packetNumber: number): void;
  /** One finished flow, already annotated by the analyzers. */
  addFlow(flow: FlowRecord): void;
  /** Writes the alerts and closes every file. When it throws, call `abandon`. */
  finish(): Promise<AnalyzeOutputCounts>;
  /**
   * Closes every file after a failed analysis. Resolves to the output side's
   * own error when it failed first (the analysis then stopped because of it),
   * otherwise to null.
   */
  abandon(removeConnLog: boolean): Promise<Error | null>;
}

/** An error of the output worker, rebuilt in the main thread with its code (EISDIR, ENOSPC, ...). */
function toOutputError(message: string, code: string | null, stack: string | null): Error {
  const error: NodeJS.ErrnoException = new Error(message);
  if (code !== null) error.code = code;
  if (stack !== null) error.stack = stack;
  return error;
}

interface BatchMessage {
  type: 'batch';
  kinds: number[];
  payloads: unknown[];
  /** For each event, how many of this batch's packets come before it. */
  packetMarks: number[];
  packets: Float64Array;
  packetCount: number;
}

type ToWorker = BatchMessage | { type: 'finish' } | { type: 'abandon'; removeConnLog: boolean };

type FromWorker =
  | { type: 'result'; counts: AnalyzeOutputCounts }
  | { type: 'abandoned' }
  | { type: 'error'; message: string; code: string | null; stack: string | null };

interface OutputWorkerData {
  role: typeof WORKER_ROLE;
  options: AnalyzeOutputOptions;
  /** [batches applied, 1 once the worker failed]. */
  control: Int32Array;
}

/** True in the thread started to run the output side. */
export const isAnalyzeOutputWorker =
  !isMainThread && (workerData as Partial<OutputWorkerData> | null)?.role === WORKER_ROLE;

function writePacket(packets: Float64Array, index: number, packet: PacketObservation): void {
  const at = index * PACKET_FIELDS;
  packets[at] = packet.timestampUs;
  packets[at + 1] = packet.packetNumber;
  packets[at + 2] = packet.sourceMac;
  packets[at + 3] = packet.sourceIpv4;
  packets[at + 4] = packet.arpOperation;
  packets[at + 5] = packet.arpSenderMac;
  packets[at + 6] = packet.arpSenderIpv4;
  packets[at + 7] = packet.isDhcpServerReply ? 1 : 0;
}

function readPacket(packets: Float64Array, index: number, out: PacketObservation): PacketObservation {
  const at = index * PACKET_FIELDS;
  out.timestampUs = packets[at]!;
  out.packetNumber = packets[at + 1]!;
  out.sourceMac = packets[at + 2]!;
  out.sourceIpv4 = packets[at + 3]!;
  out.arpOperation = packets[at + 4]!;
  out.arpSenderMac = packets[at + 5]!;
  out.arpSenderIpv4 = packets[at + 6]!;
  out.isDhcpServerReply = packets[at + 7] === 1;
  return out;
}

/** The output side in the calling thread. */
class InlineOutputPort implements AnalyzeOutputPort {
  readonly sinks: ApplicationAnalyzerSinks;
  private readonly outputs: AnalyzeOutputs;

  constructor(options: AnalyzeOutputOptions) {
    this.outputs = new AnalyzeOutputs(options);
    this.sinks = this.outputs.sinks;
  }

  observeDecodedPacket(decoded: DecodedPacket, data: Uint8Array, timestampUs: number, packetNumber: number): void {
    this.outputs.observeDecodedPacket(decoded, data, timestampUs, packetNumber);
  }

  addFlow(flow: FlowRecord): void {
    this.outputs.addFlow(flow);
  }

  finish(): Promise<AnalyzeOutputCounts> {
    return this.outputs.finish();
  }

  abandon(removeConnLog: boolean): Promise<Error | null> {
    this.outputs.abandon(removeConnLog);
    return Promise.resolve(null);
  }
}

/** The output side in a worker thread, fed in batches. */
class WorkerOutputPort implements AnalyzeOutputPort {
  readonly sinks: ApplicationAnalyzerSinks;
  private readonly worker: Worker;
  private readonly connLogPath: string;
  private readonly control = new Int32Array(new SharedArrayBuffer(8));
  private readonly observation = createPacketObservation();
  private kinds: number[] = [];
  private payloads: unknown[] = [];
  private packetMarks: number[] = [];
  private packets = new Float64Array(PACKETS_PER_BATCH * PACKET_FIELDS);
  private packetCount = 0;
  private batchesPosted = 0;
  /** Set when the worker exits or reports an error; no batch is posted after it. */
  private stopReason: string | null = null;
  /** The worker's own error, when it reported one. */
  private failure: Error | null = null;
  /** The reply being awaited and the message types that can be that reply. */
  private pendingReply: { expects: readonly FromWorker['type'][]; resolve(message: FromWorker): void } | null = null;
  /** Set once the worker thread has exited or crashed: no reply can come any more. */
  private isGone = false;

  constructor(options: AnalyzeOutputOptions, entry: URL) {
    const data: OutputWorkerData = { role: WORKER_ROLE, options, control: this.control };
    this.connLogPath = join(options.outputDirectory, 'conn.log');
    this.worker = new Worker(entry, { workerData: data });
    this.worker.on('message', (message: FromWorker) => {
      if (message.type === 'error') {
        this.failure ??= toOutputError(message.message, message.code, message.stack);
        this.stopReason = message.message;
      }
      this.settle(message);
    });
    this.worker.on('error', (error: NodeJS.ErrnoException) => {
      this.failure ??= error;
      this.stopReason = error.message;
      this.isGone = true;
      this.settle({ type: 'error', message: error.message, code: error.code ?? null, stack: error.stack ?? null });
    });
    this.worker.on('exit', (code) => {
      this.stopReason ??= `the output thread exited with code ${code}`;
      this.isGone = true;
      this.settle({ type: 'error', message: this.stopReason, code: null, stack: null });
    });

    const sinks: ApplicationAnalyzerSinks = {};
    ANALYZER_SINK_NAMES.forEach((name, index) => {
      (sinks as Record<string, (record: unknown) => void>)[name] = (record) => this.queueEvent(index, record);
    });
    this.sinks = sinks;
  }

  observeDecodedPacket(decoded: DecodedPacket, data: Uint8Array, timestampUs: number, packetNumber: number): void {
    writePacket(
      this.packets,
      this.packetCount,
      observePacket(decoded, data, timestampUs, packetNumber, this.observation),
    );
    if (++this.packetCount === PACKETS_PER_BATCH) this.postBatch();
  }

  addFlow(flow: FlowRecord): void {
    this.queueEvent(FLOW_EVENT, flow);
  }

  async finish(): Promise<AnalyzeOutputCounts> {
    this.postBatch();
    const reply = await this.request({ type: 'finish' }, ['result', 'error']);
    if (reply.type === 'result') {
      await this.worker.terminate();
      return reply.counts;
    }
    // The worker stays up so that `abandon` can still close its files.
    throw this.failure ?? new Error(`the output thread failed: ${this.stopReason ?? reply.type}`);
  }

  async abandon(removeConnLog: boolean): Promise<Error | null> {
    // A worker that failed is still asked to close its files, so what it wrote so far stays readable.
    const reply = await this.request({ type: 'abandon', removeConnLog }, ['abandoned']);
    await this.worker.terminate();
    // A failed worker's last message may still be on its way: let it arrive before reading `failure`.
    await new Promise((resolve) => setImmediate(resolve));
    if (removeConnLog && reply.type !== 'abandoned') rmSync(this.connLogPath, { force: true });
    return this.failure;
  }

  /** Returns true once the worker reported an error or stopped, even before its message arrived. */
  private hasStopped(): boolean {
    return this.stopReason !== null || Atomics.load(this.control, 1) !== 0;
  }

  private queueEvent(kind: number, payload: unknown): void {
    this.kinds.push(kind);
    this.payloads.push(payload);
    this.packetMarks.push(this.packetCount);
    if (this.kinds.length === EVENTS_PER_BATCH) this.postBatch();
  }

  /**
   * Posts the queued events and packets. Throws once the worker has failed,
   * so the analysis stops instead of reading the rest of the capture. The
   * caller then calls `abandon`, which returns the worker's error.
   */
  private postBatch(): void {
    if (this.hasStopped()) {
      throw this.failure ?? new Error(`the output thread stopped: ${this.stopReason ?? 'it reported an error'}`);
    }
    if (this.kinds.length === 0 && this.packetCount === 0) return;
    const message: BatchMessage = {
      type: 'batch',
      kinds: this.kinds,
      payloads: this.payloads,
      packetMarks: this.packetMarks,
      packets: this.packets,
      packetCount: this.packetCount,
    };
    this.worker.postMessage(message satisfies ToWorker, [this.packets.buffer]);
    this.batchesPosted++;
    this.packets = new Float64Array(PACKETS_PER_BATCH * PACKET_FIELDS);
    this.kinds = [];
    this.payloads = [];
    this.packetMarks = [];
    this.packetCount = 0;
    this.waitForRoom();
  }

  /**
   * Blocks while the worker is too far behind; the engine is synchronous
   * between reads, so it cannot await here. A worker that dies outside its
   * message handler cannot report it while this thread blocks, so a worker
   * that applies no batch for STALL_LIMIT_MS counts as stopped.
   */
  private waitForRoom(): void {
    let lastApplied = -1;
    let lastProgressMs = 0;
    for (;;) {
      const applied = Atomics.load(this.control, 0);
      if (this.batchesPosted - applied <= MAX_BATCHES_IN_FLIGHT || this.hasStopped()) return;
      const nowMs = performance.now();
      if (applied !== lastApplied) {
        lastApplied = applied;
        lastProgressMs = nowMs;
      } else if (nowMs - lastProgressMs > STALL_LIMIT_MS) {
        this.stopReason = `the output thread applied no batch for ${STALL_LIMIT_MS / 1000} s`;
        return;
      }
      Atomics.wait(this.control, 0, applied, 100);
    }
  }

  private request(message: ToWorker, expects: readonly FromWorker['type'][]): Promise<FromWorker> {
    return new Promise((resolve) => {
      this.pendingReply = { expects, resolve };
      if (this.isGone)
        this.settle({
          type: 'error',
          message: this.stopReason ?? 'the output thread is gone',
          code: null,
          stack: null,
        });
      else this.worker.postMessage(message);
    });
  }

  /** Resolves the pending request with `message` when it is one of the replies it expects, or when the worker is gone. */
  private settle(message: FromWorker): void {
    const pending = this.pendingReply;
    if (pending === null || (!pending.expects.includes(message.type) && !this.isGone)) return;
    this.pendingReply = null;
    pending.resolve(message);
  }
}

/**
 * Captures below this size get no worker. Starting one loads the command a
 * second time and copies every record across, which small captures do not
 * repay. On the 2-CPU machine of docs/benchmarks.md one thread was 0.1 to
 * 0.2 s faster on the mix at 16 and 128 MiB. At 256 MiB the worker took
 * 7.8 s against 9.0 s on the flow-heavy capture, where the detectors do
 * most of the work, and 1.4 s against 1.3 s on the mix. At 1 GiB it took
 * about 11% less time on the mix (3.1 to 3.2 s against 3.5 to 3.6 s).
 */
export const WORKER_MIN_CAPTURE_BYTES = 256 * 1024 * 1024;

/**
 * Creates the output side for one analysis. It runs in a worker thread when
 * the command runs bundled and the capture file is at least
 * WORKER_MIN_CAPTURE_BYTES on disk (a gzip file counts compressed). It runs
 * in this thread otherwise, from the sources, or with
 * TIDELINE_ANALYZE_THREADS=1. TIDELINE_ANALYZE_THREADS=2 starts the worker
 * whatever the size.
 */
export function createAnalyzeOutputPort(options: AnalyzeOutputOptions, captureBytes: number): AnalyzeOutputPort {
  const entry = new URL(import.meta.url);
  const isBundled = entry.pathname.endsWith('.mjs') || entry.pathname.endsWith('.js');
  const threads = process.env['TIDELINE_ANALYZE_THREADS'];
  if (threads !== undefined && threads !== '1' && threads !== '2') {
    process.stderr.write(`tideline analyze: ignoring TIDELINE_ANALYZE_THREADS=${threads}: expected 1 or 2.\n`);
  }
  const wantsWorker = threads === '2' || (threads !== '1' && captureBytes >= WORKER_MIN_CAPTURE_BYTES);
  if (!isBundled || !wantsWorker) return new InlineOutputPort(options);
  return new WorkerOutputPort(options, entry);
}

/** Applies each batch to an AnalyzeOutputs in order: the worker thread's side. */
function runOutputWorker(port: NonNullable<typeof parentPort>, data: OutputWorkerData): void {
  let hasFailed = false;
  let failureMessage: FromWorker | null = null;
  const fail = (error: unknown): void => {
    hasFailed = true;
    Atomics.store(data.control, 1, 1);
    Atomics.notify(data.control, 0);
    const failure: NodeJS.ErrnoException = error instanceof Error ? error : new Error(String(error));
    failureMessage = {
      type: 'error',
      message: failure.message,
      code: typeof failure.code === 'string' ? failure.code : null,
      stack: failure.stack ?? null,
    };
    port.postMessage(failureMessage);
  };
  // Abandon closes what can be closed, failed or not. After a failure, the reply to finish is that failure.
  const replyToAbandonOrFailedFinish = (message: ToWorker, openOutputs: AnalyzeOutputs | null): void => {
    if (message.type === 'abandon') {
      try {
        openOutputs?.abandon(message.removeConnLog);
      } catch {
        // The analysis failed already and that error is reported; keep whatever could be written.
      }
      port.postMessage({ type: 'abandoned' } satisfies FromWorker);
    } else if (message.type === 'finish' && failureMessage !== null) {
      port.postMessage(failureMessage);
    }
  };

  let outputs: AnalyzeOutputs | null = null;
  try {
    outputs = new AnalyzeOutputs(data.options);
  } catch (error) {
    // conn.log could not be created: the main thread reports it at its next batch.
    fail(error);
  }
  if (outputs === null) {
    port.on('message', (message: ToWorker) => replyToAbandonOrFailedFinish(message, null));
    return;
  }
  const sinks = outputs.sinks as Record<string, ((record: unknown) => void) | undefined>;
  const observation = createPacketObservation();

  const applyBatch = (batch: BatchMessage): void => {
    let replayed = 0;
    for (let i = 0; i < batch.kinds.length; i++) {
      const mark = batch.packetMarks[i]!;
      for (; replayed < mark; replayed++) outputs.observePacket(readPacket(batch.packets, replayed, observation));
      const kind = batch.kinds[i]!;
      if (kind === FLOW_EVENT) outputs.addFlow(batch.payloads[i] as FlowRecord);
      else sinks[ANALYZER_SINK_NAMES[kind]!]?.(batch.payloads[i]);
    }
    for (; replayed < batch.packetCount; replayed++)
      outputs.observePacket(readPacket(batch.packets, replayed, observation));
  };

  port.on('message', (message: ToWorker) => {
    if (hasFailed || message.type === 'abandon') {
      replyToAbandonOrFailedFinish(message, outputs);
      return;
    }
    if (message.type === 'batch') {
      try {
        applyBatch(message);
      } catch (error) {
        fail(error);
        return;
      }
      Atomics.add(data.control, 0, 1);
      Atomics.notify(data.control, 0);
    } else {
      outputs.finish().then((counts) => port.postMessage({ type: 'result', counts } satisfies FromWorker), fail);
    }
  });
}

if (isAnalyzeOutputWorker && parentPort !== null) runOutputWorker(parentPort, workerData as OutputWorkerData);
