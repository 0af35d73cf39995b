import { describe, expect, it } from 'vitest';
import {
  buildPcap,
  ByteWriter,
  concatBytes,
  PcapngBuilder,
  pcapRecordOffsets,
  type BuildPcapOptions,
} from '../../support/capture-writer';
import { NotACaptureError } from '../../../src/main/engine/source/capture-file-error';
import { buildSamplePcap, buildTwoSections, frameA, samplePcapOptions } from './sample-captures';
import { collectCapture } from './collect-capture';

/** A parse must finish well within this, whatever the input; a hang fails the test instead of the run. */
const TIME_LIMIT_MS = 2000;

function collectTimed(bytes: Uint8Array, chunkSize?: number): ReturnType<typeof collectCapture> {
  const started = performance.now();
  const result = collectCapture(bytes, chunkSize);
  expect(performance.now() - started).toBeLessThan(TIME_LIMIT_MS);
  return result;
}

/** Starts a pcapng section with one Ethernet interface, to which a case appends its damaged block. */
function sectionWithInterface(): PcapngBuilder {
  return new PcapngBuilder().sectionHeader().interfaceDescription({ linkType: 1, snaplen: 1500 });
}

/** Writes a block with hand-written lengths: leading total length, body, trailing total length. */
function rawBlock(type: number, leadingLength: number, body: Uint8Array, trailingLength = leadingLength): Uint8Array {
  return new ByteWriter().u32(type).u32(leadingLength).raw(body).u32(trailingLength).toBytes();
}

/** Writes an EPB body for the interface with the given captured-length field and data. */
function epbBody(capturedLength: number, data: Uint8Array, interfaceId = 0): Uint8Array {
  return new ByteWriter()
    .u32(interfaceId)
    .u32(0)
    .u32(1_000_000)
    .u32(capturedLength)
    .u32(data.length)
    .raw(data)
    .pad4()
    .toBytes();
}

interface HostileCase {
  name: string;
  bytes: Uint8Array;
  /** Expected warnings as [code, fileOffset]. */
  warnings: [string, number][];
  packets: number;
}

function buildPcapngCases(): HostileCase[] {
  const prefix = sectionWithInterface().build();
  const at = prefix.length;
  const withBlock = (block: Uint8Array, after: Uint8Array = new Uint8Array(0)): Uint8Array =>
    concatBytes([prefix, block, after]);
  const goodPacket = new PcapngBuilder().enhancedPacket({ interfaceId: 0, ticks: 1n, data: frameA }).build();

  return [
    // Total length 0 is below the 12-byte minimum: framing is lost, so reading stops.
    {
      name: 'block length 0',
      bytes: withBlock(rawBlock(6, 0, new Uint8Array(0)), goodPacket),
      warnings: [['invalid-block-length', at]],
      packets: 0,
    },
    // Total length 8 cannot hold type, length and trailing length.
    {
      name: 'block length 8',
      bytes: withBlock(rawBlock(6, 8, new Uint8Array(0)), goodPacket),
      warnings: [['invalid-block-length', at]],
      packets: 0,
    },
    // Lengths must be multiples of 4.
    {
      name: 'block length 13',
      bytes: withBlock(rawBlock(6, 13, new Uint8Array(1)), goodPacket),
      warnings: [['invalid-block-length', at]],
      packets: 0,
    },
    // A length above the 16 MiB cap is not followed, even before the bytes arrive.
    {
      name: 'block length 0xfffffffc',
      bytes: withBlock(rawBlock(6, 0xfffffffc, new Uint8Array(0))),
      warnings: [['invalid-block-length', at]],
      packets: 0,
    },
    // Leading and trailing lengths must agree; the packet in the bad block is not delivered.
    {
      name: 'trailing length mismatch',
      bytes: withBlock(rawBlock(6, 40, epbBody(7, frameA), 44), goodPacket),
      warnings: [['invalid-block-length', at]],
      packets: 0,
    },
    // A length that points past the end of the file is a cut-off file.
    {
      name: 'block length past file end',
      bytes: withBlock(rawBlock(6, 1000, epbBody(7, frameA))),
      warnings: [['truncated-file', at]],
      packets: 0,
    },
    // Captured length larger than the block: the packet is skipped, the next block read.
    {
      name: 'EPB caplen past block end',
      bytes: withBlock(rawBlock(6, 40, epbBody(9, frameA)), goodPacket),
      warnings: [['invalid-block-length', at]],
      packets: 1,
    },
    // Captured length 0xffffffff in a small block.
    {
      name: 'EPB caplen 0xffffffff',
      bytes: withBlock(rawBlock(6, 40, epbBody(0xffffffff, frameA)), goodPacket),
      warnings: [['invalid-block-length', at]],
      packets: 1,
    },
    // An EPB shorter than its fixed fields (28 bytes < 32) is skipped by its length.
    {
      name: 'EPB below minimum length',
      bytes: withBlock(rawBlock(6, 28, new Uint8Array(16)), goodPacket),
      warnings: [['invalid-block-length', at]],
      packets: 1,
    },
    // Interface ids are per section; id 5 was never described.
    {
      name: 'EPB of unknown interface',
      bytes: withBlock(rawBlock(6, 40, epbBody(7, frameA, 5)), goodPacket),
      warnings: [['unknown-interface', at]],
      packets: 1,
    },
    // An SPB needs interface 0 for its link type and snaplen.
    {
      name: 'SPB before any IDB',
      bytes: new PcapngBuilder()
        .sectionHeader()
        .simplePacket({ data: frameA })
        .interfaceDescription({ linkType: 1 })
        .simplePacket({ data: frameA })
        .build(),
      warnings: [['unknown-interface', 28]],
      packets: 1,
    },
    // An IDB option whose length runs past the block keeps the interface and drops the rest of the options.
    {
      name: 'IDB option past block end',
      bytes: concatBytes([
        new PcapngBuilder().sectionHeader().build(),
        rawBlock(1, 28, new ByteWriter().u16(1).u16(0).u32(0).u16(2).u16(200).u32(0).toBytes()),
        goodPacket,
      ]),
      warnings: [['invalid-option', 28]],
      packets: 1,
    },
    // An NRB record whose length runs past the block is dropped with the rest of the block; the warning names the record.
    {
      name: 'NRB record past block end',
      bytes: withBlock(rawBlock(4, 20, new ByteWriter().u16(1).u16(100).u32(0).toBytes()), goodPacket),
      warnings: [['invalid-option', at + 8]],
      packets: 1,
    },
    // The byte-order magic decides how every later field is read, so a wrong one stops the reader.
    {
      name: 'SHB with wrong byte-order magic',
      bytes: new PcapngBuilder()
        .sectionHeader({ byteOrderMagic: 0x11223344 })
        .interfaceDescription({ linkType: 1 })
        .build(),
      warnings: [['unsupported-block', 8]],
      packets: 0,
    },
    // An SHB of 24 bytes is framed correctly but cannot hold its version and section length.
    {
      name: 'SHB below minimum length',
      bytes: rawBlock(0x0a0d0d0a, 24, new ByteWriter().u32(0x1a2b3c4d).u16(1).u16(0).u32(0).toBytes()),
      warnings: [['invalid-block-length', 0]],
      packets: 0,
    },
    // An unknown block type with an empty body is skipped with one warning.
    {
      name: 'unknown empty block',
      bytes: withBlock(rawBlock(0x1234, 12, new Uint8Array(0)), goodPacket),
      warnings: [['unsupported-block', at]],
      packets: 1,
    },
  ];
}

function buildPcapCases(): HostileCase[] {
  const base: BuildPcapOptions = { snaplen: 100, packets: [{ timestampUs: 1, data: frameA }] };
  const second = 24 + 16 + frameA.length;
  const withSecond = (packet: BuildPcapOptions['packets'][number]): Uint8Array =>
    buildPcap({ ...base, packets: [...base.packets, packet] });
  return [
    // caplen above the 262144 cap: the next record cannot be found, so reading stops.
    {
      name: 'caplen above cap',
      bytes: withSecond({ timestampUs: 2, data: frameA, capturedLength: 262_145 }),
      warnings: [['captured-length-too-large', second]],
      packets: 1,
    },
    // caplen 0xffffffff is above the cap too.
    {
      name: 'caplen 0xffffffff',
      bytes: withSecond({ timestampUs: 2, data: frameA, capturedLength: 0xffffffff }),
      warnings: [['captured-length-too-large', second]],
      packets: 1,
    },
    // caplen above snaplen but below the cap is read, with a warning.
    {
      name: 'caplen above snaplen',
      bytes: withSecond({ timestampUs: 2, data: new Uint8Array(101) }),
      warnings: [['captured-length-exceeds-snaplen', second]],
      packets: 2,
    },
    // caplen above origlen is read, with a warning.
    {
      name: 'caplen above origlen',
      bytes: withSecond({ timestampUs: 2, data: frameA, originalLength: 3 }),
      warnings: [['captured-length-exceeds-original', second]],
      packets: 2,
    },
    // caplen within the cap but past the end of the file is a cut-off file.
    {
      name: 'caplen past file end',
      bytes: withSecond({ timestampUs: 2, data: frameA, capturedLength: 200 }),
      warnings: [['truncated-file', second]],
      packets: 1,
    },
    // Zero lengths everywhere are a valid empty packet.
    {
      name: 'zero caplen and origlen',
      bytes: withSecond({ timestampUs: 2, data: new Uint8Array(0) }),
      warnings: [],
      packets: 2,
    },
    // snaplen 0 means no limit: no snaplen warning.
    {
      name: 'snaplen 0',
      bytes: buildPcap({ snaplen: 0, packets: [{ timestampUs: 1, data: new Uint8Array(5000) }] }),
      warnings: [],
      packets: 1,
    },
  ];
}

describe('hostile input', () => {
  for (const hostileCase of [...buildPcapngCases(), ...buildPcapCases()]) {
    it(`handles ${hostileCase.name}`, () => {
      for (const chunkSize of [undefined, 1, 5]) {
        const result = collectTimed(hostileCase.bytes, chunkSize);
        expect(
          result.warnings.map((warning) => [warning.code, warning.fileOffset]),
          `chunk ${chunkSize}`,
        ).toEqual(hostileCase.warnings);
        expect(result.packets.length, `chunk ${chunkSize}`).toBe(hostileCase.packets);
      }
    });
  }

  const truncationSamples = [
    { name: 'pcapng', bytes: buildTwoSections().build(), boundaries: [...buildTwoSections().blockOffsets] },
    { name: 'pcap', bytes: buildSamplePcap(), boundaries: [0, 24, ...pcapRecordOffsets(samplePcapOptions).slice(1)] },
  ];
  for (const sample of truncationSamples) {
    it(`cuts ${sample.name} at every byte`, () => {
      const whole = collectCapture(sample.bytes);
      const ends = [...sample.boundaries.slice(1), sample.bytes.length];
      const unitEnd = (offset: number): number => ends[sample.boundaries.indexOf(offset)] ?? Number.NaN;
      const wholeNonTruncation = whole.warnings;

      for (let length = 4; length < sample.bytes.length; length++) {
        const result = collectTimed(sample.bytes.subarray(0, length));
        const isBoundary = sample.boundaries.includes(length);
        const expectedPackets = whole.packets.filter((packet) => unitEnd(packet.fileOffset) <= length);
        const pendingStart = Math.max(...sample.boundaries.filter((boundary) => boundary <= length));

        expect(result.packets, `length ${length}`).toEqual(expectedPackets);
        const truncations = result.warnings.filter((warning) => warning.code === 'truncated-file');
        expect(
          truncations.map((warning) => warning.fileOffset),
          `length ${length}`,
        ).toEqual(isBoundary ? [] : [pendingStart]);
        const others = result.warnings.filter((warning) => warning.code !== 'truncated-file');
        expect(others, `length ${length}`).toEqual(
          wholeNonTruncation.filter((warning) => unitEnd(warning.fileOffset) <= length || warning.fileOffset < 24),
        );
      }
    });

    it(`rejects ${sample.name} cut below 4 bytes`, () => {
      for (let length = 0; length < 4; length++) {
        expect(() => collectCapture(sample.bytes.subarray(0, length)), `length ${length}`).toThrow(NotACaptureError);
      }
    });
  }

  it('survives random byte corruption', () => {
    const samples = [buildTwoSections().build(), buildSamplePcap()];
    let state = 0x9e3779b9;
    const nextRandom = (limit: number): number => {
      state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6b) >>> 0;
      return state % limit;
    };
    for (let iteration = 0; iteration < 600; iteration++) {
      const sample = samples[iteration % samples.length] ?? new Uint8Array(0);
      const corrupted = Uint8Array.from(sample);
      // Keep the magic number so the input stays a capture; change 1 to 8 later bytes.
      const changes = 1 + nextRandom(8);
      for (let change = 0; change < changes; change++) {
        corrupted[4 + nextRandom(corrupted.length - 4)] = nextRandom(256);
      }
      const result = collectTimed(corrupted, 1 + nextRandom(64));
      expect(result.packets.length).toBeLessThanOrEqual(8);
    }
  });
});
