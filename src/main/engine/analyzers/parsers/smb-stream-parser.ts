/**
 * Incremental SMB parser for one TCP connection over port 445 direct TCP or
 * the NetBIOS session service. It cuts the 4-byte session framing, recognises
 * SMB1, and reads SMB2/3 SESSION_SETUP (NTLMSSP user and domain),
 * TREE_CONNECT and CREATE. Compounded messages follow NextCommand, and
 * responses are matched to requests by MessageId.
 */
import type {
  SmbConnectionRecord,
  SmbFileRecord,
  SmbSessionRecord,
  SmbTreeRecord,
} from '../../../../shared/domain/records-smb';
import { ByteCursor, decodeUtf16Le } from './byte-cursor';
import { FrameAssembler, type FrameHandler } from './frame-assembler';
import { findNtlmsspToken, parseNtlmAuthenticate, parseNtlmChallenge } from './ntlmssp';
import {
  parseSmb1Header,
  readNtCreateRequest,
  readNtCreateResponse,
  readSessionSetupBlob,
  readSmb1Blocks,
  readTreeConnectPath,
  readTreeConnectResponse,
  SMB1_COMMAND,
  type Smb1Block,
  type Smb1Header,
} from './smb1-messages';

/** Bytes kept per SMB message: headers and names fit; READ/WRITE data beyond this is skipped. */
const MAX_KEPT_MESSAGE_LENGTH = 64 * 1024;
const SMB2_HEADER_LENGTH = 64;
const MAX_COMPOUNDED = 32;
const MAX_PENDING_REQUESTS = 1024;
const MAX_RECORDS = 4096;
const MAX_PROBLEMS = 8;
export const SMB2_COMMAND = {
  negotiate: 0,
  sessionSetup: 1,
  treeConnect: 3,
  create: 5,
} as const;

const STATUS_PENDING = 0x00000103;
const STATUS_MORE_PROCESSING_REQUIRED = 0xc0000016;
const SHARE_TYPES: Readonly<Record<number, string>> = { 1: 'DISK', 2: 'PIPE', 3: 'PRINT' };
/** SMB1 tree connect service strings (MS-CIFS 2.2.4.55.2) and the share type Zeek reports for each. */
const SMB1_SERVICE_SHARE_TYPES: Readonly<Record<string, string>> = {
  'A:': 'DISK',
  IPC: 'PIPE',
  'LPT1:': 'PRINT',
  COMM: 'COMM',
};

/** RPC pipes opened on IPC$ for remote execution, persistence or enumeration (PsExec, at/schtasks, reg, DCSync recon). */
const REMOTE_EXECUTION_PIPES = new Set([
  'svcctl',
  'atsvc',
  'winreg',
  'samr',
  'lsarpc',
  'srvsvc',
  'wkssvc',
  'netlogon',
  'eventlog',
  'spoolss',
  'epmapper',
  'ntsvcs',
  'scerpc',
  'psexesvc',
  'remcom_communicaton',
]);

/** Lower-case pipe name when `name` names a remote execution pipe, else null. */
export function classifyRemoteExecutionPipe(name: string): string | null {
  const pipe = name
    .replace(/^\\+/, '')
    .replace(/^pipe\\/i, '')
    .toLowerCase();
  return REMOTE_EXECUTION_PIPES.has(pipe) ? pipe : null;
}

/** Share flags of a UNC path: ADMIN$ and drive shares (C$) are admin shares; IPC$ is flagged apart. */
export function classifyShare(path: string): { isAdminShare: boolean; isIpcShare: boolean } {
  const share = (path.split('\\').pop() ?? '').toUpperCase();
  return { isAdminShare: share === 'ADMIN$' || /^[A-Z]\$$/.test(share), isIpcShare: share === 'IPC$' };
}

/** Seconds from 1601-01-01 to 1970-01-01 (MS-DTYP FILETIME epoch). */
const FILETIME_EPOCH_OFFSET_SECONDS = 11644473600;

/**
 * Converts a FILETIME (100-ns units since 1601) given as 32-bit halves to
 * epoch microseconds. It repeats Zeek's arithmetic: the value as a double,
 * divided by 10^7, minus the epoch offset, printed with six decimals. So
 * smb_files.log times match Zeek's, while the exact value can differ by 1 µs.
 */
function filetimeToUs(low: number, high: number): number | null {
  if (low === 0 && high === 0) return null;
  const seconds = (high * 4294967296 + low) / 1e7 - FILETIME_EPOCH_OFFSET_SECONDS;
  return Number(seconds.toFixed(6).replace('.', ''));
}

function readFiletimeUs(cursor: ByteCursor): number | null {
  const low = cursor.readUint32Le();
  const high = cursor.readUint32Le();
  return filetimeToUs(low, high);
}

function readSmbFrameLength(bytes: Uint8Array, offset: number): number {
  return 4 + ((bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!);
}

type PendingRequest =
  | { command: 1; session: SmbSessionRecord | null }
  | { command: 3; tree: SmbTreeRecord }
  | { command: 5; file: SmbFileRecord };

class SmbDirection implements FrameHandler {
  readonly frames: FrameAssembler;
  constructor(private readonly parser: SmbStreamParser) {
    this.frames = new FrameAssembler(4, MAX_KEPT_MESSAGE_LENGTH, readSmbFrameLength, this);
  }

  onFrame(frame: Uint8Array, streamOffset: number, _declaredLength: number, isTruncated: boolean): void {
    // Only type 0x00 (session message) carries SMB; keep-alives and NetBIOS session requests are skipped.
    if (frame[0] !== 0x00) return;
    this.parser.readMessage(frame.subarray(4), streamOffset + 4, isTruncated);
  }
}

/**
 * Incremental SMB parser for one connection; `record` fills in as messages
 * arrive. `push` takes each direction's in-order payload (borrowed). Never
 * throws on traffic.
 */
export class SmbStreamParser {
  readonly record: SmbConnectionRecord = {
    dialect: null,
    hasSmb1Negotiate: false,
    sessions: [],
    trees: [],
    files: [],
    encryptedMessages: 0,
    problems: [],
  };
  private readonly originator = new SmbDirection(this);
  private readonly responder = new SmbDirection(this);
  private readonly pending = new Map<number, PendingRequest>();
  /** SMB1 requests keyed by MID * 256 + command, since one AndX chain shares a MID. */
  private readonly pendingSmb1 = new Map<number, PendingRequest>();
  private readonly treesById = new Map<number, SmbTreeRecord>();
  private challenge: ReturnType<typeof parseNtlmChallenge> = null;
  /** Time of the packet whose bytes are being read: a message is read when its last byte arrives. */
  private packetTimestampUs: number | undefined;

  /**
   * Feed in-order bytes of one direction. `timestampUs` is the capture time
   * of the packet that carried them; the tree and file records of requests
   * completed by these bytes take it as their time.
   */
  push(isFromOriginator: boolean, data: Uint8Array, timestampUs?: number): void {
    this.packetTimestampUs = timestampUs;
    const direction = isFromOriginator ? this.originator : this.responder;
    const wasFailed = direction.frames.isFailed;
    direction.frames.push(data);
    if (!wasFailed && direction.frames.isFailed)
      this.addProblem(`invalid session framing at stream offset ${direction.frames.streamOffset}`);
  }

  end(): void {}

  private addProblem(message: string): void {
    if (this.record.problems.length < MAX_PROBLEMS) this.record.problems.push(message);
  }

  /**
   * Reads one SMB message after the 4-byte framing, following NextCommand
   * through a compound. `isTruncated` says only the kept prefix of a larger
   * message (a big READ or WRITE) is present. The member the prefix ends in is
   * read from what is present, and members past it are skipped unreported.
   */
  readMessage(message: Uint8Array, streamOffset: number, isTruncated = false): void {
    if (message.length < 4 || message[1] !== 0x53 || message[2] !== 0x4d || message[3] !== 0x42) return;
    const protocol = message[0];
    if (protocol === 0xff) {
      this.readSmb1(message);
      return;
    }
    if (protocol === 0xfd) {
      this.record.encryptedMessages++;
      return;
    }
    if (protocol !== 0xfe) return;
    this.record.dialect = 'SMB2';

    let offset = 0;
    for (let count = 0; count < MAX_COMPOUNDED; count++) {
      const nextCommand = new ByteCursor(message, offset + 20).readUint32Le();
      const end = nextCommand === 0 ? message.length : offset + nextCommand;
      if (nextCommand !== 0 && (nextCommand < SMB2_HEADER_LENGTH || end > message.length)) {
        if (isTruncated && nextCommand >= SMB2_HEADER_LENGTH) {
          this.readSmb2(message.subarray(offset));
          return;
        }
        this.addProblem(
          `NextCommand ${nextCommand} at stream offset ${streamOffset + offset} points outside the ${message.length}-byte message`,
        );
        return;
      }
      this.readSmb2(message.subarray(offset, end));
      if (nextCommand === 0) return;
      offset = end;
    }
  }

  private readSmb2(message: Uint8Array): void {
    const header = new ByteCursor(message, 8);
    const status = header.readUint32Le();
    const command = header.readUint16Le();
    header.skip(2);
    const flags = header.readUint32Le();
    header.skip(4);
    const messageId = header.readUint64Le();
    header.skip(4);
    const treeId = header.readUint32Le();
    if (header.isShort || message.length < SMB2_HEADER_LENGTH) return;
    const isResponse = (flags & 0x1) !== 0;
    const body = message.subarray(SMB2_HEADER_LENGTH);

    // The response flag decides, not the direction: a flow whose start was not captured may have its sides swapped.
    if (!isResponse) {
      this.readRequest(command, messageId, treeId, message, body);
      return;
    }
    if (command === SMB2_COMMAND.sessionSetup && status === 0xc0000016) this.readChallenge(message, body);
    if (status === STATUS_PENDING) return;
    const request = this.pending.get(messageId);
    if (request === undefined || request.command !== command) return;
    this.pending.delete(messageId);
    this.readResponse(request, status, treeId, body);
  }

  private remember(messageId: number, request: PendingRequest, pending = this.pending): void {
    if (pending.size >= MAX_PENDING_REQUESTS) {
      const oldest = pending.keys().next().value;
      if (oldest !== undefined) pending.delete(oldest);
    }
    pending.set(messageId, request);
  }

  /** Adds a session for an NTLMSSP AUTHENTICATE found in a security blob; null when the blob has none. */
  private addSession(securityBlob: Uint8Array | null): SmbSessionRecord | null {
    const token = securityBlob === null ? null : findNtlmsspToken(securityBlob);
    const authenticate = token === null ? null : parseNtlmAuthenticate(token);
    if (authenticate === null || this.record.sessions.length >= MAX_RECORDS) return null;
    const session: SmbSessionRecord = {
      ...authenticate,
      serverNetbiosComputerName: this.challenge?.netbiosComputerName ?? null,
      serverDnsComputerName: this.challenge?.dnsComputerName ?? null,
      serverTreeName: this.challenge?.dnsTreeName ?? null,
      status: null,
    };
    this.record.sessions.push(session);
    return session;
  }

  private addTree(path: string): SmbTreeRecord | null {
    if (this.record.trees.length >= MAX_RECORDS) return null;
    const tree: SmbTreeRecord = {
      path,
      ...classifyShare(path),
      shareType: null,
      service: null,
      nativeFileSystem: null,
      status: null,
      treeId: null,
    };
    if (this.packetTimestampUs !== undefined) tree.timestampUs = this.packetTimestampUs;
    this.record.trees.push(tree);
    return tree;
  }

  private addFile(treeId: number, name: string, disposition: number): SmbFileRecord | null {
    if (this.record.files.length >= MAX_RECORDS) return null;
    const tree = this.treesById.get(treeId);
    const isOnIpc = tree === undefined || tree.isIpcShare;
    const file: SmbFileRecord = {
      treePath: tree?.path ?? null,
      name,
      disposition,
      status: null,
      createAction: null,
      sizeBytes: null,
      modifiedUs: null,
      accessedUs: null,
      createdUs: null,
      changedUs: null,
      remoteExecutionPipe: isOnIpc ? classifyRemoteExecutionPipe(name) : null,
    };
    if (this.packetTimestampUs !== undefined) file.timestampUs = this.packetTimestampUs;
    this.record.files.push(file);
    return file;
  }

  private readChallengeBlob(securityBlob: Uint8Array | null): void {
    const token = securityBlob === null ? null : findNtlmsspToken(securityBlob);
    if (token !== null) this.challenge = parseNtlmChallenge(token) ?? this.challenge;
  }

  /** Reads an SMB1 message: every block of its AndX chain, requests and replies matched by MID and command. */
  private readSmb1(message: Uint8Array): void {
    this.record.dialect ??= 'SMB1';
    const header = parseSmb1Header(message);
    if (header === null) return;
    if (header.command === SMB1_COMMAND.negotiate) this.record.hasSmb1Negotiate = true;
    for (const block of readSmb1Blocks(message, header.command)) {
      const key = header.multiplexId * 256 + block.command;
      if (header.isReply) this.readSmb1Reply(header, block, key);
      else this.readSmb1Request(header, block, key);
    }
  }

  private readSmb1Request(header: Smb1Header, block: Smb1Block, key: number): void {
    if (block.command === SMB1_COMMAND.sessionSetupAndx) {
      this.remember(key, { command: 1, session: this.addSession(readSessionSetupBlob(block)) }, this.pendingSmb1);
    } else if (block.command === SMB1_COMMAND.treeConnectAndx) {
      const path = readTreeConnectPath(block, header.isUnicode);
      const tree = path === null ? null : this.addTree(path);
      if (tree !== null) this.remember(key, { command: 3, tree }, this.pendingSmb1);
    } else if (block.command === SMB1_COMMAND.ntCreateAndx) {
      const request = readNtCreateRequest(block, header.isUnicode);
      const file = request === null ? null : this.addFile(header.treeId, request.name, request.disposition);
      if (file !== null) this.remember(key, { command: 5, file }, this.pendingSmb1);
    }
  }

  private readSmb1Reply(header: Smb1Header, block: Smb1Block, key: number): void {
    // SESSION_SETUP_ANDX response words: AndX (4), Action (2), SecurityBlobLength (2); the blob starts the bytes.
    if (
      block.command === SMB1_COMMAND.sessionSetupAndx &&
      header.status === STATUS_MORE_PROCESSING_REQUIRED &&
      block.words.length >= 8
    ) {
      const blobLength = block.words[6]! | (block.words[7]! << 8);
      this.readChallengeBlob(blobLength <= block.bytes.length ? block.bytes.subarray(0, blobLength) : null);
    }
    const request = this.pendingSmb1.get(key);
    if (request === undefined) return;
    this.pendingSmb1.delete(key);
    if (request.command === 1) {
      if (request.session !== null) request.session.status = header.status;
    } else if (request.command === 3) {
      request.tree.status = header.status;
      const response = header.status === 0 ? readTreeConnectResponse(block, header.isUnicode) : null;
      if (response === null) return;
      request.tree.service = response.service;
      request.tree.nativeFileSystem = response.nativeFileSystem;
      request.tree.shareType = SMB1_SERVICE_SHARE_TYPES[response.service] ?? null;
      request.tree.treeId = header.treeId;
      this.treesById.set(header.treeId, request.tree);
    } else {
      request.file.status = header.status;
      const response = header.status === 0 ? readNtCreateResponse(block) : null;
      if (response === null) return;
      const [created, accessed, modified, changed] = response.times.map(([low, high]) => filetimeToUs(low, high));
      Object.assign(request.file, {
        createAction: response.createAction,
        sizeBytes: response.endOfFile,
        createdUs: created,
        accessedUs: accessed,
        modifiedUs: modified,
        changedUs: changed,
      });
    }
  }

  /** Reads a buffer the body locates by an offset from the start of the SMB2 header. */
  private readBuffer(message: Uint8Array, offset: number, length: number): Uint8Array | null {
    if (offset < SMB2_HEADER_LENGTH || offset > message.length || length > message.length - offset) return null;
    return message.subarray(offset, offset + length);
  }

  private readRequest(command: number, messageId: number, treeId: number, message: Uint8Array, body: Uint8Array): void {
    const cursor = new ByteCursor(body);
    if (command === SMB2_COMMAND.sessionSetup) {
      // StructureSize(2) Flags(1) SecurityMode(1) Capabilities(4) Channel(4) SecurityBufferOffset(2) Length(2).
      cursor.skip(12);
      const session = this.addSession(this.readBuffer(message, cursor.readUint16Le(), cursor.readUint16Le()));
      this.remember(messageId, { command: 1, session });
    } else if (command === SMB2_COMMAND.treeConnect) {
      // StructureSize(2) Flags(2) PathOffset(2) PathLength(2).
      cursor.skip(4);
      const path = this.readBuffer(message, cursor.readUint16Le(), cursor.readUint16Le());
      if (path === null || cursor.isShort) return;
      const tree = this.addTree(decodeUtf16Le(path));
      if (tree !== null) this.remember(messageId, { command: 3, tree });
    } else if (command === SMB2_COMMAND.create) {
      // CreateDisposition at body offset 36, NameOffset/NameLength at 44/46 (MS-SMB2 2.2.13).
      cursor.skip(36);
      const disposition = cursor.readUint32Le();
      cursor.skip(4);
      const nameOffset = cursor.readUint16Le();
      const nameLength = cursor.readUint16Le();
      if (cursor.isShort) return;
      const name = nameLength === 0 ? new Uint8Array(0) : this.readBuffer(message, nameOffset, nameLength);
      if (name === null) return;
      const file = this.addFile(treeId, decodeUtf16Le(name), disposition);
      if (file !== null) this.remember(messageId, { command: 5, file });
    }
  }

  private readChallenge(message: Uint8Array, body: Uint8Array): void {
    // Response: StructureSize(2) SessionFlags(2) SecurityBufferOffset(2) SecurityBufferLength(2).
    const cursor = new ByteCursor(body, 4);
    this.readChallengeBlob(this.readBuffer(message, cursor.readUint16Le(), cursor.readUint16Le()));
  }

  private readResponse(request: PendingRequest, status: number, treeId: number, body: Uint8Array): void {
    const cursor = new ByteCursor(body);
    if (request.command === 1) {
      if (request.session !== null) request.session.status = status;
    } else if (request.command === 3) {
      request.tree.status = status;
      if (status !== 0) return;
      cursor.skip(2);
      const shareType = cursor.readUint8();
      request.tree.shareType = cursor.isShort ? null : (SHARE_TYPES[shareType] ?? null);
      request.tree.treeId = treeId;
      this.treesById.set(treeId, request.tree);
    } else {
      request.file.status = status;
      if (status !== 0) return;
      // StructureSize(2) OplockLevel(1) Flags(1) CreateAction(4) then four FILETIMEs, AllocationSize, EndofFile.
      cursor.skip(4);
      const createAction = cursor.readUint32Le();
      const created = readFiletimeUs(cursor);
      const accessed = readFiletimeUs(cursor);
      const modified = readFiletimeUs(cursor);
      const changed = readFiletimeUs(cursor);
      cursor.skip(8);
      const size = cursor.readUint64Le();
      if (cursor.isShort) return;
      Object.assign(request.file, {
        createAction,
        sizeBytes: size,
        createdUs: created,
        accessedUs: accessed,
        modifiedUs: modified,
        changedUs: changed,
      });
    }
  }
}
