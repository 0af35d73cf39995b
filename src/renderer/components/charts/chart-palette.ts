/** Chart colours per theme, matching the custom properties in styles/app.css. */
export interface ChartPalette {
  background: string;
  text: string;
  textMuted: string;
  axisLine: string;
  splitLine: string;
  bytes: string;
  packets: string;
  newFlows: string;
  alert: string;
  internalHost: string;
  externalHost: string;
  groupedHosts: string;
  selected: string;
  edge: string;
  tooltipBackground: string;
  brush: string;
}

export const chartPalettes: Record<'light' | 'dark', ChartPalette> = {
  light: {
    background: '#ffffff',
    text: '#1d232b',
    textMuted: '#5b6674',
    axisLine: '#b9c0ca',
    splitLine: '#eef0f3',
    bytes: '#1f6feb',
    packets: '#2f7d5b',
    newFlows: '#8250df',
    alert: '#c62828',
    internalHost: '#1f6feb',
    externalHost: '#d97706',
    groupedHosts: '#8a94a1',
    selected: '#c62828',
    edge: '#9aa5b3',
    tooltipBackground: '#ffffff',
    brush: 'rgba(31, 111, 235, 0.15)',
  },
  dark: {
    background: '#1b1f26',
    text: '#dde3ea',
    textMuted: '#9aa5b3',
    axisLine: '#414957',
    splitLine: '#2d333d',
    bytes: '#5b9cf5',
    packets: '#4caf86',
    newFlows: '#b08cf0',
    alert: '#ef5350',
    internalHost: '#5b9cf5',
    externalHost: '#f0a030',
    groupedHosts: '#6b7583',
    selected: '#ef5350',
    edge: '#5b6674',
    tooltipBackground: '#222731',
    brush: 'rgba(91, 156, 245, 0.2)',
  },
};
