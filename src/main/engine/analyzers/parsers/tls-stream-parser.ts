/**
 * Incremental TLS parser for one TCP connection: feed each direction's
 * in-order payload and receive typed events for the plaintext part of the
 * handshake. Handles records split across segments, several records per
 * segment, and handshake messages spanning records. Once a direction has sent
 * ChangeCipherSpec its handshake records are encrypted and only counted.
 */
import type { TlsClientHelloRecord, TlsServerHelloRecord } from '../../../../shared/domain/records-tls';
import { ByteCursor } from './byte-cursor';
import { FrameAssembler, type FrameHandler } from './frame-assembler';
import { parseClientHello, parseServerHello, parseSslv2ClientHello } from './tls-hello';
import { isEcdheCipherSuite } from './tls-names';

/** Largest TLSCiphertext fragment (RFC 5246 section 6.2.3: 2^14 + 2048) plus the 5-byte header. */
const MAX_RECORD_LENGTH = 16384 + 2048 + 5;
/** A handshake message longer than this stops handshake parsing in its direction (no plausible certificate chain is this big). */
const MAX_HANDSHAKE_MESSAGE_LENGTH = 256 * 1024;
/** Certificates parsed per chain; the rest are counted. */
const MAX_CHAIN_CERTIFICATES = 16;

export const TLS_CONTENT_TYPE = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
  heartbeat: 24,
} as const;

export const TLS_HANDSHAKE_TYPE = {
  clientHello: 1,
  serverHello: 2,
  certificate: 11,
  serverKeyExchange: 12,
} as const;

interface TlsEventBase {
  isFromOriginator: boolean;
  /** Offset in this direction's stream of the record that carried the event. */
  streamOffset: number;
}

export type TlsEvent =
  /** Every plaintext handshake message, in order, before its typed event. */
  | (TlsEventBase & { kind: 'handshake'; messageType: number; length: number })
  | (TlsEventBase & { kind: 'client-hello'; hello: TlsClientHelloRecord })
  | (TlsEventBase & { kind: 'server-hello'; hello: TlsServerHelloRecord })
  /** DER certificates, sender's first; the views are borrowed and valid only during the callback. */
  | (TlsEventBase & { kind: 'certificates'; certificates: Uint8Array[]; skippedCount: number })
  /** ECDHE ServerKeyExchange: the named curve, when the parameters use one. */
  | (TlsEventBase & { kind: 'server-key-exchange'; namedCurve: number | null })
  | (TlsEventBase & { kind: 'change-cipher-spec' })
  /** Unencrypted alert; encrypted alerts (after ChangeCipherSpec) are not readable. */
  | (TlsEventBase & { kind: 'alert'; level: number; description: number })
  | (TlsEventBase & { kind: 'heartbeat' })
  /** The first encrypted record in a direction (application data, or a protected handshake). */
  | (TlsEventBase & { kind: 'encrypted-data'; contentType: number })
  | (TlsEventBase & { kind: 'problem'; message: string });

export type TlsEventHandler = (event: TlsEvent) => void;

/** An event before its direction and offset are filled in. */
type TlsEventBody = TlsEvent extends infer E ? (E extends TlsEventBase ? Omit<E, keyof TlsEventBase> : never) : never;

/** Reads a TLS record header: 5 + length, or -1 for a content type or version that is not TLS. */
function readTlsRecordLength(bytes: Uint8Array, offset: number): number {
  const contentType = bytes[offset]!;
  const major = bytes[offset + 1]!;
  const length = (bytes[offset + 3]! << 8) | bytes[offset + 4]!;
  if (contentType < 20 || contentType > 24 || major !== 3) return -1;
  const total = 5 + length;
  return total > MAX_RECORD_LENGTH ? -1 : total;
}

class TlsDirection implements FrameHandler {
  readonly isFromOriginator: boolean;
  readonly records: FrameAssembler;
  private readonly parser: TlsStreamParser;
  private handshake = new Uint8Array(0);
  private handshakeLength = 0;
  private recordOffset = 0;
  isEncrypted = false;
  hasSentEncryptedData = false;
  isFirstByte = true;
  isDisabled = false;

  constructor(parser: TlsStreamParser, isFromOriginator: boolean) {
    this.parser = parser;
    this.isFromOriginator = isFromOriginator;
    this.records = new FrameAssembler(5, MAX_RECORD_LENGTH, readTlsRecordLength, this);
  }

  /** Encrypted records and ChangeCipherSpec are read by their header alone, so a long one is not copied while it arrives. */
  keptLength(bytes: Uint8Array, offset: number, frameLength: number): number {
    const contentType = bytes[offset]!;
    const isHeaderEnough =
      this.isEncrypted ||
      contentType === TLS_CONTENT_TYPE.applicationData ||
      contentType === TLS_CONTENT_TYPE.changeCipherSpec;
    return isHeaderEnough ? 5 : frameLength;
  }

  onFrame(record: Uint8Array, streamOffset: number): void {
    this.recordOffset = streamOffset;
    const contentType = record[0]!;
    const payload = record.subarray(5);
    if (contentType === TLS_CONTENT_TYPE.changeCipherSpec) {
      this.isEncrypted = true;
      this.emit({ kind: 'change-cipher-spec' });
    } else if (contentType === TLS_CONTENT_TYPE.applicationData) {
      this.noteEncryptedData(contentType);
    } else if (this.isEncrypted) {
      this.noteEncryptedData(contentType);
    } else if (contentType === TLS_CONTENT_TYPE.alert) {
      if (payload.length >= 2) this.emit({ kind: 'alert', level: payload[0]!, description: payload[1]! });
    } else if (contentType === TLS_CONTENT_TYPE.heartbeat) {
      this.emit({ kind: 'heartbeat' });
    } else {
      this.addHandshakeBytes(payload);
    }
  }

  private noteEncryptedData(contentType: number): void {
    if (this.hasSentEncryptedData) return;
    this.hasSentEncryptedData = true;
    this.emit({ kind: 'encrypted-data', contentType });
  }

  /** Completes `event`, a fresh object from the caller, with the direction and offset, and hands it on. */
  emit(event: TlsEventBody): void {
    // Set in place: a spread copy of each event took about 3% of the full engine's main thread in a profile.
    const complete = event as TlsEvent;
    complete.isFromOriginator = this.isFromOriginator;
    complete.streamOffset = this.recordOffset;
    this.parser.emitEvent(complete);
  }

  /** Parses every complete handshake message; keeps a partial one (copied) for the next record. */
  private addHandshakeBytes(payload: Uint8Array): void {
    let source = payload;
    if (this.handshakeLength > 0) {
      const needed = this.handshakeLength + payload.length;
      if (needed > MAX_HANDSHAKE_MESSAGE_LENGTH + 4) {
        this.emit({
          kind: 'problem',
          message: `handshake message exceeds ${MAX_HANDSHAKE_MESSAGE_LENGTH} bytes; handshake parsing stopped`,
        });
        this.isDisabled = true;
        return;
      }
      if (this.handshake.length < needed) {
        const grown = new Uint8Array(Math.max(needed, this.handshake.length * 2));
        grown.set(this.handshake.subarray(0, this.handshakeLength));
        this.handshake = grown;
      }
      this.handshake.set(payload, this.handshakeLength);
      this.handshakeLength = needed;
      source = this.handshake.subarray(0, needed);
    }

    let offset = 0;
    while (source.length - offset >= 4 && !this.isDisabled) {
      const messageType = source[offset]!;
      const length = (source[offset + 1]! << 16) | (source[offset + 2]! << 8) | source[offset + 3]!;
      if (length > MAX_HANDSHAKE_MESSAGE_LENGTH) {
        this.emit({
          kind: 'problem',
          message: `handshake type ${messageType} claims ${length} bytes, over the ${MAX_HANDSHAKE_MESSAGE_LENGTH}-byte cap`,
        });
        this.isDisabled = true;
        return;
      }
      if (source.length - offset < 4 + length) break;
      this.handleHandshakeMessage(messageType, source.subarray(offset + 4, offset + 4 + length));
      offset += 4 + length;
    }

    // Keep the incomplete tail; copy only when it still lives in the borrowed record.
    const tail = source.length - offset;
    if (tail === 0) {
      this.handshakeLength = 0;
    } else if (source === payload) {
      if (this.handshake.length < tail) this.handshake = new Uint8Array(Math.max(tail, 1024));
      this.handshake.set(payload.subarray(offset));
      this.handshakeLength = tail;
    } else {
      this.handshake.copyWithin(0, offset, offset + tail);
      this.handshakeLength = tail;
    }
  }

  private handleHandshakeMessage(messageType: number, body: Uint8Array): void {
    this.emit({ kind: 'handshake', messageType, length: body.length });
    if (messageType === TLS_HANDSHAKE_TYPE.clientHello) {
      const result = parseClientHello(body, 't');
      if (result.ok) this.emit({ kind: 'client-hello', hello: result.value });
      else this.emit({ kind: 'problem', message: result.problem });
    } else if (messageType === TLS_HANDSHAKE_TYPE.serverHello) {
      const result = parseServerHello(body);
      if (result.ok) {
        this.parser.chosenCipherSuite = result.value.cipherSuite;
        this.emit({ kind: 'server-hello', hello: result.value });
      } else this.emit({ kind: 'problem', message: result.problem });
    } else if (messageType === TLS_HANDSHAKE_TYPE.certificate) {
      this.emitCertificates(body);
    } else if (
      messageType === TLS_HANDSHAKE_TYPE.serverKeyExchange &&
      this.parser.chosenCipherSuite !== null &&
      isEcdheCipherSuite(this.parser.chosenCipherSuite)
    ) {
      // ECParameters: curve_type 3 (named_curve) then the 16-bit NamedCurve (RFC 8422 section 5.4).
      const namedCurve = body.length >= 3 && body[0] === 3 ? (body[1]! << 8) | body[2]! : null;
      this.emit({ kind: 'server-key-exchange', namedCurve });
    }
  }

  /** TLS 1.2 Certificate: a 24-bit list length, then 24-bit-length DER entries (RFC 5246 section 7.4.2). */
  private emitCertificates(body: Uint8Array): void {
    const cursor = new ByteCursor(body);
    const list = cursor.takeCursor(cursor.readUint24());
    const certificates: Uint8Array[] = [];
    let skippedCount = 0;
    while (list.remaining() >= 3) {
      const der = list.borrowBytes(list.readUint24());
      if (list.isShort) break;
      if (certificates.length < MAX_CHAIN_CERTIFICATES) certificates.push(der);
      else skippedCount++;
    }
    if (cursor.isShort || list.isShort) {
      this.emit({
        kind: 'problem',
        message: `Certificate message list overruns its ${body.length}-byte body after ${certificates.length} certificates`,
      });
    }
    this.emit({ kind: 'certificates', certificates, skippedCount });
  }
}

/**
 * Incremental TLS parser for one connection. Call `push` with each
 * direction's payload in stream order; events arrive synchronously through
 * the handler given at construction. Never throws on traffic.
 */
export class TlsStreamParser {
  private readonly handler: TlsEventHandler;
  private readonly originator: TlsDirection;
  private readonly responder: TlsDirection;
  /** Cipher suite of the last ServerHello: decides how ServerKeyExchange is read. */
  chosenCipherSuite: number | null = null;

  constructor(onEvent: TlsEventHandler) {
    this.handler = onEvent;
    this.originator = new TlsDirection(this, true);
    this.responder = new TlsDirection(this, false);
  }

  emitEvent(event: TlsEvent): void {
    this.handler(event);
  }

  /** Feeds in-order payload bytes of one direction; `data` is borrowed and not kept. */
  push(isFromOriginator: boolean, data: Uint8Array): void {
    const direction = isFromOriginator ? this.originator : this.responder;
    if (direction.isDisabled || data.length === 0) return;

    // An SSLv2-format ClientHello starts with a 2-byte length whose high bit is set, then type 1.
    if (direction.isFirstByte) {
      direction.isFirstByte = false;
      if (isFromOriginator && (data[0]! & 0x80) !== 0 && data.length >= 3 && data[2] === 1) {
        this.handleSslv2Hello(direction, data);
        return;
      }
    }

    const wasFailed = direction.records.isFailed;
    direction.records.push(data);
    if (!wasFailed && direction.records.isFailed) {
      direction.isDisabled = true;
      direction.emit({
        kind: 'problem',
        message: `not a TLS record header at stream offset ${direction.records.streamOffset}`,
      });
    }
  }

  private handleSslv2Hello(direction: TlsDirection, data: Uint8Array): void {
    const length = 2 + (((data[0]! & 0x7f) << 8) | (data[1] ?? 0));
    const result = parseSslv2ClientHello(data.subarray(0, length));
    direction.emit({ kind: 'handshake', messageType: TLS_HANDSHAKE_TYPE.clientHello, length });
    if (result.ok) direction.emit({ kind: 'client-hello', hello: result.value });
    else direction.emit({ kind: 'problem', message: result.problem });
    // NOTE: an SSLv2 hello split across segments is parsed from its first segment only, and the
    // records after it are read only when they start in a later segment. Clients that still send
    // this format send the hello in one segment and wait for the server.
    direction.records.streamOffset = length;
    if (data.length > length) direction.records.push(data.subarray(length));
  }

  /**
   * True once a direction has nothing more to tell: it sent its first
   * encrypted record (everything after it is unreadable and is only counted
   * by the flow), or it is not TLS. The caller stops feeding it.
   */
  isDone(isFromOriginator: boolean): boolean {
    const direction = isFromOriginator ? this.originator : this.responder;
    return direction.isDisabled || direction.hasSentEncryptedData;
  }

  /**
   * Ends the connection: a partial record left in either direction is
   * reported as a problem, unless the direction was done (its later bytes
   * were not fed, so a partial record there says nothing).
   */
  end(): void {
    for (const direction of [this.originator, this.responder]) {
      if (direction.records.pendingBytes > 0 && !direction.isDisabled && !direction.hasSentEncryptedData) {
        direction.emit({
          kind: 'problem',
          message: `connection ended inside a TLS record (${direction.records.pendingBytes} bytes held)`,
        });
      }
    }
  }
}
