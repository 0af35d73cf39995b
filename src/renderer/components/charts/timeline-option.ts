/**
 * Builds the timeline chart's option: three stacked grids sharing one time
 * axis (bytes, packets, new flows per bucket), alert times as marked lines,
 * and a horizontal brush that selects a time range.
 */
import type { EChartsCoreOption } from 'echarts/core';

import type { Alert, TimeRange, Timeline } from '../../../shared/contract';
import { escapeHtml } from '../../format/escape-html';
import { formatBytes, formatCompact, formatCount } from '../../format/quantity';
import { formatClockTime, formatDuration, formatTimestamp, type TimeZoneSetting } from '../../format/time';
import type { ChartPalette } from './chart-palette';

export interface TimelineOptionInput {
  timeline: Timeline;
  alerts: readonly Pick<Alert, 'firstUs' | 'title' | 'severity'>[];
  palette: ChartPalette;
  timeZone: TimeZoneSetting;
}

const seriesNames = ['Bytes', 'Packets', 'New flows'] as const;

/** Returns [bucket start in ms, value] pairs, the x unit ECharts time axes use. */
export function toSeriesPoints(
  timeline: Timeline,
  pick: (bucket: Timeline['buckets'][number]) => number,
): [number, number][] {
  return timeline.buckets.map((bucket) => [bucket.startUs / 1000, pick(bucket)]);
}

/** Returns the x positions (ms) of alert start times that fall inside the timeline, one per distinct time. */
export function alertMarkTimes(timeline: Timeline, alerts: TimelineOptionInput['alerts']): number[] {
  const first = timeline.buckets[0];
  const last = timeline.buckets.at(-1);
  if (!first || !last) return [];
  const endUs = last.startUs + timeline.bucketUs;
  const times = new Set<number>();
  for (const alert of alerts) {
    if (alert.firstUs >= first.startUs && alert.firstUs <= endUs) times.add(alert.firstUs / 1000);
  }
  return [...times].sort((a, b) => a - b);
}

/** Returns the tooltip HTML for one bucket; every string in it is escaped. */
export function formatTimelineTooltip(
  startMs: number,
  values: readonly number[],
  bucketUs: number,
  timeZone: TimeZoneSetting,
): string {
  const title = `${formatTimestamp(startMs * 1000, timeZone)} (+${formatDuration(bucketUs)})`;
  const rows = [
    ['Bytes', formatBytes(values[0] ?? 0)],
    ['Packets', formatCount(values[1] ?? 0)],
    ['New flows', formatCount(values[2] ?? 0)],
  ];
  const body = rows
    .map(
      ([label, value]) =>
        `<div class="chart-tooltip-row"><span class="chart-tooltip-label">${escapeHtml(label ?? '')}</span><span>${escapeHtml(value ?? '')}</span></div>`,
    )
    .join('');
  return `<div class="chart-tooltip-title">${escapeHtml(title)}</div>${body}`;
}

interface AxisTooltipParameter {
  axisValue?: number;
  value?: unknown;
}

export function buildTimelineOption(input: TimelineOptionInput): EChartsCoreOption {
  const { timeline, palette, timeZone } = input;
  const bytes = toSeriesPoints(timeline, (bucket) => bucket.bytes);
  const packets = toSeriesPoints(timeline, (bucket) => bucket.packets);
  const newFlows = toSeriesPoints(timeline, (bucket) => bucket.newFlows);
  const grids = [0, 1, 2].map((index) => ({ left: 64, right: 16, top: `${6 + index * 31}%`, height: '24%' }));
  const axisLabel = { color: palette.textMuted, fontSize: 11 };
  const markTimes = alertMarkTimes(timeline, input.alerts);

  const xAxes = grids.map((_, index) => ({
    type: 'time',
    gridIndex: index,
    axisLine: { lineStyle: { color: palette.axisLine } },
    axisLabel: { ...axisLabel, show: index === 2, formatter: (value: number) => formatClockTime(value, timeZone) },
    axisTick: { show: index === 2 },
    splitLine: { show: false },
  }));
  const yAxes = seriesNames.map((name, index) => ({
    type: 'value',
    gridIndex: index,
    name,
    nameLocation: 'middle',
    nameGap: 48,
    nameTextStyle: { color: palette.textMuted, fontSize: 11 },
    axisLabel: { ...axisLabel, formatter: (value: number) => formatCompact(value) },
    splitNumber: 2,
    splitLine: { lineStyle: { color: palette.splitLine } },
  }));

  const alertMarkLine = {
    silent: true,
    symbol: 'none',
    label: { show: false },
    lineStyle: { color: palette.alert, type: 'dashed', width: 1 },
    data: markTimes.map((time) => ({ xAxis: time })),
  };

  return {
    animation: false,
    // Ticks fall on whole minutes and hours of the zone the labels are shown in.
    useUTC: timeZone === 'utc',
    backgroundColor: 'transparent',
    textStyle: { color: palette.text },
    grid: grids,
    xAxis: xAxes,
    yAxis: yAxes,
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    tooltip: {
      trigger: 'axis',
      backgroundColor: palette.tooltipBackground,
      borderColor: palette.axisLine,
      textStyle: { color: palette.text, fontSize: 12 },
      formatter: (parameters: AxisTooltipParameter[]) => {
        const startMs = Number(parameters[0]?.axisValue ?? 0);
        const index = bytes.findIndex(([time]) => time === startMs);
        const values = [bytes[index]?.[1] ?? 0, packets[index]?.[1] ?? 0, newFlows[index]?.[1] ?? 0];
        return formatTimelineTooltip(startMs, values, timeline.bucketUs, timeZone);
      },
    },
    toolbox: { show: false },
    brush: {
      xAxisIndex: 'all',
      brushType: 'lineX',
      brushMode: 'single',
      transformable: true,
      throttleType: 'debounce',
      throttleDelay: 200,
      brushStyle: { color: palette.brush, borderColor: palette.bytes, borderWidth: 1 },
      outOfBrush: { colorAlpha: 0.35 },
    },
    series: [
      {
        name: 'Bytes',
        type: 'bar',
        xAxisIndex: 0,
        yAxisIndex: 0,
        data: bytes,
        barCategoryGap: '10%',
        itemStyle: { color: palette.bytes },
        markLine: alertMarkLine,
        large: true,
      },
      {
        name: 'Packets',
        type: 'line',
        xAxisIndex: 1,
        yAxisIndex: 1,
        data: packets,
        showSymbol: false,
        step: 'start',
        lineStyle: { color: palette.packets, width: 1 },
        itemStyle: { color: palette.packets },
        areaStyle: { color: palette.packets, opacity: 0.15 },
        markLine: alertMarkLine,
      },
      {
        name: 'New flows',
        type: 'bar',
        xAxisIndex: 2,
        yAxisIndex: 2,
        data: newFlows,
        itemStyle: { color: palette.newFlows },
        markLine: alertMarkLine,
        large: true,
      },
    ],
  };
}

/** Converts a brushed x range in milliseconds to a microsecond time range, rounding outward. */
export function brushRangeToTimeRange(startMs: number, endMs: number): TimeRange {
  const low = Math.min(startMs, endMs);
  const high = Math.max(startMs, endMs);
  return { startUs: Math.max(0, Math.floor(low * 1000)), endUs: Math.max(0, Math.ceil(high * 1000)) };
}
