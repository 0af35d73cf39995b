/**
 * Incremental SSH parser for one TCP connection. It reads the identification
 * lines, which may arrive split across segments, then the unencrypted binary
 * packets up to each side's SSH_MSG_NEWKEYS. KEXINIT gives HASSH and the
 * negotiated algorithms, and the server's key exchange reply the host key.
 */
import { createHash } from 'node:crypto';
import type { SshKexInitRecord, SshSessionRecord } from '../../../../shared/domain/records-ssh';
import { ByteCursor, decodeLatin1 } from './byte-cursor';
import { FrameAssembler, type FrameHandler } from './frame-assembler';
import { hashMd5Hex } from './tls-fingerprints';

/** RFC 4253 section 4.2: the identification line is at most 255 bytes with CR LF. */
const MAX_LINE_LENGTH = 255;
/** Lines a server may send before its identification; more means this is not SSH. */
const MAX_PRE_BANNER_LINES = 32;
/** RFC 4253 section 6.1: implementations must accept 35000-byte packets. */
const MAX_PACKET_LENGTH = 35000;
const MAX_NAMES_PER_LIST = 128;
const MAX_PROBLEMS = 8;
/** Compression methods for which Zeek does not count authentication attempts. */
const ZLIB_COMPRESSION = new Set(['zlib', 'zlib@openssh.com']);

export const SSH_MESSAGE = {
  kexInit: 20,
  newKeys: 21,
  kexDhReply: 31,
  kexDhGexReply: 33,
} as const;

function readSshPacketLength(bytes: Uint8Array, offset: number): number {
  const length =
    bytes[offset]! * 0x1000000 + ((bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!);
  return length > MAX_PACKET_LENGTH ? -1 : 4 + length;
}

function readNameList(cursor: ByteCursor): string[] {
  const text = decodeLatin1(cursor.borrowBytes(cursor.readUint32()));
  if (cursor.isShort || text === '') return [];
  return text.split(',').slice(0, MAX_NAMES_PER_LIST);
}

/** Parses an SSH_MSG_KEXINIT payload (after the message type byte); null when a list is cut off. */
export function parseKexInit(payload: Uint8Array): SshKexInitRecord | null {
  const cursor = new ByteCursor(payload);
  cursor.skip(16); // cookie
  const record: SshKexInitRecord = {
    kexAlgorithms: readNameList(cursor),
    hostKeyAlgorithms: readNameList(cursor),
    encryptionClientToServer: readNameList(cursor),
    encryptionServerToClient: readNameList(cursor),
    macClientToServer: readNameList(cursor),
    macServerToClient: readNameList(cursor),
    compressionClientToServer: readNameList(cursor),
    compressionServerToClient: readNameList(cursor),
  };
  return cursor.isShort ? null : record;
}

function chooseAlgorithm(client: readonly string[], server: readonly string[]): string | null {
  return client.find((name) => server.includes(name)) ?? null;
}

/** Protocol major version a banner announces: "1.99" and "2.0" are 2, other "1.x" are 1. */
function bannerMajorVersion(banner: string): number {
  const match = /^SSH-(\d+)\.(\d+)/.exec(banner);
  if (match === null) return 0;
  return match[1] === '1' && match[2] === '99' ? 2 : Number(match[1]);
}

class SshDirection implements FrameHandler {
  readonly isFromOriginator: boolean;
  private readonly parser: SshStreamParser;
  readonly packets: FrameAssembler;
  private line = '';
  private linesSeen = 0;
  hasBanner = false;
  isDone = false;
  /** Stream offset where encryption starts (after this side's NEWKEYS); -1 before it. */
  encryptedFromOffset = -1;

  constructor(parser: SshStreamParser, isFromOriginator: boolean) {
    this.parser = parser;
    this.isFromOriginator = isFromOriginator;
    this.packets = new FrameAssembler(4, MAX_PACKET_LENGTH + 4, readSshPacketLength, this);
  }

  /** Consumes identification-phase bytes; returns the offset where binary packets start, or -1 when all were used. */
  consumeLines(data: Uint8Array): number {
    for (let i = 0; i < data.length; i++) {
      const byte = data[i]!;
      if (byte !== 0x0a) {
        if (this.line.length >= MAX_LINE_LENGTH) {
          this.parser.addProblem(this.isFromOriginator, `identification line longer than ${MAX_LINE_LENGTH} bytes`);
          this.isDone = true;
          return -1;
        }
        this.line += String.fromCharCode(byte);
        continue;
      }
      const text = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
      this.line = '';
      if (text.startsWith('SSH-')) {
        this.hasBanner = true;
        this.parser.setBanner(this.isFromOriginator, text);
        return i + 1;
      }
      if (++this.linesSeen > MAX_PRE_BANNER_LINES) {
        this.parser.addProblem(
          this.isFromOriginator,
          `no SSH identification in the first ${MAX_PRE_BANNER_LINES} lines`,
        );
        this.isDone = true;
        return -1;
      }
    }
    return -1;
  }

  onFrame(packet: Uint8Array, streamOffset: number, declaredLength: number, isTruncated: boolean): void {
    if (this.isDone || isTruncated) return;
    const paddingLength = packet[4] ?? 0;
    const payloadEnd = declaredLength - paddingLength;
    if (packet.length < 6 || payloadEnd <= 5) {
      this.parser.addProblem(
        this.isFromOriginator,
        `packet at stream offset ${streamOffset} has padding ${paddingLength} over its ${declaredLength - 4}-byte length`,
      );
      this.isDone = true;
      return;
    }
    const messageType = packet[5]!;
    const payload = packet.subarray(6, payloadEnd);
    if (messageType === SSH_MESSAGE.newKeys) {
      this.isDone = true;
      this.encryptedFromOffset = streamOffset + declaredLength;
    } else if (messageType === SSH_MESSAGE.kexInit) {
      const kexInit = parseKexInit(payload);
      if (kexInit === null)
        this.parser.addProblem(this.isFromOriginator, `KEXINIT at stream offset ${streamOffset} is cut off`);
      else this.parser.setKexInit(this.isFromOriginator, kexInit);
    } else if (
      !this.isFromOriginator &&
      (messageType === SSH_MESSAGE.kexDhReply || messageType === SSH_MESSAGE.kexDhGexReply)
    ) {
      this.parser.addKexReply(messageType, payload);
    }
  }
}

/**
 * Incremental SSH parser for one connection; `record` fills in as data
 * arrives. `push` takes each direction's in-order payload (borrowed). Never
 * throws on traffic.
 */
export class SshStreamParser {
  readonly record: SshSessionRecord = {
    clientBanner: null,
    serverBanner: null,
    version: null,
    clientKexInit: null,
    serverKexInit: null,
    hassh: null,
    hasshAlgorithms: null,
    hasshServer: null,
    hasshServerAlgorithms: null,
    kexAlgorithm: null,
    hostKeyAlgorithm: null,
    cipherAlgorithm: null,
    macAlgorithm: null,
    compressionAlgorithm: null,
    hostKeyFingerprint: null,
    authSuccess: null,
    authAttempts: 0,
    problems: [],
  };
  private readonly authentication = {
    isDecided: false,
    hasClientData: false,
    hasSkippedBanner: false,
    serviceAcceptLength: 0,
    failureLength: 0,
  };
  private readonly originator = new SshDirection(this, true);
  private readonly responder = new SshDirection(this, false);

  /**
   * Feeds one direction's in-order payload (borrowed). Push once per TCP
   * segment: Zeek's authentication heuristic, repeated here, reads the sizes
   * of the encrypted segments after NEWKEYS.
   */
  push(isFromOriginator: boolean, data: Uint8Array): void {
    const direction = isFromOriginator ? this.originator : this.responder;
    if (data.length === 0) return;
    if (direction.encryptedFromOffset >= 0) {
      this.readEncryptedSegment(data.length, isFromOriginator);
      return;
    }
    if (direction.isDone) return;
    let rest = data;
    if (!direction.hasBanner) {
      const offset = direction.consumeLines(data);
      if (offset < 0) return;
      rest = data.subarray(offset);
    }
    // SSH-1 binary packets have another layout; only the banners are read.
    if (this.record.version === 1) {
      direction.isDone = true;
      return;
    }
    if (rest.length === 0) return;
    const startOffset = direction.packets.streamOffset;
    const isFramed = direction.packets.push(rest);

    // Bytes after NEWKEYS in this same segment are encrypted: count them, and ignore the framing they broke.
    if (direction.encryptedFromOffset >= 0) {
      const encryptedBytes = startOffset + rest.length - direction.encryptedFromOffset;
      if (encryptedBytes > 0) this.readEncryptedSegment(encryptedBytes, isFromOriginator);
      return;
    }
    if (!isFramed) {
      this.addProblem(isFromOriginator, `packet length over ${MAX_PACKET_LENGTH} bytes before NEWKEYS`);
      direction.isDone = true;
    }
  }

  /**
   * Zeek's SSH2 authentication heuristic (Zeek SSH analyzer, ProcessEncrypted)
   * over encrypted segment sizes. The server's first encrypted segment after
   * client data is SERVICE_ACCEPT. A segment 16 bytes shorter is
   * USERAUTH_SUCCESS, and the first other size is taken as USERAUTH_FAILURE,
   * whose repeats count failed attempts. A first reply more than 256 bytes
   * longer than SERVICE_ACCEPT is skipped once as a pre-auth banner.
   */
  private readEncryptedSegment(length: number, isFromOriginator: boolean): void {
    const auth = this.authentication;
    if (this.record.version !== 2 || auth.isDecided) return;
    if (isFromOriginator) {
      auth.hasClientData = true;
      return;
    }
    if (!auth.hasClientData) return;
    if (auth.serviceAcceptLength === 0) {
      auth.serviceAcceptLength = length;
      return;
    }
    const isSuccessLength = length + 16 === auth.serviceAcceptLength;
    if (auth.failureLength === 0) {
      if (isSuccessLength) return this.recordAttempt(true);
      if (!auth.hasSkippedBanner && length - auth.serviceAcceptLength > 256) {
        auth.hasSkippedBanner = true;
        return;
      }
      auth.failureLength = length;
      return;
    }
    if (length === auth.failureLength) this.recordAttempt(false);
    else if (isSuccessLength) this.recordAttempt(true);
  }

  /**
   * Counts attempts until one succeeds, as Zeek's ssh.log does. None are
   * counted when zlib compression was negotiated, because compressed sizes do
   * not follow the message sizes (Zeek's ssh baseline shows a zlib session
   * with 0 attempts where the sizes alone would give 2).
   */
  private recordAttempt(isAuthenticated: boolean): void {
    if (isAuthenticated) this.authentication.isDecided = true;
    if (this.record.authSuccess === true) return;
    if (this.record.compressionAlgorithm !== null && ZLIB_COMPRESSION.has(this.record.compressionAlgorithm)) return;
    this.record.authSuccess = isAuthenticated;
    this.record.authAttempts++;
  }

  addProblem(isFromOriginator: boolean, message: string): void {
    if (this.record.problems.length < MAX_PROBLEMS)
      this.record.problems.push(`${isFromOriginator ? 'originator' : 'responder'}: ${message}`);
  }

  setBanner(isFromOriginator: boolean, banner: string): void {
    if (isFromOriginator) this.record.clientBanner = banner;
    else this.record.serverBanner = banner;
    const { clientBanner, serverBanner } = this.record;
    if (clientBanner !== null && serverBanner !== null) {
      this.record.version = Math.min(bannerMajorVersion(clientBanner), bannerMajorVersion(serverBanner)) === 1 ? 1 : 2;
    }
  }

  setKexInit(isFromOriginator: boolean, kexInit: SshKexInitRecord): void {
    const record = this.record;
    if (isFromOriginator) {
      if (record.clientKexInit !== null) return;
      record.clientKexInit = kexInit;
      record.hasshAlgorithms = [
        kexInit.kexAlgorithms,
        kexInit.encryptionClientToServer,
        kexInit.macClientToServer,
        kexInit.compressionClientToServer,
      ]
        .map((list) => list.join(','))
        .join(';');
      record.hassh = hashMd5Hex(record.hasshAlgorithms);
    } else {
      if (record.serverKexInit !== null) return;
      record.serverKexInit = kexInit;
      record.hasshServerAlgorithms = [
        kexInit.kexAlgorithms,
        kexInit.encryptionServerToClient,
        kexInit.macServerToClient,
        kexInit.compressionServerToClient,
      ]
        .map((list) => list.join(','))
        .join(';');
      record.hasshServer = hashMd5Hex(record.hasshServerAlgorithms);
    }
    const client = record.clientKexInit;
    const server = record.serverKexInit;
    if (client === null || server === null) return;
    record.kexAlgorithm = chooseAlgorithm(client.kexAlgorithms, server.kexAlgorithms);
    record.hostKeyAlgorithm = chooseAlgorithm(client.hostKeyAlgorithms, server.hostKeyAlgorithms);
    record.cipherAlgorithm = chooseAlgorithm(client.encryptionClientToServer, server.encryptionClientToServer);
    record.macAlgorithm = chooseAlgorithm(client.macClientToServer, server.macClientToServer);
    record.compressionAlgorithm = chooseAlgorithm(client.compressionClientToServer, server.compressionClientToServer);
  }

  /**
   * Reads the host key from the server's reply. Message 31 is KEXDH_REPLY or
   * KEX_ECDH_REPLY, except in group exchange (RFC 4419), where 31 is
   * KEX_DH_GEX_GROUP and 33 is the reply. Both replies start with the host key string.
   */
  addKexReply(messageType: number, payload: Uint8Array): void {
    if (this.record.hostKeyFingerprint !== null) return;
    const isGroupExchange = this.record.kexAlgorithm?.includes('group-exchange') ?? false;
    if ((messageType === SSH_MESSAGE.kexDhGexReply) !== isGroupExchange) return;
    const cursor = new ByteCursor(payload);
    const hostKey = cursor.borrowBytes(cursor.readUint32());
    if (cursor.isShort || hostKey.length === 0) {
      this.addProblem(false, `key exchange reply host key overruns its ${payload.length}-byte payload`);
      return;
    }
    const digest = createHash('sha256').update(hostKey).digest('base64').replace(/=+$/, '');
    this.record.hostKeyFingerprint = `SHA256:${digest}`;
  }

  /** Nothing is pending between packets that matters for the record; present for the analyzer interface. */
  end(): void {}
}
