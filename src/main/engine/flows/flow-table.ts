import type { DecodedPacket, NetworkLayer } from '../decode/decoded-packet';
import type { FlowRecord, TransportName } from '../../../shared/domain/flow';
import { FLOW_KEY_LENGTH, areBytesEqual, hashBytes, writeFlowKey } from './flow-key';
import { FlowState, HistoryMask } from './flow-state';
import { type FlowTimeouts, resolveFlowTimeouts } from './flow-timeouts';
import { getIcmpCounterpartType } from './icmp-counterpart';
import { isLikelyServerPort } from './likely-server-ports';
import { type TcpSegment, trackTcpSegment } from './tcp-tracking';
import { type TcpEndpoint, TcpEndpointState } from './tcp-endpoint';
import { buildFlowRecord } from './flow-record';
import { deriveFlowUid } from './flow-uid';
import { FragmentTracker } from './fragment-tracker';
import type { FlowHandle, FlowPacketEvent } from './flow-hooks';
import { createNetworkLayer } from '../decode/decoded-packet';

/** Capture-time interval between expiry sweeps of the whole table. */
const SWEEP_INTERVAL_US = 1_000_000;

/** Reason code for a network layer that joined no flow. */
export type FlowProblemCode = 'missing-transport-header' | 'fragment-without-first';

export interface FlowTableOptions {
  timeouts?: Partial<FlowTimeouts>;
  /** Receives each flow as it leaves the table (finished, timed out, or flushed at the end). */
  onFlow(flow: FlowRecord): void;
  /** Receives each layer that could not be assigned to a flow. */
  onProblem?(code: FlowProblemCode, layerIndex: number): void;
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
 */
export class FlowTable {
  readonly timeouts: FlowTimeouts;
  private readonly onFlow: (flow: FlowRecord) => void;
  private readonly onProblem: ((code: FlowProblemCode, layerIndex: number) => void) | undefined;
  private readonly onFlowPacket: ((event: FlowPacketEvent) => void) | undefined;
  private readonly onFlowEnd: ((flow: FlowHandle) => void) | undefined;
  private readonly packetEvent: FlowPacketEvent;
  private readonly buckets = new Map<number, FlowState>();
  private readonly keyScratch = new Uint8Array(FLOW_KEY_LENGTH);
  private readonly segmentScratch: TcpSegment = {
    flags: 0,
    sequence: 0,
    acknowledgement: 0,
    window: 0,
    payloadLength: 0,
  };
  private readonly fragments = new FragmentTracker();
  private activeHead: FlowState | null = null;
  private activeTail: FlowState | null = null;
  private nextSweepUs = -1;
  private activeCount = 0;
  private totalCount = 0;

  constructor(options: FlowTableOptions) {
    this.timeouts = resolveFlowTimeouts(options.timeouts);
    this.onFlow = options.onFlow;
    this.onProblem = options.onProblem;
    this.onFlowPacket = options.onFlowPacket;
    this.onFlowEnd = options.onFlowEnd;
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

  /** Flows created since the table was made. */
  get createdFlowCount(): number {
    return this.totalCount;
  }

  /**
   * Count one decoded packet. `data` is the packet the decoder's offsets
   * point into; it is read during the call and never kept.
   */
  addPacket(decoded: DecodedPacket, data: Uint8Array, timestampUs: number, packetNumber: number): void {
    if (timestampUs >= this.nextSweepUs) {
      this.expireFlows(timestampUs);
      this.nextSweepUs = timestampUs + SWEEP_INTERVAL_US;
    }

    let parent: FlowState | null = null;
    for (let i = 0; i < decoded.layerCount; i++) {
      const layer = decoded.layers[i];
      if (layer === undefined || layer.isIcmpQuote) continue;
      const flow = this.addLayer(decoded, layer, i, data, timestampUs, packetNumber);
      if (flow === null) continue;
      if (parent !== null && parent !== flow && !flow.tunnelParents.includes(parent.uid))
        flow.tunnelParents.push(parent.uid);
      parent = flow;
    }
  }

  /**
   * Emit every flow still in the table (end of capture). A TCP flow whose
   * close was complete (both sides sent FIN, or a RST, or a FIN that no one
   * answered) is reported finished. Every other flow could still grow, so it is not.
   */
  flush(): void {
    while (this.activeHead !== null) this.removeFlow(this.activeHead, this.activeHead.closeDeadlineUs >= 0);
    this.fragments.clear();
  }

  /**
   * Emit flows whose timeout passed before `timestampUs` on the packet clock.
   * NOTE: each sweep walks every active flow, once per second of capture
   * time. A timer wheel would make it proportional to the flows that expire.
   */
  expireFlows(timestampUs: number): void {
    let flow = this.activeHead;
    while (flow !== null) {
      const next = flow.nextActive;
      if (this.getDeadlineUs(flow) < timestampUs) this.removeFlow(flow, true);
      flow = next;
    }
    this.fragments.expire(timestampUs);
  }

  private addLayer(
    decoded: DecodedPacket,
    layer: NetworkLayer,
    layerIndex: number,
    data: Uint8Array,
    timestampUs: number,
    packetNumber: number,
  ): FlowState | null {
    const addressLength = layer.ipVersion === 6 ? 16 : 4;

    // Later fragments carry no transport header: they join the first fragment's flow.
    if (layer.isFragment && layer.fragmentOffset > 0) {
      const flow = this.fragments.find(layer, data, addressLength);
      if (flow === null || flow.isFinished) {
        this.onProblem?.('fragment-without-first', layerIndex);
        return null;
      }
      const isOriginator = this.isFromOriginator(flow, data, layer.sourceAddressOffset, addressLength, -1);
      this.countPacket(flow, isOriginator, layer, timestampUs, packetNumber);
      flow.lastTimeUs = Math.max(flow.lastTimeUs, timestampUs);
      if (this.onFlowPacket !== undefined) this.notifyPacket(flow, isOriginator, layer, layerIndex, data, timestampUs, packetNumber, false);
      return flow;
    }

    const transport = getTransportName(layer);
    if (transport !== 'unknown_transport' && !layer.hasTransport) {
      this.onProblem?.('missing-transport-header', layerIndex);
      return null;
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

    const vlanCount = Math.min(decoded.vlanCount, 2);
    const outerVlan = vlanCount > 0 ? (decoded.vlanIds[0] ?? 0) : 0;
    const innerVlan = vlanCount > 1 ? (decoded.vlanIds[1] ?? 0) : 0;
    const key = this.keyScratch;
    writeFlowKey(
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
    );
    const hash = hashBytes(key, FLOW_KEY_LENGTH);

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
        layer,
        data,
        addressLength,
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

    const isOriginator = this.isFromOriginator(flow, data, layer.sourceAddressOffset, addressLength, sourcePort);
    this.countPacket(flow, isOriginator, layer, timestampUs, packetNumber);
    this.trackTransport(flow, isOriginator, layer, transport, timestampUs);
    if (layer.isFragment && layer.hasMoreFragments)
      this.fragments.remember(layer, data, addressLength, flow, timestampUs);
    if (this.onFlowPacket !== undefined) {
      // A reversed handshake may have flipped the roles while tracking, so ask again.
      const isSenderOriginator = this.isFromOriginator(flow, data, layer.sourceAddressOffset, addressLength, sourcePort);
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
    const counters = flow.counters[isOriginator ? 0 : 1];
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
        counters.claimedBytes += layer.claimedPayloadLength;
        flow.checkHistory(HistoryMask.data, 'd', isOriginator);
        break;
      case 'icmp':
        // Zeek counts the ICMP message after its 8-byte header.
        counters.claimedBytes += Math.max(0, layer.ipLength - headerLength - 8);
        break;
      default:
        counters.claimedBytes += Math.max(0, layer.ipLength - headerLength);
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
    const counters = flow.counters[isOriginator ? 0 : 1];
    counters.packets++;
    counters.ipBytes += layer.ipLength;
    counters.payloadBytes += layer.payloadLength;
    counters.isActive = true;
    flow.lastPacketUs = timestampUs;
    flow.lastPacketNumber = packetNumber;
  }

  private isFromOriginator(
    flow: FlowState,
    data: Uint8Array,
    sourceOffset: number,
    addressLength: number,
    sourcePort: number,
  ): boolean {
    const originator = flow.originatorAddress;
    for (let i = 0; i < addressLength; i++) {
      if (data[sourceOffset + i] !== originator[i]) return false;
    }
    return sourcePort < 0 || sourcePort === flow.originatorPort;
  }

  private findFlow(hash: number, key: Uint8Array): FlowState | null {
    let flow = this.buckets.get(hash) ?? null;
    while (flow !== null && !areBytesEqual(flow.keyBytes, key, FLOW_KEY_LENGTH)) flow = flow.nextInBucket;
    return flow;
  }

  /** Return true when a packet must start a new flow on the same key: the old one timed out or was reused. */
  private shouldReplace(flow: FlowState, layer: NetworkLayer, transport: TransportName, timestampUs: number): boolean {
    if (this.getDeadlineUs(flow) < timestampUs) return true;
    if (transport !== 'tcp' || flow.tcpEndpoints === null) return false;
    return isTcpReuse(flow.tcpEndpoints, layer.tcpFlags, layer.tcpSequence >>> 0);
  }

  private getDeadlineUs(flow: FlowState): number {
    const timeouts = this.timeouts;
    switch (flow.transport) {
      case 'udp':
        return (
          flow.lastPacketUs +
          (isDnsPort(flow.originatorPort) || isDnsPort(flow.responderPort)
            ? timeouts.udpDnsInactivityUs
            : timeouts.udpInactivityUs)
        );
      case 'icmp':
        return flow.lastPacketUs + timeouts.icmpInactivityUs;
      case 'unknown_transport':
        return flow.lastPacketUs + timeouts.otherInactivityUs;
      default:
        break;
    }

    let deadline = flow.lastPacketUs + timeouts.tcpInactivityUs;
    if (flow.closeDeadlineUs >= 0) deadline = Math.min(deadline, flow.closeDeadlineUs);
    const endpoints = flow.tcpEndpoints;
    if (endpoints === null) return deadline;
    const [originator, responder] = endpoints;
    const isUnanswered =
      (originator.state === TcpEndpointState.synSent || originator.state === TcpEndpointState.synAckSent) &&
      responder.state === TcpEndpointState.inactive;
    if (isUnanswered && flow.attemptDeadlineUs >= 0) deadline = Math.min(deadline, flow.attemptDeadlineUs);
    if (originator.didClose || responder.didClose)
      deadline = Math.min(deadline, flow.lastTimeUs + timeouts.tcpLingerUs);
    return deadline;
  }

  private createFlow(
    hash: number,
    key: Uint8Array,
    layer: NetworkLayer,
    data: Uint8Array,
    addressLength: number,
    transport: TransportName,
    sourcePort: number,
    destinationPort: number,
    isIcmpOneWay: boolean,
    vlan: number | null,
    innerVlan: number | null,
    timestampUs: number,
    packetNumber: number,
  ): FlowState {
    const sourceAddress = data.slice(layer.sourceAddressOffset, layer.sourceAddressOffset + addressLength);
    const destinationAddress = data.slice(
      layer.destinationAddressOffset,
      layer.destinationAddressOffset + addressLength,
    );
    const flow = new FlowState({
      keyBytes: key.slice(),
      keyHash: hash,
      ipVersion: layer.ipVersion,
      protocol: layer.protocol,
      transport,
      vlan,
      innerVlan,
      originatorAddress: sourceAddress,
      responderAddress: destinationAddress,
      originatorPort: sourcePort,
      responderPort: destinationPort,
      isIcmpOneWay,
      timestampUs,
      packetNumber,
    });
    flow.uid = deriveFlowUid(flow.keyBytes, timestampUs, packetNumber);
    if (shouldFlipNewFlow(layer, transport, destinationAddress)) flow.flipRoles();

    flow.nextInBucket = this.buckets.get(hash) ?? null;
    this.buckets.set(hash, flow);
    flow.previousActive = this.activeTail;
    if (this.activeTail !== null) this.activeTail.nextActive = flow;
    else this.activeHead = flow;
    this.activeTail = flow;
    this.activeCount++;
    this.totalCount++;
    return flow;
  }

  private removeFlow(flow: FlowState, isFinished: boolean): void {
    // Unlink from the hash bucket.
    const head = this.buckets.get(flow.keyHash) ?? null;
    if (head === flow) {
      if (flow.nextInBucket === null) this.buckets.delete(flow.keyHash);
      else this.buckets.set(flow.keyHash, flow.nextInBucket);
    } else {
      let previous = head;
      while (previous !== null && previous.nextInBucket !== flow) previous = previous.nextInBucket;
      if (previous !== null) previous.nextInBucket = flow.nextInBucket;
    }

    // Unlink from the active list.
    if (flow.previousActive !== null) flow.previousActive.nextActive = flow.nextActive;
    else this.activeHead = flow.nextActive;
    if (flow.nextActive !== null) flow.nextActive.previousActive = flow.previousActive;
    else this.activeTail = flow.previousActive;
    flow.previousActive = null;
    flow.nextActive = null;
    flow.nextInBucket = null;
    this.activeCount--;

    flow.isFinished = isFinished;
    this.onFlowEnd?.(flow);
    this.onFlow(buildFlowRecord(flow));
  }
}

/**
 * Zeek's IsReuse: after either side closed, a SYN with a new sequence number
 * starts a new connection. A SYN-ACK counts only while the originator never
 * sent anything (a half connection), and a SYN that completes a reversed
 * SYN-ACK/SYN pair is not a reuse.
 */
function isTcpReuse(endpoints: [TcpEndpoint, TcpEndpoint], flags: number, sequence: number): boolean {
  const [originator, responder] = endpoints;
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
function shouldFlipNewFlow(layer: NetworkLayer, transport: TransportName, destinationAddress: Uint8Array): boolean {
  const isBroadcast = destinationAddress.length === 4 && destinationAddress.every((byte) => byte === 0xff);
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
