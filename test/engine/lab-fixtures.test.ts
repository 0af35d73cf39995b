/**
 * Runs the engine over every lab capture and compares its summary and flows
 * with the capture's expected file (tshark counts plus the Zeek state and
 * history reasoned from the scenario; see scripts/lab/fixture-reasoning.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/main/engine/analyze-capture';
import type { FlowRecord } from '../../src/shared/domain/flow';
import type { ExpectedFlow } from '../../scripts/lab/fixture-expectation';
import type { SampleFacts } from '../../scripts/lab/sample-facts';
import { readLabFixtures } from '../lab/read-expectations';

const COMPARED_FIELDS = [
  'transport',
  'ipProtocol',
  'vlan',
  'communityId',
  'connectionState',
  'history',
  'originatorPackets',
  'responderPackets',
  'originatorIpBytes',
  'responderIpBytes',
  'originatorBytes',
  'responderBytes',
  'startUs',
  'endUs',
  'durationUs',
  'firstPacketNumber',
  'lastPacketNumber',
] as const satisfies readonly (keyof ExpectedFlow & keyof FlowRecord)[];

async function analyzeLabCapture(path: string) {
  // The engine may report a flow again as it grows, so the latest report per uid wins.
  const flowsByUid = new Map<string, FlowRecord>();
  const { summary } = await analyzeCapture(path, {
    onFlows: (flows: FlowRecord[]) => {
      for (const flow of flows) flowsByUid.set(flow.uid, flow);
    },
    onProgress: () => undefined,
  });
  return { summary, flows: [...flowsByUid.values()] };
}

function describeEndpoints(flow: ExpectedFlow | FlowRecord): string {
  return `${flow.originatorAddress}:${flow.originatorPort} -> ${flow.responderAddress}:${flow.responderPort}`;
}

function findFlow(flows: FlowRecord[], expected: ExpectedFlow): FlowRecord | undefined {
  return flows.find(
    (flow) =>
      flow.transport === expected.transport &&
      flow.originatorAddress === expected.originatorAddress &&
      flow.originatorPort === expected.originatorPort &&
      flow.responderAddress === expected.responderAddress &&
      flow.responderPort === expected.responderPort,
  );
}

describe.each(readLabFixtures())('engine on lab capture $name', ({ path, expected }) => {
  it('reports the capture totals', async () => {
    const { summary } = await analyzeLabCapture(path);
    expect(summary.format).toBe(expected.format);
    expect(summary.packets).toBe(expected.packets);
    expect(summary.capturedBytes).toBe(expected.capturedBytes);
    expect(summary.wireBytes).toBe(expected.wireBytes);
    expect(summary.firstUs).toBe(expected.firstUs);
    expect(summary.lastUs).toBe(expected.lastUs);
    expect(summary.flows).toBe(expected.flows.length);
    expect(summary.decodeProblems).toEqual([]);
    expect(summary.fileProblems).toEqual([]);
  });

  it('reports each expected flow', async () => {
    const { flows } = await analyzeLabCapture(path);
    expect(flows.map(describeEndpoints).sort()).toEqual(expected.flows.map(describeEndpoints).sort());
    for (const expectedFlow of expected.flows) {
      const flow = findFlow(flows, expectedFlow);
      expect(flow, `flow ${describeEndpoints(expectedFlow)}`).toBeDefined();
      if (flow === undefined) continue;
      for (const field of COMPARED_FIELDS) {
        expect(flow[field], `${field} of ${expectedFlow.transport} ${describeEndpoints(expectedFlow)}`).toBe(
          expectedFlow[field],
        );
      }
    }
  });

  // FlowRecord.isFinished is true for a flow that ended by FIN or RST, even
  // when the end of the file, not a timeout, is what emits it.
  it('marks closed TCP flows finished', async () => {
    const { flows } = await analyzeLabCapture(path);
    const closed = expected.flows.filter(
      (flow) => flow.transport === 'tcp' && ['SF', 'REJ', 'RSTO', 'RSTR'].includes(flow.connectionState),
    );
    for (const expectedFlow of closed) {
      expect(findFlow(flows, expectedFlow)?.isFinished, `isFinished of ${describeEndpoints(expectedFlow)}`).toBe(true);
    }
  });
});

describe('engine on the bundled sample', () => {
  const root = join(import.meta.dirname, '..', '..');
  const samplePath = join(root, 'assets', 'sample.pcapng');
  const expected = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'sample.expected.json'), 'utf8')) as SampleFacts;

  it('counts packets, bytes and time span', async () => {
    const { summary } = await analyzeLabCapture(samplePath);
    expect(summary.packets).toBe(expected.packets);
    expect(summary.wireBytes).toBe(expected.wireBytes);
    expect(summary.firstUs).toBe(expected.firstUs);
    expect(summary.lastUs).toBe(expected.lastUs);
    expect(summary.flows).toBe(expected.flows.total);
  });

  it('counts flows per transport and hosts', async () => {
    const { flows } = await analyzeLabCapture(samplePath);
    expect(flows.length).toBe(expected.flows.total);
    expect(flows.filter((flow) => flow.transport === 'tcp').length).toBe(expected.flows.tcp);
    expect(flows.filter((flow) => flow.transport === 'udp').length).toBe(expected.flows.udp);
    expect(flows.filter((flow) => flow.transport === 'icmp').length).toBe(expected.flows.icmp);
    const addresses = new Set(flows.flatMap((flow) => [flow.originatorAddress, flow.responderAddress]));
    expect([...addresses].sort()).toEqual(expected.hosts.addresses);
  });

  it('counts flows per connection state', async () => {
    const { flows } = await analyzeLabCapture(samplePath);
    const states: Record<string, number> = {};
    for (const flow of flows) states[flow.connectionState] = (states[flow.connectionState] ?? 0) + 1;
    expect(states).toEqual(expected.connectionStates.states);
  });

  it('sees the port scan as rejected and unanswered attempts', async () => {
    const { flows } = await analyzeLabCapture(samplePath);
    const scan = flows.filter(
      (flow) => flow.originatorAddress === expected.scan.scanner && flow.responderAddress === expected.scan.target,
    );
    const probes = scan.filter((flow) => flow.transport === 'tcp');
    expect(new Set(probes.map((flow) => flow.responderPort)).size).toBe(expected.scan.portsTried);
    expect(probes.filter((flow) => flow.connectionState === 'REJ').length).toBe(expected.scan.portsRefused);
    const unanswered = probes.filter((flow) => flow.connectionState === 'S0').map((flow) => flow.responderPort);
    expect(unanswered.sort((a, b) => a - b)).toEqual(expected.scan.portsUnanswered);
  });

  it('sees one flow per beacon', async () => {
    const { flows } = await analyzeLabCapture(samplePath);
    const beacons = flows.filter(
      (flow) =>
        flow.originatorAddress === expected.beacon.source &&
        flow.responderAddress === expected.beacon.destination &&
        flow.responderPort === expected.beacon.destinationPort,
    );
    expect(beacons.length).toBe(expected.beacon.connections);
    expect(beacons.every((flow) => flow.connectionState === 'SF')).toBe(true);
  });
});
