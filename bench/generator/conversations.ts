/**
 * The kinds of conversation the generator mixes, each a generator function
 * that builds one frame, hands it to `emit`, and yields, so the scheduler can
 * interleave many conversations in time.
 */
import {
  DNS_TYPE,
  encodeHttpRequest,
  encodeHttpResponseHead,
  writeDnsQuery,
  writeDnsResponse,
  writeTlsClientHello,
  writeTlsServerHello,
} from './application-payloads';
import { FrameBuilder, TCP_FLAG } from './frame-builder';
import type { ClientHost, HostDirectory, ServerHost } from './host-directory';
import type { SeededRandom } from './prng';
import { HeadThenBodyStream, TcpConnection, TlsStream } from './tcp-connection';

/** Shared state and callbacks that every conversation uses to build and emit frames. */
export interface ConversationContext {
  random: SeededRandom;
  frame: FrameBuilder;
  hosts: HostDirectory;
  /** Opaque bytes that stand in for compressed or encrypted content. */
  payloadPool: Uint8Array;
  /** Writes the frame in `frame.bytes` with the scheduler's current timestamp. */
  emit(frameLength: number): void;
  /** Share of web sessions over IPv6, 0-1. */
  ipv6Share: number;
  /** Draws the size of a response body in bytes. */
  drawResponseBytes(): number;
}

/** One step per emitted frame. */
export type Conversation = Generator<undefined, void, undefined>;

/** The kinds of conversation, as named in the generator's statistics. */
export const CONVERSATION_KINDS = ['https', 'http', 'dns', 'refused', 'unanswered', 'icmp-echo'] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];

const HTTP_PATHS = ['/', '/index.html', '/api/v2/items?page=2', '/static/app.js', '/images/banner.png', '/updates/manifest.json', '/favicon.ico'];
const USER_AGENTS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/128.0', 'curl/8.5.0', 'Microsoft-CryptoAPI/10.0', 'Debian APT-HTTP/1.3 (2.6.1)'];
// Opaque types only: the bodies are random bytes, which tshark would flag as malformed HTML, JSON or PNG.
const CONTENT_TYPES = ['application/octet-stream', 'application/x-msdownload', 'application/vnd.debian.binary-package'];
const CLOSED_PORTS = [22, 23, 25, 135, 139, 445, 1433, 3306, 3389, 5900, 8080, 8443];

function drawEphemeralPort(random: SeededRandom): number {
  return random.nextIntBetween(32768, 60999);
}

/** Emits a DNS query and, unless `isUnanswered`, its response. */
export function* dnsLookup(
  context: ConversationContext,
  client: ClientHost,
  name: string,
  answerAddress: Uint8Array | null,
  isIpv6: boolean,
  isUnanswered = false,
): Conversation {
  const { random, frame, hosts } = context;
  const resolver = hosts.pickResolver();
  const path = hosts.createPath(client, resolver, isIpv6 && random.nextBoolean(0.5));
  const type = answerAddress !== null && answerAddress.length === 16 ? DNS_TYPE.aaaa : DNS_TYPE.a;
  const id = random.nextInt(65536);
  const clientPort = drawEphemeralPort(random);

  let at = frame.startUdp(path, true);
  let payloadBytes = writeDnsQuery(frame.bytes, at, id, name, type);
  context.emit(frame.finishUdp(clientPort, 53, payloadBytes));
  yield;
  if (isUnanswered) return;

  // Some responses resolve through a CNAME to a CDN name, as many popular names do.
  const addresses: Uint8Array[] = [];
  if (answerAddress !== null) {
    addresses.push(answerAddress);
    const extraCount = random.nextInt(3);
    for (let i = 0; i < extraCount; i++) {
      const extra = answerAddress.slice();
      extra[extra.length - 1] = (extra[extra.length - 1]! + 1 + i) & 0xff;
      addresses.push(extra);
    }
  }
  const canonicalName = random.nextBoolean(0.2) ? `edge${random.nextInt(64)}.cdn.example` : null;
  at = frame.startUdp(path, false);
  payloadBytes = writeDnsResponse(frame.bytes, at, id, name, type, {
    canonicalName,
    addresses,
    isNameError: answerAddress === null,
    ttlSeconds: random.pick([30, 60, 300, 3600]),
  });
  context.emit(frame.finishUdp(53, clientPort, payloadBytes));
  yield;
}

/** Emits a lookup on its own: mostly names that exist, some that do not (NXDOMAIN), a few without response. */
export function* standaloneDnsLookup(context: ConversationContext): Conversation {
  const { random, hosts } = context;
  const client = hosts.pickClient();
  const isIpv6 = random.nextBoolean(0.3);
  const server = hosts.pickServer();
  if (random.nextBoolean(0.15)) {
    const missingName = `host${random.nextInt(1_000_000)}.${random.pick(['corp.example', 'lab.test', 'example.org'])}`;
    yield* dnsLookup(context, client, missingName, null, isIpv6);
    return;
  }
  yield* dnsLookup(context, client, server.name, (isIpv6 ? server.ipv6 : server.ipv4).address, isIpv6, random.nextBoolean(0.05));
}

/** Sends `count` bytes of one side's stream in full-size segments, the receiver acknowledging every second one. */
function* sendBytes(context: ConversationContext, connection: TcpConnection, isFromClient: boolean, count: number, isLastTurn: boolean): Conversation {
  let sent = 0;
  let unacknowledged = 0;
  while (sent < count) {
    const length = Math.min(connection.maximumSegmentBytes, count - sent);
    const flags = TCP_FLAG.ack | (sent + length === count ? TCP_FLAG.psh : 0);
    context.emit(connection.send(isFromClient, flags, length));
    yield;
    sent += length;
    unacknowledged++;
    if (unacknowledged === 2 || (isLastTurn && sent === count)) {
      context.emit(connection.send(!isFromClient, TCP_FLAG.ack));
      yield;
      unacknowledged = 0;
    }
  }
}

/** Closes a connection: FIN from either side (most), RST from the client, or nothing (still open at the capture's end). */
function* closeConnection(context: ConversationContext, connection: TcpConnection): Conversation {
  const draw = context.random.nextFloat();
  if (draw < 0.03) return;
  if (draw < 0.15) {
    context.emit(connection.send(true, TCP_FLAG.rst | TCP_FLAG.ack));
    yield;
    return;
  }
  const closerIsClient = draw < 0.65;
  context.emit(connection.send(closerIsClient, TCP_FLAG.fin | TCP_FLAG.ack));
  yield;
  context.emit(connection.send(!closerIsClient, TCP_FLAG.fin | TCP_FLAG.ack));
  yield;
  context.emit(connection.send(closerIsClient, TCP_FLAG.ack));
  yield;
}

function* handshake(connection: TcpConnection, context: ConversationContext): Conversation {
  context.emit(connection.send(true, TCP_FLAG.syn));
  yield;
  context.emit(connection.send(false, TCP_FLAG.syn | TCP_FLAG.ack));
  yield;
  context.emit(connection.send(true, TCP_FLAG.ack));
  yield;
}

function pickWebEndpoints(context: ConversationContext): { client: ClientHost; server: ServerHost; isIpv6: boolean } {
  const { random, hosts } = context;
  return { client: hosts.pickClient(), server: hosts.pickServer(), isIpv6: random.nextBoolean(context.ipv6Share) };
}

/** Emits an HTTPS session: often a lookup first, then handshake, ClientHello with SNI, server flight, request, response, close. */
export function* httpsSession(context: ConversationContext): Conversation {
  const { random, frame, hosts, payloadPool } = context;
  const { client, server, isIpv6 } = pickWebEndpoints(context);
  if (random.nextBoolean(0.6)) yield* dnsLookup(context, client, server.name, (isIpv6 ? server.ipv6 : server.ipv4).address, isIpv6);

  // Client stream: ClientHello, ChangeCipherSpec, then Finished and the request as application data.
  const scratch = new Uint8Array(1024);
  const clientHelloBytes = writeTlsClientHello(scratch, 0, server.name, random);
  scratch.set([20, 0x03, 0x03, 0, 1, 1], clientHelloBytes);
  const clientHead = scratch.slice(0, clientHelloBytes + 6);
  const clientStream = new TlsStream(clientHead, payloadPool, random.nextInt(payloadPool.length), 53 + random.nextIntBetween(200, 900));

  // Server stream: ServerHello, ChangeCipherSpec, then encrypted certificate flight and the response.
  const serverHeadBytes = writeTlsServerHello(scratch, 0, random);
  const serverFlightBytes = random.nextIntBetween(2500, 4500);
  const serverStream = new TlsStream(scratch.slice(0, serverHeadBytes), payloadPool, random.nextInt(payloadPool.length), serverFlightBytes + context.drawResponseBytes());

  const path = hosts.createPath(client, server, isIpv6);
  const connection = new TcpConnection(frame, path, drawEphemeralPort(random), 443, random.nextUint32(), random.nextUint32(), clientStream, serverStream);
  yield* handshake(connection, context);
  yield* sendBytes(context, connection, true, clientHelloBytes, false);
  yield* sendBytes(context, connection, false, serverHeadBytes + serverFlightBytes + 5, false);
  yield* sendBytes(context, connection, true, clientStream.length - clientHelloBytes, false);
  yield* sendBytes(context, connection, false, serverStream.length - connection.serverBytesSent, true);
  yield* closeConnection(context, connection);
}

/** Emits a plain HTTP/1.1 session: lookup (often), handshake, GET, response head and body, close. */
export function* httpSession(context: ConversationContext): Conversation {
  const { random, frame, hosts, payloadPool } = context;
  const { client, server, isIpv6 } = pickWebEndpoints(context);
  if (random.nextBoolean(0.6)) yield* dnsLookup(context, client, server.name, (isIpv6 ? server.ipv6 : server.ipv4).address, isIpv6);

  const request = encodeHttpRequest(server.name, random.pick(HTTP_PATHS), random.pick(USER_AGENTS));
  const bodyBytes = context.drawResponseBytes();
  const isNotFound = random.nextBoolean(0.08);
  const responseHead = encodeHttpResponseHead(isNotFound ? 404 : 200, isNotFound ? 'Not Found' : 'OK', random.pick(CONTENT_TYPES), isNotFound ? 0 : bodyBytes);
  const clientStream = new HeadThenBodyStream(request, payloadPool, 0, 0);
  const serverStream = new HeadThenBodyStream(responseHead, payloadPool, random.nextInt(payloadPool.length), isNotFound ? 0 : bodyBytes);

  const path = hosts.createPath(client, server, isIpv6);
  const connection = new TcpConnection(frame, path, drawEphemeralPort(random), random.nextBoolean(0.9) ? 80 : 8080, random.nextUint32(), random.nextUint32(), clientStream, serverStream);
  yield* handshake(connection, context);
  yield* sendBytes(context, connection, true, request.length, false);
  yield* sendBytes(context, connection, false, serverStream.length, true);
  yield* closeConnection(context, connection);
}

/** Emits a connection attempt to a closed port: SYN, then RST+ACK from the server. */
export function* refusedConnection(context: ConversationContext): Conversation {
  const { random, frame, hosts } = context;
  const { client, server, isIpv6 } = pickWebEndpoints(context);
  const path = hosts.createPath(client, server, isIpv6);
  const connection = new TcpConnection(frame, path, drawEphemeralPort(random), random.pick(CLOSED_PORTS), random.nextUint32(), 0, null, null);
  context.emit(connection.send(true, TCP_FLAG.syn));
  yield;
  context.emit(connection.send(false, TCP_FLAG.rst | TCP_FLAG.ack));
  yield;
}

/** Emits a connection attempt that gets no reply: a SYN and up to two retransmissions of it. */
export function* unansweredConnection(context: ConversationContext): Conversation {
  const { random, frame, hosts } = context;
  const { client, server, isIpv6 } = pickWebEndpoints(context);
  const path = hosts.createPath(client, server, isIpv6);
  const connection = new TcpConnection(frame, path, drawEphemeralPort(random), random.pick([...CLOSED_PORTS, 443]), random.nextUint32(), 0, null, null);
  const attempts = random.nextIntBetween(1, 3);
  for (let i = 0; i < attempts; i++) {
    if (i > 0) connection.rewindClientSyn();
    context.emit(connection.send(true, TCP_FLAG.syn));
    yield;
  }
}

/** Emits one to four ICMP (or ICMPv6) echo requests with 56-byte payloads as ping sends them, 90% with replies. */
export function* icmpEcho(context: ConversationContext): Conversation {
  const { random, frame, hosts } = context;
  const client = hosts.pickClient();
  const target = random.nextBoolean(0.5) ? hosts.pickPingTarget() : hosts.pickServer();
  const path = hosts.createPath(client, target, random.nextBoolean(context.ipv6Share));
  const identifier = random.nextInt(65536);
  const isAnswered = random.nextBoolean(0.9);
  const count = random.nextIntBetween(1, 4);
  for (let sequence = 1; sequence <= count; sequence++) {
    for (const isRequest of isAnswered ? [true, false] : [true]) {
      const at = frame.startEcho(path, isRequest);
      for (let i = 0; i < 56; i++) frame.bytes[at + i] = i < 8 ? (sequence * 31 + i) & 0xff : 0x10 + i - 8;
      context.emit(frame.finishEcho(isRequest, identifier, sequence, 56));
      yield;
    }
  }
}

export const CONVERSATION_FACTORIES: Record<ConversationKind, (context: ConversationContext) => Conversation> = {
  https: httpsSession,
  http: httpSession,
  dns: standaloneDnsLookup,
  refused: refusedConnection,
  unanswered: unansweredConnection,
  'icmp-echo': icmpEcho,
};
