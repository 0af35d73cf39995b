/**
 * A Map with a fixed number of keys: when full, adding a key evicts the keys
 * touched longest ago and counts the evictions, so a detector's state stays
 * bounded on any capture and the loss is visible in its statistics.
 *
 * Eviction removes a batch (1/64 of the capacity) at a time. Removing one key
 * per insertion made every insertion walk the holes that earlier deletions
 * leave at the front of V8's ordered hash table, which is O(size) each.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();
  /** Keys evicted so far. */
  evictions = 0;

  constructor(private readonly maxKeys: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Return the value for `key`, created by `create` when absent (which may evict the oldest key). */
  getOrCreate(key: K, create: () => V): V {
    const existing = this.entries.get(key);
    if (existing !== undefined) return existing;
    if (this.entries.size >= this.maxKeys) this.evictOldest(Math.max(1, Math.floor(this.maxKeys / 64)));
    const value = create();
    this.entries.set(key, value);
    return value;
  }

  private evictOldest(count: number): void {
    let left = count;
    for (const key of this.entries.keys()) {
      if (left === 0) break;
      this.entries.delete(key);
      this.evictions++;
      left--;
    }
  }

  /** Mark `key` as recently used so eviction takes others first. */
  touch(key: K): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.entries.set(key, value);
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries[Symbol.iterator]();
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }
}

/**
 * Append to a list kept at most `max` long: past the cap, every second item
 * is dropped and only every `stride`-th new item is kept, so the list stays a
 * spread-out sample of the whole sequence. `state` starts as { stride: 1, seen: 0 }.
 */
export function pushSampled<T>(list: T[], item: T, max: number, state: { stride: number; seen: number }): void {
  state.seen++;
  if ((state.seen - 1) % state.stride !== 0) return;
  list.push(item);
  if (list.length <= max) return;
  let write = 0;
  for (let read = 0; read < list.length; read += 2) list[write++] = list[read] as T;
  list.length = write;
  state.stride *= 2;
}
