/** A minimal contract client over the serve WebSocket for tests. */
import WebSocket from 'ws';

import type { EventMessage, ResponseMessage, Result } from '../../src/shared/contract';

export interface TestClient {
  request(name: string, argument?: unknown): Promise<Result<unknown>>;
  events: EventMessage[];
  /** Resolves with the first event named `name` that arrives after the call (or already arrived when `isPast`). */
  waitForEvent(name: string, predicate?: (event: EventMessage) => boolean): Promise<EventMessage>;
  close(): void;
}

/** Open a WebSocket and resolve once it is open, or reject with the HTTP status of a refused upgrade. */
export function connect(url: string, origin: string | undefined): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, origin === undefined ? {} : { origin });
    let nextId = 1;
    const pending = new Map<number, (result: Result<unknown>) => void>();
    const events: EventMessage[] = [];
    const waiters: {
      name: string;
      predicate: (event: EventMessage) => boolean;
      resolve: (event: EventMessage) => void;
    }[] = [];

    socket.on('unexpected-response', (_request, response) =>
      reject(new Error(`refused with status ${response.statusCode}`)),
    );
    socket.on('error', reject);
    socket.on('message', (data) => {
      const message = JSON.parse((data as Buffer).toString('utf8')) as ResponseMessage | EventMessage;
      if (message.type === 'response') {
        pending.get(message.id)?.(message.result);
        pending.delete(message.id);
        return;
      }
      events.push(message);
      for (const waiter of [...waiters]) {
        if (waiter.name === message.name && waiter.predicate(message)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    });
    socket.on('open', () =>
      resolve({
        events,
        request: (name, argument = {}) =>
          new Promise((resolveRequest) => {
            const id = nextId++;
            pending.set(id, resolveRequest);
            socket.send(JSON.stringify({ type: 'request', id, name, argument }));
          }),
        waitForEvent: (name, predicate = () => true) =>
          new Promise((resolveEvent) => {
            waiters.push({ name, predicate, resolve: resolveEvent });
          }),
        close: () => socket.close(),
      }),
    );
  });
}
