/**
 * Builds the host graph's option: an ECharts graph with layout 'none' at the
 * engine's x/y, node size by bytes, internal, external and grouped hosts in
 * three categories, edge width by bytes, zoom and pan by roam.
 */
import type { EChartsCoreOption } from 'echarts/core';

import type { HostGraph, HostGraphEdge, HostGraphNode } from '../../../shared/contract';
import { escapeHtml } from '../../format/escape-html';
import { formatBytes, formatCount } from '../../format/quantity';
import type { ChartPalette } from './chart-palette';

export interface HostGraphOptionInput {
  graph: HostGraph;
  selectedHosts: readonly string[];
  palette: ChartPalette;
}

/** Category indexes in the option's `categories`. */
export const hostCategories = { internal: 0, external: 1, group: 2 } as const;

const minimumNodeSize = 8;
const maximumNodeSize = 44;
const minimumEdgeWidth = 0.5;
const maximumEdgeWidth = 8;

/** Returns a size between `minimum` and `maximum` by the square root of value/largest, so area follows bytes. */
export function scaleBySquareRoot(value: number, largest: number, minimum: number, maximum: number): number {
  if (largest <= 0 || value <= 0) return minimum;
  return minimum + (maximum - minimum) * Math.sqrt(Math.min(1, value / largest));
}

/** Returns the node's label: its address and the first name seen, or the group's host count. */
export function formatNodeLabel(node: HostGraphNode): string {
  if (node.kind === 'group') return `${formatCount(node.hostCount)} other hosts`;
  const name = node.names[0];
  return name ? `${node.address}\n${name}` : node.address;
}

export function categoryOfNode(node: HostGraphNode): number {
  if (node.kind === 'group') return hostCategories.group;
  return node.isInternal ? hostCategories.internal : hostCategories.external;
}

function describeNodeKind(node: HostGraphNode): 'grouped' | 'internal' | 'external' {
  if (node.kind === 'group') return 'grouped';
  return node.isInternal ? 'internal' : 'external';
}

/** Returns the tooltip HTML for a node; names come from packets, so each is escaped. */
export function formatNodeTooltip(node: HostGraphNode): string {
  const title = node.kind === 'group' ? `${formatCount(node.hostCount)} other hosts` : node.address;
  const kind = describeNodeKind(node);
  const names = node.names
    .slice(0, 5)
    .map((name) => `<div>${escapeHtml(name)}</div>`)
    .join('');
  const more =
    node.names.length > 5 ? `<div class="chart-tooltip-label">and ${node.names.length - 5} more names</div>` : '';
  return (
    `<div class="chart-tooltip-title">${escapeHtml(title)}</div>` +
    `<div class="chart-tooltip-row"><span class="chart-tooltip-label">Kind</span><span>${kind}</span></div>` +
    `<div class="chart-tooltip-row"><span class="chart-tooltip-label">Bytes</span><span>${escapeHtml(formatBytes(node.bytes))}</span></div>` +
    names +
    more
  );
}

export function formatEdgeTooltip(edge: HostGraphEdge): string {
  return (
    `<div class="chart-tooltip-title">${escapeHtml(edge.source)} ↔ ${escapeHtml(edge.target)}</div>` +
    `<div class="chart-tooltip-row"><span class="chart-tooltip-label">Bytes</span><span>${escapeHtml(formatBytes(edge.bytes))}</span></div>` +
    `<div class="chart-tooltip-row"><span class="chart-tooltip-label">Flows</span><span>${escapeHtml(formatCount(edge.flows))}</span></div>`
  );
}

interface GraphTooltipParameter {
  dataType?: 'node' | 'edge';
  dataIndex: number;
}

export function buildHostGraphOption(input: HostGraphOptionInput): EChartsCoreOption {
  const { graph, palette } = input;
  const selected = new Set(input.selectedHosts);
  const largestNode = Math.max(0, ...graph.nodes.map((node) => node.bytes));
  const largestEdge = Math.max(0, ...graph.edges.map((edge) => edge.bytes));

  const nodes = graph.nodes.map((node) => {
    const isSelected = node.kind === 'host' && selected.has(node.address);
    return {
      id: node.id,
      name: node.id,
      x: node.x,
      y: node.y,
      value: node.bytes,
      category: categoryOfNode(node),
      symbolSize: scaleBySquareRoot(node.bytes, largestNode, minimumNodeSize, maximumNodeSize),
      label: { formatter: formatNodeLabel(node) },
      itemStyle: isSelected
        ? { borderColor: palette.selected, borderWidth: 3 }
        : { borderColor: palette.background, borderWidth: 1 },
    };
  });
  const edges = graph.edges.map((edge) => ({
    source: edge.source,
    target: edge.target,
    value: edge.bytes,
    lineStyle: { width: scaleBySquareRoot(edge.bytes, largestEdge, minimumEdgeWidth, maximumEdgeWidth) },
  }));

  return {
    animation: false,
    backgroundColor: 'transparent',
    tooltip: {
      backgroundColor: palette.tooltipBackground,
      borderColor: palette.axisLine,
      textStyle: { color: palette.text, fontSize: 12 },
      formatter: (parameter: GraphTooltipParameter) => {
        if (parameter.dataType === 'edge') {
          const edge = graph.edges[parameter.dataIndex];
          return edge ? formatEdgeTooltip(edge) : '';
        }
        const node = graph.nodes[parameter.dataIndex];
        return node ? formatNodeTooltip(node) : '';
      },
    },
    series: [
      {
        type: 'graph',
        layout: 'none',
        roam: true,
        draggable: false,
        scaleLimit: { min: 0.2, max: 12 },
        categories: [
          { name: 'Internal', itemStyle: { color: palette.internalHost } },
          { name: 'External', itemStyle: { color: palette.externalHost } },
          { name: 'Other hosts', itemStyle: { color: palette.groupedHosts } },
        ],
        data: nodes,
        links: edges,
        // The explicit line height keeps the name on its own line under the address.
        label: { show: true, position: 'right', color: palette.text, fontSize: 11, lineHeight: 14 },
        labelLayout: { hideOverlap: true },
        lineStyle: { color: palette.edge, opacity: 0.6, curveness: 0.08 },
        emphasis: { focus: 'adjacency', lineStyle: { opacity: 1 } },
      },
    ],
  };
}
