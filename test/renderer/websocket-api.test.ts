import { describe, expect, it } from 'vitest';

import { buildWebSocketUrl, connectWebSocketApi } from '../../src/renderer/api/websocket-api';

type Listener = (event: { data?: unknown; code?: number; reason?: string }) => void;

/** A WebSocket stand-in: records sent frames and lets the test open, close and send from the server side. */
class FakeSocket {
  readonly sent: string[] = [];
  private readonly listeners = new Map<string, Listener[]>();

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(text: string): void {
    this.sent.push(text);
  }

  fire(type: string, event: { data?: unknown; code?: number; reason?: string } = {}): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }

  lastRequest(): { id: number; name: string; argument: unknown } {
    return JSON.parse(this.sent.at(-1) ?? '{}') as { id: number; name: string; argument: unknown };
  }
}

function connect(): { socket: FakeSocket; api: ReturnType<typeof connectWebSocketApi>['api'] } {
  const socket = new FakeSocket();
  const { api } = connectWebSocketApi('ws://127.0.0.1:1/ws?token=t', () => socket as unknown as WebSocket);
  return { socket, api };
}

describe('buildWebSocketUrl', () => {
  it('carries the page token to /ws', () => {
    expect(buildWebSocketUrl('http://127.0.0.1:8080/?token=a%2Bb')).toBe('ws://127.0.0.1:8080/ws?token=a%2Bb');
    expect(buildWebSocketUrl('https://box.lab:9443/?token=x')).toBe('wss://box.lab:9443/ws?token=x');
  });

  it('returns null without a token', () => {
    expect(buildWebSocketUrl('http://127.0.0.1:8080/')).toBeNull();
  });
});

describe('connectWebSocketApi', () => {
  it('sends requests after the socket opens and matches responses by id', async () => {
    const { socket, api } = connect();
    const pending = api.flowsGet({ captureId: 'c1', uid: 'C1' });
    expect(socket.sent).toHaveLength(0);

    socket.fire('open');
    await Promise.resolve();
    await Promise.resolve();
    const request = socket.lastRequest();
    expect(request).toEqual({ type: 'request', id: 1, name: 'flows.get', argument: { captureId: 'c1', uid: 'C1' } });

    socket.fire('message', {
      data: JSON.stringify({ type: 'response', id: 99, result: { ok: true, value: 'other' } }),
    });
    socket.fire('message', {
      data: JSON.stringify({ type: 'response', id: 1, result: { ok: true, value: { uid: 'C1' } } }),
    });
    expect(await pending).toEqual({ ok: true, value: { uid: 'C1' } });
  });

  it('sends an empty object for requests without argument', async () => {
    const { socket, api } = connect();
    socket.fire('open');
    void api.captureStatus();
    await Promise.resolve();
    await Promise.resolve();
    expect(socket.lastRequest().argument).toEqual({});
  });

  it('delivers events to their listeners until removed', () => {
    const { socket, api } = connect();
    const received: unknown[] = [];
    const remove = api.onCaptureBatch((batch) => received.push(batch.flows));
    const frame = {
      type: 'event',
      name: 'capture.batch',
      payload: { captureId: 'c1', packets: 1, flows: 5, alerts: 0, newFlows: 5 },
    };
    socket.fire('message', { data: JSON.stringify(frame) });
    remove();
    socket.fire('message', { data: JSON.stringify(frame) });
    socket.fire('message', { data: 'not json' });
    expect(received).toEqual([5]);
  });

  it('fails pending and later requests once closed', async () => {
    const { socket, api } = connect();
    socket.fire('open');
    const pending = api.appInfo();
    await Promise.resolve();
    await Promise.resolve();
    socket.fire('close', { code: 1006, reason: '' });
    const result = await pending;
    expect(result.ok).toBe(false);
    expect(result.ok ? null : result.error.code).toBe('engine-unavailable');
    expect(result.ok ? '' : result.error.message).toContain('code 1006');

    const later = await api.appInfo();
    expect(later.ok ? null : later.error.code).toBe('engine-unavailable');
  });
});
