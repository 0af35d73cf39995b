import { describe, expect, it } from 'vitest';

import {
  BLOCK_TYPE,
  encodeInterfaceDescription,
  encodeInterfaceStatistics,
  encodeSectionHeader,
  getEnhancedPacketLength,
  splitTicks,
  writeEnhancedPacket,
} from '../../src/main/capture/pcapng-blocks';
import { collectCapture } from '../engine/source/collect-capture';

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Options of a block as [code, value bytes] from `start` to the trailing length. */
function readOptions(block: Uint8Array, start: number): [number, Uint8Array][] {
  const options: [number, Uint8Array][] = [];
  const data = view(block);
  let offset = start;
  while (offset + 4 <= block.length - 4) {
    const code = data.getUint16(offset, true);
    const length = data.getUint16(offset + 2, true);
    if (code === 0) break;
    options.push([code, block.subarray(offset + 4, offset + 4 + length)]);
    offset += 4 + ((length + 3) & ~3);
  }
  return options;
}

function readUint64(bytes: Uint8Array): number {
  return view(bytes).getUint32(0, true) + view(bytes).getUint32(4, true) * 2 ** 32;
}

describe('splitTicks', () => {
  it.each([
    [0, 0, 9],
    [1, 999_999_999, 9],
    [1_796_422_561, 553_894_097, 9],
    [2 ** 32 - 1, 999_999_999, 9],
    [1_796_422_561, 999_999, 6],
    [2 ** 32 - 1, 999_999, 6],
  ] as const)('splits %d s + %d exactly (10^-%d)', (seconds, fraction, digits) => {
    const ticks = splitTicks({ seconds, fraction }, digits);
    const expected = BigInt(seconds) * 10n ** BigInt(digits) + BigInt(fraction);
    expect(BigInt(ticks.high) * 2n ** 32n + BigInt(ticks.low)).toBe(expected);
    expect(ticks.low).toBeLessThan(2 ** 32);
  });
});

describe('pcapng blocks', () => {
  it('writes a section header with unknown length', () => {
    const block = encodeSectionHeader({ userApplication: 'Tideline' });
    const data = view(block);
    expect(data.getUint32(0, true)).toBe(BLOCK_TYPE.SECTION_HEADER);
    expect(data.getUint32(4, true)).toBe(block.length);
    expect(data.getUint32(block.length - 4, true)).toBe(block.length);
    expect(data.getUint32(8, true)).toBe(0x1a2b3c4d);
    expect(data.getUint16(12, true)).toBe(1);
    expect(data.getInt32(16, true)).toBe(-1);
    expect(data.getInt32(20, true)).toBe(-1);
    const options = readOptions(block, 24);
    expect(options.map(([code]) => code)).toEqual([4]);
    expect(Buffer.from(options[0]?.[1] ?? []).toString()).toBe('Tideline');
  });

  it('writes if_tsresol 9 and the filter', () => {
    const block = encodeInterfaceDescription({ linkType: 1, snaplen: 65535, name: 'eth0', timestampResolutionDigits: 9, filter: 'tcp' });
    const data = view(block);
    expect(data.getUint32(0, true)).toBe(BLOCK_TYPE.INTERFACE_DESCRIPTION);
    expect(data.getUint16(8, true)).toBe(1);
    expect(data.getUint32(12, true)).toBe(65535);
    const options = new Map(readOptions(block, 16));
    expect([...(options.get(9) ?? [])]).toEqual([9]);
    expect(Buffer.from(options.get(2) ?? []).toString()).toBe('eth0');
    // if_filter: type byte 0 (libpcap string), then the text.
    expect([...(options.get(11) ?? [])]).toEqual([0, ...Buffer.from('tcp')]);
  });

  it('writes statistics as 64-bit counts', () => {
    const block = encodeInterfaceStatistics(
      { interfaceId: 0, timestamp: { seconds: 10, fraction: 5 }, received: 2 ** 32 + 7, droppedByKernel: 3, droppedByInterface: 1, delivered: 9 },
      9,
    );
    expect(view(block).getUint32(0, true)).toBe(BLOCK_TYPE.INTERFACE_STATISTICS);
    expect(view(block).getUint32(16, true)).toBe(Number((10n * 10n ** 9n + 5n) & 0xffffffffn));
    expect(view(block).getUint32(12, true)).toBe(Number((10n * 10n ** 9n + 5n) >> 32n));
    const options = new Map(readOptions(block, 20));
    expect(readUint64(options.get(4) ?? new Uint8Array(8))).toBe(2 ** 32 + 7);
    expect(readUint64(options.get(5) ?? new Uint8Array(8))).toBe(1);
    expect(readUint64(options.get(7) ?? new Uint8Array(8))).toBe(3);
    expect(readUint64(options.get(8) ?? new Uint8Array(8))).toBe(9);
  });

  it('round-trips packets through the engine reader', () => {
    const first = Uint8Array.from([1, 2, 3, 4, 5]);
    const second = Uint8Array.from([9, 8, 7]);
    const packets = new Uint8Array(getEnhancedPacketLength(first.length) + getEnhancedPacketLength(second.length));
    let offset = writeEnhancedPacket(packets, 0, 0, { seconds: 1_796_422_561, fraction: 553_894_097 }, 9, first, 60);
    offset = writeEnhancedPacket(packets, offset, 0, { seconds: 1_796_422_562, fraction: 1 }, 9, second, 3);
    expect(offset).toBe(packets.length);
    const file = Buffer.concat([
      encodeSectionHeader({}),
      encodeInterfaceDescription({ linkType: 1, snaplen: 262144, timestampResolutionDigits: 9 }),
      packets,
      encodeInterfaceStatistics({ interfaceId: 0, timestamp: { seconds: 1_796_422_563, fraction: 0 }, received: 2 }, 9),
    ]);

    const collected = collectCapture(file);
    expect(collected.warnings).toEqual([]);
    expect(collected.packets.map((packet) => [packet.timestampUs, packet.timestampNsRemainder, packet.capturedLength, packet.originalLength, packet.dataHex])).toEqual([
      [1_796_422_561_553_894, 97, 5, 60, '0102030405'],
      [1_796_422_562_000_000, 1, 3, 3, '090807'],
    ]);
  });
});
