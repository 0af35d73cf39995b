import { describe, expect, it } from 'vitest';
import { CaptureStreamParser } from '../../../src/main/engine/source/capture-stream-parser';
import { NotACaptureError } from '../../../src/main/engine/source/capture-file-error';
import {
  buildPcap,
  buildPcapFileHeader,
  ByteWriter,
  concatBytes,
  pcapRecordOffsets,
  type BuildPcapOptions,
} from '../../support/capture-writer';
import { collectCapture, toHex } from './collect-capture';

const frameA = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x01]);
const frameB = Uint8Array.from({ length: 60 }, (_, index) => index);

function twoPacketFile(overrides: Partial<BuildPcapOptions>): BuildPcapOptions {
  return {
    linkType: 1,
    snaplen: 65535,
    packets: [
      { timestampUs: 1_700_000_000_123_456, timestampNs: 789, data: frameA, originalLength: 1514 },
      { timestampUs: 1_700_000_001_000_001, timestampNs: 1, data: frameB },
    ],
    ...overrides,
  };
}

describe('pcap reader', () => {
  for (const byteOrder of ['little', 'big'] as const) {
    it(`reads microsecond ${byteOrder}-endian records`, () => {
      const options = twoPacketFile({ byteOrder, resolution: 'us' });
      const result = collectCapture(buildPcap(options));

      expect(result.format).toBe('pcap');
      expect(result.warnings).toEqual([]);
      expect(result.packets).toEqual([
        {
          packetNumber: 1,
          fileOffset: 24,
          timestampUs: 1_700_000_000_123_456,
          timestampNsRemainder: 0,
          capturedLength: 5,
          originalLength: 1514,
          linkType: 1,
          interfaceId: 0,
          dataHex: 'deadbeef01',
          isTimestampMissing: false,
        },
        {
          packetNumber: 2,
          fileOffset: 24 + 16 + 5,
          timestampUs: 1_700_000_001_000_001,
          timestampNsRemainder: 0,
          capturedLength: 60,
          originalLength: 60,
          linkType: 1,
          interfaceId: 0,
          dataHex: toHex(frameB),
          isTimestampMissing: false,
        },
      ]);
      expect(result.bytesConsumed).toBe(24 + 16 + 5 + 16 + 60);
    });

    it(`reads nanosecond ${byteOrder}-endian timestamps exactly`, () => {
      const options = twoPacketFile({ byteOrder, resolution: 'ns' });
      const result = collectCapture(buildPcap(options));

      expect(result.packets.map((packet) => [packet.timestampUs, packet.timestampNsRemainder])).toEqual([
        [1_700_000_000_123_456, 789],
        [1_700_000_001_000_001, 1],
      ]);
      expect(result.interfaces[0]?.ticksPerSecond).toBe(1e9);
    });
  }

  it('describes the single interface from the header', () => {
    const result = collectCapture(buildPcap({ linkType: 113, snaplen: 1500, packets: [] }));

    expect(result.interfaces).toEqual([
      {
        globalId: 0,
        sectionIndex: 0,
        interfaceId: 0,
        linkType: 113,
        snaplen: 1500,
        ticksPerSecond: 1e6,
        timestampOffsetSeconds: 0,
        name: null,
        description: null,
        filter: null,
        os: null,
      },
    ]);
    expect(result.packets).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('masks FCS bits out of the link type', () => {
    // F bit (0x04000000) set and FCS length 2 sixteen-bit words (0x2 << 28) on Ethernet.
    const linkTypeField = (0x2 << 28) | 0x04000000 | 1;
    const result = collectCapture(
      buildPcap({ linkType: linkTypeField >>> 0, packets: [{ timestampUs: 0, data: frameA }] }),
    );

    expect(result.interfaces[0]?.linkType).toBe(1);
    expect(result.interfaces[0]?.fcsLengthBytes).toBe(4);
    expect(result.packets[0]?.linkType).toBe(1);
    expect(result.warnings).toEqual([]);
  });

  it('warns on reserved link-type bits', () => {
    const result = collectCapture(buildPcap({ linkType: 0x00300001, packets: [{ timestampUs: 0, data: frameA }] }));

    expect(result.warnings.map((warning) => [warning.code, warning.fileOffset])).toEqual([['invalid-option', 20]]);
    expect(result.warnings[0]?.message).toContain('0x00300001');
    expect(result.packets[0]?.linkType).toBe(1);
  });

  it('stops at an unknown major version', () => {
    const result = collectCapture(buildPcap({ versionMajor: 1, packets: [{ timestampUs: 0, data: frameA }] }));

    expect(result.packets).toEqual([]);
    expect(result.warnings.map((warning) => [warning.code, warning.fileOffset])).toEqual([['unsupported-block', 0]]);
    expect(result.warnings[0]?.message).toContain('version 1.4');
  });

  it('reads caplen above snaplen with a warning', () => {
    const result = collectCapture(buildPcap({ snaplen: 40, packets: [{ timestampUs: 5, data: frameB }] }));

    expect(result.packets.map((packet) => packet.capturedLength)).toEqual([60]);
    expect(result.warnings).toEqual([
      {
        code: 'captured-length-exceeds-snaplen',
        fileOffset: 24,
        packetNumber: 1,
        message: expect.stringContaining("60 captured bytes, more than the file's snaplen of 40") as string,
      },
    ]);
  });

  it('reads caplen above origlen with a warning', () => {
    const result = collectCapture(buildPcap({ packets: [{ timestampUs: 5, data: frameB, originalLength: 10 }] }));

    expect(result.packets.length).toBe(1);
    expect(result.warnings.map((warning) => [warning.code, warning.packetNumber])).toEqual([
      ['captured-length-exceeds-original', 1],
    ]);
  });

  it('stops at caplen above the cap', () => {
    const options: BuildPcapOptions = {
      packets: [
        { timestampUs: 1, data: frameA },
        { timestampUs: 2, data: frameA, capturedLength: 262_145 },
        { timestampUs: 3, data: frameA },
      ],
    };
    const result = collectCapture(buildPcap(options));
    const offsets = pcapRecordOffsets(options);

    expect(result.packets.map((packet) => packet.packetNumber)).toEqual([1]);
    expect(result.warnings.map((warning) => [warning.code, warning.fileOffset, warning.packetNumber])).toEqual([
      ['captured-length-too-large', offsets[1], 2],
    ]);
    expect(result.bytesConsumed).toBe(offsets[1]);
  });

  it('warns on a fraction past one second', () => {
    const result = collectCapture(
      buildPcap({ packets: [{ timestampUs: 2_000_000, rawFraction: 1_500_000, data: frameA }] }),
    );

    expect(result.packets[0]?.timestampUs).toBe(3_500_000);
    expect(result.warnings.map((warning) => [warning.code, warning.fileOffset])).toEqual([['invalid-timestamp', 28]]);
  });

  it('reports a cut-off record once', () => {
    const whole = buildPcap(twoPacketFile({}));
    const cut = whole.subarray(0, whole.length - 7);
    const result = collectCapture(cut);

    expect(result.packets.map((packet) => packet.packetNumber)).toEqual([1]);
    expect(result.warnings).toEqual([
      {
        code: 'truncated-file',
        fileOffset: 45,
        packetNumber: 2,
        message: expect.stringContaining('at byte offset 45: 69 of 76 bytes present') as string,
      },
    ]);
  });

  it('reads a header-only file as empty', () => {
    const result = collectCapture(buildPcapFileHeader({}));

    expect(result.packets).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.bytesConsumed).toBe(24);
  });

  it('reads a zero-length record', () => {
    const bytes = concatBytes([
      buildPcap({ packets: [{ timestampUs: 9, data: new Uint8Array(0), originalLength: 0 }] }),
    ]);
    const result = collectCapture(bytes);

    expect(result.packets.map((packet) => [packet.capturedLength, packet.dataHex])).toEqual([[0, '']]);
    expect(result.warnings).toEqual([]);
  });

  it('reads the modified pcap variant', () => {
    // Magic a1b2cd34 (patched libpcap): each record header has 8 more bytes after orig_len.
    const writer = new ByteWriter('little');
    writer.u32(0xa1b2cd34).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(1); // file header
    writer.u32(1_600_000_000).u32(250_000).u32(5).u32(64); // ts_sec, ts_usec, incl_len, orig_len
    writer.u32(2).u16(0x0800).u8(0).u8(0); // ifindex, protocol, packet type, padding
    writer.raw(frameA); // packet bytes
    const result = collectCapture(writer.toBytes());

    expect(
      result.packets.map((packet) => [
        packet.fileOffset,
        packet.timestampUs,
        packet.capturedLength,
        packet.originalLength,
        packet.dataHex,
      ]),
    ).toEqual([[24, 1_600_000_000_250_000, 5, 64, 'deadbeef01']]);
    expect(result.warnings).toEqual([]);
  });

  it('rejects non-capture bytes fed one at a time', () => {
    const parser = new CaptureStreamParser(
      { onPacket: () => undefined, onWarning: () => undefined },
      { sourceName: 'image.png' },
    );
    const png = concatBytes([Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), new Uint8Array(100)]);
    let thrown: unknown = null;
    let fedBytes = 0;
    for (const byte of png) {
      try {
        parser.push(Uint8Array.of(byte));
      } catch (error) {
        thrown = error;
        break;
      }
      fedBytes += 1;
    }

    // The parser waits for a 64-byte sample before it names the format.
    expect(fedBytes).toBe(63);
    expect(thrown).toBeInstanceOf(NotACaptureError);
    expect((thrown as NotACaptureError).message).toContain(
      'image.png is not a pcap or pcapng capture: it looks like a PNG image.',
    );
    expect((thrown as NotACaptureError).message).toContain('First bytes: 89 50 4e 47 0d 0a 1a 0a 00');
  });
});
