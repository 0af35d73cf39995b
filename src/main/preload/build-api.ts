/**
 * Builds the page's API from the contract: one named function per request
 * (`captureOpen`, `flowsQuery`, ...) and one `on...` function per event. The
 * page gets no `ipcRenderer`, no generic invoke and no Node API.
 */
import { events } from '../../shared/contract/events';
import { parseContractMessage } from '../../shared/contract/messages';
import { eventNames, listenerNameOf, methodNameOf, requestNames } from '../../shared/contract/names';
import type { EventName, TidelineApi } from '../../shared/contract/types';
import { eventPortChannel, hostEventChannel, requestChannelOf } from './ipc-channels';

/** The part of `ipcRenderer` the API uses, so tests can pass a double. */
export interface PreloadIpc {
  invoke(channel: string, argument: unknown): Promise<unknown>;
  on(channel: string, listener: (event: { ports: readonly MessagePortLike[] }, message?: unknown) => void): unknown;
}

/** The part of a DOM MessagePort the API uses. */
export interface MessagePortLike {
  onmessage: ((event: { data: unknown }) => void) | null;
  start(): void;
  close(): void;
}

/** Build the API object for `contextBridge.exposeInMainWorld`. */
export function buildPreloadApi(ipc: PreloadIpc): TidelineApi {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const dispatch = (raw: unknown): void => {
    const message = parseContractMessage(raw);
    if (message?.type !== 'event' || !Object.hasOwn(events, message.name)) return;
    for (const listener of listeners.get(message.name as EventName) ?? []) listener(message.payload);
  };

  // Each engine start and each page load brings a new port; the previous one is closed.
  let eventPort: MessagePortLike | null = null;
  ipc.on(eventPortChannel, (event) => {
    const port = event.ports[0];
    if (port === undefined) return;
    eventPort?.close();
    eventPort = port;
    port.onmessage = (message) => dispatch(message.data);
    port.start();
  });
  ipc.on(hostEventChannel, (_event, message) => dispatch(message));

  const api: Record<string, unknown> = {};
  for (const name of requestNames) {
    const channel = requestChannelOf(name);
    api[methodNameOf(name)] = (argument?: unknown) => ipc.invoke(channel, argument ?? {});
  }
  for (const name of eventNames) {
    api[listenerNameOf(name)] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${listenerNameOf(name)} expects a function`);
      const set = listeners.get(name) ?? new Set();
      set.add(listener);
      listeners.set(name, set);
      return () => {
        set.delete(listener);
      };
    };
  }
  return api as TidelineApi;
}
