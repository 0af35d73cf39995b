/**
 * Seeded pseudo-random numbers for the benchmark capture generator.
 *
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state)
 * seeded through splitmix32, so one 32-bit seed gives the same sequence on
 * every platform and Node version: only 32-bit integer operations are used.
 * Not for cryptography.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let state = seed >>> 0;
    const nextSplitMix = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = nextSplitMix();
    this.b = nextSplitMix();
    this.c = nextSplitMix();
    this.d = nextSplitMix();
    // The first outputs of sfc32 are weakly mixed; discard them as its author recommends.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** Returns a uniform integer in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Returns a uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Returns a uniform integer in [0, bound); `bound` is at most 2^32. */
  nextInt(bound: number): number {
    return Math.floor(this.nextFloat() * bound);
  }

  /** Returns a uniform integer in [low, high], both inclusive. */
  nextIntBetween(low: number, high: number): number {
    return low + this.nextInt(high - low + 1);
  }

  /** Returns true with probability `probability`. */
  nextBoolean(probability: number): boolean {
    return this.nextFloat() < probability;
  }

  /**
   * Returns an index in [0, count) skewed towards 0, so a few items are
   * popular and many are rare, as servers and host names are in real traffic.
   */
  nextSkewedIndex(count: number, skew = 3): number {
    return Math.min(count - 1, Math.floor(count * Math.pow(this.nextFloat(), skew)));
  }

  /** Returns an element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.nextInt(items.length)] as T;
  }

  /** Fills `target` with random bytes. */
  fillBytes(target: Uint8Array): void {
    let i = 0;
    for (; i + 4 <= target.length; i += 4) {
      const value = this.nextUint32();
      target[i] = value & 0xff;
      target[i + 1] = (value >>> 8) & 0xff;
      target[i + 2] = (value >>> 16) & 0xff;
      target[i + 3] = value >>> 24;
    }
    for (; i < target.length; i++) target[i] = this.nextUint32() & 0xff;
  }
}
