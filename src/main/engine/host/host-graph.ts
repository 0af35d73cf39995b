/**
 * The host graph: the top hosts by bytes as nodes, the rest folded into one
 * group node, conversations as edges, positions from the force layout.
 */
import type { FlowRecord } from '../../../shared/domain/flow';
import { hostGraphOthersId, type HostGraph, type HostGraphEdge, type HostGraphNode } from '../../../shared/domain/host';
import { layoutForceDirected, type LayoutPoint } from './force-layout';
import { rankHostsByBytes } from './host-totals';
import { TrafficIndex } from './traffic-index';

/**
 * Build the graph of `flows` with at most `maxNodes` nodes: when there are
 * more hosts, the top `maxNodes - 1` by bytes stay and the rest become the
 * group node `hostGraphOthersId`. `previousPositions` (by node id) seeds the
 * layout so repeated calls during loading keep the picture steady.
 */
export function buildHostGraph(
  flows: readonly FlowRecord[],
  maxNodes: number,
  previousPositions: ReadonlyMap<string, LayoutPoint> = new Map(),
  namesOf: (address: string) => string[] = () => [],
): HostGraph {
  return buildHostGraphFromIndex(TrafficIndex.of(flows), maxNodes, previousPositions, namesOf);
}

/** Build the graph from running totals (see `buildHostGraph`); `namesOf` labels each host. */
export function buildHostGraphFromIndex(
  index: TrafficIndex,
  maxNodes: number,
  previousPositions: ReadonlyMap<string, LayoutPoint> = new Map(),
  namesOf: (address: string) => string[] = () => [],
): HostGraph {
  const ranked = rankHostsByBytes(index.hosts.values());
  const isGrouping = ranked.length > maxNodes;
  const kept = isGrouping ? ranked.slice(0, maxNodes - 1) : ranked;
  const hidden = isGrouping ? ranked.slice(maxNodes - 1) : [];

  const nodes: HostGraphNode[] = kept.map((host) => ({
    id: host.address,
    kind: 'host',
    address: host.address,
    names: namesOf(host.address),
    isInternal: host.isInternal,
    bytes: host.bytes,
    hostCount: 1,
    x: 0,
    y: 0,
  }));
  const hiddenBytes = hidden.reduce((sum, host) => sum + host.bytes, 0);
  if (isGrouping) {
    nodes.push({
      id: hostGraphOthersId,
      kind: 'group',
      address: '',
      names: [],
      isInternal: false,
      bytes: hiddenBytes,
      hostCount: hidden.length,
      x: 0,
      y: 0,
    });
  }

  const keptIds = new Set(kept.map((host) => host.address));
  const edges = sumEdges(index, (address) => (keptIds.has(address) ? address : hostGraphOthersId));
  placeNodes(nodes, edges, previousPositions);
  return { nodes, edges, hiddenHosts: hidden.length, hiddenBytes };
}

/** Sum flows and bytes per unordered node pair; pairs inside the group node are dropped. */
function sumEdges(index: TrafficIndex, nodeIdOf: (address: string) => string): HostGraphEdge[] {
  const edges = new Map<string, HostGraphEdge>();
  for (const pair of index.pairs.values()) {
    const a = nodeIdOf(pair.first);
    const b = nodeIdOf(pair.second);
    if (a === b) continue;
    const [source, target] = a < b ? [a, b] : [b, a];
    const key = `${source}\u0000${target}`;
    let edge = edges.get(key);
    if (edge === undefined) {
      edge = { source, target, bytes: 0, flows: 0 };
      edges.set(key, edge);
    }
    edge.bytes += pair.bytes;
    edge.flows += pair.flows;
  }
  return [...edges.values()];
}

function placeNodes(
  nodes: HostGraphNode[],
  edges: readonly HostGraphEdge[],
  previous: ReadonlyMap<string, LayoutPoint>,
): void {
  const indexById = new Map(nodes.map((node, index) => [node.id, index]));
  const layoutEdges = edges.map((edge) => ({
    source: indexById.get(edge.source) ?? 0,
    target: indexById.get(edge.target) ?? 0,
    weight: edge.bytes,
  }));
  const points = layoutForceDirected(
    nodes.length,
    layoutEdges,
    nodes.map((node) => previous.get(node.id)),
  );
  nodes.forEach((node, index) => {
    node.x = points[index]?.x ?? 0;
    node.y = points[index]?.y ?? 0;
  });
}
