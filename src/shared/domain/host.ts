/** Hosts as the overview and the host graph see them. JSON-safe. */

export interface HostTotals {
  address: string;
  /** True for private, loopback, link-local and unique-local addresses (RFC 1918, RFC 4193, ...). */
  isInternal: boolean;
  /** Names seen for the address (DNS answers, TLS SNI, DHCP); empty until an analyzer fills them. */
  names: string[];
  /** IP bytes sent plus received. */
  bytes: number;
  packets: number;
  /** Flows in which the host is either endpoint. */
  flows: number;
}

export interface HostGraphNode {
  /** The address for a host, or `hostGraphOthersId` for the grouped rest. */
  id: string;
  /** 'host' for one address, 'group' for the hosts left out of the top N. */
  kind: 'host' | 'group';
  /** The address, or an empty string for the group. */
  address: string;
  names: string[];
  isInternal: boolean;
  /** IP bytes sent plus received by the host (for the group: by all its members). */
  bytes: number;
  /** Hosts the node stands for: 1 for a host, the member count for the group. */
  hostCount: number;
  /** Layout position computed by the engine, in layout units centered on 0. */
  x: number;
  y: number;
}

export interface HostGraphEdge {
  /** Node ids; the pair is unordered, and `source` sorts before `target`. */
  source: string;
  target: string;
  /** IP bytes over all flows between the two nodes, both directions. */
  bytes: number;
  flows: number;
}

export interface HostGraph {
  nodes: HostGraphNode[];
  edges: HostGraphEdge[];
  /** Hosts folded into the group node. */
  hiddenHosts: number;
  /** Bytes of the hosts folded into the group node. */
  hiddenBytes: number;
}

/** Node id of the group that stands for the hosts left out of the top N. */
export const hostGraphOthersId = '(other hosts)';
