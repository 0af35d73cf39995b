import { afterEach, describe, expect, it, vi } from 'vitest';

import {
  EngineSupervisor,
  maxCrashesInWindow,
  type EngineConnection,
} from '../../src/main/engine-supervisor/engine-supervisor';
import { forkEngine } from '../../src/main/server/forked-engine';
import { getLogger } from '../../src/main/engine/logging';
import type { EventMessage } from '../../src/shared/contract';
import { writeScanCapture } from '../server/scan-capture';

/** An engine double: records what it is sent; the test plays the engine's side. */
class FakeEngine implements EngineConnection {
  readonly pid = 4242;
  readonly sent: unknown[] = [];
  private messageListener: (message: unknown) => void = () => undefined;
  private exitListener: (exit: { code: number | null; signal: string | null }) => void = () => undefined;

  send(message: unknown): void {
    this.sent.push(message);
  }
  onMessage(listener: (message: unknown) => void): void {
    this.messageListener = listener;
  }
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void {
    this.exitListener = listener;
  }
  kill(): void {
    this.exitListener({ code: null, signal: 'SIGTERM' });
  }
  emit(message: unknown): void {
    this.messageListener(message);
  }
  crash(code = 1): void {
    this.exitListener({ code, signal: null });
  }
}

function createSupervised(restartDelaysMs: number[] = [0]) {
  const engines: FakeEngine[] = [];
  const events: EventMessage[] = [];
  const supervisor = new EngineSupervisor({
    spawn: () => {
      const engine = new FakeEngine();
      engines.push(engine);
      return engine;
    },
    onEvent: (message) => events.push(message),
    log: getLogger('test.supervisor'),
    restartDelaysMs,
  });
  supervisor.start();
  return { supervisor, engines, events };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('EngineSupervisor', () => {
  it('holds requests until the engine is ready', async () => {
    const { supervisor, engines } = createSupervised();
    const answer = supervisor.request('capture.status', {});
    expect(engines[0]?.sent).toEqual([]);
    engines[0]?.emit({ type: 'ready' });
    expect(engines[0]?.sent).toEqual([{ type: 'request', id: 1, name: 'capture.status', argument: {} }]);
    engines[0]?.emit({ type: 'response', id: 1, result: { ok: true, value: null } });
    expect(await answer).toEqual({ ok: true, value: null });
  });

  it('fails pending requests when the engine crashes and restarts it', async () => {
    vi.useFakeTimers();
    const { supervisor, engines, events } = createSupervised([100]);
    engines[0]?.emit({ type: 'ready' });
    const answer = supervisor.request('flows.query', {});
    engines[0]?.crash(134);

    expect(await answer).toMatchObject({ ok: false, error: { code: 'engine-crashed' } });
    expect(events[0]).toMatchObject({
      name: 'engine.crashed',
      payload: { exitCode: 134, signal: null, restartCount: 1 },
    });
    expect(engines).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(engines).toHaveLength(2);
    engines[1]?.emit({ type: 'ready' });
    expect(events[1]).toEqual({
      type: 'event',
      name: 'engine.restarted',
      payload: { restartCount: 1, reopenedPath: null },
    });
  });

  it('reopens a fully loaded capture after a crash', () => {
    const { supervisor, engines, events } = createSupervised([0]);
    vi.useFakeTimers();
    engines[0]?.emit({ type: 'ready' });
    engines[0]?.emit({ type: 'event', name: 'capture.started', payload: { captureId: 'a', path: '/data/one.pcap' } });
    engines[0]?.emit({
      type: 'event',
      name: 'capture.done',
      payload: { captureId: 'a', summary: { isCancelled: false }, sha256: null },
    });
    engines[0]?.crash();
    vi.advanceTimersByTime(0);
    engines[1]?.emit({ type: 'ready' });
    expect(events.at(-1)).toMatchObject({ name: 'engine.restarted', payload: { reopenedPath: '/data/one.pcap' } });
    expect(engines[1]?.sent).toEqual([
      { type: 'request', id: 1, name: 'capture.open', argument: { path: '/data/one.pcap' } },
    ]);
    supervisor.stop();
  });

  it('does not reopen a capture that was loading during the crash', () => {
    const { engines, events } = createSupervised([0]);
    vi.useFakeTimers();
    engines[0]?.emit({ type: 'ready' });
    engines[0]?.emit({
      type: 'event',
      name: 'capture.started',
      payload: { captureId: 'a', path: '/data/crashing.pcap' },
    });
    engines[0]?.crash();
    vi.advanceTimersByTime(0);
    engines[1]?.emit({ type: 'ready' });
    expect(events.at(-1)).toMatchObject({ name: 'engine.restarted', payload: { reopenedPath: null } });
    expect(engines[1]?.sent).toEqual([]);
  });

  it('pauses restarts after repeated crashes', () => {
    const { supervisor, engines } = createSupervised([0]);
    vi.useFakeTimers();
    for (let crash = 0; crash < maxCrashesInWindow; crash += 1) {
      engines.at(-1)?.crash();
      vi.advanceTimersByTime(0);
    }
    expect(engines).toHaveLength(maxCrashesInWindow);
    void supervisor.request('capture.status', {});
    expect(engines).toHaveLength(maxCrashesInWindow + 1);
    supervisor.stop();
  });
});

describe('EngineSupervisor with a forked engine', () => {
  it('restarts a killed engine and answers again', async () => {
    const spawn = forkEngine();
    const spawned: EngineConnection[] = [];
    const events: EventMessage[] = [];
    const supervisor = new EngineSupervisor({
      spawn: () => {
        const connection = spawn();
        spawned.push(connection);
        return connection;
      },
      onEvent: (message) => events.push(message),
      log: getLogger('test.supervisor'),
      restartDelaysMs: [50],
    });
    try {
      const opened = await supervisor.request('capture.open', { path: writeScanCapture() });
      expect(opened.ok).toBe(true);
      const firstPid = spawned[0]?.pid;
      process.kill(firstPid ?? 0, 'SIGKILL');
      await vi.waitFor(() => expect(events.some((event) => event.name === 'engine.restarted')).toBe(true), {
        timeout: 20_000,
      });
      expect(events.find((event) => event.name === 'engine.crashed')?.payload).toMatchObject({
        signal: 'SIGKILL',
        restartCount: 1,
      });
      expect(spawned).toHaveLength(2);
      expect(spawned[1]?.pid).not.toBe(firstPid);
      expect(await supervisor.request('app.info', {})).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    } finally {
      supervisor.stop();
    }
  });
});
