import type { ConnectionState, FlowRecord } from '../../../shared/domain/flow';
import { isPrivateAddress } from './address-text';
import { computeCommunityId } from './community-id';
import type { FlowState } from './flow-state';
import { getTcpConnectionState } from './tcp-tracking';

/** Build the JSON-safe record of a flow leaving the table. */
export function buildFlowRecord(flow: FlowState): FlowRecord {
  const isIpv6 = flow.ipVersion === 6;
  const [originator, responder] = flow.counters;
  const hasPorts = flow.transport !== 'unknown_transport';

  let originatorBytes = originator.claimedBytes;
  let responderBytes = responder.claimedBytes;
  if (flow.tcpEndpoints !== null) {
    const [originatorEndpoint, responderEndpoint] = flow.tcpEndpoints;
    originatorBytes = originatorEndpoint.getPayloadSize(responderEndpoint);
    responderBytes = responderEndpoint.getPayloadSize(originatorEndpoint);
  }

  return {
    uid: flow.uid,
    communityId: computeCommunityId(
      flow.originatorAddress,
      flow.responderAddress,
      flow.protocol,
      flow.originatorPort,
      flow.responderPort,
      {
        hasPorts,
        isOneWay: flow.isIcmpOneWay,
      },
    ),
    startUs: flow.startUs,
    endUs: flow.lastPacketUs,
    durationUs: flow.lastTimeUs - flow.startUs,
    firstPacketNumber: flow.firstPacketNumber,
    lastPacketNumber: flow.lastPacketNumber,
    originatorAddress: flow.originatorAddressText,
    originatorPort: flow.originatorPort,
    responderAddress: flow.responderAddressText,
    responderPort: flow.responderPort,
    transport: flow.transport,
    ipProtocol: flow.protocol,
    vlan: flow.vlan,
    innerVlan: flow.innerVlan,
    service: flow.service,
    originatorBytes,
    responderBytes,
    missedBytes: flow.missedBytes,
    originatorPackets: originator.packets,
    responderPackets: responder.packets,
    originatorIpBytes: originator.ipBytes,
    responderIpBytes: responder.ipBytes,
    originatorPayloadBytes: originator.payloadBytes,
    responderPayloadBytes: responder.payloadBytes,
    connectionState: getConnectionState(flow),
    history: flow.history,
    tunnelParents: [...flow.tunnelParents].sort(),
    isFinished: flow.isFinished,
    isOriginatorLocal: isPrivateAddress(flow.originatorAddress, 0, isIpv6),
    isResponderLocal: isPrivateAddress(flow.responderAddress, 0, isIpv6),
  };
}

function getConnectionState(flow: FlowState): ConnectionState {
  if (flow.transport === 'tcp') return getTcpConnectionState(flow);
  if (flow.transport !== 'udp') return 'OTH';
  const [originator, responder] = flow.counters;
  if (originator.isActive) return responder.isActive ? 'SF' : 'S0';
  return responder.isActive ? 'SHR' : 'OTH';
}
