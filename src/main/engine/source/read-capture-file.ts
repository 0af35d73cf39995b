/**
 * Reads a pcap or pcapng file (optionally gzip-compressed, detected by its
 * magic bytes) from disk in large chunks and feeds a CaptureStreamParser.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream';
import type { CaptureFormat, CaptureInterface } from './packet-record';
import { CaptureStreamParser, type CaptureParserHandlers } from './capture-stream-parser';
import { CaptureFileError } from './capture-file-error';
import { isGzipSignature } from './file-signature';

const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
const DECOMPRESSED_CHUNK_SIZE = 256 * 1024;
const PROGRESS_INTERVAL_MS = 100;

export interface ReadCaptureFileProgress {
  /** Bytes read from the file; compressed bytes for a gzip file. */
  bytesRead: number;
  /** Size of the file on disk. */
  totalBytes: number;
  packets: number;
}

export interface ReadCaptureFileOptions {
  /** Stops reading between chunks; the result then has isCancelled true. */
  signal?: AbortSignal;
  /** Bytes read from disk per chunk; default 4 MiB. */
  chunkSize?: number;
  /** Called at most every 100 ms while reading, and once at the end. */
  onProgress?(progress: ReadCaptureFileProgress): void;
  /** Captured lengths above this are reported and not trusted; default 262144. */
  maxCapturedLength?: number;
}

export interface ReadCaptureFileResult {
  format: CaptureFormat;
  isCompressed: boolean;
  fileBytes: number;
  packets: number;
  isCancelled: boolean;
  interfaces: CaptureInterface[];
}

/**
 * Reads the whole capture at `path` through `handlers` (see
 * CaptureParserHandlers for the lifetime of what they receive). Damage inside
 * the capture goes to onWarning. Throws CaptureFileError with code
 * 'not-found', 'permission-denied', 'is-directory', 'not-a-capture' (a
 * NotACaptureError) or 'read-failed'; the message names the path.
 */
export async function readCaptureFile(
  path: string,
  handlers: CaptureParserHandlers,
  options: ReadCaptureFileOptions = {},
): Promise<ReadCaptureFileResult> {
  const chunkSize = Math.max(64, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const handle = await openReadOnly(path);
  try {
    const stats = await handle.stat().catch((error: unknown) => {
      throw createReadError(path, error);
    });
    if (stats.isDirectory()) {
      throw new CaptureFileError(
        'is-directory',
        path,
        `${path} is a directory, not a capture file. Choose a .pcap or .pcapng file inside it.`,
      );
    }

    const reader = new ChunkReader(handle, path, Math.min(chunkSize, Math.max(stats.size, 64)));
    const first = await reader.read(0);
    const isCompressed = isGzipSignature(first);
    const context: ReadContext = {
      path,
      handlers,
      options,
      totalBytes: stats.size,
      parser: new CaptureStreamParser(handlers, {
        sourceName: path,
        isDecompressed: isCompressed,
        maxCapturedLength: options.maxCapturedLength,
      }),
      lastProgressMs: 0,
    };

    const isCancelled = isCompressed
      ? await readCompressed(handle, context, chunkSize)
      : await readPlain(reader, first, context);
    if (!isCancelled) {
      context.parser.end();
    }
    reportProgress(context, isCompressed ? stats.size : context.parser.bytesConsumed, true);

    const parser = context.parser;
    return {
      // The format is known here: end() throws for an input too short to recognize, and cancellation waits for it.
      format: parser.format ?? 'pcap',
      isCompressed,
      fileBytes: stats.size,
      packets: parser.packetCount,
      isCancelled,
      interfaces: [...parser.interfaces],
    };
  } finally {
    await handle.close();
  }
}

interface ReadContext {
  path: string;
  handlers: CaptureParserHandlers;
  options: ReadCaptureFileOptions;
  totalBytes: number;
  parser: CaptureStreamParser;
  lastProgressMs: number;
}

/**
 * Reads the file into two reused buffers in turn, so the next read can run
 * while the previous chunk is parsed; the parser copies only a record that
 * spans two reads.
 */
class ChunkReader {
  private readonly buffers: [Uint8Array, Uint8Array | null];
  private nextBuffer = 0;
  private readonly handle: FileHandle;
  private readonly path: string;

  constructor(handle: FileHandle, path: string, chunkSize: number) {
    this.handle = handle;
    this.path = path;
    this.buffers = [new Uint8Array(chunkSize), null];
  }

  /**
   * Read the bytes at `position` into the buffer not used by the previous
   * read. The view it resolves to stays valid until the read after the next
   * one starts; it is empty at the end of the file.
   */
  async read(position: number): Promise<Uint8Array> {
    const index = this.nextBuffer;
    this.nextBuffer = index ^ 1;
    // The second buffer is made on the first overlapped read, so a file of one chunk needs one.
    const buffer = this.buffers[index] ?? (this.buffers[index] = new Uint8Array(this.buffers[0].length));
    try {
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, position);
      return buffer.subarray(0, bytesRead);
    } catch (error) {
      throw createReadError(this.path, error);
    }
  }
}

/**
 * Returns true when cancelled. Ping-pong: the read of the next chunk starts
 * before the current one is parsed (the parser is done with a chunk when
 * `push` returns), so the disk and the parser work at the same time.
 */
async function readPlain(reader: ChunkReader, first: Uint8Array, context: ReadContext): Promise<boolean> {
  const { parser, options } = context;
  let chunk = first;
  let position = 0;
  while (chunk.length > 0 && !parser.hasStopped) {
    position += chunk.length;
    const nextRead = reader.read(position);
    let isParsed = false;
    try {
      parser.push(chunk);
      isParsed = true;
    } finally {
      // A parser that threw (not a capture) leaves a read in flight: settle it before the file closes.
      if (!isParsed) await nextRead.catch(() => undefined);
    }
    if (options.signal?.aborted === true && parser.format !== null) {
      await nextRead.catch(() => undefined);
      return true;
    }
    reportProgress(context, position, false);
    if (parser.hasStopped) {
      await nextRead.catch(() => undefined);
      break;
    }
    chunk = await nextRead;
  }
  return false;
}

/** Streams the file through gunzip; returns true when cancelled. */
async function readCompressed(handle: FileHandle, context: ReadContext, chunkSize: number): Promise<boolean> {
  const { parser, options } = context;
  const fileStream = handle.createReadStream({ start: 0, highWaterMark: chunkSize, autoClose: false });
  const gunzip = createGunzip({ chunkSize: DECOMPRESSED_CHUNK_SIZE });
  pipeline(fileStream, gunzip, () => undefined);

  try {
    for await (const output of gunzip) {
      parser.push(output as Buffer);
      if (parser.hasStopped) {
        break;
      }
      if (options.signal?.aborted === true && parser.format !== null) {
        return true;
      }
      reportProgress(context, fileStream.bytesRead, false);
    }
  } catch (error) {
    if (fileStream.errored !== null) {
      throw createReadError(context.path, fileStream.errored);
    }
    if (error instanceof CaptureFileError) {
      throw error;
    }
    const reason = error instanceof Error ? error.message : String(error);
    parser.warn(
      'decompression-error',
      parser.bytesConsumed,
      null,
      `gzip decompression of ${context.path} failed after ${fileStream.bytesRead} compressed bytes (${reason}); the packets decompressed before it were read.`,
    );
  } finally {
    fileStream.destroy();
    gunzip.destroy();
  }
  return false;
}

function reportProgress(context: ReadContext, bytesRead: number, isFinal: boolean): void {
  const { options } = context;
  if (options.onProgress === undefined) {
    return;
  }
  const now = Date.now();
  if (!isFinal && now - context.lastProgressMs < PROGRESS_INTERVAL_MS) {
    return;
  }
  context.lastProgressMs = now;
  options.onProgress({ bytesRead, totalBytes: context.totalBytes, packets: context.parser.packetCount });
}

async function openReadOnly(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new CaptureFileError('not-found', path, `Capture file not found: ${path}. Check the path.`, {
        cause: error,
      });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new CaptureFileError(
        'permission-denied',
        path,
        `Permission denied reading ${path}. Make the file readable by this user (for example \`chmod o+r\`) or copy it somewhere readable.`,
        { cause: error },
      );
    }
    if (code === 'EISDIR') {
      throw new CaptureFileError('is-directory', path, `${path} is a directory, not a capture file.`, { cause: error });
    }
    throw createReadError(path, error);
  }
}

function createReadError(path: string, error: unknown): CaptureFileError {
  const reason = error instanceof Error ? error.message : String(error);
  return new CaptureFileError('read-failed', path, `Reading ${path} failed: ${reason}`, { cause: error });
}
