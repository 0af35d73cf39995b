import type { NetworkLayer } from '../decode/decoded-packet';
import { areBytesEqual, hashBytes } from './flow-key';
import type { FlowState } from './flow-state';

/** Key: IP version, protocol, fragment id (4), source (16), destination (16). */
const FRAGMENT_KEY_LENGTH = 38;
/** Most datagrams remembered at once; the oldest is forgotten first. */
const MAX_ENTRIES = 4096;
/** How long later fragments may follow the first one (Zeek's default frag_timeout is of this order). */
const ENTRY_LIFETIME_US = 60_000_000;

interface FragmentEntry {
  keyBytes: Uint8Array;
  hash: number;
  flow: FlowState;
  createdUs: number;
  next: FragmentEntry | null;
  isRemoved: boolean;
}

/**
 * Maps (source, destination, protocol, fragment id) of a fragmented
 * datagram to the flow its first fragment joined, so later fragments, which
 * carry no ports, count toward the same flow.
 *
 * NOTE: a fragment that arrives before the first fragment of its datagram
 * joins no flow; the flow table reports it as 'fragment-without-first'.
 * Buffering such fragments until the first one arrives would lift this.
 */
export class FragmentTracker {
  private readonly buckets = new Map<number, FragmentEntry>();
  private readonly order: FragmentEntry[] = [];
  private orderStart = 0;
  private readonly scratch = new Uint8Array(FRAGMENT_KEY_LENGTH);

  remember(layer: NetworkLayer, data: Uint8Array, addressLength: number, flow: FlowState, timestampUs: number): void {
    const hash = this.writeKey(layer, data, addressLength);
    if (this.findEntry(hash) !== null) return;

    const entry: FragmentEntry = { keyBytes: this.scratch.slice(), hash, flow, createdUs: timestampUs, next: this.buckets.get(hash) ?? null, isRemoved: false };
    this.buckets.set(hash, entry);
    this.order.push(entry);
    if (this.order.length - this.orderStart > MAX_ENTRIES) this.removeOldest();
  }

  find(layer: NetworkLayer, data: Uint8Array, addressLength: number): FlowState | null {
    const hash = this.writeKey(layer, data, addressLength);
    return this.findEntry(hash)?.flow ?? null;
  }

  expire(timestampUs: number): void {
    while (this.orderStart < this.order.length) {
      const oldest = this.order[this.orderStart];
      if (oldest === undefined || oldest.createdUs + ENTRY_LIFETIME_US >= timestampUs) break;
      this.removeOldest();
    }
  }

  clear(): void {
    this.buckets.clear();
    this.order.length = 0;
    this.orderStart = 0;
  }

  private removeOldest(): void {
    const entry = this.order[this.orderStart];
    this.orderStart++;
    if (this.orderStart > 1024 && this.orderStart * 2 > this.order.length) {
      this.order.splice(0, this.orderStart);
      this.orderStart = 0;
    }
    if (entry === undefined || entry.isRemoved) return;
    entry.isRemoved = true;

    const head = this.buckets.get(entry.hash) ?? null;
    if (head === entry) {
      if (entry.next === null) this.buckets.delete(entry.hash);
      else this.buckets.set(entry.hash, entry.next);
      return;
    }
    let previous = head;
    while (previous !== null && previous.next !== entry) previous = previous.next;
    if (previous !== null) previous.next = entry.next;
  }

  private findEntry(hash: number): FragmentEntry | null {
    let entry = this.buckets.get(hash) ?? null;
    while (entry !== null && !areBytesEqual(entry.keyBytes, this.scratch, FRAGMENT_KEY_LENGTH)) entry = entry.next;
    return entry;
  }

  private writeKey(layer: NetworkLayer, data: Uint8Array, addressLength: number): number {
    const key = this.scratch;
    key.fill(0);
    key[0] = layer.ipVersion;
    key[1] = layer.protocol;
    key[2] = (layer.fragmentId >>> 24) & 0xff;
    key[3] = (layer.fragmentId >>> 16) & 0xff;
    key[4] = (layer.fragmentId >>> 8) & 0xff;
    key[5] = layer.fragmentId & 0xff;
    for (let i = 0; i < addressLength; i++) {
      key[6 + i] = data[layer.sourceAddressOffset + i] ?? 0;
      key[22 + i] = data[layer.destinationAddressOffset + i] ?? 0;
    }
    return hashBytes(key, FRAGMENT_KEY_LENGTH);
  }
}
