/** Flow records built in memory for engine host tests. */
import type { FlowRecord } from '../../../src/shared/domain/flow';

let counter = 0;

/** A finished TCP flow with plausible defaults; every field can be overridden. */
export function makeFlow(overrides: Partial<FlowRecord> = {}): FlowRecord {
  counter += 1;
  const startUs = overrides.startUs ?? 1_700_000_000_000_000;
  return {
    uid: `Ctest${String(counter).padStart(13, '0')}`,
    communityId: `1:test${counter}`,
    startUs,
    endUs: startUs,
    firstPacketNumber: counter,
    lastPacketNumber: counter,
    originatorAddress: '10.0.0.5',
    originatorPort: 40_000 + (counter % 20_000),
    responderAddress: '10.0.0.9',
    responderPort: 80,
    transport: 'tcp',
    ipProtocol: 6,
    vlan: null,
    innerVlan: null,
    service: null,
    originatorBytes: 0,
    responderBytes: 0,
    missedBytes: 0,
    originatorPackets: 1,
    responderPackets: 1,
    originatorIpBytes: 60,
    responderIpBytes: 40,
    originatorPayloadBytes: 0,
    responderPayloadBytes: 0,
    connectionState: 'SF',
    history: 'ShADadFf',
    tunnelParents: [],
    isFinished: true,
    ...overrides,
  };
}

/** `count` rejected SYNs from `scanner` to consecutive ports of `victim`, `gapUs` apart. */
export function makeRejectedPorts(
  scanner: string,
  victim: string,
  count: number,
  startUs: number,
  gapUs: number,
): FlowRecord[] {
  return Array.from({ length: count }, (_, index) =>
    makeFlow({
      originatorAddress: scanner,
      responderAddress: victim,
      responderPort: 1_000 + index,
      startUs: startUs + index * gapUs,
      endUs: startUs + index * gapUs + 300,
      connectionState: 'REJ',
      history: 'Sr',
      originatorIpBytes: 44,
      responderIpBytes: 40,
    }),
  );
}
