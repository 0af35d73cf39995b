import { describe, expect, it } from 'vitest';
import { convertTicks, createTickScaleFromResolution } from '../../../src/main/engine/source/capture-timestamp';

/** Reference conversion in BigInt: floor(ticks * 1e9 / rate) nanoseconds plus the offset. */
function referenceNanoseconds(ticks: bigint, ticksPerSecond: bigint, offsetSeconds: bigint): bigint {
  return (ticks * 1_000_000_000n) / ticksPerSecond + offsetSeconds * 1_000_000_000n;
}

function convert(
  ticks: bigint,
  resolution: number,
  offsetSeconds = 0,
): { timestampUs: number; timestampNsRemainder: number; isExact: boolean } {
  const out = { timestampUs: 0, timestampNsRemainder: 0 };
  const scale = createTickScaleFromResolution(resolution, offsetSeconds);
  const isExact = convertTicks(Number(ticks >> 32n), Number(ticks & 0xffffffffn), scale, out);
  return { ...out, isExact };
}

const cases: { name: string; resolution: number; ticksPerSecond: bigint; ticks: bigint; offset?: bigint }[] = [
  { name: 'microseconds', resolution: 6, ticksPerSecond: 1_000_000n, ticks: 1_700_000_000_123_456n },
  // 1.7e18 ticks is above 2^53, so this takes the long-division path.
  { name: 'nanoseconds past 2^53', resolution: 9, ticksPerSecond: 1_000_000_000n, ticks: 1_700_000_000_123_456_789n },
  {
    name: 'nanoseconds ending in 999',
    resolution: 9,
    ticksPerSecond: 1_000_000_000n,
    ticks: 1_712_345_678_999_999_999n,
  },
  { name: 'milliseconds', resolution: 3, ticksPerSecond: 1000n, ticks: 1_700_000_000_123n },
  { name: 'seconds', resolution: 0, ticksPerSecond: 1n, ticks: 1_700_000_000n },
  {
    name: 'picoseconds',
    resolution: 12,
    ticksPerSecond: 1_000_000_000_000n,
    ticks: 1_700_000_000_123_456_789_012n & 0xffffffffffffffffn,
  },
  {
    name: 'tenths of nanoseconds',
    resolution: 10,
    ticksPerSecond: 10_000_000_000n,
    ticks: 17_000_000_001_234_567_891n,
  },
  { name: '2^-8 seconds', resolution: 0x88, ticksPerSecond: 256n, ticks: 1_700_000_000n * 256n + 255n },
  { name: '2^-20 seconds', resolution: 0x94, ticksPerSecond: 1n << 20n, ticks: (1_700_000_000n << 20n) + 1_048_575n },
  { name: '2^-30 seconds', resolution: 0x9e, ticksPerSecond: 1n << 30n, ticks: (1_700_000_000n << 30n) + 123_456_789n },
  { name: 'positive offset', resolution: 6, ticksPerSecond: 1_000_000n, ticks: 5_000_001n, offset: 1_700_000_000n },
  {
    name: 'negative offset',
    resolution: 9,
    ticksPerSecond: 1_000_000_000n,
    ticks: 1_700_000_000_000_000_500n,
    offset: -3600n,
  },
  { name: 'zero', resolution: 6, ticksPerSecond: 1_000_000n, ticks: 0n },
  {
    name: 'high word just past 2^20',
    resolution: 9,
    ticksPerSecond: 1_000_000_000n,
    ticks: (0x100000n << 32n) | 0xffffffffn,
  },
];

describe('convertTicks', () => {
  for (const testCase of cases) {
    it(`converts ${testCase.name} exactly`, () => {
      const offset = testCase.offset ?? 0n;
      const expected = referenceNanoseconds(testCase.ticks, testCase.ticksPerSecond, offset);
      const result = convert(testCase.ticks, testCase.resolution, Number(offset));

      expect(result.isExact).toBe(true);
      expect(BigInt(result.timestampUs) * 1000n + BigInt(result.timestampNsRemainder)).toBe(expected);
      expect(result.timestampNsRemainder).toBeGreaterThanOrEqual(0);
      expect(result.timestampNsRemainder).toBeLessThan(1000);
    });
  }

  it('matches BigInt over random nanosecond ticks', () => {
    let state = 0x12345678;
    const nextWord = (): number => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state;
    };
    for (let iteration = 0; iteration < 2000; iteration++) {
      // High words up to 0x1c000000 keep the result below 2^53 microseconds.
      const ticks = (BigInt(nextWord() % 0x1c000000) << 32n) | BigInt(nextWord());
      const result = convert(ticks, 9);
      expect(BigInt(result.timestampUs) * 1000n + BigInt(result.timestampNsRemainder)).toBe(ticks);
    }
  });

  it('flags rates too fine to convert exactly', () => {
    expect(convert(1n << 40n, 15).isExact).toBe(false);
    expect(convert(1n << 40n, 0x80 | 50).isExact).toBe(false);
  });

  it('flags results past 2^53 microseconds', () => {
    expect(convert(0xffffffffffffffffn, 0).isExact).toBe(false);
  });
});
