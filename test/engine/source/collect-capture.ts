/**
 * Test helper: runs CaptureStreamParser over bytes split into chunks and
 * copies everything it reports into plain objects for assertions.
 */
import { CaptureStreamParser } from '../../../src/main/engine/source/capture-stream-parser';
import type { CaptureFileWarning, CaptureInterface } from '../../../src/main/engine/source/packet-record';

export interface CollectedPacket {
  packetNumber: number;
  fileOffset: number;
  timestampUs: number;
  timestampNsRemainder: number;
  capturedLength: number;
  originalLength: number;
  linkType: number;
  interfaceId: number;
  /** Hex of the packet bytes, copied during the callback. */
  dataHex: string;
  isTimestampMissing: boolean;
}

export interface CollectedCapture {
  packets: CollectedPacket[];
  warnings: CaptureFileWarning[];
  interfaces: CaptureInterface[];
  names: { address: string; names: string[] }[];
  comments: { packetNumber: number | null; fileOffset: number; text: string }[];
  bytesConsumed: number;
  format: string | null;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Splits `bytes` at the given cut points (sorted, unique) and feeds the pieces. */
export function collectWithCuts(bytes: Uint8Array, cuts: readonly number[]): CollectedCapture {
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    if (cut > start && cut < bytes.length) {
      pieces.push(bytes.subarray(start, cut));
      start = cut;
    }
  }
  pieces.push(bytes.subarray(start));
  return collectPieces(pieces);
}

/** Feeds `bytes` in chunks of `chunkSize` (the whole input by default). */
export function collectCapture(bytes: Uint8Array, chunkSize = bytes.length || 1): CollectedCapture {
  const pieces: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += chunkSize) {
    pieces.push(bytes.subarray(start, start + chunkSize));
  }
  return collectPieces(pieces);
}

function collectPieces(pieces: Uint8Array[]): CollectedCapture {
  const result: CollectedCapture = {
    packets: [],
    warnings: [],
    interfaces: [],
    names: [],
    comments: [],
    bytesConsumed: 0,
    format: null,
  };
  const parser = new CaptureStreamParser({
    onPacket(record) {
      result.packets.push({
        packetNumber: record.packetNumber,
        fileOffset: record.fileOffset,
        timestampUs: record.timestampUs,
        timestampNsRemainder: record.timestampNsRemainder,
        capturedLength: record.capturedLength,
        originalLength: record.originalLength,
        linkType: record.linkType,
        interfaceId: record.interfaceId,
        dataHex: toHex(record.data),
        isTimestampMissing: record.isTimestampMissing ?? false,
      });
    },
    onWarning(warning) {
      result.warnings.push({ ...warning });
    },
    onInterface(captureInterface) {
      result.interfaces.push({ ...captureInterface });
    },
    onNameResolution(entry) {
      result.names.push(entry);
    },
    onComment(comment) {
      result.comments.push(comment);
    },
  });
  for (const piece of pieces) {
    // Copy each piece into a fresh buffer that is then scribbled over, so a parser that keeps a view past push() fails.
    const chunk = Uint8Array.from(piece);
    parser.push(chunk);
    chunk.fill(0xee);
  }
  parser.end();
  result.bytesConsumed = parser.bytesConsumed;
  result.format = parser.format;
  return result;
}
