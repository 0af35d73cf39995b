import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { beforeAll, describe, expect, it } from 'vitest';

import { analyzeCapture } from '../../../src/main/engine/analyze-capture';
import { ApplicationAnalyzers } from '../../../src/main/engine/analyzers/application-analyzers';
import { DetectionEngine } from '../../../src/main/engine/detectors/detection-engine';
import { createProtocolRecordSinks } from '../../../src/main/engine/detectors/protocol';
import { analyzeWithAnalyzers } from '../../../src/main/engine/host/analyze-with-analyzers';
import { EngineService } from '../../../src/main/engine/host/engine-service';
import type { Alert, CaptureOverview, FlowPage, HostGraph, Timeline } from '../../../src/shared/contract';
import expected from '../../fixtures/sample.expected.json';

const samplePath = new URL('../../../assets/sample.pcapng', import.meta.url).pathname;
let service: EngineService;
let captureId: string;

async function call<T>(name: string, argument: unknown): Promise<T> {
  const result = await service.handle(name, argument);
  if (!result.ok) throw new Error(`${name} failed: ${result.error.message}`);
  return result.value as T;
}

beforeAll(async () => {
  service = new EngineService({ analyze: analyzeWithAnalyzers, emit: () => undefined });
  captureId = (await call<{ captureId: string }>('capture.open', { path: samplePath })).captureId;
  await service.currentSession?.finished;
});

describe('engine host on the bundled sample', () => {
  it('reports the sample counts and hash', async () => {
    const overview = await call<CaptureOverview>('aggregates.overview', { captureId });
    expect(overview.summary?.packets).toBe(expected.packets);
    expect(overview.summary?.wireBytes).toBe(expected.wireBytes);
    expect(overview.flows).toBe(expected.flows.total);
    expect(overview.sha256).toBe(createHash('sha256').update(readFileSync(samplePath)).digest('hex'));
    const mix = Object.fromEntries(overview.protocolMix.map((share) => [share.transport, share.flows]));
    expect(mix).toEqual({ tcp: expected.flows.tcp, udp: expected.flows.udp, icmp: expected.flows.icmp });
  });

  it('pages the flow table', async () => {
    const page = await call<FlowPage>('flows.query', {
      captureId,
      offset: 10,
      limit: 25,
      sort: { column: 'startUs', direction: 'ascending' },
      filter: {},
    });
    expect(page.total).toBe(expected.flows.total);
    expect(page.rows).toHaveLength(25);
    expect(page.rows[0]?.startUs).toBeLessThanOrEqual(page.rows[1]?.startUs ?? 0);
  });

  it('filters the table to the scan target', async () => {
    const page = await call<FlowPage>('flows.query', {
      captureId,
      offset: 0,
      limit: 1,
      sort: { column: 'startUs', direction: 'ascending' },
      filter: { hosts: [expected.scan.scanner], text: 'REJ' },
    });
    expect(page.total).toBe(expected.scan.portsRefused);
  });

  it('buckets the whole span', async () => {
    const timeline = await call<Timeline>('aggregates.timeline', { captureId, filter: {} });
    expect(timeline.bucketUs).toBe(500_000);
    expect(timeline.buckets[0]?.startUs).toBeLessThanOrEqual(expected.firstUs);
    expect(timeline.buckets.at(-1)?.startUs).toBeGreaterThan(expected.lastUs - timeline.bucketUs);
    expect(timeline.buckets.reduce((sum, bucket) => sum + bucket.newFlows, 0)).toBe(expected.flows.total);
  });

  it('graphs every address', async () => {
    const graph = await call<HostGraph>('aggregates.hostGraph', { captureId, filter: {}, maxNodes: 100 });
    expect(graph.nodes.map((node) => node.address).sort()).toEqual([...expected.hosts.addresses].sort());
    expect(graph.hiddenHosts).toBe(0);
    const grouped = await call<HostGraph>('aggregates.hostGraph', { captureId, filter: {}, maxNodes: 5 });
    expect(grouped.nodes).toHaveLength(5);
    expect(grouped.hiddenHosts).toBe(expected.hosts.distinctAddresses - 4);
  });

  it('raises the port scan with its evidence', async () => {
    const { alerts } = await call<{ alerts: Alert[] }>('alerts.list', { captureId, filter: {} });
    const scan = alerts.find((alert) => alert.detector === 'port-scan' && alert.hosts[0] === expected.scan.scanner);
    // Zeek's scan policy counts refused (REJ), unanswered (S0) and, for open ports, resets before any data:
    // an open port whose listener sent data first (an SSH banner, 'd' in the history) is not a failure.
    const portsWithData: readonly number[] = expected.scan.portsOpenWithData;
    const openPortsWithoutData = expected.scan.portsOpen.filter((port) => !portsWithData.includes(port)).length;
    const failedPorts = expected.scan.portsRefused + expected.scan.portsUnanswered.length + openPortsWithoutData;
    expect(scan?.measurements.map((measurement) => measurement.value)).toContain(failedPorts);
    expect(scan?.hosts).toEqual([expected.scan.scanner, expected.scan.target]);
    expect(scan?.evidence.flowUids).toHaveLength(failedPorts);
    expect(scan?.severity).toBe('critical');
    expect(scan?.mitreTechnique).toBe('T1046');
  });

  it('labels hosts with the names seen', async () => {
    const graph = await call<HostGraph>('aggregates.hostGraph', { captureId, filter: {}, maxNodes: 100 });
    const namesByAddress = new Map(graph.nodes.map((node) => [node.address, node.names]));
    for (const named of expected.namedHosts) {
      for (const address of named.addresses) expect(namesByAddress.get(address)).toContain(named.name);
    }
    const unnamed = graph.nodes.filter((node) => node.names.length === 0).map((node) => node.address);
    const namedAddresses = new Set(expected.namedHosts.flatMap((named) => named.addresses));
    expect(unnamed.sort()).toEqual(expected.hosts.addresses.filter((address) => !namedAddresses.has(address)).sort());
  });

  it('identifies services', async () => {
    const overview = await call<CaptureOverview>('aggregates.overview', { captureId });
    const flowsByService = Object.fromEntries(overview.serviceMix.map((share) => [share.service, share.flows]));
    const { dns, dhcp, quic, smb, ssh } = expected.services;
    expect(flowsByService).toMatchObject({ dns, dhcp, quic, smb, ssh });
    expect(Object.keys(flowsByService).sort()).toEqual(['(unknown)', 'dhcp', 'dns', 'http', 'quic', 'smb', 'ssh', 'ssl']);
  });
});

describe('detection in the engine host', () => {
  it('raises the alerts tideline analyze raises', async () => {
    // The CLI's pipeline run independently: analyzers feed records, packets and flows to one DetectionEngine.
    const detections = new DetectionEngine();
    const analyzers = new ApplicationAnalyzers(createProtocolRecordSinks((record) => detections.observeRecord(record)));
    await analyzeCapture(samplePath, {
      analyzers,
      onDecodedPacket: (decoded, record) =>
        detections.observeDecodedPacket(decoded, record.data, record.timestampUs, record.packetNumber),
      onFlows: (flows) => {
        for (const flow of flows) {
          analyzers.annotateFlowRecord(flow);
          detections.addFlow(flow);
        }
      },
    });
    const expectedIds = detections.evaluate().map((alert) => alert.id).sort();

    const { alerts } = await call<{ alerts: Alert[] }>('alerts.list', { captureId, filter: {} });
    const hostIds = alerts
      .filter((alert) => alert.detector !== 'decode-problems')
      .map((alert) => alert.id)
      .sort();
    expect(hostIds).toEqual(expectedIds);
    // Record- and packet-fed detectors are among them: self-signed certificates and erin's laptop, whose MAC
    // first shows after the opening period (its DHCP lease).
    expect(alerts.filter((alert) => alert.detector === 'tls-self-signed').length).toBeGreaterThan(0);
    expect(alerts.filter((alert) => alert.detector === 'new-device').map((alert) => alert.hosts[0])).toEqual([
      expected.dhcp.assignedAddress,
    ]);
    // carol's beacon, once by the name she resolved and once by address, each over every connection.
    const beacons = alerts.filter((alert) => alert.detector === 'beaconing' || alert.detector === 'named-beaconing');
    expect(beacons.map((alert) => alert.hosts[0])).toEqual([expected.beacon.source, expected.beacon.source]);
    for (const beacon of beacons) {
      expect(beacon.measurements.find((measurement) => measurement.name === 'connections')?.value).toBe(expected.beacon.connections);
    }
  });
});
