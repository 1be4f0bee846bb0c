import { useEffect, useRef } from 'react';
import type { EChartsCoreOption, ECharts } from 'echarts/core';

// ECharts is a chunk of its own, fetched as soon as the app starts: pages without plots (login, imports) do not wait
// for it, and pages with plots load it while their data is on the way.
const echartsReady = import('./echarts-setup.ts');

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
  const latest = useRef(option);
  latest.current = option;

  useEffect(() => {
    let disposed = false;
    let ro: ResizeObserver | undefined;
    void echartsReady.then(({ echarts }) => {
      if (disposed) return;
      const node = el.current!;
      const c = echarts.init(node, undefined, { renderer: 'canvas' });
      chart.current = c;
      c.on('click', (p) => handlers.current.onClick?.(p as unknown as ChartClick));
      c.on('finished', () => handlers.current.onReady?.(c, node));
      ro = new ResizeObserver(() => c.resize());
      ro.observe(node);
      // The option may have arrived before ECharts did.
      c.setOption({ aria: { enabled: true }, animation: false, ...latest.current }, true);
    });
    return () => {
      disposed = true;
      ro?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ aria: { enabled: true }, animation: false, ...option }, true);
  }, [option]);

  return <div ref={el} className="chart" style={{ height }} role="img" aria-label={label} data-testid={testId} />;
}
