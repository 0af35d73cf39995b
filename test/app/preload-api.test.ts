import { beforeEach, describe, expect, it, vi } from 'vitest';

import { buildPreloadApi, type MessagePortLike, type PreloadIpc } from '../../src/main/preload/build-api';
import { eventNames, listenerNameOf, methodNameOf, requestNames } from '../../src/shared/contract';

const exposeInMainWorld = vi.fn();
const ipcRenderer = { invoke: vi.fn(), on: vi.fn(), send: vi.fn(), sendSync: vi.fn() };
const webUtils = { getPathForFile: vi.fn(() => '/home/analyst/dropped.pcap') };
vi.mock('electron', () => ({ contextBridge: { exposeInMainWorld }, ipcRenderer, webUtils }));

/** A preload IPC double that keeps the listeners the API registers. */
function fakeIpc() {
  const listeners = new Map<string, (event: { ports: readonly MessagePortLike[] }, message?: unknown) => void>();
  const ipc: PreloadIpc & { invoke: ReturnType<typeof vi.fn> } = {
    invoke: vi.fn(() => Promise.resolve({ ok: true, value: null })),
    on: (channel, listener) => listeners.set(channel, listener),
  };
  return { ipc, listeners };
}

function fakePort() {
  const port = {
    onmessage: null as MessagePortLike['onmessage'],
    start: vi.fn<() => void>(),
    close: vi.fn<() => void>(),
  };
  return port satisfies MessagePortLike;
}

describe('preload entry', () => {
  beforeEach(() => {
    exposeInMainWorld.mockClear();
  });

  it('exposes window.tideline with contract functions', async () => {
    await import('../../src/main/preload/index');
    expect(exposeInMainWorld).toHaveBeenCalledTimes(1);
    const [name, api] = exposeInMainWorld.mock.calls[0] as [string, Record<string, unknown>];
    expect(name).toBe('tideline');
    const expectedKeys = [
      ...requestNames.map(methodNameOf),
      ...eventNames.map(listenerNameOf),
      'getPathForFile',
    ].sort();
    expect(Object.keys(api).sort()).toEqual(expectedKeys);
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(api).not.toHaveProperty('invoke');
    expect(api).not.toHaveProperty('ipcRenderer');
    expect(api).not.toHaveProperty('send');
    expect((api.getPathForFile as (file: unknown) => string)({ name: 'dropped.pcap' })).toBe(
      '/home/analyst/dropped.pcap',
    );
  });
});

describe('buildPreloadApi', () => {
  it('invokes one channel per request', async () => {
    const { ipc } = fakeIpc();
    const api = buildPreloadApi(ipc);
    await api.captureOpen({ path: '/data/a.pcap' });
    await api.recentList();
    expect(ipc.invoke.mock.calls).toEqual([
      ['tideline:capture.open', { path: '/data/a.pcap' }],
      ['tideline:recent.list', {}],
    ]);
  });

  it('delivers engine events from the event port', () => {
    const { ipc, listeners } = fakeIpc();
    const api = buildPreloadApi(ipc);
    const received: unknown[] = [];
    const stop = api.onCaptureBatch((payload) => received.push(payload));
    const port = fakePort();
    listeners.get('tideline:event-port')?.({ ports: [port] });
    expect(port.start).toHaveBeenCalledTimes(1);

    const batch = { captureId: 'c', packets: 10, flows: 2, alerts: 0, newFlows: 2 };
    port.onmessage?.({ data: { type: 'event', name: 'capture.batch', payload: batch } });
    port.onmessage?.({ data: { type: 'event', name: 'capture.progress', payload: {} } });
    port.onmessage?.({ data: { type: 'event', name: 'no.such', payload: {} } });
    stop();
    port.onmessage?.({ data: { type: 'event', name: 'capture.batch', payload: batch } });
    expect(received).toEqual([batch]);
  });

  it('closes the previous port when a new one arrives', () => {
    const { ipc, listeners } = fakeIpc();
    buildPreloadApi(ipc);
    const first = fakePort();
    const second = fakePort();
    listeners.get('tideline:event-port')?.({ ports: [first] });
    listeners.get('tideline:event-port')?.({ ports: [second] });
    expect(first.close).toHaveBeenCalledTimes(1);
    expect(second.close).not.toHaveBeenCalled();
  });

  it('delivers host events from IPC', () => {
    const { ipc, listeners } = fakeIpc();
    const api = buildPreloadApi(ipc);
    const crashes: unknown[] = [];
    api.onEngineCrashed((payload) => crashes.push(payload));
    const payload = { exitCode: 1, signal: null, message: 'stopped', restartCount: 1 };
    listeners.get('tideline:host-event')?.({ ports: [] }, { type: 'event', name: 'engine.crashed', payload });
    expect(crashes).toEqual([payload]);
  });
});
