import { describe, expect, it } from 'vitest';
import { PcapngBuilder } from '../../support/capture-writer';
import { buildTwoSections, frameA, frameB } from './sample-captures';
import { collectCapture, toHex } from './collect-capture';

describe('pcapng reader', () => {
  it('reads packets across sections and byte orders', () => {
    const builder = buildTwoSections();
    const result = collectCapture(builder.build());
    const offsets = builder.blockOffsets;

    expect(result.format).toBe('pcapng');
    expect(result.warnings).toEqual([]);
    expect(result.packets).toEqual([
      {
        packetNumber: 1,
        fileOffset: offsets[3],
        timestampUs: 1_700_000_000_123_456,
        timestampNsRemainder: 0,
        capturedLength: 7,
        originalLength: 60,
        linkType: 1,
        interfaceId: 0,
        dataHex: toHex(frameA),
        isTimestampMissing: false,
      },
      {
        packetNumber: 2,
        fileOffset: offsets[4],
        timestampUs: 1_700_000_000_123_456,
        timestampNsRemainder: 789,
        capturedLength: 64,
        originalLength: 64,
        linkType: 113,
        interfaceId: 1,
        dataHex: toHex(frameB),
        isTimestampMissing: false,
      },
      {
        packetNumber: 3,
        fileOffset: offsets[13],
        // 512/1024 s past the second, plus 3600 s of if_tsoffset.
        timestampUs: 1_700_003_600_500_000,
        timestampNsRemainder: 0,
        capturedLength: 4,
        originalLength: 7,
        linkType: 101,
        interfaceId: 0,
        dataHex: '01020304',
        isTimestampMissing: false,
      },
      {
        packetNumber: 4,
        fileOffset: offsets[14],
        // 1/1024 s = 976562.5 ns, floored.
        timestampUs: 1_700_003_600_000_976,
        timestampNsRemainder: 562,
        capturedLength: 3,
        originalLength: 3,
        linkType: 101,
        interfaceId: 0,
        dataHex: '010203',
        isTimestampMissing: false,
      },
      {
        packetNumber: 5,
        fileOffset: offsets[15],
        timestampUs: 0,
        timestampNsRemainder: 0,
        // SPB: original length 10, cut to interface 0's snaplen of 4.
        capturedLength: 4,
        originalLength: 10,
        linkType: 101,
        interfaceId: 0,
        dataHex: toHex(frameB.subarray(0, 4)),
        isTimestampMissing: true,
      },
    ]);
    expect(result.bytesConsumed).toBe(builder.build().length);
  });

  it('describes interfaces with their options', () => {
    const result = collectCapture(buildTwoSections().build());

    expect(result.interfaces).toEqual([
      {
        globalId: 0,
        sectionIndex: 0,
        interfaceId: 0,
        linkType: 1,
        snaplen: 65535,
        ticksPerSecond: 1e6,
        timestampOffsetSeconds: 0,
        name: 'eth0',
        description: 'uplink',
        filter: 'tcp port 80',
        os: 'Linux 6.1',
        fcsLengthBytes: 4,
      },
      {
        globalId: 1,
        sectionIndex: 0,
        interfaceId: 1,
        linkType: 113,
        snaplen: 0,
        ticksPerSecond: 1e9,
        timestampOffsetSeconds: 0,
        name: null,
        description: null,
        filter: null,
        os: null,
      },
      {
        globalId: 2,
        sectionIndex: 1,
        interfaceId: 0,
        linkType: 101,
        snaplen: 4,
        ticksPerSecond: 1024,
        timestampOffsetSeconds: 3600,
        name: null,
        description: null,
        filter: null,
        os: null,
      },
    ]);
  });

  it('reports name resolution entries', () => {
    const result = collectCapture(buildTwoSections().build());

    expect(result.names).toEqual([
      { address: '192.0.2.1', names: ['www.example.com', 'example.com'] },
      { address: '2001:db8::2a', names: ['v6.example.com'] },
      { address: '::1', names: ['localhost'] },
    ]);
  });

  it('reports comments with packet numbers', () => {
    const builder = buildTwoSections();
    const result = collectCapture(builder.build());
    const offsets = builder.blockOffsets;

    expect(result.comments).toEqual([
      { packetNumber: null, fileOffset: offsets[0], text: 'first section' },
      { packetNumber: null, fileOffset: offsets[1], text: 'mirror port' },
      { packetNumber: 1, fileOffset: offsets[3], text: 'login' },
      { packetNumber: null, fileOffset: offsets[5], text: 'resolver cache' },
    ]);
  });

  it('warns once per unknown block type', () => {
    const builder = new PcapngBuilder()
      .sectionHeader()
      .interfaceDescription({ linkType: 1 })
      .block(0x00000077, Uint8Array.of(1, 2, 3, 4))
      .block(0x00000077, new Uint8Array(0))
      .enhancedPacket({ interfaceId: 0, ticks: 1n, data: frameA });
    const result = collectCapture(builder.build());

    expect(result.packets.map((packet) => packet.packetNumber)).toEqual([1]);
    expect(result.warnings.map((warning) => [warning.code, warning.fileOffset])).toEqual([
      ['unsupported-block', builder.blockOffsets[2]],
    ]);
  });

  it('skips an EPB of an unknown interface', () => {
    const builder = new PcapngBuilder()
      .sectionHeader()
      .interfaceDescription({ linkType: 1 })
      .enhancedPacket({ interfaceId: 3, ticks: 1n, data: frameA })
      .enhancedPacket({ interfaceId: 0, ticks: 2n, data: frameA });
    const result = collectCapture(builder.build());

    expect(result.packets.map((packet) => [packet.packetNumber, packet.fileOffset])).toEqual([
      [1, builder.blockOffsets[3]],
    ]);
    expect(result.warnings.map((warning) => [warning.code, warning.fileOffset, warning.packetNumber])).toEqual([
      ['unknown-interface', builder.blockOffsets[2], 1],
    ]);
  });

  it('resets interfaces at each section', () => {
    const builder = new PcapngBuilder()
      .sectionHeader()
      .interfaceDescription({ linkType: 1 })
      .sectionHeader({ byteOrder: 'big' })
      .enhancedPacket({ interfaceId: 0, ticks: 1n, data: frameA });
    const result = collectCapture(builder.build());

    expect(result.packets).toEqual([]);
    expect(result.warnings.map((warning) => warning.code)).toEqual(['unknown-interface']);
  });

  it('stops at an unknown section version', () => {
    const builder = new PcapngBuilder()
      .sectionHeader({ versionMajor: 2 })
      .interfaceDescription({ linkType: 1 })
      .enhancedPacket({ interfaceId: 0, ticks: 1n, data: frameA });
    const result = collectCapture(builder.build());

    expect(result.packets).toEqual([]);
    expect(result.warnings.map((warning) => [warning.code, warning.fileOffset])).toEqual([['unsupported-block', 0]]);
  });

  it('skips a packet above the cap', () => {
    const big = new Uint8Array(262_145);
    const builder = new PcapngBuilder()
      .sectionHeader()
      .interfaceDescription({ linkType: 1 })
      .enhancedPacket({ interfaceId: 0, ticks: 1n, data: big })
      .enhancedPacket({ interfaceId: 0, ticks: 2n, data: frameA });
    const result = collectCapture(builder.build());

    expect(result.packets.map((packet) => [packet.packetNumber, packet.timestampUs])).toEqual([[1, 2]]);
    expect(result.warnings.map((warning) => [warning.code, warning.fileOffset])).toEqual([
      ['captured-length-too-large', builder.blockOffsets[2]],
    ]);
  });
});
