/**
 * Provisional records of the flows still open in the flow table, so the
 * flow table and charts fill in while a capture loads instead of waiting for
 * flows to finish.
 *
 * NOTE: the flow table has no snapshot of its active flows, so this analyzer
 * counts each flow's packets and bytes itself from `onFlowPacket`. The counts
 * are the wire view (packets, IP bytes, payload bytes); the TCP sequence
 * figures, history and state come only with the final record, which replaces
 * the provisional one (same uid) when the flow leaves the table.
 */
import type { FlowRecord } from '../../../shared/domain/flow';
import type { FlowAnalyzer, FlowHandle, FlowPacketEvent } from '../flows/flow-hooks';
import { isInternalAddress } from './address-scope';

interface ActiveFlow {
  uid: string;
  startUs: number;
  endUs: number;
  firstPacketNumber: number;
  lastPacketNumber: number;
  /** Originator address and port as first seen, so a later role flip can be detected. */
  originatorAddress: string;
  originatorPort: number;
  /** Counters by the roles as first seen. */
  firstRolePackets: number;
  firstRoleIpBytes: number;
  firstRolePayloadBytes: number;
  otherRolePackets: number;
  otherRoleIpBytes: number;
  otherRolePayloadBytes: number;
  isChanged: boolean;
}

/** Most provisional records one `takeChanged` call returns; the rest wait for the next call. */
export const maxProvisionalPerTake = 20_000;

export class ActiveFlowTracker implements FlowAnalyzer {
  private readonly active = new Map<FlowHandle, ActiveFlow>();

  get size(): number {
    return this.active.size;
  }

  onFlowPacket(event: FlowPacketEvent): void {
    const handle = event.flow;
    let flow = this.active.get(handle);
    if (flow === undefined) {
      flow = {
        uid: handle.uid,
        startUs: handle.startUs,
        endUs: event.timestampUs,
        firstPacketNumber: event.packetNumber,
        lastPacketNumber: event.packetNumber,
        originatorAddress: handle.originatorAddressText,
        originatorPort: handle.originatorPort,
        firstRolePackets: 0,
        firstRoleIpBytes: 0,
        firstRolePayloadBytes: 0,
        otherRolePackets: 0,
        otherRoleIpBytes: 0,
        otherRolePayloadBytes: 0,
        isChanged: true,
      };
      this.active.set(handle, flow);
    }
    const isFirstRole =
      event.isFromOriginator ===
      (handle.originatorAddressText === flow.originatorAddress && handle.originatorPort === flow.originatorPort);
    const layer = event.layer;
    if (isFirstRole) {
      flow.firstRolePackets += 1;
      flow.firstRoleIpBytes += layer.ipLength;
      flow.firstRolePayloadBytes += layer.payloadLength;
    } else {
      flow.otherRolePackets += 1;
      flow.otherRoleIpBytes += layer.ipLength;
      flow.otherRolePayloadBytes += layer.payloadLength;
    }
    if (event.timestampUs > flow.endUs) flow.endUs = event.timestampUs;
    flow.lastPacketNumber = event.packetNumber;
    flow.isChanged = true;
  }

  onFlowEnd(handle: FlowHandle): void {
    this.active.delete(handle);
  }

  /**
   * Provisional records of the open flows that changed since the last call
   * (at most `limit`), in the order the flows opened.
   */
  takeChanged(limit = maxProvisionalPerTake): FlowRecord[] {
    const records: FlowRecord[] = [];
    for (const [handle, flow] of this.active) {
      if (records.length >= limit) break;
      if (!flow.isChanged) continue;
      flow.isChanged = false;
      records.push(toProvisionalRecord(handle, flow));
    }
    return records;
  }
}

function toProvisionalRecord(handle: FlowHandle, flow: ActiveFlow): FlowRecord {
  const isFlipped =
    handle.originatorAddressText !== flow.originatorAddress || handle.originatorPort !== flow.originatorPort;
  const originator = isFlipped
    ? [flow.otherRolePackets, flow.otherRoleIpBytes, flow.otherRolePayloadBytes]
    : [flow.firstRolePackets, flow.firstRoleIpBytes, flow.firstRolePayloadBytes];
  const responder = isFlipped
    ? [flow.firstRolePackets, flow.firstRoleIpBytes, flow.firstRolePayloadBytes]
    : [flow.otherRolePackets, flow.otherRoleIpBytes, flow.otherRolePayloadBytes];
  return {
    uid: flow.uid,
    communityId: '',
    startUs: flow.startUs,
    endUs: flow.endUs,
    firstPacketNumber: flow.firstPacketNumber,
    lastPacketNumber: flow.lastPacketNumber,
    originatorAddress: handle.originatorAddressText,
    originatorPort: handle.originatorPort,
    responderAddress: handle.responderAddressText,
    responderPort: handle.responderPort,
    transport: handle.transport,
    ipProtocol: handle.protocol,
    vlan: null,
    innerVlan: null,
    service: handle.service,
    originatorBytes: originator[2] ?? 0,
    responderBytes: responder[2] ?? 0,
    missedBytes: 0,
    originatorPackets: originator[0] ?? 0,
    responderPackets: responder[0] ?? 0,
    originatorIpBytes: originator[1] ?? 0,
    responderIpBytes: responder[1] ?? 0,
    originatorPayloadBytes: originator[2] ?? 0,
    responderPayloadBytes: responder[2] ?? 0,
    connectionState: 'OTH',
    history: '',
    tunnelParents: [],
    isFinished: false,
    durationUs: flow.endUs - flow.startUs,
    isOriginatorLocal: isInternalAddress(handle.originatorAddressText),
    isResponderLocal: isInternalAddress(handle.responderAddressText),
    isProvisional: true,
  };
}
