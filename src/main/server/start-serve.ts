/**
 * Wires `tideline serve` together: the engine supervisor (forked engine),
 * the host's own request handlers, and the HTTP + WebSocket server.
 */
import { randomBytes } from 'node:crypto';

import type { Logger } from 'pino';

import { EngineSupervisor, type SpawnEngine } from '../engine-supervisor/engine-supervisor';
import { getLogger } from '../engine/logging';
import { createHostHandlers } from '../host-state/host-handlers';
import { findWireshark, isLoopbackHost, openInWireshark } from '../host-state/wireshark';
import { RecentCaptures } from '../host-state/recent-captures';
import { createRequestRouter, type RouteRequest } from '../host-state/request-router';
import { SettingsStore } from '../host-state/settings-store';
import { forkEngine } from './forked-engine';
import { startServeServer, type ServeServer } from './serve-server';

export interface StartServeOptions {
  rendererRoot: string;
  host: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer };
  /** Origins accepted beside the bound address (see `servedOrigins`). */
  extraOrigins?: readonly string[];
  version: string;
  /** Engine spawner; defaults to forking the engine entry. */
  spawnEngine?: SpawnEngine;
  /** Session token; defaults to 32 random bytes in base64url. */
  token?: string;
  /** Finds the Wireshark executable from a PATH value; defaults to `findWireshark`. */
  findWireshark?: (pathVariable: string | undefined) => string | null;
}

export interface ServeSession {
  server: ServeServer;
  supervisor: EngineSupervisor;
  routeRequest: RouteRequest;
  token: string;
  close(): Promise<void>;
}

/** Start the engine and the server. Rejects when the port cannot be bound. */
export async function startServe(options: StartServeOptions): Promise<ServeSession> {
  const log: Logger = getLogger('server');
  const token = options.token ?? randomBytes(32).toString('base64url');
  let server: ServeServer | null = null;

  const supervisor = new EngineSupervisor({
    spawn: options.spawnEngine ?? forkEngine(),
    onEvent: (message) => server?.broadcast(message),
    log: getLogger('server.engine'),
  });
  const recent = new RecentCaptures(null);
  const settings = new SettingsStore(null);
  // Wireshark opens on the server's screen, so it is offered only when the browser must be on the same machine.
  const wiresharkExecutable = isLoopbackHost(options.host) ? (options.findWireshark ?? findWireshark)(process.env.PATH) : null;
  const hostHandlers = createHostHandlers({
    recent,
    settings,
    info: { mode: 'serve', version: options.version, canShowFileDialog: false },
    openInWireshark: wiresharkExecutable === null ? undefined : (path) => openInWireshark(wiresharkExecutable, path),
    onSettingsChanged: (value) => server?.broadcast({ type: 'event', name: 'settings.changed', payload: value }),
  });
  const routeRequest = createRequestRouter(hostHandlers, supervisor, (path) => recent.add(path));

  supervisor.start();
  try {
    server = await startServeServer({ ...options, token, routeRequest });
  } catch (error) {
    supervisor.stop();
    throw error;
  }
  const started = server;
  log.info({ port: started.port }, 'serve session started');

  return {
    server: started,
    supervisor,
    routeRequest,
    token,
    close: async () => {
      await started.close();
      supervisor.stop();
    },
  };
}
