/**
 * The timeline and host graph of a reopened case come from its store: on
 * the bundled sample they must give the same buckets, nodes and edges as
 * the in-memory ones of the capture it was made from, for display filters
 * and time ranges.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { analyzeWithAnalyzers } from '../../../src/main/engine/host/analyze-with-analyzers';
import { EngineService } from '../../../src/main/engine/host/engine-service';
import { isStoreTimelineFilter } from '../../../src/main/engine/host/store-timeline';
import type { CaseListEntry } from '../../../src/shared/domain/case';
import type { Timeline } from '../../../src/shared/domain/aggregates';
import type { HostGraph } from '../../../src/shared/domain/host';
import type { FlowFilter } from '../../../src/shared/domain/query';
import expected from '../../fixtures/sample.expected.json';

const samplePath = new URL('../../../assets/sample.pcapng', import.meta.url).pathname;
const dataFolder = mkdtempSync(join(tmpdir(), 'tideline-store-timeline-'));
let service: EngineService;

async function call<T>(name: string, argument: unknown): Promise<T> {
  const result = await service.handle(name, argument);
  if (!result.ok) throw new Error(`${name} failed: ${result.error.message}`);
  return result.value as T;
}

const middleUs = Math.round((expected.firstUs + expected.lastUs) / 2);
const filters: Array<[string, FlowFilter, number]> = [
  ['everything', {}, 300],
  ['tcp only', { displayFilter: 'tcp' }, 300],
  ['REJ flows in 40 buckets', { displayFilter: 'conn_state == "REJ"' }, 40],
  ['the second half', { timeRange: { startUs: middleUs, endUs: expected.lastUs + 1 } }, 120],
  ['DNS in the first half', { displayFilter: 'udp.port == 53', timeRange: { startUs: expected.firstUs, endUs: middleUs } }, 60],
  ['a filter nothing meets', { displayFilter: 'tcp.port == 1' }, 300],
];
const fromMemory = new Map<string, Timeline>();
const graphFromMemory = new Map<string, HostGraph>();

/** A graph without layout, nodes and edges in id order, so host ranking ties cannot reorder it. */
function graphTotals(graph: HostGraph): unknown {
  return {
    nodes: graph.nodes.map(({ x: _x, y: _y, ...node }) => node).sort((a, b) => a.id.localeCompare(b.id)),
    edges: [...graph.edges].sort((a, b) => `${a.source} ${a.target}`.localeCompare(`${b.source} ${b.target}`)),
    hiddenHosts: graph.hiddenHosts,
    hiddenBytes: graph.hiddenBytes,
  };
}
let reopenedId = '';

beforeAll(async () => {
  service = new EngineService({ analyze: analyzeWithAnalyzers, emit: () => undefined, casesFolder: join(dataFolder, 'cases') });
  const { captureId } = await call<{ captureId: string }>('capture.open', { path: samplePath });
  await service.currentSession?.finished;
  await service.cases?.ingestFinished();
  for (const [label, filter, bucketCount] of filters) {
    fromMemory.set(label, await call<Timeline>('aggregates.timeline', { captureId, filter, bucketCount }));
    graphFromMemory.set(label, await call<HostGraph>('aggregates.hostGraph', { captureId, filter, maxNodes: 6 }));
  }
  const cases = await call<CaseListEntry[]>('cases.list', {});
  reopenedId = (await call<{ captureId: string }>('cases.open', { caseId: cases[0]!.id })).captureId;
  await service.currentSession?.finished;
}, 60_000);

afterAll(async () => {
  service.dispose();
  await service.cases?.detach();
  rmSync(dataFolder, { recursive: true, force: true });
});

describe('timeline of a reopened case', () => {
  it.each(filters)('matches the in-memory buckets: %s', async (label, filter, bucketCount) => {
    const memory = fromMemory.get(label)!;
    const stored = await call<Timeline>('aggregates.timeline', { captureId: reopenedId, filter, bucketCount });
    expect(stored).toEqual(memory);
  });

  it.each(filters)('gives the same host graph nodes and edges: %s', async (label, filter) => {
    const memory = graphFromMemory.get(label)!;
    const stored = await call<HostGraph>('aggregates.hostGraph', { captureId: reopenedId, filter, maxNodes: 6 });
    expect(graphTotals(stored)).toEqual(graphTotals(memory));
  });

  it('groups the hosts past the node limit', () => {
    const everything = graphFromMemory.get('everything')!;
    expect(everything.nodes).toHaveLength(6);
    expect(everything.hiddenHosts).toBe(expected.hosts.distinctAddresses - 5);
  });

  it('counts every flow of the sample once as new', () => {
    const memory = fromMemory.get('everything')!;
    expect(memory.buckets.reduce((sum, bucket) => sum + bucket.newFlows, 0)).toBe(expected.flows.total);
  });

  it('leaves text, host and uid filters to memory', () => {
    expect(isStoreTimelineFilter({ displayFilter: 'tcp', timeRange: { startUs: 0, endUs: 1 } })).toBe(true);
    expect(isStoreTimelineFilter({ text: '10.66' })).toBe(false);
    expect(isStoreTimelineFilter({ hosts: ['10.66.0.21'] })).toBe(false);
    expect(isStoreTimelineFilter({ uids: ['C1'] })).toBe(false);
  });
});
