/**
 * QUIC Initial packets of one UDP connection: the long header (RFC 9000
 * section 17.2), header protection removal and decryption (quic-keys.ts),
 * and the CRYPTO frames reassembled by offset into the TLS ClientHello and
 * ServerHello. Coalesced packets in one datagram are walked by their Length.
 */
import type { QuicConnectionRecord } from '../../../../shared/domain/records-quic';
import { ByteCursor, formatHex } from './byte-cursor';
import {
  computeHeaderProtectionMask,
  deriveQuicInitialKeys,
  openQuicPayload,
  QUIC_VERSION,
  type QuicInitialKeys,
  type QuicPacketKeys,
} from './quic-keys';
import { parseClientHello, parseServerHello } from './tls-hello';

/** CRYPTO bytes kept per direction; a ClientHello with a post-quantum key share fits in a few KiB. */
const MAX_CRYPTO_BYTES = 64 * 1024;
/** Long-header packets walked per datagram; a datagram carries at most a few. */
const MAX_PACKETS_PER_DATAGRAM = 8;
const MAX_HISTORY_LETTERS = 64;
const MAX_PROBLEMS = 8;
const MAX_CONNECTION_ID_LENGTH = 20;

const PACKET_KINDS_V1 = ['initial', 'zero-rtt', 'handshake', 'retry'] as const;
const PACKET_KINDS_V2 = ['retry', 'initial', 'zero-rtt', 'handshake'] as const;
/** Zeek quic.log history letters by packet kind. */
const HISTORY_LETTERS = { initial: 'I', 'zero-rtt': 'Z', handshake: 'H', retry: 'R' } as const;

/** Reads a QUIC variable-length integer (RFC 9000 section 16). A cut-off value sets `isShort`. */
function readVarint(cursor: ByteCursor): number {
  const first = cursor.readUint8();
  const lengthBits = first >> 6;
  let value = first & 0x3f;
  const extra = (1 << lengthBits) - 1;
  for (let i = 0; i < extra; i++) value = value * 256 + cursor.readUint8();
  return value;
}

/** CRYPTO stream of one direction: bytes placed by offset, with the contiguous prefix tracked. */
class CryptoStream {
  private buffer = new Uint8Array(0);
  private readonly ranges: [start: number, end: number][] = [];
  contiguousLength = 0;
  isOverCap = false;

  add(offset: number, data: Uint8Array): void {
    const end = offset + data.length;
    if (end > MAX_CRYPTO_BYTES) {
      this.isOverCap = true;
      return;
    }
    if (this.buffer.length < end) {
      const grown = new Uint8Array(Math.min(MAX_CRYPTO_BYTES, Math.max(end, this.buffer.length * 2, 2048)));
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer.set(data, offset);
    if (this.ranges.length < 256) this.ranges.push([offset, end]);
    // Extend the contiguous prefix through every range that now touches it.
    let isGrowing = true;
    while (isGrowing) {
      isGrowing = false;
      for (const [start, stop] of this.ranges) {
        if (start <= this.contiguousLength && stop > this.contiguousLength) {
          this.contiguousLength = stop;
          isGrowing = true;
        }
      }
    }
  }

  /** Returns the first handshake message once it is complete: its type and body (a view of the buffer). */
  takeFirstMessage(): { messageType: number; body: Uint8Array } | null {
    if (this.contiguousLength < 4) return null;
    const length = (this.buffer[1]! << 16) | (this.buffer[2]! << 8) | this.buffer[3]!;
    if (this.contiguousLength < 4 + length) return null;
    return { messageType: this.buffer[0]!, body: this.buffer.subarray(4, 4 + length) };
  }
}

export interface QuicLongHeader {
  version: number;
  destinationConnectionId: Uint8Array;
  sourceConnectionId: Uint8Array;
}

/**
 * Reads the long header of the first packet in a datagram without
 * decrypting: version and connection ids (views into `datagram`). Returns
 * null for a short header or a header cut off.
 */
export function parseQuicLongHeader(datagram: Uint8Array): QuicLongHeader | null {
  const cursor = new ByteCursor(datagram);
  const first = cursor.readUint8();
  if ((first & 0x80) === 0) return null;
  const version = cursor.readUint32();
  const destinationConnectionId = cursor.borrowBytes(cursor.readUint8());
  const sourceConnectionId = cursor.borrowBytes(cursor.readUint8());
  if (
    cursor.isShort ||
    destinationConnectionId.length > MAX_CONNECTION_ID_LENGTH ||
    sourceConnectionId.length > MAX_CONNECTION_ID_LENGTH
  )
    return null;
  return { version, destinationConnectionId, sourceConnectionId };
}

/**
 * Parser for one QUIC connection (one UDP 5-tuple). Feed each datagram with
 * its direction; `record` fills in as Initial packets decrypt. Never throws
 * on traffic; a packet that fails authentication is counted as a problem.
 */
export class QuicConnectionParser {
  readonly record: QuicConnectionRecord = {
    version: null,
    clientInitialDcidHex: null,
    clientScidHex: null,
    serverScidHex: null,
    serverName: null,
    alpnProtocols: [],
    clientHello: null,
    serverHello: null,
    history: '',
    negotiatedVersions: [],
    problems: [],
  };
  private keys: QuicInitialKeys | null = null;
  private readonly clientCrypto = new CryptoStream();
  private readonly serverCrypto = new CryptoStream();

  /** Feeds one UDP payload; `datagram` is borrowed and not kept. */
  pushDatagram(datagram: Uint8Array, isFromOriginator: boolean): void {
    let offset = 0;
    for (let count = 0; count < MAX_PACKETS_PER_DATAGRAM && offset < datagram.length; count++) {
      const next = this.readPacket(datagram, offset, isFromOriginator);
      if (next <= offset) return;
      offset = next;
    }
  }

  private addHistory(letter: string, isFromOriginator: boolean): void {
    const character = isFromOriginator ? letter : letter.toLowerCase();
    if (this.record.history.length < MAX_HISTORY_LETTERS && !this.record.history.endsWith(character))
      this.record.history += character;
  }

  private addProblem(message: string): void {
    if (this.record.problems.length < MAX_PROBLEMS) this.record.problems.push(message);
  }

  /** Reads one packet at `offset`; returns the offset after it, or -1 to stop walking the datagram. */
  private readPacket(datagram: Uint8Array, offset: number, isFromOriginator: boolean): number {
    const cursor = new ByteCursor(datagram, offset);
    const first = cursor.readUint8();
    if ((first & 0x80) === 0) return -1; // short header: 1-RTT, not readable
    const version = cursor.readUint32();
    const destinationConnectionId = cursor.borrowBytes(cursor.readUint8());
    const sourceConnectionId = cursor.borrowBytes(cursor.readUint8());
    if (
      cursor.isShort ||
      destinationConnectionId.length > MAX_CONNECTION_ID_LENGTH ||
      sourceConnectionId.length > MAX_CONNECTION_ID_LENGTH
    )
      return -1;

    if (version === 0) {
      while (cursor.remaining() >= 4 && this.record.negotiatedVersions.length < 32)
        this.record.negotiatedVersions.push(cursor.readUint32());
      return -1;
    }
    this.record.version ??= version;
    if (isFromOriginator) this.record.clientScidHex ??= formatHex(sourceConnectionId);
    else this.record.serverScidHex ??= formatHex(sourceConnectionId);

    // v2 renumbers the types (RFC 9369 section 3.2): Initial 1, 0-RTT 2, Handshake 3, Retry 0.
    const packetType = (first >> 4) & 0x03;
    const isVersion2 = version === QUIC_VERSION.v2;
    const initialType = isVersion2 ? 1 : 0;
    const kind = (isVersion2 ? PACKET_KINDS_V2 : PACKET_KINDS_V1)[packetType]!;
    if (kind === 'retry') {
      this.addHistory('R', isFromOriginator);
      return -1;
    }
    if (kind === 'initial') cursor.skip(readVarint(cursor)); // token
    const length = readVarint(cursor);
    if (cursor.isShort || length > cursor.remaining()) {
      this.addProblem(
        `${kind} packet at datagram offset ${offset} claims ${length} bytes, ${cursor.remaining()} present`,
      );
      return -1;
    }
    const packetEnd = cursor.offset + length;
    this.addHistory(HISTORY_LETTERS[kind], isFromOriginator);
    if (packetType !== initialType) return packetEnd;

    if (
      isFromOriginator &&
      this.record.clientHello === null &&
      (this.keys === null || this.record.clientInitialDcidHex !== formatHex(destinationConnectionId))
    ) {
      // The client's first Initial (or its first after a Retry) names the connection id the keys come from.
      this.keys = deriveQuicInitialKeys(version, destinationConnectionId);
      this.record.clientInitialDcidHex = formatHex(destinationConnectionId);
      if (this.keys === null) this.addProblem(`no Initial salt known for version 0x${version.toString(16)}`);
    }
    if (this.keys === null) return packetEnd;
    this.decryptInitial(
      datagram,
      offset,
      cursor.offset,
      packetEnd,
      isFromOriginator ? this.keys.client : this.keys.server,
      isFromOriginator,
    );
    return packetEnd;
  }

  /** Removes header protection, decrypts, and feeds the CRYPTO frames of one Initial packet. */
  private decryptInitial(
    datagram: Uint8Array,
    packetStart: number,
    packetNumberOffset: number,
    packetEnd: number,
    keys: QuicPacketKeys,
    isFromOriginator: boolean,
  ): void {
    const sampleOffset = packetNumberOffset + 4;
    if (sampleOffset + 16 > packetEnd) {
      this.addProblem(`Initial at datagram offset ${packetStart} is too short for a header protection sample`);
      return;
    }
    const mask = computeHeaderProtectionMask(keys.headerProtection, datagram.subarray(sampleOffset, sampleOffset + 16));
    const header = Buffer.from(datagram.subarray(packetStart, packetNumberOffset + 4));
    header[0] = header[0]! ^ (mask[0]! & 0x0f);
    const packetNumberLength = (header[0] & 0x03) + 1;
    const headerLength = packetNumberOffset - packetStart + packetNumberLength;
    let packetNumber = 0;
    for (let i = 0; i < packetNumberLength; i++) {
      const index = packetNumberOffset - packetStart + i;
      header[index] = header[index]! ^ mask[1 + i]!;
      packetNumber = packetNumber * 256 + header[index];
    }
    const plaintext = openQuicPayload(
      keys,
      packetNumber,
      header.subarray(0, headerLength),
      datagram.subarray(packetStart + headerLength, packetEnd),
    );
    if (plaintext === null) {
      this.addProblem(`${isFromOriginator ? 'client' : 'server'} Initial packet ${packetNumber} failed authentication`);
      return;
    }
    this.readFrames(plaintext, isFromOriginator);
  }

  /** Walks the frames an Initial may carry (RFC 9000 section 12.4); stops at any other type. */
  private readFrames(plaintext: Uint8Array, isFromOriginator: boolean): void {
    const cursor = new ByteCursor(plaintext);
    const crypto = isFromOriginator ? this.clientCrypto : this.serverCrypto;
    while (cursor.remaining() > 0 && !cursor.isShort) {
      const frameType = readVarint(cursor);
      if (frameType === 0x00 || frameType === 0x01) continue; // PADDING, PING
      if (frameType === 0x02 || frameType === 0x03) {
        readVarint(cursor); // largest acknowledged
        readVarint(cursor); // ack delay
        const rangeCount = readVarint(cursor);
        readVarint(cursor); // first range
        for (let i = 0; i < rangeCount && !cursor.isShort; i++) {
          readVarint(cursor);
          readVarint(cursor);
        }
        if (frameType === 0x03) for (let i = 0; i < 3; i++) readVarint(cursor); // ECN counts
      } else if (frameType === 0x06) {
        const offset = readVarint(cursor);
        const data = cursor.borrowBytes(readVarint(cursor));
        if (!cursor.isShort) crypto.add(offset, data);
      } else if (frameType === 0x1c || frameType === 0x1d) {
        this.addHistory('C', isFromOriginator);
        return;
      } else {
        return;
      }
    }
    this.readHello(crypto, isFromOriginator);
  }

  private readHello(crypto: CryptoStream, isFromOriginator: boolean): void {
    if (crypto.isOverCap)
      this.addProblem(`${isFromOriginator ? 'client' : 'server'} CRYPTO data beyond ${MAX_CRYPTO_BYTES} bytes dropped`);
    if (isFromOriginator ? this.record.clientHello !== null : this.record.serverHello !== null) return;
    const message = crypto.takeFirstMessage();
    if (message === null) return;
    if (isFromOriginator && message.messageType === 1) {
      const result = parseClientHello(message.body, 'q');
      if (!result.ok) return this.addProblem(result.problem);
      this.record.clientHello = result.value;
      this.record.serverName = result.value.serverName;
      this.record.alpnProtocols = result.value.alpnProtocols;
      this.addHistory('S', true);
    } else if (!isFromOriginator && message.messageType === 2) {
      const result = parseServerHello(message.body);
      if (!result.ok) return this.addProblem(result.problem);
      this.record.serverHello = result.value;
      this.addHistory('S', false);
    }
  }
}

/**
 * Decrypts the client Initial packets of a single datagram with a fresh
 * parser: enough for a ClientHello that fits in one datagram. Returns null
 * when no Initial in it decrypted to a ClientHello.
 */
export function parseQuicInitial(datagram: Uint8Array, isFromOriginator: boolean): QuicConnectionRecord | null {
  const parser = new QuicConnectionParser();
  parser.pushDatagram(datagram, isFromOriginator);
  return parser.record.clientHello === null && parser.record.serverHello === null ? null : parser.record;
}
