import { useEffect, useRef } from 'react';
import type { EChartsCoreOption, ECharts } from 'echarts/core';

import { loadEcharts } from './echarts-load.ts';

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
    void loadEcharts().then(({ echarts }) => {
      if (disposed) return;
      const node = el.current!;
      const c = echarts.init(node, undefined, { renderer: 'svg' });
      chart.current = c;
      c.on('click', (p) => handlers.current.onClick?.(p as unknown as ChartClick));
      c.on('finished', () => handlers.current.onReady?.(c, node));
      // The observer also fires once on observe(); only a real change of size is worth a second full render.
      let size = `${node.clientWidth}x${node.clientHeight}`;
      ro = new ResizeObserver(() => {
        const now = `${node.clientWidth}x${node.clientHeight}`;
        if (now === size) return;
        size = now;
        c.resize();
      });
      ro.observe(node);
      // The option may have arrived before ECharts did.
      c.setOption({ animation: false, ...latest.current }, true);
    });
    return () => {
      disposed = true;
      ro?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ animation: false, ...option }, true);
  }, [option]);

  return <div ref={el} className="chart" style={{ height }} role="img" aria-label={label} data-testid={testId} />;
}
