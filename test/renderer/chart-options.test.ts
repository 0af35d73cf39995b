import { describe, expect, it } from 'vitest';

import type { HostGraph, Timeline } from '../../src/shared/contract';
import { chartPalettes } from '../../src/renderer/components/charts/chart-palette';
import {
  buildHostGraphOption,
  formatNodeLabel,
  formatNodeTooltip,
  hostCategories,
  scaleBySquareRoot,
} from '../../src/renderer/components/charts/host-graph-option';
import {
  alertMarkTimes,
  brushRangeToTimeRange,
  buildTimelineOption,
  formatTimelineTooltip,
} from '../../src/renderer/components/charts/timeline-option';

const baseUs = 1_700_000_000_000_000;

const timeline: Timeline = {
  bucketUs: 1_000_000,
  buckets: [
    { startUs: baseUs, bytes: 1000, packets: 10, newFlows: 2 },
    { startUs: baseUs + 1_000_000, bytes: 0, packets: 0, newFlows: 0 },
    { startUs: baseUs + 2_000_000, bytes: 5000, packets: 40, newFlows: 7 },
  ],
};

interface SeriesOption {
  type: string;
  data: unknown[];
  markLine?: { data: { xAxis: number }[] };
  links?: { source: string; target: string; lineStyle: { width: number } }[];
  categories?: { name: string }[];
}

function seriesOf(option: unknown): SeriesOption[] {
  return (option as { series: SeriesOption[] }).series;
}

describe('timeline option', () => {
  const option = buildTimelineOption({
    timeline,
    alerts: [
      { firstUs: baseUs + 2_500_000, title: 'scan', severity: 'high' },
      { firstUs: baseUs + 2_500_000, title: 'scan again', severity: 'high' },
      { firstUs: baseUs + 60_000_000, title: 'outside', severity: 'low' },
    ],
    palette: chartPalettes.light,
    timeZone: 'utc',
  });

  it('plots bytes, packets and new flows at bucket starts in milliseconds', () => {
    const [bytes, packets, newFlows] = seriesOf(option);
    expect(bytes?.data).toEqual([
      [baseUs / 1000, 1000],
      [baseUs / 1000 + 1000, 0],
      [baseUs / 1000 + 2000, 5000],
    ]);
    expect(packets?.data.map((point) => (point as number[])[1])).toEqual([10, 0, 40]);
    expect(newFlows?.data.map((point) => (point as number[])[1])).toEqual([2, 0, 7]);
  });

  it('marks each distinct alert time inside the span once', () => {
    expect(alertMarkTimes(timeline, [{ firstUs: baseUs + 2_500_000, title: '', severity: 'high' }])).toEqual([
      baseUs / 1000 + 2500,
    ]);
    const marks = seriesOf(option)[0]?.markLine?.data.map((mark) => mark.xAxis);
    expect(marks).toEqual([baseUs / 1000 + 2500]);
  });

  it('places ticks in the zone of the labels', () => {
    expect((option as { useUTC: boolean }).useUTC).toBe(true);
    const local = buildTimelineOption({ timeline, alerts: [], palette: chartPalettes.light, timeZone: 'local' });
    expect((local as { useUTC: boolean }).useUTC).toBe(false);
  });

  it('brushes horizontally across all three grids', () => {
    const brush = (option as { brush: { xAxisIndex: string; brushType: string } }).brush;
    expect(brush.xAxisIndex).toBe('all');
    expect(brush.brushType).toBe('lineX');
  });

  it('converts a brushed range to microseconds, rounding outward', () => {
    expect(brushRangeToTimeRange(1_700_000_000_500.4, 1_700_000_000_000.6)).toEqual({
      startUs: 1_700_000_000_000_600,
      endUs: 1_700_000_000_500_400,
    });
    expect(brushRangeToTimeRange(1000.0004, 2000.0006)).toEqual({ startUs: 1_000_000, endUs: 2_000_001 });
  });

  it('formats a bucket tooltip with units', () => {
    const html = formatTimelineTooltip(baseUs / 1000, [1536, 1200, 3], 1_000_000, 'utc');
    expect(html).toContain('2023-11-14 22:13:20.000000Z (+1.00 s)');
    expect(html).toContain('1.50 KiB');
    expect(html).toContain('1,200');
  });
});

const graph: HostGraph = {
  nodes: [
    {
      id: '10.0.0.1',
      kind: 'host',
      address: '10.0.0.1',
      names: ['<script>alert(1)</script>'],
      isInternal: true,
      bytes: 10_000,
      hostCount: 1,
      x: 0,
      y: 0,
    },
    {
      id: '93.184.216.34',
      kind: 'host',
      address: '93.184.216.34',
      names: [],
      isInternal: false,
      bytes: 2_500,
      hostCount: 1,
      x: 10,
      y: 5,
    },
    {
      id: '(other hosts)',
      kind: 'group',
      address: '',
      names: [],
      isInternal: false,
      bytes: 400,
      hostCount: 12,
      x: -10,
      y: 3,
    },
  ],
  edges: [
    { source: '10.0.0.1', target: '93.184.216.34', bytes: 2_500, flows: 3 },
    { source: '(other hosts)', target: '10.0.0.1', bytes: 400, flows: 12 },
  ],
  hiddenHosts: 12,
  hiddenBytes: 400,
};

describe('host graph option', () => {
  const option = buildHostGraphOption({ graph, selectedHosts: ['93.184.216.34'], palette: chartPalettes.dark });
  const series = seriesOf(option)[0];
  const nodes = series?.data as {
    id: string;
    x: number;
    y: number;
    category: number;
    symbolSize: number;
    itemStyle: { borderWidth: number };
  }[];

  it('places nodes at the engine layout with layout none and roam', () => {
    expect((series as unknown as { layout: string; roam: boolean }).layout).toBe('none');
    expect((series as unknown as { roam: boolean }).roam).toBe(true);
    expect(nodes.map((node) => [node.id, node.x, node.y])).toEqual([
      ['10.0.0.1', 0, 0],
      ['93.184.216.34', 10, 5],
      ['(other hosts)', -10, 3],
    ]);
  });

  it('tells internal, external and grouped hosts apart', () => {
    expect(nodes.map((node) => node.category)).toEqual([
      hostCategories.internal,
      hostCategories.external,
      hostCategories.group,
    ]);
    expect(series?.categories?.map((category) => category.name)).toEqual(['Internal', 'External', 'Other hosts']);
  });

  it('sizes nodes by the square root of bytes', () => {
    expect(nodes[0]?.symbolSize).toBe(44);
    // sqrt(2500 / 10000) = 0.5, so halfway between 8 and 44.
    expect(nodes[1]?.symbolSize).toBe(26);
    expect(scaleBySquareRoot(0, 100, 8, 44)).toBe(8);
  });

  it('widens edges by bytes', () => {
    expect(series?.links?.map((link) => link.lineStyle.width)).toEqual([8, 0.5 + 7.5 * Math.sqrt(400 / 2500)]);
  });

  it('outlines the selected host', () => {
    expect(nodes.map((node) => node.itemStyle.borderWidth)).toEqual([1, 3, 1]);
  });

  it('labels hosts by address and first name', () => {
    expect(formatNodeLabel(graph.nodes[0]!)).toBe('10.0.0.1\n<script>alert(1)</script>');
    expect(formatNodeLabel(graph.nodes[1]!)).toBe('93.184.216.34');
    expect(formatNodeLabel(graph.nodes[2]!)).toBe('12 other hosts');
  });

  it('escapes names in the tooltip', () => {
    const html = formatNodeTooltip(graph.nodes[0]!);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });
});
