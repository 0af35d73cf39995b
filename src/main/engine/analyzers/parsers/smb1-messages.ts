/**
 * SMB1 (MS-CIFS) messages that name users, shares and files: SESSION_SETUP_ANDX
 * with extended security, TREE_CONNECT_ANDX and NT_CREATE_ANDX, following the
 * AndX chain. Each reader takes one block's words and bytes as views into the
 * message and returns plain values, or null when the block is too short.
 */
import { ByteCursor, decodeLatin1, decodeUtf16Le } from './byte-cursor';

export const SMB1_HEADER_LENGTH = 32;
/** AndX blocks followed per message; real chains have two or three. */
const MAX_ANDX_BLOCKS = 8;
const FLAGS_REPLY = 0x80;
const FLAGS2_UNICODE = 0x8000;

export const SMB1_COMMAND = {
  negotiate: 0x72,
  sessionSetupAndx: 0x73,
  treeConnectAndx: 0x75,
  ntCreateAndx: 0xa2,
  noAndxCommand: 0xff,
} as const;

export interface Smb1Header {
  command: number;
  status: number;
  isReply: boolean;
  isUnicode: boolean;
  treeId: number;
  multiplexId: number;
}

/** One block of an AndX chain: its command, parameter words and data bytes (views into the message). */
export interface Smb1Block {
  command: number;
  /** Offset of the block's WordCount byte from the start of the SMB header. */
  offset: number;
  words: Uint8Array;
  bytes: Uint8Array;
}

/** Reads the 32-byte SMB1 header (MS-CIFS 2.2.3.1); null when the message is shorter. */
export function parseSmb1Header(message: Uint8Array): Smb1Header | null {
  const cursor = new ByteCursor(message, 4);
  const command = cursor.readUint8();
  const status = cursor.readUint32Le();
  const flags = cursor.readUint8();
  const flags2 = cursor.readUint16Le();
  cursor.skip(12); // PIDHigh, SecurityFeatures, Reserved
  const treeId = cursor.readUint16Le();
  cursor.skip(4); // PIDLow, UID
  const multiplexId = cursor.readUint16Le();
  if (cursor.isShort) return null;
  return {
    command,
    status,
    isReply: (flags & FLAGS_REPLY) !== 0,
    isUnicode: (flags2 & FLAGS2_UNICODE) !== 0,
    treeId,
    multiplexId,
  };
}

/**
 * Splits a message into its AndX blocks. Each AndX offset must point past
 * the previous block, so a chain can neither loop nor run backwards.
 */
export function readSmb1Blocks(message: Uint8Array, firstCommand: number): Smb1Block[] {
  const blocks: Smb1Block[] = [];
  let command = firstCommand;
  let offset = SMB1_HEADER_LENGTH;
  while (blocks.length < MAX_ANDX_BLOCKS) {
    const cursor = new ByteCursor(message, offset);
    const words = cursor.borrowBytes(cursor.readUint8() * 2);
    const bytes = cursor.borrowBytes(cursor.readUint16Le());
    if (cursor.isShort) break;
    blocks.push({ command, offset, words, bytes });

    // AndX commands start their words with AndXCommand, AndXReserved and a 16-bit AndXOffset.
    const isAndx =
      command === SMB1_COMMAND.sessionSetupAndx ||
      command === SMB1_COMMAND.treeConnectAndx ||
      command === SMB1_COMMAND.ntCreateAndx;
    if (!isAndx || words.length < 4 || words[0] === SMB1_COMMAND.noAndxCommand) break;
    const nextOffset = words[2]! | (words[3]! << 8);
    if (nextOffset <= offset || nextOffset >= message.length) break;
    command = words[0]!;
    offset = nextOffset;
  }
  return blocks;
}

/** Reads a null-terminated string from `bytes` at `offset`, Unicode strings aligned to 2 bytes from the header start. */
function readSmb1String(bytes: Uint8Array, offset: number, isUnicode: boolean, blockBytesOffset: number): string {
  if (!isUnicode) {
    const end = bytes.indexOf(0, offset);
    return decodeLatin1(bytes.subarray(offset, end < 0 ? bytes.length : end));
  }
  let start = offset;
  if ((blockBytesOffset + start) % 2 === 1) start++;
  let end = start;
  while (end + 1 < bytes.length && (bytes[end] !== 0 || bytes[end + 1] !== 0)) end += 2;
  return decodeUtf16Le(bytes.subarray(start, Math.min(end, bytes.length)));
}

/** Byte offset of a block's data bytes from the header start: WordCount byte, words, ByteCount. */
function bytesOffsetOf(block: Smb1Block): number {
  return block.offset + 1 + block.words.length + 2;
}

/** Returns the security blob of an extended-security SESSION_SETUP_ANDX request (12 words), or null. */
export function readSessionSetupBlob(block: Smb1Block): Uint8Array | null {
  if (block.words.length !== 24) return null;
  const blobLength = block.words[14]! | (block.words[15]! << 8);
  return blobLength <= block.bytes.length ? block.bytes.subarray(0, blobLength) : null;
}

/** Returns the share path of a TREE_CONNECT_ANDX request: the bytes after the password (MS-CIFS 2.2.4.55.1). */
export function readTreeConnectPath(block: Smb1Block, isUnicode: boolean): string | null {
  if (block.words.length < 8) return null;
  const passwordLength = block.words[6]! | (block.words[7]! << 8);
  if (passwordLength > block.bytes.length) return null;
  return readSmb1String(block.bytes, passwordLength, isUnicode, bytesOffsetOf(block));
}

/** Returns the service ("IPC", "A:") and native file system of a TREE_CONNECT_ANDX response. */
export function readTreeConnectResponse(
  block: Smb1Block,
  isUnicode: boolean,
): { service: string; nativeFileSystem: string | null } | null {
  if (block.words.length < 6) return null;
  const serviceEnd = block.bytes.indexOf(0);
  if (serviceEnd < 0) return null;
  const service = decodeLatin1(block.bytes.subarray(0, serviceEnd));
  const nativeFileSystem =
    serviceEnd + 1 < block.bytes.length
      ? readSmb1String(block.bytes, serviceEnd + 1, isUnicode, bytesOffsetOf(block))
      : null;
  return { service, nativeFileSystem: nativeFileSystem === '' ? null : nativeFileSystem };
}

/** Returns the file name and CreateDisposition of an NT_CREATE_ANDX request (24 words). */
export function readNtCreateRequest(
  block: Smb1Block,
  isUnicode: boolean,
): { name: string; disposition: number } | null {
  if (block.words.length !== 48) return null;
  const cursor = new ByteCursor(block.words, 35);
  const disposition = cursor.readUint32Le();
  return { name: readSmb1String(block.bytes, 0, isUnicode, bytesOffsetOf(block)), disposition };
}

export interface Smb1CreateResponse {
  createAction: number;
  /** FILETIMEs as [low, high] 32-bit halves: creation, last access, last write, change. */
  times: [number, number][];
  endOfFile: number;
}

/** Reads an NT_CREATE_ANDX response (34 words, or 42 with the extended response). */
export function readNtCreateResponse(block: Smb1Block): Smb1CreateResponse | null {
  if (block.words.length < 68) return null;
  const cursor = new ByteCursor(block.words, 7); // AndX (4), OplockLevel (1), FID (2)
  const createAction = cursor.readUint32Le();
  const times: [number, number][] = [];
  for (let i = 0; i < 4; i++) times.push([cursor.readUint32Le(), cursor.readUint32Le()]);
  cursor.skip(4 + 8); // ExtFileAttributes, AllocationSize
  const endOfFile = cursor.readUint64Le();
  return cursor.isShort ? null : { createAction, times, endOfFile };
}
