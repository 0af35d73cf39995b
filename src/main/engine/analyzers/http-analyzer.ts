/**
 * HTTP/1.x analyzer over the two reassembled byte streams of one TCP flow.
 * Requests and responses are parsed independently and paired in order, so
 * pipelined requests match their responses. Bodies are measured, not kept:
 * Content-Length, chunked transfer coding (the decoded size, as Zeek counts
 * it) or, for a response without either, everything until the stream ends.
 */
import type { HttpRecord } from '../../../shared/domain/records';
import type { AnalyzerContext } from './analyzer-context';

/** Longest request/status line plus headers kept while waiting for the blank line. */
const MAX_HEADER_BYTES = 64 * 1024;
/** Longest chunk-size line. */
const MAX_CHUNK_LINE_BYTES = 1024;
/** Requests waiting for a response; past it the oldest is written without one. */
const MAX_PENDING_REQUESTS = 100;

const enum Phase {
  header,
  body,
  chunkSize,
  chunkData,
  chunkDataEnd,
  trailer,
  untilClose,
  /** Unparsable data: the direction is ignored from here on. */
  stopped,
}

/** Headers Zeek lists in `proxied`, upper-cased. */
const proxyHeaders = new Set(['FORWARDED', 'X-FORWARDED-FOR', 'X-FORWARDED-FROM', 'CLIENT-IP', 'VIA', 'XROXY-CONNECTION', 'PROXY-CONNECTION']);

interface MessageHead {
  firstLine: string;
  headers: [string, string][];
}

/** Parser state of one direction. */
class HttpDirection {
  phase: Phase = Phase.header;
  header: number[] = [];
  bodyRemaining = 0;
  bodyBytes = 0;
  line: number[] = [];

  reset(): void {
    this.phase = Phase.header;
    this.header = [];
    this.bodyRemaining = 0;
    this.bodyBytes = 0;
    this.line = [];
  }
}

export class HttpFlowAnalyzer {
  private readonly request = new HttpDirection();
  private readonly response = new HttpDirection();
  /** Requests in order; the first without a final response is the one a response answers. */
  private readonly pending: HttpRecord[] = [];
  private current: HttpRecord | null = null;
  private currentResponse: HttpRecord | null = null;
  private depth = 0;
  /**
   * Content-Type of the message being read. Zeek fills the *_mime_types
   * fields by sniffing body bytes; here the header's media type is used,
   * and only for a body that has bytes, as Zeek logs nothing for no body.
   */
  private requestContentType: string | null = null;
  private responseContentType: string | null = null;

  constructor(private readonly context: AnalyzerContext) {}

  /** Handle in-order stream bytes (borrowed) from one side. */
  handleStream(data: Uint8Array, isFromOriginator: boolean, packetNumber: number, timestampUs: number): void {
    const direction = isFromOriginator ? this.request : this.response;
    let offset = 0;
    while (offset < data.length && direction.phase !== Phase.stopped) {
      offset = this.step(direction, isFromOriginator, data, offset, packetNumber, timestampUs);
    }
  }

  /** A hole in one stream: inside a body it is skipped; elsewhere the direction stops. */
  handleGap(isFromOriginator: boolean, length: number): void {
    const direction = isFromOriginator ? this.request : this.response;
    if (direction.phase === Phase.body && length <= direction.bodyRemaining) {
      direction.bodyRemaining -= length;
      direction.bodyBytes += length;
      if (direction.bodyRemaining === 0) this.finishBody(isFromOriginator);
      return;
    }
    if (direction.phase === Phase.untilClose) {
      direction.bodyBytes += length;
      return;
    }
    direction.phase = Phase.stopped;
  }

  /** The flow ended: finish a body read until close and write every request still open. */
  finish(): void {
    if (this.response.phase === Phase.untilClose) this.finishBody(false);
    if (this.current !== null && this.request.phase !== Phase.header) {
      this.current.requestBodyBytes = this.request.bodyBytes;
    }
    if (this.currentResponse !== null && this.response.phase !== Phase.header) {
      this.currentResponse.responseBodyBytes = this.response.bodyBytes;
    }
    // Every open record is still in `pending`, the response being read included.
    for (const record of this.pending) this.context.emitHttp(record);
    this.pending.length = 0;
    this.currentResponse = null;
  }

  /** Parse from `offset` in the current phase; returns the new offset. */
  private step(direction: HttpDirection, isRequest: boolean, data: Uint8Array, offset: number, packetNumber: number, timestampUs: number): number {
    switch (direction.phase) {
      case Phase.header:
        return this.readHeader(direction, isRequest, data, offset, packetNumber, timestampUs);
      case Phase.body: {
        const take = Math.min(direction.bodyRemaining, data.length - offset);
        direction.bodyRemaining -= take;
        direction.bodyBytes += take;
        if (direction.bodyRemaining === 0) this.finishBody(isRequest);
        return offset + take;
      }
      case Phase.untilClose:
        direction.bodyBytes += data.length - offset;
        return data.length;
      case Phase.chunkSize:
      case Phase.chunkDataEnd:
      case Phase.trailer:
        return this.readChunkLine(direction, isRequest, data, offset, packetNumber, timestampUs);
      case Phase.chunkData: {
        const take = Math.min(direction.bodyRemaining, data.length - offset);
        direction.bodyRemaining -= take;
        direction.bodyBytes += take;
        if (direction.bodyRemaining === 0) direction.phase = Phase.chunkDataEnd;
        return offset + take;
      }
      default:
        return data.length;
    }
  }

  private readHeader(direction: HttpDirection, isRequest: boolean, data: Uint8Array, offset: number, packetNumber: number, timestampUs: number): number {
    const header = direction.header;
    for (let i = offset; i < data.length; i++) {
      const byte = data[i] ?? 0;
      // Leading blank lines between messages are skipped (RFC 9112 section 2.2).
      if (header.length === 0 && (byte === 0x0d || byte === 0x0a)) continue;
      header.push(byte);
      const length = header.length;
      const isEnd =
        (length >= 4 && header[length - 1] === 0x0a && header[length - 2] === 0x0d && header[length - 3] === 0x0a && header[length - 4] === 0x0d) ||
        (length >= 2 && header[length - 1] === 0x0a && header[length - 2] === 0x0a);
      if (isEnd) {
        direction.header = [];
        this.handleHead(parseHead(header), isRequest, packetNumber, timestampUs);
        return i + 1;
      }
      if (length > MAX_HEADER_BYTES) {
        this.context.emitWeird('HTTP_excessive_header_length', null, 'HTTP', packetNumber, timestampUs);
        direction.phase = Phase.stopped;
        return data.length;
      }
    }
    return data.length;
  }

  private handleHead(head: MessageHead, isRequest: boolean, packetNumber: number, timestampUs: number): void {
    if (isRequest) this.handleRequestHead(head, packetNumber, timestampUs);
    else this.handleResponseHead(head, packetNumber, timestampUs);
  }

  private handleRequestHead(head: MessageHead, packetNumber: number, timestampUs: number): void {
    const match = /^([^ ]+) +([^ ]*)(?: +HTTP\/(\d+\.\d+))? *$/.exec(head.firstLine);
    if (match === null) {
      this.context.emitWeird('bad_HTTP_request', null, 'HTTP', packetNumber, timestampUs);
      this.request.phase = Phase.stopped;
      return;
    }
    this.depth++;
    const record = this.createRecord(timestampUs, packetNumber);
    record.method = match[1] ?? null;
    record.uri = match[2] ?? null;
    record.version = match[3] ?? '0.9';
    this.requestContentType = null;
    for (const [name, value] of head.headers) {
      const upper = name.toUpperCase();
      if (upper === 'HOST') record.host = value.split(':')[0] ?? value;
      else if (upper === 'USER-AGENT') record.userAgent = value;
      else if (upper === 'REFERER') record.referrer = value;
      else if (upper === 'ORIGIN') record.origin = value;
      else if (upper === 'CONTENT-TYPE') this.requestContentType = getMediaType(value);
      else if (upper === 'AUTHORIZATION') record.username = decodeBasicUsername(value) ?? record.username;
      else if (proxyHeaders.has(upper)) record.proxied.push(`${upper} -> ${value}`);
    }
    if (this.pending.length >= MAX_PENDING_REQUESTS) {
      const oldest = this.pending.shift();
      if (oldest !== undefined) this.context.emitHttp(oldest);
    }
    this.pending.push(record);
    this.current = record;

    const length = getBodyFraming(head.headers);
    this.startBody(this.request, length, true);
  }

  private handleResponseHead(head: MessageHead, packetNumber: number, timestampUs: number): void {
    const match = /^HTTP\/(\d+\.\d+) +(\d{3})(?: +(.*))?$/.exec(head.firstLine);
    if (match === null) {
      this.context.emitWeird('bad_HTTP_reply', null, 'HTTP', packetNumber, timestampUs);
      this.response.phase = Phase.stopped;
      return;
    }
    const status = Number(match[2]);
    let record = this.pending[0];
    if (record === undefined) {
      // A response without a request (the request was not captured).
      this.depth++;
      record = this.createRecord(timestampUs, null);
      this.pending.push(record);
    }
    record.version = match[1] ?? record.version;
    if (status >= 100 && status < 200) {
      record.informationalCode = status;
      record.informationalMessage = match[3] ?? '';
      return;
    }
    record.statusCode = status;
    record.statusMessage = match[3] ?? '';
    record.responsePacketNumber = packetNumber;
    this.responseContentType = null;
    for (const [name, value] of head.headers) {
      if (name.toUpperCase() === 'CONTENT-TYPE') this.responseContentType = getMediaType(value);
    }
    this.currentResponse = record;

    const hasNoBody = record.method === 'HEAD' || status === 204 || status === 304 || (record.method === 'CONNECT' && status < 300);
    const framing = hasNoBody ? 0 : getBodyFraming(head.headers);
    this.startBody(this.response, framing === null ? -1 : framing, false);
  }

  /** Start reading a body: `length` bytes, 'chunked', or -1 for until close (responses only). */
  private startBody(direction: HttpDirection, framing: number | 'chunked' | null, isRequest: boolean): void {
    direction.bodyBytes = 0;
    if (framing === 'chunked') {
      direction.phase = Phase.chunkSize;
      return;
    }
    const length = framing ?? 0;
    if (length < 0) {
      direction.phase = Phase.untilClose;
      return;
    }
    if (length === 0) {
      this.finishBody(isRequest);
      return;
    }
    direction.phase = Phase.body;
    direction.bodyRemaining = length;
  }

  private finishBody(isRequest: boolean): void {
    const direction = isRequest ? this.request : this.response;
    if (isRequest) {
      if (this.current !== null) {
        this.current.requestBodyBytes = direction.bodyBytes;
        if (direction.bodyBytes > 0 && this.requestContentType !== null) this.current.requestMimeTypes.push(this.requestContentType);
      }
    } else {
      const record = this.currentResponse;
      if (record !== null) {
        record.responseBodyBytes = direction.bodyBytes;
        if (direction.bodyBytes > 0 && this.responseContentType !== null) record.responseMimeTypes.push(this.responseContentType);
        const index = this.pending.indexOf(record);
        if (index >= 0) this.pending.splice(index, 1);
        this.context.emitHttp(record);
      }
      this.currentResponse = null;
    }
    direction.reset();
  }

  private readChunkLine(direction: HttpDirection, isRequest: boolean, data: Uint8Array, offset: number, packetNumber: number, timestampUs: number): number {
    for (let i = offset; i < data.length; i++) {
      const byte = data[i] ?? 0;
      if (byte !== 0x0a) {
        if (byte !== 0x0d) direction.line.push(byte);
        if (direction.line.length > MAX_CHUNK_LINE_BYTES) {
          this.context.emitWeird('HTTP_bad_chunk_size', null, 'HTTP', packetNumber, timestampUs);
          direction.phase = Phase.stopped;
          return data.length;
        }
        continue;
      }
      const line = String.fromCharCode(...direction.line);
      direction.line = [];
      if (direction.phase === Phase.chunkDataEnd) {
        direction.phase = Phase.chunkSize;
        return i + 1;
      }
      if (direction.phase === Phase.trailer) {
        if (line === '') this.finishBody(isRequest);
        return i + 1;
      }
      const size = Number.parseInt(line.split(';')[0]?.trim() ?? '', 16);
      if (!Number.isFinite(size) || size < 0) {
        this.context.emitWeird('HTTP_bad_chunk_size', null, 'HTTP', packetNumber, timestampUs);
        direction.phase = Phase.stopped;
        return data.length;
      }
      if (size === 0) direction.phase = Phase.trailer;
      else {
        direction.phase = Phase.chunkData;
        direction.bodyRemaining = size;
      }
      return i + 1;
    }
    return data.length;
  }

  private createRecord(timestampUs: number, packetNumber: number | null): HttpRecord {
    return {
      timestampUs,
      uid: this.context.flowUid,
      ...this.context.flowEndpoints,
      transactionDepth: this.depth,
      method: null,
      host: null,
      uri: null,
      referrer: null,
      version: null,
      userAgent: null,
      origin: null,
      requestBodyBytes: 0,
      responseBodyBytes: 0,
      statusCode: null,
      statusMessage: null,
      informationalCode: null,
      informationalMessage: null,
      username: null,
      requestMimeTypes: [],
      responseMimeTypes: [],
      proxied: [],
      requestPacketNumber: packetNumber,
      responsePacketNumber: null,
    };
  }
}

/** Split a message head into its first line and headers (continuation lines joined with a space). */
function parseHead(bytes: number[]): MessageHead {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  const lines = text.split(/\r?\n/);
  const headers: [string, string][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const last = headers[headers.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { firstLine: lines[0] ?? '', headers };
}

/** Body framing from the headers: 'chunked', a length, or null when neither header is present. */
function getBodyFraming(headers: [string, string][]): number | 'chunked' | null {
  let length: number | null = null;
  for (const [name, value] of headers) {
    const upper = name.toUpperCase();
    if (upper === 'TRANSFER-ENCODING' && /chunked/i.test(value)) return 'chunked';
    if (upper === 'CONTENT-LENGTH' && /^\d{1,15}$/.test(value)) length = Number(value);
  }
  return length;
}

/** "text/html; charset=utf-8" -> "text/html". */
function getMediaType(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

/** The user name of a Basic Authorization header, or null. */
function decodeBasicUsername(value: string): string | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(value);
  if (match === null) return null;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  return colon < 0 ? decoded : decoded.slice(0, colon);
}
