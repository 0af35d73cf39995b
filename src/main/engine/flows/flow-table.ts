import type { DecodedPacket, NetworkLayer } from '../decode/decoded-packet';
import type { FlowRecord, TransportName } from '../../../shared/domain/flow';
import {
  FLOW_KEY_WORDS,
  IP_ONLY_KEY_KIND,
  KeyDirection,
  type KeyDirectionValue,
  endpointWordOf,
  hashFlowKey,
  isAddressAt,
  writeFlowKey,
} from './flow-key';
import { FlowState, HistoryMask, KEY_ENDPOINT_A } from './flow-state';
import { type FlowTimeouts, resolveFlowTimeouts } from './flow-timeouts';
import { getIcmpCounterpartType } from './icmp-counterpart';
import { isLikelyServerPort } from './likely-server-ports';
import { type TcpSegment, trackTcpSegment } from './tcp-tracking';
import { type TcpEndpoint, TcpEndpointState } from './tcp-endpoint';
import { buildFlowRecord } from './flow-record';
import { FRAGMENT_KEY_DESTINATION, FRAGMENT_KEY_SOURCE, FragmentTracker } from './fragment-tracker';
import type { FlowHandle, FlowPacketEvent } from './flow-hooks';
import { createNetworkLayer } from '../decode/decoded-packet';

/** Width of one timer-wheel slot in capture time; sweeps run at most once per slot. */
const SLOT_WIDTH_US = 1_000_000;
/** Slots in the wheel, a power of two above the longest default timeout in seconds (TCP, 300 s). */
const SLOT_COUNT = 1024;
const SLOT_MASK = SLOT_COUNT - 1;
/** Hash buckets at the start; the array doubles when the flows outnumber the buckets. */
const INITIAL_BUCKET_COUNT = 4096;

/** Reason code for a network layer that joined no transport flow (it is counted in an IP-level flow instead). */
export type FlowProblemCode = 'missing-transport-header' | 'fragment-without-first';

export interface FlowTableOptions {
  timeouts?: Partial<FlowTimeouts>;
  /** Receives each flow as it leaves the table (finished, timed out, or flushed at the end). */
  onFlow(flow: FlowRecord): void;
  /**
   * Receives each layer that could not be assigned to a flow. Most problems
   * belong to the packet being added. Fragments whose first fragment never
   * came are reported later, when the table gives them up, so `heldFragments`
   * names the first of them (packet number, file offset) and their count.
   */
  onProblem?(
    code: FlowProblemCode,
    layerIndex: number,
    heldFragments?: { packetNumber: number; fileOffset: number; packets: number },
  ): void;
  /**
   * Called once for every network layer that joined a flow, after the table
   * counted it, with one reused event object (see flow-hooks.ts).
   */
  onFlowPacket?(event: FlowPacketEvent): void;
  /** Called once per flow just before its FlowRecord is built; `service` is read from the handle afterwards. */
  onFlowEnd?(flow: FlowHandle): void;
}

/**
 * Bidirectional flow table with Zeek conn.log semantics. Feed it decoded
 * packets in capture order; finished and timed-out flows leave through
 * `onFlow` as they end, so memory follows the number of active flows.
 *
 * Expiry uses a timer wheel on the packet clock: each flow sits in the slot
 * of the second in which its deadline falls and moves (O(1)) when a packet
 * changes the deadline. A sweep, at most once per capture second, visits
 * only the slots whose second has passed, so its cost follows the flows that
 * expire, not the flows that are active. Flows leave in slot order, then in
 * the order they entered the slot, which is the same on every run.
 */
export class FlowTable {
  readonly timeouts: FlowTimeouts;
  private readonly onFlow: (flow: FlowRecord) => void;
  private readonly onProblem: FlowTableOptions['onProblem'];
  private readonly onFlowPacket: ((event: FlowPacketEvent) => void) | undefined;
  private readonly onFlowEnd: ((flow: FlowHandle) => void) | undefined;
  private readonly packetEvent: FlowPacketEvent;
  /** Hash buckets (chained through FlowState.nextInBucket); the length is a power of two. */
  private buckets: (FlowState | null)[] = new Array<FlowState | null>(INITIAL_BUCKET_COUNT).fill(null);
  private bucketMask = INITIAL_BUCKET_COUNT - 1;
  private readonly slotHeads: (FlowState | null)[] = new Array<FlowState | null>(SLOT_COUNT).fill(null);
  private readonly slotTails: (FlowState | null)[] = new Array<FlowState | null>(SLOT_COUNT).fill(null);
  /** First wheel slot (capture second) not yet swept; NaN before the first packet. */
  private nextSlot = Number.NaN;
  private nextSweepUs = -Infinity;
  private readonly keyScratch = new Int32Array(FLOW_KEY_WORDS);
  /** Key scratch of IP-level flows, which fragments given up create in the middle of another packet's work. */
  private readonly ipOnlyKeyScratch = new Int32Array(FLOW_KEY_WORDS);
  private readonly ipOnlyLayer = createNetworkLayer();
  /** The current sweep's time, which an IP-level flow's timeout counts from. */
  private clockUs = 0;
  private readonly segmentScratch: TcpSegment = {
    flags: 0,
    sequence: 0,
    acknowledgement: 0,
    window: 0,
    payloadLength: 0,
  };
  private readonly fragments: FragmentTracker;
  private activeCount = 0;
  private peakCount = 0;
  private totalCount = 0;

  constructor(options: FlowTableOptions) {
    this.timeouts = resolveFlowTimeouts(options.timeouts);
    this.onFlow = options.onFlow;
    this.onProblem = options.onProblem;
    this.onFlowPacket = options.onFlowPacket;
    this.onFlowEnd = options.onFlowEnd;
    this.fragments = new FragmentTracker((entry) => {
      this.onProblem?.('fragment-without-first', -1, {
        packetNumber: entry.heldPacketNumber,
        fileOffset: entry.heldFileOffset,
        packets: entry.heldPackets,
      });
      const keyBytes = entry.keyBytes;
      const ipVersion = keyBytes[0] ?? 4;
      const flow = this.findIpOnlyFlow(keyBytes, FRAGMENT_KEY_SOURCE, FRAGMENT_KEY_DESTINATION, ipVersion, keyBytes[1] ?? 0, entry.heldFirstUs, entry.heldPacketNumber);
      const isOriginator = isAddressOfOriginator(flow, keyBytes, FRAGMENT_KEY_SOURCE, ipVersion === 6 ? 16 : 4);
      flow.addPackets(isOriginator, entry.heldPackets, entry.heldIpBytes, entry.heldPayloadBytes);
      this.touchIpOnlyFlow(flow, entry.heldLastUs, entry.heldLastPacketNumber);
    });
    this.packetEvent = {
      flow: null as unknown as FlowHandle,
      isFromOriginator: false,
      layer: createNetworkLayer(),
      layerIndex: 0,
      data: new Uint8Array(0),
      timestampUs: 0,
      packetNumber: 0,
      isNewFlow: false,
    };
  }

  /** Flows currently in the table. */
  get activeFlowCount(): number {
    return this.activeCount;
  }

  /** Largest number of flows that were in the table at once. */
  get peakActiveFlowCount(): number {
    return this.peakCount;
  }

  /** Flows created since the table was made. */
  get createdFlowCount(): number {
    return this.totalCount;
  }

  /**
   * Count one decoded packet. `data` is the packet the decoder's offsets
   * point into; it is read during the call and never kept.
   */
  addPacket(
    decoded: DecodedPacket,
    data: Uint8Array,
    timestampUs: number,
    packetNumber: number,
    fileOffset = -1,
  ): void {
    if (timestampUs >= this.nextSweepUs) {
      this.expireFlows(timestampUs);
      this.nextSweepUs = (Math.floor(timestampUs / SLOT_WIDTH_US) + 1) * SLOT_WIDTH_US;
    }

    let parent: FlowState | null = null;
    for (let i = 0; i < decoded.layerCount; i++) {
      const layer = decoded.layers[i];
      if (layer === undefined || layer.isIcmpQuote) continue;
      const flow = this.addLayer(decoded, layer, i, data, timestampUs, packetNumber, fileOffset);
      if (flow === null) continue;
      if (parent !== null && parent !== flow) flow.addTunnelParent(parent.uid);
      parent = flow;
    }
  }

  /**
   * Emit every flow still in the table (end of capture). A TCP flow whose
   * close was complete (both sides sent FIN, or a RST, or a FIN that no one
   * answered) is reported finished. Every other flow could still grow, so it is not.
   */
  flush(): void {
    // Fragments still held become IP-level flows first, so they leave with the rest.
    this.fragments.clear();
    const firstIndex = Number.isNaN(this.nextSlot) ? 0 : this.nextSlot;
    for (let step = 0; step < SLOT_COUNT; step++) {
      const index = (firstIndex + step) & SLOT_MASK;
      while (this.slotHeads[index] !== null) {
        const flow = this.slotHeads[index] as FlowState;
        this.removeFlow(flow, flow.closeDeadlineUs >= 0);
      }
    }
  }

  /**
   * Call `visit` with the record of each flow still in the table as if it
   * ended now, marked provisional and not finished, in wheel-slot order. The
   * table is left as it was. A case stores these so a crash keeps open flows.
   */
  forEachActiveFlow(visit: (flow: FlowRecord) => void): void {
    for (let index = 0; index < SLOT_COUNT; index++) {
      let flow = this.slotHeads[index] ?? null;
      while (flow !== null) {
        const record = buildFlowRecord(flow);
        record.isFinished = false;
        record.isProvisional = true;
        visit(record);
        flow = flow.nextInSlot;
      }
    }
  }

  /**
   * Emit the flows whose deadline passed before `timestampUs` on the packet
   * clock, from the wheel slots of the whole seconds before it. Flows whose
   * deadline falls in the current second wait for the next sweep, and a
   * packet that arrives for such a flow first starts a new one (see shouldReplace).
   */
  expireFlows(timestampUs: number): void {
    const currentSlot = Math.floor(timestampUs / SLOT_WIDTH_US);
    if (Number.isNaN(this.nextSlot)) this.nextSlot = currentSlot;
    const steps = Math.min(currentSlot - this.nextSlot, SLOT_COUNT);
    for (let step = 0; step < steps; step++) {
      let flow = this.slotHeads[(this.nextSlot + step) & SLOT_MASK] ?? null;
      while (flow !== null) {
        const next = flow.nextInSlot;
        // A flow whose deadline lies a whole wheel turn ahead shares the slot and stays.
        if (flow.deadlineUs < timestampUs) this.removeFlow(flow, true);
        flow = next;
      }
    }
    if (currentSlot > this.nextSlot) this.nextSlot = currentSlot;
    this.clockUs = timestampUs;
    this.fragments.expire(timestampUs);
  }

  /**
   * The IP-level flow (no ports, see FlowRecord.isIpOnly) of packets from the
   * address at `sourceOffset` to the one at `destinationOffset` in `data`,
   * created at `firstUs` when none is in the table.
   */
  private findIpOnlyFlow(
    data: Uint8Array,
    sourceOffset: number,
    destinationOffset: number,
    ipVersion: number,
    protocol: number,
    firstUs: number,
    firstPacketNumber: number,
  ): FlowState {
    const addressLength = ipVersion === 6 ? 16 : 4;
    const key = this.ipOnlyKeyScratch;
    const direction = writeFlowKey(key, data, sourceOffset, destinationOffset, addressLength, ipVersion, protocol, 0, 0, 0, 0, 0, IP_ONLY_KEY_KIND);
    const isSourceFirst = direction !== KeyDirection.destinationFirst;
    const hash = hashFlowKey(key);
    const existing = this.findFlow(hash, key);
    if (existing !== null) return existing;
    const layer = this.ipOnlyLayer;
    layer.ipVersion = ipVersion;
    layer.protocol = protocol;
    const flow = this.createFlow(hash, key, isSourceFirst, layer, data, getTransportName(layer), 0, 0, false, null, null, firstUs, firstPacketNumber);
    flow.isIpOnly = true;
    return flow;
  }

  /** Count one layer without a usable transport header in its IP-level flow. */
  private addIpOnlyLayer(layer: NetworkLayer, data: Uint8Array, addressLength: number, timestampUs: number, packetNumber: number): FlowState {
    const flow = this.findIpOnlyFlow(data, layer.sourceAddressOffset, layer.destinationAddressOffset, layer.ipVersion, layer.protocol, timestampUs, packetNumber);
    const isOriginator = isAddressOfOriginator(flow, data, layer.sourceAddressOffset, addressLength);
    flow.addPackets(isOriginator, 1, layer.ipLength, layer.payloadLength);
    this.touchIpOnlyFlow(flow, timestampUs, packetNumber);
    return flow;
  }

  /** Extend an IP-level flow to `lastUs` and restart its timeout from the table's clock. */
  private touchIpOnlyFlow(flow: FlowState, lastUs: number, lastPacketNumber: number): void {
    if (lastUs > flow.lastPacketUs) {
      flow.lastPacketUs = lastUs;
      flow.lastTimeUs = lastUs;
    }
    if (lastPacketNumber > flow.lastPacketNumber) flow.lastPacketNumber = lastPacketNumber;
    flow.ipOnlyUpdatedUs = Math.max(this.clockUs, lastUs);
    this.schedule(flow);
  }

  private addLayer(
    decoded: DecodedPacket,
    layer: NetworkLayer,
    layerIndex: number,
    data: Uint8Array,
    timestampUs: number,
    packetNumber: number,
    fileOffset: number,
  ): FlowState | null {
    const addressLength = layer.ipVersion === 6 ? 16 : 4;

    // Later fragments carry no transport header: they join the first fragment's flow,
    // or wait as counts for it when they came first.
    if (layer.isFragment && layer.fragmentOffset > 0) {
      const entry = this.fragments.find(layer, data, addressLength);
      if (entry === null || entry.flow === null) {
        this.fragments.hold(layer, data, addressLength, timestampUs, packetNumber, fileOffset);
        return null;
      }
      const flow = entry.flow;
      if (!flow.isInTable) {
        // The first fragment's flow already left: count the fragment at the IP level.
        this.onProblem?.('fragment-without-first', layerIndex);
        return this.addIpOnlyLayer(layer, data, addressLength, timestampUs, packetNumber);
      }
      const isOriginator = isAddressOfOriginator(flow, data, layer.sourceAddressOffset, addressLength);
      this.countPacket(flow, isOriginator, layer, timestampUs, packetNumber);
      if (timestampUs > flow.lastTimeUs) flow.lastTimeUs = timestampUs;
      this.schedule(flow);
      if (this.onFlowPacket !== undefined) {
        this.notifyPacket(flow, isOriginator, layer, layerIndex, data, timestampUs, packetNumber, false);
      }
      return flow;
    }

    const transport = getTransportName(layer);
    if (transport !== 'unknown_transport' && !layer.hasTransport) {
      // No ports to key it by (a header cut short or with an impossible length): count it at the IP level.
      this.onProblem?.('missing-transport-header', layerIndex);
      return this.addIpOnlyLayer(layer, data, addressLength, timestampUs, packetNumber);
    }

    // Ports as Zeek keys them: ICMP uses the message type and its counterpart (or code).
    let sourcePort = 0;
    let destinationPort = 0;
    let isIcmpOneWay = false;
    if (transport === 'tcp' || transport === 'udp') {
      sourcePort = layer.sourcePort;
      destinationPort = layer.destinationPort;
    } else if (transport === 'icmp') {
      const counterpart = getIcmpCounterpartType(layer.ipVersion === 6, layer.icmpType);
      isIcmpOneWay = counterpart < 0;
      sourcePort = layer.icmpType;
      destinationPort = isIcmpOneWay ? layer.icmpCode : counterpart;
    }

    const vlanCount = decoded.vlanCount < 2 ? decoded.vlanCount : 2;
    const outerVlan = vlanCount > 0 ? (decoded.vlanIds[0] ?? 0) : 0;
    const innerVlan = vlanCount > 1 ? (decoded.vlanIds[1] ?? 0) : 0;
    const key = this.keyScratch;
    const direction = writeFlowKey(
      key,
      data,
      layer.sourceAddressOffset,
      layer.destinationAddressOffset,
      addressLength,
      layer.ipVersion,
      layer.protocol,
      vlanCount,
      outerVlan,
      innerVlan,
      sourcePort,
      destinationPort,
      0,
    );
    const hash = hashFlowKey(key);

    let flow = this.findFlow(hash, key);
    if (flow !== null && this.shouldReplace(flow, layer, transport, timestampUs)) {
      this.removeFlow(flow, true);
      flow = null;
    }
    const isNewFlow = flow === null;
    if (flow === null) {
      flow = this.createFlow(
        hash,
        key,
        direction !== KeyDirection.destinationFirst,
        layer,
        data,
        transport,
        sourcePort,
        destinationPort,
        isIcmpOneWay,
        vlanCount > 0 ? outerVlan : null,
        vlanCount > 1 ? innerVlan : null,
        timestampUs,
        packetNumber,
      );
    }

    const isOriginator = isDirectionFromOriginator(flow, direction);
    this.countPacket(flow, isOriginator, layer, timestampUs, packetNumber);
    this.trackTransport(flow, isOriginator, layer, transport, timestampUs);
    this.schedule(flow);
    if (layer.isFragment && layer.hasMoreFragments) {
      const held = this.fragments.remember(layer, data, addressLength, flow, timestampUs);
      // Fragments of this datagram seen earlier have the same sender, so the same direction.
      if (held !== null) flow.addPackets(isOriginator, held.heldPackets, held.heldIpBytes, held.heldPayloadBytes);
    }
    if (this.onFlowPacket !== undefined) {
      // A reversed handshake may have flipped the roles while tracking, so ask again.
      const isSenderOriginator = isDirectionFromOriginator(flow, direction);
      this.notifyPacket(flow, isSenderOriginator, layer, layerIndex, data, timestampUs, packetNumber, isNewFlow);
    }
    return flow;
  }

  private notifyPacket(
    flow: FlowState,
    isFromOriginator: boolean,
    layer: NetworkLayer,
    layerIndex: number,
    data: Uint8Array,
    timestampUs: number,
    packetNumber: number,
    isNewFlow: boolean,
  ): void {
    const event = this.packetEvent;
    event.flow = flow;
    event.isFromOriginator = isFromOriginator;
    event.layer = layer;
    event.layerIndex = layerIndex;
    event.data = data;
    event.timestampUs = timestampUs;
    event.packetNumber = packetNumber;
    event.isNewFlow = isNewFlow;
    this.onFlowPacket?.(event);
  }

  private trackTransport(
    flow: FlowState,
    isOriginator: boolean,
    layer: NetworkLayer,
    transport: TransportName,
    timestampUs: number,
  ): void {
    const headerLength = layer.transportOffset - layer.ipOffset;
    switch (transport) {
      case 'tcp': {
        const segment = this.segmentScratch;
        segment.flags = layer.tcpFlags;
        segment.sequence = layer.tcpSequence;
        segment.acknowledgement = layer.tcpAcknowledgement;
        segment.window = layer.tcpWindow;
        segment.payloadLength = layer.claimedPayloadLength;
        trackTcpSegment(flow, isOriginator, segment, timestampUs, this.timeouts);
        return;
      }
      case 'udp':
        flow.addClaimedBytes(isOriginator, layer.claimedPayloadLength);
        flow.checkHistory(HistoryMask.data, 'd', isOriginator);
        break;
      case 'icmp':
        // Zeek counts the ICMP message after its 8-byte header.
        flow.addClaimedBytes(isOriginator, Math.max(0, layer.ipLength - headerLength - 8));
        break;
      default:
        flow.addClaimedBytes(isOriginator, Math.max(0, layer.ipLength - headerLength));
        break;
    }
    flow.lastTimeUs = timestampUs;
  }

  private countPacket(
    flow: FlowState,
    isOriginator: boolean,
    layer: NetworkLayer,
    timestampUs: number,
    packetNumber: number,
  ): void {
    flow.countPacket(isOriginator, layer.ipLength, layer.payloadLength);
    flow.lastPacketUs = timestampUs;
    flow.lastPacketNumber = packetNumber;
  }

  private findFlow(hash: number, key: Int32Array): FlowState | null {
    let flow = this.buckets[hash & this.bucketMask] ?? null;
    while (flow !== null && (flow.keyHash !== hash || !flow.hasKey(key))) {
      flow = flow.nextInBucket;
    }
    return flow;
  }

  /** Return true when a packet must start a new flow on the same key: the old one timed out or was reused. */
  private shouldReplace(flow: FlowState, layer: NetworkLayer, transport: TransportName, timestampUs: number): boolean {
    if (flow.deadlineUs < timestampUs) return true;
    if (transport !== 'tcp' || flow.tcpEndpoints === null) return false;
    return isTcpReuse(flow.tcpEndpoints, layer.tcpFlags, layer.tcpSequence >>> 0);
  }

  /** Recompute the flow's deadline after a packet and move it to the wheel slot of that deadline. */
  private schedule(flow: FlowState): void {
    this.updateDeadline(flow);
    const deadline = flow.deadlineUs;
    let slot = Math.floor(deadline / SLOT_WIDTH_US);
    // A deadline in a second already swept goes to the next slot to sweep.
    if (slot < this.nextSlot) slot = this.nextSlot;
    if (flow.isInTable) {
      if (slot === flow.expirySlot) return;
      this.unlinkFromSlot(flow);
    }
    flow.isInTable = true;
    flow.expirySlot = slot;
    const index = slot & SLOT_MASK;
    const tail = this.slotTails[index] ?? null;
    flow.previousInSlot = tail;
    flow.nextInSlot = null;
    if (tail === null) this.slotHeads[index] = flow;
    else tail.nextInSlot = flow;
    this.slotTails[index] = flow;
  }

  private unlinkFromSlot(flow: FlowState): void {
    const index = flow.expirySlot & SLOT_MASK;
    const previous = flow.previousInSlot;
    const next = flow.nextInSlot;
    if (previous === null) this.slotHeads[index] = next;
    else previous.nextInSlot = next;
    if (next === null) this.slotTails[index] = previous;
    else next.previousInSlot = previous;
    flow.previousInSlot = null;
    flow.nextInSlot = null;
  }

  /**
   * Set `flow.deadlineUs` from the flow's state. It stores the time instead
   * of returning it: V8 does not inline this call into addLayer, and a
   * returned capture-time double (not a small integer) was boxed in a new
   * heap number for every packet, 6% of the flows-only path's allocations.
   */
  private updateDeadline(flow: FlowState): void {
    const timeouts = this.timeouts;
    if (flow.isIpOnly) {
      flow.deadlineUs = flow.ipOnlyUpdatedUs + timeouts.otherInactivityUs;
      return;
    }
    switch (flow.transport) {
      case 'udp':
        flow.deadlineUs =
          flow.lastPacketUs +
          (isDnsPort(flow.originatorPort) || isDnsPort(flow.responderPort)
            ? timeouts.udpDnsInactivityUs
            : timeouts.udpInactivityUs);
        return;
      case 'icmp':
        flow.deadlineUs = flow.lastPacketUs + timeouts.icmpInactivityUs;
        return;
      case 'unknown_transport':
        flow.deadlineUs = flow.lastPacketUs + timeouts.otherInactivityUs;
        return;
      default:
        break;
    }

    let deadline = flow.lastPacketUs + timeouts.tcpInactivityUs;
    if (flow.closeDeadlineUs >= 0 && flow.closeDeadlineUs < deadline) deadline = flow.closeDeadlineUs;
    const endpoints = flow.tcpEndpoints;
    if (endpoints === null) {
      flow.deadlineUs = deadline;
      return;
    }
    const originator = endpoints[0];
    const responder = endpoints[1];
    const isUnanswered =
      (originator.state === TcpEndpointState.synSent || originator.state === TcpEndpointState.synAckSent) &&
      responder.state === TcpEndpointState.inactive;
    if (isUnanswered && flow.attemptDeadlineUs >= 0 && flow.attemptDeadlineUs < deadline) {
      deadline = flow.attemptDeadlineUs;
    }
    if (originator.didClose || responder.didClose) {
      const lingerDeadline = flow.lastTimeUs + timeouts.tcpLingerUs;
      if (lingerDeadline < deadline) deadline = lingerDeadline;
    }
    flow.deadlineUs = deadline;
  }

  private createFlow(
    hash: number,
    key: Int32Array,
    isSourceFirstInKey: boolean,
    layer: NetworkLayer,
    data: Uint8Array,
    transport: TransportName,
    sourcePort: number,
    destinationPort: number,
    isIcmpOneWay: boolean,
    vlan: number | null,
    innerVlan: number | null,
    timestampUs: number,
    packetNumber: number,
  ): FlowState {
    const flow = new FlowState({
      key,
      keyHash: hash,
      ipVersion: layer.ipVersion,
      protocol: layer.protocol,
      transport,
      vlan,
      innerVlan,
      isSourceFirstInKey,
      originatorPort: sourcePort,
      responderPort: destinationPort,
      isIcmpOneWay,
      timestampUs,
      packetNumber,
    });
    if (shouldFlipNewFlow(layer, transport, data, layer.destinationAddressOffset)) flow.flipRoles();

    if (this.activeCount >= this.buckets.length) this.growBuckets();
    const index = hash & this.bucketMask;
    flow.nextInBucket = this.buckets[index] ?? null;
    this.buckets[index] = flow;
    this.activeCount++;
    if (this.activeCount > this.peakCount) this.peakCount = this.activeCount;
    this.totalCount++;
    return flow;
  }

  /** Double the bucket array and rehash, keeping the load at one flow per bucket or less. */
  private growBuckets(): void {
    const old = this.buckets;
    const count = old.length * 2;
    this.buckets = new Array<FlowState | null>(count).fill(null);
    this.bucketMask = count - 1;
    for (const head of old) {
      let flow = head;
      while (flow !== null) {
        const next = flow.nextInBucket;
        const index = flow.keyHash & this.bucketMask;
        flow.nextInBucket = this.buckets[index] ?? null;
        this.buckets[index] = flow;
        flow = next;
      }
    }
  }

  private removeFlow(flow: FlowState, isFinished: boolean): void {
    const index = flow.keyHash & this.bucketMask;
    const head = this.buckets[index] ?? null;
    if (head === flow) {
      this.buckets[index] = flow.nextInBucket;
    } else {
      let previous = head;
      while (previous !== null && previous.nextInBucket !== flow) previous = previous.nextInBucket;
      if (previous !== null) previous.nextInBucket = flow.nextInBucket;
    }
    flow.nextInBucket = null;
    this.unlinkFromSlot(flow);
    flow.isInTable = false;
    this.activeCount--;

    flow.isFinished = isFinished;
    this.onFlowEnd?.(flow);
    this.onFlow(buildFlowRecord(flow));
  }
}

/**
 * Check whether a packet whose key was written with `direction` comes from
 * the flow's originator. It does when its source endpoint (address and port)
 * is the originator's, or when both endpoints are the same.
 */
function isDirectionFromOriginator(flow: FlowState, direction: KeyDirectionValue): boolean {
  if (direction === KeyDirection.same) return true;
  return (direction === KeyDirection.sourceFirst) === (flow.originatorKeyOffset === KEY_ENDPOINT_A);
}

/** Key words of the flow being checked by isAddressOfOriginator. */
const originatorKeyScratch = new Int32Array(FLOW_KEY_WORDS);

/** Check whether the address at `sourceOffset` in `data` is the flow originator's (ports not compared). */
function isAddressOfOriginator(flow: FlowState, data: Uint8Array, sourceOffset: number, addressLength: number): boolean {
  flow.copyKeyWords(originatorKeyScratch);
  return isAddressAt(originatorKeyScratch, endpointWordOf(flow.originatorKeyOffset), data, sourceOffset, addressLength);
}

/**
 * Zeek's IsReuse: after either side closed, a SYN with a new sequence number
 * starts a new connection. A SYN-ACK counts only while the originator never
 * sent anything (a half connection), and a SYN that completes a reversed
 * SYN-ACK/SYN pair is not a reuse.
 */
function isTcpReuse(endpoints: [TcpEndpoint, TcpEndpoint], flags: number, sequence: number): boolean {
  // Indexes, not destructuring: V8 kept the array iterator that destructuring makes, per TCP packet.
  const originator = endpoints[0];
  const responder = endpoints[1];
  if ((flags & 0x02) === 0) return false;
  if (!originator.didClose && !responder.didClose) return false;

  const isSynAck = (flags & 0x10) !== 0;
  if (isSynAck && originator.state !== TcpEndpointState.inactive) return false;
  const reference = isSynAck ? responder : originator;
  if (sequence === reference.initialSequence) return false;

  const isReversedHandshake =
    !isSynAck &&
    originator.state === TcpEndpointState.synAckSent &&
    responder.state === TcpEndpointState.inactive &&
    sequence === responder.initialSequence;
  return !isReversedHandshake;
}

// NOTE: Zeek shortens the timeout when its DNS analyzer runs on a flow. Zeek
// picks that analyzer by port or by payload, but only the ports are used here.
function isDnsPort(port: number): boolean {
  return port === 53 || port === 137 || port === 5353 || port === 5355;
}

function getTransportName(layer: NetworkLayer): TransportName {
  if (layer.protocol === 6) return 'tcp';
  if (layer.protocol === 17) return 'udp';
  if ((layer.protocol === 1 && layer.ipVersion === 4) || (layer.protocol === 58 && layer.ipVersion === 6))
    return 'icmp';
  return 'unknown_transport';
}

/**
 * Zeek's WantConnection heuristics for a flow's first packet. TCP without a
 * pure SYN: flip when the source port is a likely server port and the
 * destination port is not (or, when both are, for a non-SYN packet from the
 * lower port). UDP: flip when only the source port is a likely server port.
 * Never flip toward the IPv4 limited broadcast address.
 */
function shouldFlipNewFlow(
  layer: NetworkLayer,
  transport: TransportName,
  data: Uint8Array,
  destinationOffset: number,
): boolean {
  const isBroadcast =
    layer.ipVersion === 4 &&
    data[destinationOffset] === 0xff &&
    data[destinationOffset + 1] === 0xff &&
    data[destinationOffset + 2] === 0xff &&
    data[destinationOffset + 3] === 0xff;
  if (isBroadcast) return false;
  const source = layer.sourcePort;
  const destination = layer.destinationPort;

  if (transport === 'udp') return isLikelyServerPort(17, source) && !isLikelyServerPort(17, destination);
  if (transport !== 'tcp') return false;

  const flags = layer.tcpFlags;
  const isSyn = (flags & 0x02) !== 0;
  const isPureSyn = isSyn && (flags & 0x10) === 0;
  if (isPureSyn || !isLikelyServerPort(6, source)) return false;
  if (isLikelyServerPort(6, destination)) return !isSyn && source < destination;
  return true;
}
