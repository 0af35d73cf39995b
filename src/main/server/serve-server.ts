/**
 * The HTTP(S) + WebSocket host of the renderer for `tideline serve`. Static
 * files come from the built renderer; the WebSocket at `/ws` speaks the
 * contract (request, response and event envelopes as JSON text frames).
 *
 * A WebSocket connection is accepted only with the session token in its
 * `token` query parameter and an Origin equal to one of the served origins.
 * Each rejection is logged with its reason.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';

import { WebSocketServer, type WebSocket } from 'ws';

import { parseContractMessage, type EventMessage, type ResponseMessage } from '../../shared/contract/messages';
import { getLogger } from '../engine/logging';
import type { RouteRequest } from '../host-state/request-router';
import { buildContentSecurityPolicy } from '../security/content-security-policy';
import { createRepeatLimiter } from '../security/repeat-limiter';
import { serveStaticFile } from './static-files';

const log = getLogger('server.http');
const limitRepeats = createRepeatLimiter();

/** Path of the contract WebSocket. */
export const webSocketPath = '/ws';
/** Largest message a client may send, in bytes; requests are small JSON objects. */
export const maxClientMessageBytes = 1024 * 1024;

export interface ServeServerOptions {
  rendererRoot: string;
  host: string;
  port: number;
  token: string;
  tls?: { cert: Buffer; key: Buffer };
  /** Further origins the page may be loaded from (`https://nta.example.org`), checked as exact strings. */
  extraOrigins?: readonly string[];
  routeRequest: RouteRequest;
}

export interface ServeServer {
  /** The page URL with the token as its `token` query parameter, which the page passes on to the WebSocket. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  broadcast(message: EventMessage): void;
  close(): Promise<void>;
}

/** Start listening; resolves once the port is bound. */
export async function startServeServer(options: ServeServerOptions): Promise<ServeServer> {
  const scheme = options.tls === undefined ? 'http' : 'https';
  const clients = new Set<WebSocket>();
  const webSockets = new WebSocketServer({ noServer: true, maxPayload: maxClientMessageBytes });
  let allowedOrigins = new Set<string>();
  let contentSecurityPolicy = buildContentSecurityPolicy();

  const handleHttp = (request: IncomingMessage, response: ServerResponse): void => {
    setSecurityHeaders(response, contentSecurityPolicy);
    void serveStaticFile(request, response, options.rendererRoot);
  };
  const server: Server =
    options.tls === undefined ? createHttpServer(handleHttp) : createHttpsServer(options.tls, handleHttp);

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const rejection = checkUpgrade(request, options.token, allowedOrigins);
    if (rejection !== null) {
      const repeat = limitRepeats(rejection.reason);
      if (repeat.shouldLog) {
        log.warn(
          { reason: rejection.reason, status: rejection.status, suppressed: repeat.suppressed },
          'websocket connection rejected',
        );
      }
      socket.end(
        `HTTP/1.1 ${rejection.status} ${rejection.statusText}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    webSockets.handleUpgrade(request, socket, head, (client) => {
      clients.add(client);
      client.on('close', () => clients.delete(client));
      client.on('message', (data, isBinary) => handleClientMessage(client, data, isBinary, options.routeRequest));
      log.info({ clients: clients.size }, 'websocket client connected');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  const origins = servedOrigins(scheme, options.host, port, options.extraOrigins);
  allowedOrigins = new Set(origins);
  // Chromium rejects IPv6 literals in CSP sources; 'self' still covers a page loaded from one.
  const webSocketOrigins = origins
    .filter((served) => !served.includes('['))
    .map((served) => served.replace(/^http/, 'ws'));
  contentSecurityPolicy = buildContentSecurityPolicy(webSocketOrigins);
  const origin = origins[0] as string;
  log.info({ port, scheme }, 'serve server listening');

  return {
    url: `${origin}/?token=${options.token}`,
    origin,
    port,
    broadcast: (message) => {
      const text = JSON.stringify(message);
      for (const client of clients) if (client.readyState === client.OPEN) client.send(text);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.terminate();
        webSockets.close();
        server.close(() => resolve());
      }),
  };
}

/**
 * Origins a page served by us can have. For loopback: the bound address and
 * its other spellings (`localhost`, `127.0.0.1`, `[::1]`). For a wildcard
 * bind (`0.0.0.0`, `::`): this machine's host name and every interface
 * address. Otherwise the bound address. `extraOrigins` (from
 * `--allow-origin`) are added as given, for DNS names and reverse proxies.
 * The first origin is the one printed in the URL.
 */
export function servedOrigins(
  scheme: 'http' | 'https',
  host: string,
  port: number,
  extraOrigins: readonly string[] = [],
  interfaceAddresses: readonly string[] = listInterfaceAddresses(),
  machineName: string = hostname(),
): string[] {
  const formatHost = (name: string): string => (name.includes(':') ? `[${name}]` : name);
  let names: string[];
  if (isLoopbackHost(host)) names = [host === 'localhost' ? '127.0.0.1' : host, 'localhost', '127.0.0.1', '::1'];
  else if (host === '0.0.0.0' || host === '::') names = [machineName, ...interfaceAddresses];
  else names = [host];
  return [...new Set([...names.map((name) => `${scheme}://${formatHost(name)}:${port}`), ...extraOrigins])];
}

/** Addresses of this machine's network interfaces, IPv6 link-local ones without their zone. */
function listInterfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .flatMap((entry) => (entry === undefined ? [] : [entry.address.split('%')[0] ?? entry.address]));
}

/** True for names and addresses that never leave the machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

interface UpgradeRejection {
  status: number;
  statusText: string;
  reason: string;
}

function checkUpgrade(
  request: IncomingMessage,
  token: string,
  allowedOrigins: ReadonlySet<string>,
): UpgradeRejection | null {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== webSocketPath) return { status: 404, statusText: 'Not Found', reason: 'path' };

  const offered = url.searchParams.get('token');
  if (offered === null || offered === '') return { status: 401, statusText: 'Unauthorized', reason: 'missing token' };
  if (!isSameSecret(offered, token)) return { status: 401, statusText: 'Unauthorized', reason: 'wrong token' };

  const origin = request.headers.origin;
  if (origin === undefined) return { status: 403, statusText: 'Forbidden', reason: 'missing origin' };
  if (!allowedOrigins.has(origin)) return { status: 403, statusText: 'Forbidden', reason: 'foreign origin' };
  return null;
}

/** Compare in constant time, so response timing does not reveal how much of a guess matched. */
function isSameSecret(offered: string, token: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function setSecurityHeaders(response: ServerResponse, contentSecurityPolicy: string): void {
  response.setHeader('Content-Security-Policy', contentSecurityPolicy);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function handleClientMessage(client: WebSocket, data: unknown, isBinary: boolean, routeRequest: RouteRequest): void {
  if (isBinary) {
    if (limitRepeats('websocket binary message ignored').shouldLog) log.warn('websocket binary message ignored');
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(data));
  } catch {
    if (limitRepeats('websocket message is not JSON; ignored').shouldLog)
      log.warn('websocket message is not JSON; ignored');
    return;
  }
  const message = parseContractMessage(parsed);
  if (message?.type !== 'request') {
    if (limitRepeats('websocket message is not a request envelope; ignored').shouldLog)
      log.warn('websocket message is not a request envelope; ignored');
    return;
  }

  void routeRequest(message.name, message.argument).then((result) => {
    const response: ResponseMessage = { type: 'response', id: message.id, result };
    if (client.readyState === client.OPEN) client.send(JSON.stringify(response));
  });
}
