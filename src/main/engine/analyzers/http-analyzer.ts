/**
 * HTTP/1.x analyzer over the two reassembled byte streams of one TCP flow.
 * Requests and responses are parsed independently and paired in order, so
 * pipelined requests match their responses. Bodies are measured, not kept:
 * Content-Length, chunked transfer coding (the decoded size, as Zeek counts
 * it) or, for a response without either, everything until the stream ends.
 */
import zlib from 'node:zlib';
import type { HttpRecord } from '../../../shared/domain/records';
import type { AnalyzerContext } from './analyzer-context';

/** Maximum size of a request or status line plus headers, kept while waiting for the blank line. */
const MAX_HEADER_BYTES = 64 * 1024;
/** Maximum length of a chunk-size line. */
const MAX_CHUNK_LINE_BYTES = 1024;
/** Requests waiting for a response; past it the oldest is written without one. */
const MAX_PENDING_REQUESTS = 100;
/** Encoded (gzip, deflate) body bytes kept to measure the decoded size; a larger body counts its encoded size. */
const MAX_ENCODED_BODY_BYTES = 4 * 1024 * 1024;
/** Decoded bytes produced at most when measuring one body. */
const MAX_DECODED_BODY_BYTES = 64 * 1024 * 1024;

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
  /** Body bytes after chunk decoding (before content decoding). */
  bodyBytes = 0;
  line: number[] = [];
  /** Content-Encoding of the body being read: gzip and deflate bodies are collected to count their decoded size. */
  contentEncoding: 'gzip' | 'deflate' | null = null;
  encodedChunks: Uint8Array[] = [];
  encodedBytes = 0;

  reset(): void {
    this.phase = Phase.header;
    this.header = [];
    this.bodyRemaining = 0;
    this.bodyBytes = 0;
    this.line = [];
    this.contentEncoding = null;
    this.encodedChunks = [];
    this.encodedBytes = 0;
  }

  /** Count body bytes (borrowed) and keep a copy of an encoded body within the cap. */
  addBody(data: Uint8Array): void {
    this.bodyBytes += data.length;
    if (this.contentEncoding === null || data.length === 0) return;
    if (this.encodedBytes + data.length > MAX_ENCODED_BODY_BYTES) {
      this.contentEncoding = null;
      this.encodedChunks = [];
      return;
    }
    this.encodedChunks.push(data.slice());
    this.encodedBytes += data.length;
  }

  /**
   * Zeek's body length: the decoded size of a gzip or deflate body, else the
   * bytes after chunk decoding. A body that does not decode counts what
   * decoded before the error.
   */
  getBodyLength(): number {
    if (this.contentEncoding === null || this.encodedBytes === 0) return this.bodyBytes;
    return measureDecodedLength(Buffer.concat(this.encodedChunks), this.contentEncoding, this.bodyBytes);
  }
}

/**
 * Measure the decoded size of an encoded body. zlib's synchronous calls
 * throw on corrupt input, so this is the one catch per message body. A
 * truncated body still counts what decoded, because the decoders flush
 * with Z_SYNC_FLUSH.
 */
function measureDecodedLength(body: Buffer, encoding: 'gzip' | 'deflate', fallback: number): number {
  const options = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: MAX_DECODED_BODY_BYTES };
  const attempts = encoding === 'gzip' ? [zlib.gunzipSync] : [zlib.inflateSync, zlib.inflateRawSync];
  for (const decode of attempts) {
    try {
      return decode(body, options).length;
    } catch {
      // Try the next decoder (deflate is sent both with and without the zlib header).
    }
  }
  return fallback;
}

export class HttpFlowAnalyzer {
  private readonly request = new HttpDirection();
  private readonly response = new HttpDirection();
  /** Requests in order. A response belongs to the first one without a final response. */
  private readonly pending: HttpRecord[] = [];
  private current: HttpRecord | null = null;
  private currentResponse: HttpRecord | null = null;
  private depth = 0;
  /** HTTP/0.9 requests (no version on the request line), whose responses have no head. */
  private readonly simpleRequests = new WeakSet<HttpRecord>();
  /**
   * Content-Type of the message being read. Zeek fills the *_mime_types
   * fields by sniffing body bytes. Here the header's media type is used
   * instead, and only for a body that has bytes, because Zeek logs nothing
   * for an empty body.
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

  /** Skip a hole in one stream inside a body, or stop parsing that direction anywhere else. */
  handleGap(isFromOriginator: boolean, length: number): void {
    const direction = isFromOriginator ? this.request : this.response;
    direction.contentEncoding = null;
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

  /** Finish a body read until close and write every request still open, because the flow ended. */
  finish(): void {
    if (this.response.phase === Phase.untilClose) this.finishBody(false);
    if (this.current !== null && this.request.phase !== Phase.header) {
      this.current.requestBodyBytes = this.request.getBodyLength();
    }
    if (this.currentResponse !== null && this.response.phase !== Phase.header) {
      this.currentResponse.responseBodyBytes = this.response.getBodyLength();
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
        direction.addBody(data.subarray(offset, offset + take));
        if (direction.bodyRemaining === 0) this.finishBody(isRequest);
        return offset + take;
      }
      case Phase.untilClose:
        direction.addBody(data.subarray(offset));
        return data.length;
      case Phase.chunkSize:
      case Phase.chunkDataEnd:
      case Phase.trailer:
        return this.readChunkLine(direction, isRequest, data, offset, packetNumber, timestampUs);
      case Phase.chunkData: {
        const take = Math.min(direction.bodyRemaining, data.length - offset);
        direction.bodyRemaining -= take;
        direction.addBody(data.subarray(offset, offset + take));
        if (direction.bodyRemaining === 0) direction.phase = Phase.chunkDataEnd;
        return offset + take;
      }
      default:
        return data.length;
    }
  }

  private readHeader(direction: HttpDirection, isRequest: boolean, data: Uint8Array, offset: number, packetNumber: number, timestampUs: number): number {
    const header = direction.header;
    if (!isRequest && header.length === 0 && this.startSimpleResponse(packetNumber)) return offset;
    for (let i = offset; i < data.length; i++) {
      const byte = data[i] ?? 0;
      // Leading blank lines between messages are skipped (RFC 9112 section 2.2).
      if (header.length === 0 && (byte === 0x0d || byte === 0x0a)) continue;
      header.push(byte);
      const length = header.length;
      const isEnd =
        (length >= 4 && header[length - 1] === 0x0a && header[length - 2] === 0x0d && header[length - 3] === 0x0a && header[length - 4] === 0x0d) ||
        (length >= 2 && header[length - 1] === 0x0a && header[length - 2] === 0x0a) ||
        (isRequest && byte === 0x0a && isSimpleRequestLine(header));
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
    // The target runs to the version at the end of the line, so a target with a
    // space in it (seen in exploit attempts) stays whole. tshark ends it at the first space.
    const match = /^([^ ]+) +(.*?)(?: +HTTP\/(\d+\.\d+))? *$/.exec(head.firstLine);
    if (match === null) {
      this.context.emitWeird('bad_HTTP_request', null, 'HTTP', packetNumber, timestampUs);
      this.request.phase = Phase.stopped;
      return;
    }
    this.depth++;
    const record = this.createRecord(timestampUs, packetNumber);
    record.method = match[1] ?? null;
    record.originalUri = match[2] ?? null;
    record.uri = record.originalUri === null ? null : unescapeUri(record.originalUri);
    record.version = match[3] ?? '0.9';
    if (match[3] === undefined) this.simpleRequests.add(record);
    this.requestContentType = null;
    for (const [name, value] of head.headers) {
      const upper = name.toUpperCase();
      if (upper === 'HOST') record.host = value.split(':')[0] ?? value;
      else if (upper === 'USER-AGENT') record.userAgent = value;
      else if (upper === 'REFERER') record.referrer = value;
      else if (upper === 'COOKIE') record.hasCookie = true;
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

    this.request.contentEncoding = getContentEncoding(head.headers);
    this.startBody(this.request, getBodyFraming(head.headers), true);
  }

  /**
   * Start the response to an HTTP/0.9 request, which has no status line or
   * headers: everything until the connection closes is the body. Zeek logs
   * it with status code 0 and message "<empty>". Returns true when the
   * pending request is such a request.
   */
  private startSimpleResponse(packetNumber: number): boolean {
    const record = this.pending[0];
    if (record === undefined || !this.simpleRequests.has(record) || record.statusCode !== null) return false;
    record.statusCode = 0;
    record.statusMessage = EMPTY_REASON;
    record.responsePacketNumber = packetNumber;
    this.responseContentType = null;
    this.currentResponse = record;
    this.response.phase = Phase.untilClose;
    this.response.bodyBytes = 0;
    return true;
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
      record.informationalMessage = nonEmptyReason(match[3]);
      return;
    }
    record.statusCode = status;
    record.statusMessage = nonEmptyReason(match[3]);
    record.responsePacketNumber = packetNumber;
    this.responseContentType = null;
    for (const [name, value] of head.headers) {
      if (name.toUpperCase() === 'CONTENT-TYPE') this.responseContentType = getMediaType(value);
    }
    this.currentResponse = record;

    const hasNoBody = record.method === 'HEAD' || status === 204 || status === 304 || (record.method === 'CONNECT' && status < 300);
    const framing = hasNoBody ? 0 : getBodyFraming(head.headers);
    this.response.contentEncoding = getContentEncoding(head.headers);
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
        this.current.requestBodyBytes = direction.getBodyLength();
        if (direction.bodyBytes > 0 && this.requestContentType !== null) this.current.requestMimeTypes.push(this.requestContentType);
      }
    } else {
      const record = this.currentResponse;
      if (record !== null) {
        record.responseBodyBytes = direction.getBodyLength();
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
      originalUri: null,
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
      hasCookie: false,
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

/** Zeek's status_msg when the status line has no reason phrase. */
const EMPTY_REASON = '<empty>';

function nonEmptyReason(reason: string | undefined): string {
  return reason === undefined || reason === '' ? EMPTY_REASON : reason;
}

/** True when the bytes so far are one request line without an HTTP version (an HTTP/0.9 request). */
function isSimpleRequestLine(header: number[]): boolean {
  let line = '';
  for (const byte of header) {
    if (byte === 0x0d || byte === 0x0a) break;
    line += String.fromCharCode(byte);
  }
  return /^GET +[^ ]+ *$/.test(line);
}

/** Decode %XX escapes in a URI as Zeek's unescape_URI does; other bytes, and a '%' without two hex digits, stay. */
export function unescapeUri(uri: string): string {
  if (!uri.includes('%')) return uri;
  return uri.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** gzip or deflate from Content-Encoding, or null for anything else. */
function getContentEncoding(headers: [string, string][]): 'gzip' | 'deflate' | null {
  for (const [name, value] of headers) {
    if (name.toUpperCase() !== 'CONTENT-ENCODING') continue;
    const encoding = value.trim().toLowerCase();
    if (encoding === 'gzip' || encoding === 'x-gzip') return 'gzip';
    if (encoding === 'deflate') return 'deflate';
  }
  return null;
}

/** "text/html; charset=utf-8" -> "text/html". */
function getMediaType(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

/** Decode the user name of a Basic Authorization header; returns null for other schemes. */
function decodeBasicUsername(value: string): string | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(value);
  if (match === null) return null;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  return colon < 0 ? decoded : decoded.slice(0, colon);
}
