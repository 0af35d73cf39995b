/**
 * The page's API over the WebSocket of `tideline serve`: the same
 * `TidelineApi` shape the Electron preload exposes, built from the contract's
 * request and event names, carried in its request/response/event envelopes.
 */
import {
  eventNames,
  fail,
  listenerNameOf,
  methodNameOf,
  parseContractMessage,
  requestNames,
  type RequestMessage,
  type Result,
  type TidelineApi,
} from '../../shared/contract';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WebSocketApi {
  api: TidelineApi;
  /** Calls `listener` on every change of the connection state; returns a function that removes it. */
  onConnectionChange: (listener: (state: ConnectionState, reason: string) => void) => () => void;
}

/** Time limit for one request. The engine returns query results well within it, so a timeout means a lost connection. */
const requestTimeoutMs = 120_000;

/** Returns the WebSocket URL of the server that served this page, with its access token. */
export function buildWebSocketUrl(pageUrl: string): string | null {
  const page = new URL(pageUrl);
  const token = page.searchParams.get('token');
  if (!token) return null;
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${page.host}/ws?token=${encodeURIComponent(token)}`;
}

interface PendingRequest {
  resolve: (result: Result<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Opens the WebSocket and returns the API over it. Requests sent before the
 * socket opens wait for it; when it closes, pending requests resolve to
 * `engine-unavailable` and later ones fail at once.
 */
export function connectWebSocketApi(
  url: string,
  createSocket = (address: string) => new WebSocket(address),
): WebSocketApi {
  const socket = createSocket(url);
  const pending = new Map<number, PendingRequest>();
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(state: ConnectionState, reason: string) => void>();
  let state: ConnectionState = 'connecting';
  let nextId = 1;
  const opened = new Promise<void>((resolve) => socket.addEventListener('open', () => resolve()));

  function setState(next: ConnectionState, reason: string): void {
    state = next;
    for (const listener of connectionListeners) listener(next, reason);
  }

  socket.addEventListener('open', () => setState('open', ''));
  socket.addEventListener('close', (event) => {
    const reason = event.reason || `The connection to tideline serve closed (code ${event.code}).`;
    setState('closed', reason);
    for (const [id, request] of pending) {
      clearTimeout(request.timer);
      request.resolve(fail('engine-unavailable', `${reason} Restart tideline serve and reload the page.`));
      pending.delete(id);
    }
  });
  socket.addEventListener('message', (event) => handleMessage(event.data));

  function handleMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return;
    }
    const message = parseContractMessage(value);
    if (message?.type === 'response') {
      const request = pending.get(message.id);
      if (!request) return;
      pending.delete(message.id);
      clearTimeout(request.timer);
      request.resolve(message.result);
    } else if (message?.type === 'event') {
      for (const listener of eventListeners.get(message.name) ?? []) listener(message.payload);
    }
  }

  async function sendRequest(name: string, argument: unknown): Promise<Result<unknown>> {
    if (state === 'connecting') await opened;
    if (state === 'closed') {
      return fail('engine-unavailable', 'The connection to tideline serve is closed. Restart it and reload the page.');
    }
    const id = nextId++;
    const message: RequestMessage = { type: 'request', id, name, argument: argument ?? {} };
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve(
          fail('timed-out', `Request ${name} got no answer within ${requestTimeoutMs / 1000} s.`, { request: name }),
        );
      }, requestTimeoutMs);
      pending.set(id, { resolve, timer });
      socket.send(JSON.stringify(message));
    });
  }

  // Build one method per request and one listener function per event, named as the preload names them.
  const api: Record<string, unknown> = {};
  for (const name of requestNames) {
    api[methodNameOf(name)] = (argument?: unknown) => sendRequest(name, argument);
  }
  for (const name of eventNames) {
    api[listenerNameOf(name)] = (listener: (payload: unknown) => void) => {
      const listeners = eventListeners.get(name) ?? new Set();
      listeners.add(listener);
      eventListeners.set(name, listeners);
      return () => listeners.delete(listener);
    };
  }

  return {
    api: api as TidelineApi,
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}
