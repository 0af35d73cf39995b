import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../../src/main/engine/analyze-capture';
import type { FlowRecord } from '../../../src/shared/domain/flow';
import { writeSteadyCapture } from '../../../scripts/steady-capture';

const directory = mkdtempSync(join(tmpdir(), 'tideline-active-flows-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Analyze a steady capture of `targetBytes` and return the table figures and the flows in emission order. */
async function analyzeSteady(name: string, targetBytes: number) {
  const path = join(directory, name);
  // Sessions 10 ms apart: DNS flows live 10 s after their answer, closed TCP flows 5 s after the last ACK.
  const written = writeSteadyCapture(path, { targetBytes, sessionIntervalUs: 10_000, responseBytes: 100 });
  const flows: FlowRecord[] = [];
  const result = await analyzeCapture(path, { onFlows: (batch) => flows.push(...batch) });
  return { written, flows, result };
}

describe('flow table memory', () => {
  it('keeps active flows bounded while total flows grow', async () => {
    const small = await analyzeSteady('small.pcap', 4 * 1024 * 1024);
    const large = await analyzeSteady('large.pcap', 16 * 1024 * 1024);

    // Four times the file gives four times the flows ...
    expect(small.result.flowTableStats.createdFlows).toBe(small.written.flows);
    expect(large.result.flowTableStats.createdFlows).toBe(large.written.flows);
    expect(large.written.flows).toBeGreaterThan(3.9 * small.written.flows);
    expect(large.written.flows).toBeGreaterThan(20_000);

    // ... but the same peak of active flows: 100 sessions per second, a DNS flow
    // held 10 s and a TCP flow 5 s, plus at most one second of sweep delay each.
    const bound = 100 * (11 + 6) + 4;
    expect(small.result.flowTableStats.peakActiveFlows).toBeLessThanOrEqual(bound);
    expect(large.result.flowTableStats.peakActiveFlows).toBeLessThanOrEqual(bound);
    expect(large.result.flowTableStats.peakActiveFlows).toBeGreaterThanOrEqual(100 * (10 + 5));
    expect(large.result.summary.flows).toBe(large.written.flows);
  });

  it('emits closed flows while reading, in deadline order', async () => {
    const { flows, written } = await analyzeSteady('order.pcap', 1024 * 1024);
    expect(flows).toHaveLength(written.flows);
    // TCP flows time out 5 s after their close, DNS flows 10 s after their answer,
    // so the first flows out are the TCP connections of the first seconds.
    expect(flows[0]?.transport).toBe('tcp');
    expect(flows[0]?.isFinished).toBe(true);
    expect(flows[0]?.connectionState).toBe('SF');
    const firstDns = flows.findIndex((flow) => flow.transport === 'udp');
    expect(firstDns).toBeGreaterThan(400);
    // Every row is finished: TCP by FIN, DNS by its timeout, except the DNS flows still open at the end.
    const openAtEnd = flows.filter((flow) => !flow.isFinished);
    expect(openAtEnd.every((flow) => flow.transport === 'udp')).toBe(true);
    expect(openAtEnd.length).toBeLessThanOrEqual(100 * 11);
  });
});
