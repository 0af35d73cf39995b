import type { NetworkLayer } from '../decode/decoded-packet';
import { areBytesEqual, hashBytes } from './flow-key';
import type { FlowState } from './flow-state';

/** Key: IP version, protocol, fragment id (4), source (16), destination (16). */
const FRAGMENT_KEY_LENGTH = 38;
/** Offsets of the source and destination addresses in `FragmentEntry.keyBytes`. */
export const FRAGMENT_KEY_SOURCE = 6;
export const FRAGMENT_KEY_DESTINATION = 22;
/** Most datagrams remembered at once; the oldest is forgotten first. */
const MAX_ENTRIES = 4096;
/** How long later fragments may follow the first one (Zeek's default frag_timeout is of this order). */
const ENTRY_LIFETIME_US = 60_000_000;

export interface FragmentEntry {
  keyBytes: Uint8Array;
  hash: number;
  /** Flow of the datagram's first fragment, or null while only later fragments were seen. */
  flow: FlowState | null;
  createdUs: number;
  next: FragmentEntry | null;
  isRemoved: boolean;
  /** Later fragments held until the first fragment names their flow. */
  heldPackets: number;
  heldIpBytes: number;
  heldPayloadBytes: number;
  /** Packet number and file offset of the first held fragment, for the problem report. */
  heldPacketNumber: number;
  heldFileOffset: number;
  /** Timestamps of the first and last held fragment, and the last one's packet number. */
  heldFirstUs: number;
  heldLastUs: number;
  heldLastPacketNumber: number;
}

/**
 * Receives fragments whose first fragment never came. The key bytes hold
 * the addresses: source at FRAGMENT_KEY_SOURCE, destination at
 * FRAGMENT_KEY_DESTINATION.
 */
export type OrphanFragmentsHandler = (entry: FragmentEntry) => void;

/**
 * Maps (source, destination, protocol, fragment id) of a fragmented
 * datagram to the flow its first fragment joined, so later fragments, which
 * carry no ports, count toward the same flow.
 *
 * Fragments that arrive before the first fragment of their datagram are
 * held as counts (packets, IP bytes, payload bytes) and added to the flow
 * when the first fragment arrives, as tshark counts them. When it never does
 * (the entry expires, is pushed out or the capture ends), they go to the
 * orphan handler. Zeek drops a datagram it cannot reassemble; the flow
 * table reports them and counts them in an IP-level flow (no ports), as
 * tshark counts them in the address pair.
 */
export class FragmentTracker {
  private readonly buckets = new Map<number, FragmentEntry>();
  private readonly order: FragmentEntry[] = [];
  private orderStart = 0;
  private readonly scratch = new Uint8Array(FRAGMENT_KEY_LENGTH);

  constructor(private readonly onOrphans: OrphanFragmentsHandler = () => {}) {}

  /**
   * Record the flow of a datagram's first fragment. Returns the entry of
   * fragments held before it (for the caller to add to the flow), or null.
   */
  remember(
    layer: NetworkLayer,
    data: Uint8Array,
    addressLength: number,
    flow: FlowState,
    timestampUs: number,
  ): FragmentEntry | null {
    const hash = this.writeKey(layer, data, addressLength);
    const existing = this.findEntry(hash);
    if (existing !== null) {
      if (existing.flow !== null) return null;
      existing.flow = flow;
      return existing.heldPackets > 0 ? existing : null;
    }
    this.addEntry(hash, flow, timestampUs);
    return null;
  }

  /** Return the entry of the datagram of a later fragment, or null when none was seen. */
  find(layer: NetworkLayer, data: Uint8Array, addressLength: number): FragmentEntry | null {
    const hash = this.writeKey(layer, data, addressLength);
    return this.findEntry(hash);
  }

  /** Hold a later fragment that arrived before its first fragment. */
  hold(
    layer: NetworkLayer,
    data: Uint8Array,
    addressLength: number,
    timestampUs: number,
    packetNumber: number,
    fileOffset: number,
  ): void {
    const hash = this.writeKey(layer, data, addressLength);
    let entry = this.findEntry(hash);
    if (entry === null) {
      entry = this.addEntry(hash, null, timestampUs);
      entry.heldPacketNumber = packetNumber;
      entry.heldFileOffset = fileOffset;
      entry.heldFirstUs = timestampUs;
    }
    if (timestampUs > entry.heldLastUs) entry.heldLastUs = timestampUs;
    entry.heldLastPacketNumber = packetNumber;
    entry.heldPackets++;
    entry.heldIpBytes += layer.ipLength;
    entry.heldPayloadBytes += layer.payloadLength;
  }

  private addEntry(hash: number, flow: FlowState | null, timestampUs: number): FragmentEntry {
    const keyBytes = new Uint8Array(FRAGMENT_KEY_LENGTH);
    keyBytes.set(this.scratch);
    const entry: FragmentEntry = {
      keyBytes,
      hash,
      flow,
      createdUs: timestampUs,
      next: this.buckets.get(hash) ?? null,
      isRemoved: false,
      heldPackets: 0,
      heldIpBytes: 0,
      heldPayloadBytes: 0,
      heldPacketNumber: 0,
      heldFileOffset: -1,
      heldFirstUs: timestampUs,
      heldLastUs: timestampUs,
      heldLastPacketNumber: 0,
    };
    this.buckets.set(hash, entry);
    this.order.push(entry);
    if (this.order.length - this.orderStart > MAX_ENTRIES) this.removeOldest();
    return entry;
  }

  expire(timestampUs: number): void {
    while (this.orderStart < this.order.length) {
      const oldest = this.order[this.orderStart];
      if (oldest === undefined || oldest.createdUs + ENTRY_LIFETIME_US >= timestampUs) break;
      this.removeOldest();
    }
  }

  /** Forget every datagram, reporting fragments still held (end of capture). */
  clear(): void {
    for (let i = this.orderStart; i < this.order.length; i++) {
      const entry = this.order[i];
      if (entry !== undefined && !entry.isRemoved && entry.flow === null && entry.heldPackets > 0)
        this.onOrphans(entry);
    }
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
    if (entry.flow === null && entry.heldPackets > 0) this.onOrphans(entry);

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
