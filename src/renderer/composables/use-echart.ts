import { onBeforeUnmount, onMounted, shallowRef, watch, type Ref } from 'vue';
import { echarts, type EChartsCoreOption, type EChartsType } from '../components/charts/echarts-setup';

/** Methods a chart component exposes to its view for PNG export. */
export interface ChartExport {
  /** Returns the chart as a PNG data URL on the given background, or null before mount. */
  getPngDataUrl: (backgroundColor: string) => string | null;
}

export interface EchartHandle extends ChartExport {
  chart: Ref<EChartsType | null>;
}

/**
 * Owns one ECharts instance on `element`: creates it on mount, applies
 * `option` whenever it changes (replacing series, so removed series vanish),
 * resizes it with the element and disposes of it on unmount. `onReady` runs
 * once after the first option, to attach event handlers.
 */
export function useEchart(
  element: Ref<HTMLElement | null>,
  option: Ref<EChartsCoreOption>,
  onReady?: (chart: EChartsType) => void,
): EchartHandle {
  const chart = shallowRef<EChartsType | null>(null);
  let resizeObserver: ResizeObserver | null = null;

  onMounted(() => {
    if (!element.value) return;
    const instance = echarts.init(element.value, null, { renderer: 'canvas' });
    instance.setOption(option.value, { notMerge: true });
    chart.value = instance;
    onReady?.(instance);

    resizeObserver = new ResizeObserver(() => instance.resize());
    resizeObserver.observe(element.value);
  });

  watch(option, (next) => {
    chart.value?.setOption(next, { notMerge: false, replaceMerge: ['series'] });
  });

  onBeforeUnmount(() => {
    resizeObserver?.disconnect();
    resizeObserver = null;
    chart.value?.dispose();
    chart.value = null;
  });

  function getPngDataUrl(backgroundColor: string): string | null {
    if (!chart.value) return null;
    return chart.value.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor });
  }

  return { chart, getPngDataUrl };
}
