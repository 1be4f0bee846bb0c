import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, TitleComponent, AriaComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption, ECharts } from 'echarts/core';

// Only the chart types the console draws, so the bundle carries a fraction of ECharts.
echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  TitleComponent,
  AriaComponent,
  CanvasRenderer,
]);

export type ChartClick = { dataIndex: number; seriesIndex: number; data: unknown };

/**
 * An ECharts plot that follows its container's size. `onReady` runs after each render has finished, with the chart,
 * so a caller can read pixel positions of data points (the heatmap publishes its cells for tests and keyboard users).
 */
export function Chart({
  option,
  height = 320,
  onClick,
  onReady,
  testId,
  label,
}: {
  option: EChartsCoreOption;
  height?: number;
  onClick?: (e: ChartClick) => void;
  onReady?: (chart: ECharts, el: HTMLDivElement) => void;
  testId?: string;
  label: string;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const handlers = useRef({ onClick, onReady });
  handlers.current = { onClick, onReady };

  useEffect(() => {
    const node = el.current!;
    const c = echarts.init(node, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (p) => handlers.current.onClick?.(p as unknown as ChartClick));
    c.on('finished', () => handlers.current.onReady?.(c, node));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(node);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ aria: { enabled: true }, animation: false, ...option }, true);
  }, [option]);

  return <div ref={el} className="chart" style={{ height }} role="img" aria-label={label} data-testid={testId} />;
}
