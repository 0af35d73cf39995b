/**
 * Starts the engine process, forwards requests to it, and restarts it when
 * it crashes. Used by the Electron main process (utilityProcess) and by
 * `tideline serve` (child_process.fork); the two differ only in `spawn`.
 */
import type { Logger } from 'pino';

import { parseContractMessage, type EventMessage, type RequestMessage } from '../../shared/contract/messages';
import { fail, type Result } from '../../shared/errors';

/** One running engine process, as the supervisor controls it. */
export interface EngineConnection {
  /** Operating-system process id, when known (for logs). */
  readonly pid: number | undefined;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process ends, whatever the reason. */
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void;
  kill(): void;
}

export type SpawnEngine = () => EngineConnection;

export interface EngineSupervisorOptions {
  spawn: SpawnEngine;
  /** Receives every event of the engine and the supervisor's own `engine.crashed` / `engine.restarted`. */
  onEvent(message: EventMessage): void;
  /** Called after each start once the engine is ready, e.g. to hand it a page's MessagePort. */
  onReady?(connection: EngineConnection): void;
  log: Logger;
  /** Time a request may take before it fails with `timed-out`. Default 120 s. */
  requestTimeoutMs?: number;
  /** Delay before each restart, the last one repeating. Default 250 ms, 1 s, 5 s. */
  restartDelaysMs?: readonly number[];
}

/** Crashes within `crashWindowMs` after which the supervisor stops restarting until the next request. */
export const maxCrashesInWindow = 5;
export const crashWindowMs = 60_000;

interface PendingRequest {
  resolve(result: Result<unknown>): void;
  timer: ReturnType<typeof setTimeout>;
  name: string;
}

export class EngineSupervisor {
  private connection: EngineConnection | null = null;
  private isReady = false;
  private isStopped = false;
  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly queued: RequestMessage[] = [];
  private crashTimes: number[] = [];
  private restartCount = 0;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  /**
   * The capture to reopen after a crash. Set only once a load finished, so a
   * file that crashes the engine while loading is not retried in a loop.
   */
  private reopenPath: string | null = null;
  private loadingPath: string | null = null;
  private readonly options: EngineSupervisorOptions;

  constructor(options: EngineSupervisorOptions) {
    this.options = options;
  }

  get restarts(): number {
    return this.restartCount;
  }

  /** Start the engine if it is not running. */
  start(): void {
    if (this.connection !== null || this.isStopped) return;
    const connection = this.options.spawn();
    this.connection = connection;
    this.isReady = false;
    connection.onMessage((message) => this.receive(connection, message));
    connection.onExit((exit) => this.handleExit(connection, exit));
    this.options.log.info({ pid: connection.pid }, 'engine process starting');
  }

  /**
   * Send one request to the engine. Returns the engine's result, or
   * `engine-crashed` when the engine exited first, or `timed-out`.
   * Arguments are validated by the engine; callers check the sender.
   */
  request(name: string, argument: unknown): Promise<Result<unknown>> {
    if (this.isStopped)
      return Promise.resolve(fail('engine-unavailable', 'The engine has been shut down.', { request: name }));
    this.start();

    const id = this.nextId++;
    const message: RequestMessage = { type: 'request', id, name, argument };
    return new Promise((resolve) => {
      const timeoutMs = this.options.requestTimeoutMs ?? 120_000;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(
          fail('timed-out', `The engine did not answer ${name} within ${timeoutMs / 1000} seconds.`, { request: name }),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve, timer, name });
      if (this.isReady) this.connection?.send(message);
      else this.queued.push(message);
    });
  }

  /** Stop the engine for good (application quit). */
  stop(): void {
    this.isStopped = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    const connection = this.connection;
    this.connection = null;
    connection?.kill();
    this.failPending('engine-unavailable', 'The engine was shut down before it answered.');
  }

  private receive(connection: EngineConnection, raw: unknown): void {
    if (connection !== this.connection) return;
    if (typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'ready') {
      this.handleReady(connection);
      return;
    }

    const message = parseContractMessage(raw);
    if (message?.type === 'response') {
      const pending = this.pending.get(message.id);
      if (pending === undefined) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      pending.resolve(message.result);
      return;
    }
    if (message?.type === 'event') {
      this.trackCapture(message);
      this.options.onEvent(message);
    }
  }

  private handleReady(connection: EngineConnection): void {
    this.isReady = true;
    this.options.log.info({ restarts: this.restartCount }, 'engine process ready');
    this.options.onReady?.(connection);
    for (const message of this.queued.splice(0)) connection.send(message);

    if (this.restartCount === 0 || this.crashTimes.length === 0) return;
    const reopenedPath = this.reopenPath;
    this.options.onEvent({
      type: 'event',
      name: 'engine.restarted',
      payload: { restartCount: this.restartCount, reopenedPath },
    });
    if (reopenedPath !== null) void this.request('capture.open', { path: reopenedPath });
  }

  /** Remember which capture loaded completely, so a restart can reopen it. */
  private trackCapture(message: EventMessage): void {
    const payload = message.payload as { path?: unknown; summary?: { isCancelled?: unknown } } | undefined;
    if (message.name === 'capture.started' && typeof payload?.path === 'string') {
      this.loadingPath = payload.path;
      this.reopenPath = null;
    }
    if (message.name === 'capture.done' && payload?.summary?.isCancelled === false) this.reopenPath = this.loadingPath;
    if (message.name === 'capture.failed') this.reopenPath = null;
  }

  private handleExit(connection: EngineConnection, exit: { code: number | null; signal: string | null }): void {
    if (connection !== this.connection) return;
    this.connection = null;
    this.isReady = false;
    if (this.isStopped) return;

    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((time) => now - time < crashWindowMs), now];
    const message =
      `The analysis engine stopped unexpectedly (${exit.signal !== null ? `signal ${exit.signal}` : `exit code ${String(exit.code)}`}). ` +
      'It restarts on its own; requests in progress failed and can be repeated.';
    this.options.log.error(
      { code: exit.code, signal: exit.signal, crashes: this.crashTimes.length },
      'engine process exited unexpectedly',
    );
    this.failPending('engine-crashed', message);
    this.restartCount += 1;
    this.options.onEvent({
      type: 'event',
      name: 'engine.crashed',
      payload: { exitCode: exit.code, signal: exit.signal, message, restartCount: this.restartCount },
    });
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.crashTimes.length >= maxCrashesInWindow) {
      // Crash loop: wait for the next request instead of spinning.
      this.options.log.error(
        { crashes: this.crashTimes.length, windowMs: crashWindowMs },
        'engine restarts paused after repeated crashes',
      );
      this.reopenPath = null;
      return;
    }
    const delays = this.options.restartDelaysMs ?? [250, 1_000, 5_000];
    const delay = delays[Math.min(this.crashTimes.length - 1, delays.length - 1)] ?? 1_000;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, delay);
  }

  private failPending(code: 'engine-crashed' | 'engine-unavailable', message: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve(fail(code, message, { request: pending.name }));
      this.pending.delete(id);
    }
    this.queued.length = 0;
  }
}
