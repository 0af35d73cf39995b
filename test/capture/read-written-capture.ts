/**
 * Test helpers that read back what a live capture wrote: packets through the
 * engine's reader, and Interface Statistics Blocks by walking the blocks.
 */
import { readFileSync } from 'node:fs';

import { readCaptureFile } from '../../src/main/engine/source/read-capture-file';

export interface WrittenPacket {
  fileOffset: number;
  timestampUs: number;
  timestampNsRemainder: number;
  capturedLength: number;
  originalLength: number;
  hex: string;
}

export async function readWrittenPackets(path: string): Promise<{ packets: WrittenPacket[]; warnings: string[]; ticksPerSecond: number[] }> {
  const packets: WrittenPacket[] = [];
  const warnings: string[] = [];
  const result = await readCaptureFile(path, {
    onPacket(record) {
      packets.push({
        fileOffset: record.fileOffset,
        timestampUs: record.timestampUs,
        timestampNsRemainder: record.timestampNsRemainder,
        capturedLength: record.capturedLength,
        originalLength: record.originalLength,
        hex: Buffer.from(record.data).toString('hex'),
      });
    },
    onWarning(warning) {
      warnings.push(`${warning.code}: ${warning.message}`);
    },
  });
  return { packets, warnings, ticksPerSecond: result.interfaces.map((entry) => entry.ticksPerSecond) };
}

export interface WrittenStatistics {
  received: number | null;
  droppedByInterface: number | null;
  droppedByKernel: number | null;
  delivered: number | null;
}

/** Read every Interface Statistics Block of a little-endian pcapng file, in file order. */
export function readWrittenStatistics(path: string): WrittenStatistics[] {
  const bytes = readFileSync(path);
  const found: WrittenStatistics[] = [];
  let offset = 0;
  while (offset + 12 <= bytes.length) {
    const type = bytes.readUInt32LE(offset);
    const length = bytes.readUInt32LE(offset + 4);
    if (length < 12 || offset + length > bytes.length) throw new Error(`${path}: block at byte ${offset} claims ${length} bytes, ${bytes.length - offset} remain`);
    if (type === 5) found.push(readStatisticsOptions(bytes.subarray(offset + 20, offset + length - 4)));
    offset += length;
  }
  return found;
}

function readStatisticsOptions(options: Buffer): WrittenStatistics {
  const result: WrittenStatistics = { received: null, droppedByInterface: null, droppedByKernel: null, delivered: null };
  let offset = 0;
  while (offset + 4 <= options.length) {
    const code = options.readUInt16LE(offset);
    const length = options.readUInt16LE(offset + 2);
    if (code === 0) break;
    const value = length === 8 ? options.readUInt32LE(offset + 4) + options.readUInt32LE(offset + 8) * 2 ** 32 : null;
    if (code === 4) result.received = value;
    if (code === 5) result.droppedByInterface = value;
    if (code === 7) result.droppedByKernel = value;
    if (code === 8) result.delivered = value;
    offset += 4 + ((length + 3) & ~3);
  }
  return result;
}
