import { describe, expect, it } from 'vitest';

import { type BatchReadOptions, createLivePacketRecord, readPacketBatch } from '../../src/main/capture/packet-batch';
import { encodeBatch } from './fake-capture-addon';

const NANOSECOND: BatchReadOptions = { linkType: 1, isNanosecond: true, isLittleEndian: true, snaplen: 262144 };

function readAll(batch: Uint8Array, count: number, options = NANOSECOND) {
  const seen: { packetNumber: number; offset: number; timestampUs: number; ns: number; captured: number; original: number; hex: string }[] = [];
  const result = readPacketBatch(batch, count, 11, options, createLivePacketRecord(), (record) => {
    seen.push({
      packetNumber: record.packetNumber,
      offset: record.fileOffset,
      timestampUs: record.timestampUs,
      ns: record.timestampNsRemainder,
      captured: record.capturedLength,
      original: record.originalLength,
      hex: Buffer.from(record.data).toString('hex'),
    });
  });
  return { ...result, seen };
}

describe('readPacketBatch', () => {
  it('reads padded records with nanosecond times', () => {
    const batch = encodeBatch([
      { seconds: 1_796_422_561, fraction: 553_894_097, data: Uint8Array.from([1, 2, 3, 4, 5]), originalLength: 1514 },
      { seconds: 1_796_422_562, fraction: 7, data: Uint8Array.from([6, 7, 8, 9]) },
    ]);
    // 16 + 8 (5 bytes padded to 8), then 16 + 4.
    expect(batch.length).toBe(44);
    const { packets, problem, seen } = readAll(batch, 2);
    expect(problem).toBeNull();
    expect(packets).toBe(2);
    expect(seen).toEqual([
      { packetNumber: 11, offset: 0, timestampUs: 1_796_422_561_553_894, ns: 97, captured: 5, original: 1514, hex: '0102030405' },
      { packetNumber: 12, offset: 24, timestampUs: 1_796_422_562_000_000, ns: 7, captured: 4, original: 4, hex: '06070809' },
    ]);
  });

  it('reads microsecond fractions', () => {
    const batch = encodeBatch([{ seconds: 100, fraction: 999_999, data: Uint8Array.from([1]) }]);
    const { seen } = readAll(batch, 1, { ...NANOSECOND, isNanosecond: false });
    expect(seen[0]?.timestampUs).toBe(100_999_999);
    expect(seen[0]?.ns).toBe(0);
  });

  it('reads an empty packet', () => {
    const { seen, problem } = readAll(encodeBatch([{ seconds: 1, fraction: 0, data: new Uint8Array(0), originalLength: 60 }]), 1);
    expect(problem).toBeNull();
    expect(seen[0]?.captured).toBe(0);
    expect(seen[0]?.original).toBe(60);
  });

  // Each case damages one field of a valid two-packet batch; the first record must still be delivered.
  const valid = encodeBatch([
    { seconds: 1, fraction: 0, data: Uint8Array.from([1, 2, 3, 4]) },
    { seconds: 2, fraction: 0, data: Uint8Array.from([5, 6, 7, 8]), originalLength: 100 },
  ]);
  const hostile: [string, (batch: Buffer) => Uint8Array, number, string][] = [
    ['second header cut', (batch) => batch.subarray(0, 20 + 10), 20, 'record header needs 16 bytes, found 10'],
    ['second packet bytes cut', (batch) => batch.subarray(0, 20 + 16 + 2), 20, 'captured length 4 exceeds the 2 bytes left in the batch'],
    ['captured length above original', (batch) => (batch.writeUInt32LE(3, 20 + 12), batch), 20, 'captured length 4 exceeds snaplen 262144 or original length 3'],
    ['captured length huge', (batch) => (batch.writeUInt32LE(0xffffffff, 20 + 8), batch), 20, 'captured length 4294967295 exceeds the 4 bytes left in the batch'],
    ['count larger than the records', (batch) => batch, 40, 'record header needs 16 bytes, found 0'],
  ];
  it.each(hostile)('stops at %s', (_name, damage, byteOffset, message) => {
    const batch = damage(Buffer.from(valid));
    const count = byteOffset === 40 ? 3 : 2;
    const { packets, problem, seen } = readAll(batch, count);
    expect(seen[0]?.hex).toBe('01020304');
    expect(packets).toBe(count === 3 ? 2 : 1);
    expect(problem).toEqual({ byteOffset, message });
  });

  it('rejects captured length above snaplen', () => {
    const { packets, problem } = readAll(valid, 2, { ...NANOSECOND, snaplen: 3 });
    expect(packets).toBe(0);
    expect(problem?.message).toBe('captured length 4 exceeds snaplen 3 or original length 4');
  });
});
