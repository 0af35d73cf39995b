import { describe, expect, it } from 'vitest';

import { isInternalAddress } from '../../../src/main/engine/host/address-scope';
import { layoutForceDirected, layoutSize } from '../../../src/main/engine/host/force-layout';
import { buildHostGraph } from '../../../src/main/engine/host/host-graph';
import { hostGraphOthersId } from '../../../src/shared/domain/host';
import { makeFlow } from './flow-fixtures';

/** A star: 10.0.0.1 talks to 10 external hosts, host i sending (i + 1) * 100 IP bytes. */
function starFlows() {
  return Array.from({ length: 10 }, (_, index) =>
    makeFlow({
      originatorAddress: '10.0.0.1',
      responderAddress: `203.0.113.${index + 1}`,
      originatorIpBytes: (index + 1) * 100,
      responderIpBytes: 0,
    }),
  );
}

describe('buildHostGraph', () => {
  it('keeps every host under the node limit', () => {
    const graph = buildHostGraph(starFlows(), 50);
    expect(graph.nodes).toHaveLength(11);
    expect(graph.edges).toHaveLength(10);
    expect(graph.hiddenHosts).toBe(0);
    expect(graph.nodes[0]).toMatchObject({ id: '10.0.0.1', kind: 'host', isInternal: true, bytes: 5_500 });
  });

  it('groups the hosts past the top N', () => {
    // 5 nodes: the hub and the 3 largest external hosts stay, 7 hosts fold into the group.
    const graph = buildHostGraph(starFlows(), 5);
    expect(graph.nodes.map((node) => node.id)).toEqual([
      '10.0.0.1',
      '203.0.113.10',
      '203.0.113.9',
      '203.0.113.8',
      hostGraphOthersId,
    ]);
    expect(graph.hiddenHosts).toBe(7);
    expect(graph.hiddenBytes).toBe(100 + 200 + 300 + 400 + 500 + 600 + 700);
    const group = graph.nodes[4];
    expect(group).toMatchObject({ kind: 'group', hostCount: 7, bytes: 2_800 });
    const groupEdge = graph.edges.find(
      (edge) => edge.source === hostGraphOthersId || edge.target === hostGraphOthersId,
    );
    expect(groupEdge).toMatchObject({ flows: 7, bytes: 2_800 });
  });

  it('lays out nodes apart and within bounds', () => {
    const graph = buildHostGraph(starFlows(), 50);
    for (const node of graph.nodes) {
      expect(Math.abs(node.x)).toBeLessThanOrEqual(layoutSize / 2 + 0.1);
      expect(Math.abs(node.y)).toBeLessThanOrEqual(layoutSize / 2 + 0.1);
    }
    const positions = new Set(graph.nodes.map((node) => `${node.x},${node.y}`));
    expect(positions.size).toBe(graph.nodes.length);
  });

  it('lays out the same input the same way', () => {
    const edges = [
      { source: 0, target: 1, weight: 10 },
      { source: 1, target: 2, weight: 5 },
    ];
    expect(layoutForceDirected(3, edges)).toEqual(layoutForceDirected(3, edges));
  });
});

describe('isInternalAddress', () => {
  it.each([
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['127.0.0.1', true],
    ['169.254.10.1', true],
    ['100.64.0.1', true],
    ['8.8.8.8', false],
    ['fe80::1', true],
    ['fd00::1', true],
    ['2001:db8::1', false],
    ['::1', true],
    ['::ffff:10.0.0.1', true],
    ['not-an-address', false],
    ['300.1.1.1', false],
  ])('%s internal is %s', (address, expected) => {
    expect(isInternalAddress(address)).toBe(expected);
  });
});
