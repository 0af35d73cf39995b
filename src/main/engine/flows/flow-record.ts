import type { ConnectionState, FlowRecord } from '../../../shared/domain/flow';
import { isPrivateAddress } from './address-text';
import { computeCommunityIdAt } from './community-id';
import type { FlowState } from './flow-state';
import { getTcpConnectionState } from './tcp-tracking';

/** Build the JSON-safe record of a flow leaving the table. */
export function buildFlowRecord(flow: FlowState): FlowRecord {
  const isIpv6 = flow.ipVersion === 6;
  const hasPorts = flow.transport !== 'unknown_transport' && !flow.isIpOnly;

  let originatorBytes = flow.originatorClaimedBytes;
  let responderBytes = flow.responderClaimedBytes;
  if (flow.tcpEndpoints !== null && !flow.isIpOnly) {
    const [originatorEndpoint, responderEndpoint] = flow.tcpEndpoints;
    originatorBytes = originatorEndpoint.getPayloadSize(responderEndpoint);
    responderBytes = responderEndpoint.getPayloadSize(originatorEndpoint);
  }

  const record: FlowRecord = {
    uid: flow.uid,
    communityId: computeCommunityIdAt(
      flow.keyBytes,
      flow.originatorKeyOffset,
      flow.responderKeyOffset,
      flow.addressLength,
      flow.protocol,
      flow.originatorPort,
      flow.responderPort,
      hasPorts,
      flow.isIcmpOneWay,
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
    originatorPackets: flow.originatorPackets,
    responderPackets: flow.responderPackets,
    originatorIpBytes: flow.originatorIpBytes,
    responderIpBytes: flow.responderIpBytes,
    originatorPayloadBytes: flow.originatorPayloadBytes,
    responderPayloadBytes: flow.responderPayloadBytes,
    connectionState: getConnectionState(flow),
    history: flow.history,
    tunnelParents: flow.tunnelParents === null ? [] : [...flow.tunnelParents].sort(),
    isFinished: flow.isFinished,
    isOriginatorLocal: isPrivateAddress(flow.keyBytes, flow.originatorKeyOffset, isIpv6),
    isResponderLocal: isPrivateAddress(flow.keyBytes, flow.responderKeyOffset, isIpv6),
  };
  if (flow.isIpOnly) record.isIpOnly = true;
  return record;
}

function getConnectionState(flow: FlowState): ConnectionState {
  if (flow.isIpOnly) return 'OTH';
  if (flow.transport === 'tcp') return getTcpConnectionState(flow);
  if (flow.transport !== 'udp') return 'OTH';
  if (flow.isOriginatorActive) return flow.isResponderActive ? 'SF' : 'S0';
  return flow.isResponderActive ? 'SHR' : 'OTH';
}
