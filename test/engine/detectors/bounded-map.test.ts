import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../../src/main/engine/detectors/bounded-map';

describe('BoundedMap', () => {
  it('evicts the oldest keys in a batch', () => {
    // Capacity 128: a full map loses 128 / 64 = 2 keys, the two touched longest ago.
    const map = new BoundedMap<number, number>(128);
    for (let key = 0; key < 128; key++) map.getOrCreate(key, () => key);
    map.touch(0);
    map.getOrCreate(1000, () => 1000);
    expect(map.size).toBe(127);
    expect(map.evictions).toBe(2);
    expect(map.get(0)).toBe(0);
    expect(map.get(1)).toBeUndefined();
    expect(map.get(2)).toBeUndefined();
    expect(map.get(3)).toBe(3);
  });

  it('never grows past its capacity', () => {
    const map = new BoundedMap<number, number>(1000);
    for (let key = 0; key < 50_000; key++) map.getOrCreate(key, () => key);
    expect(map.size).toBeLessThanOrEqual(1000);
    expect(map.evictions).toBe(50_000 - map.size);
    expect(map.get(49_999)).toBe(49_999);
  });
});
