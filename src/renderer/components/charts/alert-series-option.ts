/**
 * Builds the small chart in an alert's detail: each measured series behind
 * the alert (for beaconing, the gap before each connection and the bytes it
 * sent) in its own stacked grid over one shared time axis.
 */
import type { EChartsCoreOption } from 'echarts/core';

import type { AlertSeries } from '../../../shared/contract';
import { formatTimestamp, type TimeZoneSetting } from '../../format/time';
import type { ChartPalette } from './chart-palette';

export interface AlertSeriesOptionInput {
  series: readonly AlertSeries[];
  palette: ChartPalette;
  timeZone: TimeZoneSetting;
}

/** Series drawn at most; an alert rarely carries more than two. */
export const maxChartSeries = 3;
/** Height of one series' grid, in pixels. */
export const seriesGridHeight = 90;
const gridGap = 34;
const gridTop = 24;

/** Returns the points of one series as [time in milliseconds, value] pairs, dropping unpaired entries. */
export function seriesPoints(series: AlertSeries): [number, number][] {
  const length = Math.min(series.timesUs.length, series.values.length);
  const points: [number, number][] = [];
  for (let i = 0; i < length; i++) points.push([(series.timesUs[i] ?? 0) / 1000, series.values[i] ?? 0]);
  return points;
}

/** Returns the chart's height in pixels for `count` series. */
export function alertChartHeight(count: number): number {
  const shown = Math.min(count, maxChartSeries);
  return gridTop + shown * seriesGridHeight + Math.max(0, shown - 1) * gridGap + 28;
}

export function buildAlertSeriesOption(input: AlertSeriesOptionInput): EChartsCoreOption {
  const { palette } = input;
  const shown = input.series.slice(0, maxChartSeries);
  const colors = [palette.bytes, palette.packets, palette.newFlows];
  const grids = shown.map((_, index) => ({
    left: 64,
    right: 16,
    top: gridTop + index * (seriesGridHeight + gridGap),
    height: seriesGridHeight,
  }));
  const times = shown.flatMap((series) => series.timesUs);
  const minimumMs = times.length === 0 ? undefined : Math.min(...times) / 1000;
  const maximumMs = times.length === 0 ? undefined : Math.max(...times) / 1000;
  const axisStyle = {
    axisLine: { lineStyle: { color: palette.axisLine } },
    axisLabel: { color: palette.textMuted, fontSize: 10 },
    splitLine: { lineStyle: { color: palette.splitLine } },
  };

  return {
    animation: false,
    backgroundColor: 'transparent',
    color: colors,
    grid: grids,
    tooltip: {
      trigger: 'axis',
      backgroundColor: palette.tooltipBackground,
      borderColor: palette.axisLine,
      textStyle: { color: palette.text, fontSize: 12 },
      valueFormatter: (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2)),
    },
    xAxis: shown.map((_, index) => ({
      type: 'time',
      gridIndex: index,
      min: minimumMs,
      max: maximumMs,
      ...axisStyle,
      axisLabel: {
        ...axisStyle.axisLabel,
        show: index === shown.length - 1,
        formatter: (valueMs: number) => formatTimestamp(valueMs * 1000, input.timeZone).slice(11, 19),
      },
    })),
    yAxis: shown.map((series, index) => ({
      type: 'value',
      gridIndex: index,
      name: `${series.name} (${series.unit})`,
      nameTextStyle: { color: palette.textMuted, fontSize: 11, align: 'left' },
      nameGap: 8,
      ...axisStyle,
    })),
    series: shown.map((series, index) => ({
      type: 'line',
      name: series.name,
      xAxisIndex: index,
      yAxisIndex: index,
      showSymbol: true,
      symbolSize: 5,
      lineStyle: { width: 1 },
      data: seriesPoints(series),
    })),
  };
}
