/** Synthetic FlowRecords for detector tests: every field set, overridable. */
import type { FlowRecord } from '../../../src/shared/domain/flow';

let counter = 0;

export function makeFlow(overrides: Partial<FlowRecord> = {}): FlowRecord {
  counter++;
  const startUs = overrides.startUs ?? 1_764_583_200_000_000;
  return {
    uid: `Ctest${String(counter).padStart(13, '0')}`,
    communityId: '1:test',
    startUs,
    endUs: startUs + 1_000_000,
    firstPacketNumber: counter * 10,
    lastPacketNumber: counter * 10 + 5,
    originatorAddress: '10.66.0.5',
    originatorPort: 40000 + (counter % 20000),
    responderAddress: '198.18.0.9',
    responderPort: 443,
    transport: 'tcp',
    ipProtocol: 6,
    vlan: null,
    innerVlan: null,
    service: null,
    originatorBytes: 200,
    responderBytes: 1000,
    missedBytes: 0,
    originatorPackets: 5,
    responderPackets: 5,
    originatorIpBytes: 400,
    responderIpBytes: 1200,
    originatorPayloadBytes: 200,
    responderPayloadBytes: 1000,
    connectionState: 'SF',
    history: 'ShADadFf',
    tunnelParents: [],
    isFinished: true,
    ...overrides,
  };
}

/** 2025-12-01 (a Monday) 00:00:00 UTC in microseconds. */
export const mondayUs = Date.UTC(2025, 11, 1) * 1000;
export const secondUs = 1_000_000;
export const hourUs = 3_600_000_000;

/** Deterministic pseudo-random numbers in [0, 1) (LCG from Numerical Recipes). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}
