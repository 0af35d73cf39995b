import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readCaptureFile } from '../../../src/main/engine/source/read-capture-file';
import { CaptureFileError, NotACaptureError } from '../../../src/main/engine/source/capture-file-error';
import type { CaptureFileWarning } from '../../../src/main/engine/source/packet-record';
import { buildPcap, concatBytes } from '../../support/capture-writer';
import { buildTwoSections } from './sample-captures';
import { collectCapture } from './collect-capture';

let directory = '';

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tideline-read-capture-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function writeTemporary(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, bytes);
  return path;
}

interface ReadOutcome {
  timestamps: number[];
  warnings: CaptureFileWarning[];
  result: Awaited<ReturnType<typeof readCaptureFile>>;
}

async function readAll(path: string, options: Parameters<typeof readCaptureFile>[2] = {}): Promise<ReadOutcome> {
  const timestamps: number[] = [];
  const warnings: CaptureFileWarning[] = [];
  const result = await readCaptureFile(
    path,
    { onPacket: (record) => timestamps.push(record.timestampUs), onWarning: (warning) => warnings.push(warning) },
    options,
  );
  return { timestamps, warnings, result };
}

/** Builds a pcap of `count` 100-byte packets one millisecond apart. */
function buildManyPackets(count: number): Uint8Array {
  const packets = Array.from({ length: count }, (_, index) => ({
    timestampUs: 1_650_000_000_000_000 + index * 1000,
    data: new Uint8Array(100).fill(index & 0xff),
  }));
  return buildPcap({ packets });
}

describe('readCaptureFile', () => {
  it('reads pcapng in small chunks', async () => {
    const bytes = buildTwoSections().build();
    const path = await writeTemporary('two-sections.pcapng', bytes);
    const { timestamps, warnings, result } = await readAll(path, { chunkSize: 100 });

    expect(timestamps).toEqual(collectCapture(bytes).packets.map((packet) => packet.timestampUs));
    expect(warnings).toEqual([]);
    expect(result).toEqual({
      format: 'pcapng',
      isCompressed: false,
      fileBytes: bytes.length,
      packets: 5,
      isCancelled: false,
      interfaces: collectCapture(bytes).interfaces,
    });
  });

  it('keeps packet bytes intact while the next read overlaps parsing', async () => {
    // 300 packets of 100 bytes filled with their index, read in 97-byte chunks, so records span reads.
    const path = await writeTemporary('overlap.pcap', buildManyPackets(300));
    const mismatches: number[] = [];
    let count = 0;
    await readCaptureFile(
      path,
      {
        onPacket: (record) => {
          const expected = (record.packetNumber - 1) & 0xff;
          if (record.data.length !== 100 || record.data.some((byte) => byte !== expected)) mismatches.push(record.packetNumber);
          count++;
        },
        onWarning: () => {},
      },
      { chunkSize: 97 },
    );
    expect(count).toBe(300);
    expect(mismatches).toEqual([]);
  });

  it('reads gzip-compressed captures', async () => {
    const bytes = buildManyPackets(3000);
    // The name says .pcap, but detection goes by the gzip magic.
    const path = await writeTemporary('compressed.pcap', gzipSync(bytes));
    const progress: number[] = [];
    const { timestamps, warnings, result } = await readAll(path, {
      chunkSize: 4096,
      onProgress: (report) => progress.push(report.bytesRead),
    });

    expect(result.isCompressed).toBe(true);
    expect(result.format).toBe('pcap');
    expect(result.packets).toBe(3000);
    expect(timestamps[2999]).toBe(1_650_000_000_000_000 + 2999 * 1000);
    expect(warnings).toEqual([]);
    // The last report counts compressed bytes: the whole file.
    expect(progress.at(-1)).toBe(result.fileBytes);
  });

  it('warns on a cut-off gzip stream', async () => {
    const compressed = gzipSync(buildManyPackets(2000));
    const path = await writeTemporary('cut.pcap.gz', compressed.subarray(0, Math.floor(compressed.length / 2)));
    const { warnings, result } = await readAll(path);

    expect(result.isCompressed).toBe(true);
    expect(result.packets).toBeGreaterThan(0);
    expect(result.packets).toBeLessThan(2000);
    expect(warnings.map((warning) => warning.code)).toContain('decompression-error');
  });

  it('names gzip data that is not a capture', async () => {
    const path = await writeTemporary(
      'notes.txt.gz',
      gzipSync(new TextEncoder().encode('hello analyst, this is a text file\n')),
    );
    const error = await readAll(path).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NotACaptureError);
    expect((error as NotACaptureError).message).toContain('(after gzip decompression)');
    expect((error as NotACaptureError).detectedFormat).toBe('a plain text file');
  });

  it('warns with the offset of a cut-off record', async () => {
    const bytes = buildManyPackets(10);
    const path = await writeTemporary('cut.pcap', bytes.subarray(0, 24 + 116 * 3 + 50));
    const { warnings, result } = await readAll(path);

    expect(result.packets).toBe(3);
    expect(warnings).toEqual([
      {
        code: 'truncated-file',
        fileOffset: 24 + 116 * 3,
        packetNumber: 4,
        message:
          'Capture file ends inside the pcap record 4 (16-byte header + 100 packet bytes) at byte offset 372: 50 of 116 bytes present; the packets before it were read.',
      },
    ]);
  });

  it('reports progress at most every 100 ms', async () => {
    const bytes = buildManyPackets(5000);
    const path = await writeTemporary('progress.pcap', bytes);
    const reports: { bytesRead: number; totalBytes: number; packets: number }[] = [];
    await readAll(path, { chunkSize: 64, onProgress: (report) => reports.push(report) });

    expect(reports.at(-1)).toEqual({ bytesRead: bytes.length, totalBytes: bytes.length, packets: 5000 });
    // 9000 chunks would give 9000 reports without the limit.
    expect(reports.length).toBeLessThan(100);
  });

  it('stops when the signal aborts', async () => {
    const bytes = buildManyPackets(1000);
    const path = await writeTemporary('abort.pcap', bytes);
    const controller = new AbortController();
    let seen = 0;
    const result = await readCaptureFile(
      path,
      {
        onPacket: () => {
          seen += 1;
          if (seen === 10) controller.abort();
        },
        onWarning: () => undefined,
      },
      { chunkSize: 1160, signal: controller.signal },
    );

    expect(result.isCancelled).toBe(true);
    // Each 1160-byte chunk contains about 10 records, so the read stops within the second chunk.
    expect(result.packets).toBeLessThan(25);
  });

  it('stops a gzip read when the signal aborts', async () => {
    const path = await writeTemporary('abort.pcap.gz', gzipSync(buildManyPackets(20_000)));
    const controller = new AbortController();
    controller.abort();
    const { result } = await readAll(path, { signal: controller.signal });

    expect(result.isCancelled).toBe(true);
    expect(result.format).toBe('pcap');
    expect(result.packets).toBeLessThan(20_000);
  });

  it('rejects a missing file', async () => {
    const path = join(directory, 'missing.pcap');
    const error = await readAll(path).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(CaptureFileError);
    expect((error as CaptureFileError).code).toBe('not-found');
    expect((error as CaptureFileError).message).toContain(path);
  });

  it('rejects a directory', async () => {
    const error = await readAll(directory).catch((caught: unknown) => caught);

    expect((error as CaptureFileError).code).toBe('is-directory');
    expect((error as CaptureFileError).message).toContain(directory);
  });

  it.skipIf(process.getuid?.() === 0)('rejects an unreadable file', async () => {
    const path = await writeTemporary('locked.pcap', buildManyPackets(1));
    await chmod(path, 0o000);
    const error = await readAll(path).catch((caught: unknown) => caught);

    expect((error as CaptureFileError).code).toBe('permission-denied');
  });
});

describe('not-a-capture errors', () => {
  const encoder = new TextEncoder();
  const cases: { name: string; bytes: Uint8Array; format: string; hex: string; hint?: string }[] = [
    { name: 'empty file', bytes: new Uint8Array(0), format: 'an empty file', hex: '' },
    {
      name: 'two bytes',
      bytes: Uint8Array.of(0xa1, 0xb2),
      format: 'a 2-byte file, shorter than any capture header',
      hex: 'a1 b2',
    },
    {
      name: 'zip',
      bytes: concatBytes([Uint8Array.of(0x50, 0x4b, 0x03, 0x04), new Uint8Array(60)]),
      format: 'a zip archive',
      hex: '50 4b 03 04 00',
    },
    { name: 'bzip2', bytes: encoder.encode('BZh91AY&SY'), format: 'a bzip2 file', hex: '42 5a 68 39' },
    {
      name: 'xz',
      bytes: Uint8Array.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04),
      format: 'an xz file',
      hex: 'fd 37 7a 58 5a 00',
    },
    {
      name: 'zstd',
      bytes: Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x00),
      format: 'a zstd file',
      hex: '28 b5 2f fd',
    },
    {
      name: '7z',
      bytes: Uint8Array.of(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0x00, 0x04),
      format: 'a 7z archive',
      hex: '37 7a bc af',
    },
    {
      name: 'PNG',
      bytes: Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
      format: 'a PNG image',
      hex: '89 50 4e 47',
    },
    {
      name: 'JPEG',
      bytes: Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10),
      format: 'a JPEG image',
      hex: 'ff d8 ff e0',
    },
    { name: 'PDF', bytes: encoder.encode('%PDF-1.7\n%\xe2\xe3'), format: 'a PDF document', hex: '25 50 44 46' },
    {
      name: 'ELF',
      bytes: Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01),
      format: 'an ELF executable',
      hex: '7f 45 4c 46',
    },
    {
      name: 'HTML',
      bytes: encoder.encode('<!DOCTYPE html>\n<html><body>404</body></html>'),
      format: 'an HTML document',
      hex: '3c 21 44 4f',
    },
    { name: 'XML', bytes: encoder.encode('<?xml version="1.0"?><a/>'), format: 'an XML document', hex: '3c 3f 78 6d' },
    { name: 'JSON', bytes: encoder.encode('{"packets": []}'), format: 'a JSON document', hex: '7b 22 70 61' },
    {
      name: 'text',
      bytes: encoder.encode('No. Time Source Destination\n'),
      format: 'a plain text file',
      hex: '4e 6f 2e 20',
    },
    {
      name: 'snoop',
      bytes: concatBytes([encoder.encode('snoop\0\0\0'), Uint8Array.of(0, 0, 0, 2, 0, 0, 0, 4)]),
      format: 'a snoop capture',
      hex: '73 6e 6f 6f 70 00',
      hint: 'editcap -F pcapng',
    },
    {
      name: 'NetMon',
      bytes: concatBytes([encoder.encode('GMBU'), Uint8Array.of(0, 2, 1, 0)]),
      format: 'a Microsoft Network Monitor capture',
      hex: '47 4d 42 55',
      hint: 'editcap -F pcapng',
    },
    {
      name: '5View',
      bytes: Uint8Array.of(0xaa, 0xaa, 0xaa, 0xaa, 0, 0, 0, 0),
      format: 'a 5View capture',
      hex: 'aa aa aa aa',
      hint: 'editcap -F pcapng',
    },
    {
      name: 'ERF',
      // ERF record: timestamp 2020-09-13 (LE seconds at 4-7), type 2 (Ethernet), flags 4, rlen 80, lctr 0, wlen 60.
      bytes: Uint8Array.of(
        0,
        0,
        0,
        0,
        0x00,
        0x10,
        0x5e,
        0x5f,
        2,
        4,
        0,
        80,
        0,
        0,
        0,
        60,
        ...new Array<number>(64).fill(0),
      ),
      format: 'an Endace ERF capture',
      hex: '00 00 00 00 00 10 5e 5f 02 04',
      hint: 'editcap -F pcapng',
    },
  ];

  for (const testCase of cases) {
    it(`names ${testCase.name}`, async () => {
      const path = await writeTemporary(`not-a-capture-${testCase.name}.pcap`, testCase.bytes);
      const error = await readAll(path).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(NotACaptureError);
      const notACapture = error as NotACaptureError;
      expect(notACapture.code).toBe('not-a-capture');
      expect(notACapture.detectedFormat).toBe(testCase.format);
      expect(notACapture.firstBytesHex.startsWith(testCase.hex)).toBe(true);
      expect(notACapture.message).toContain(path);
      expect(notACapture.message).toContain(testCase.format);
      if (testCase.hint !== undefined) {
        expect(notACapture.message).toContain(testCase.hint);
      }
    });
  }
});
