import type { EChartsCoreOption } from 'echarts/core';

const UP = '#2e8b57';
const DOWN = '#c0392b';
const TOTAL = '#2f6eb5';

/**
 * A waterfall chart: each step is a bar floating on an invisible base, so that its top and bottom are the running
 * total before and after it. `start`, when given, is a first bar from zero (an opening balance); the last bar is the
 * running total, labelled `endLabel`.
 */
export function waterfallOption(
  steps: { label: string; value: number }[],
  endLabel: string,
  format: { value: (v: number) => string; axis: (v: number) => string },
  start?: { label: string; value: number },
): EChartsCoreOption {
  const labels: string[] = [];
  const base: number[] = [];
  const bars: { value: number; itemStyle: { color: string } }[] = [];
  let run = 0;
  if (start) {
    run = start.value;
    labels.push(start.label);
    base.push(Math.min(0, run));
    bars.push({ value: Math.abs(run), itemStyle: { color: TOTAL } });
  }
  for (const s of steps) {
    const before = run;
    run += s.value;
    labels.push(s.label);
    base.push(Math.min(before, run));
    bars.push({ value: Math.abs(s.value), itemStyle: { color: s.value >= 0 ? UP : DOWN } });
  }
  labels.push(endLabel);
  base.push(Math.min(0, run));
  bars.push({ value: Math.abs(run), itemStyle: { color: run >= 0 ? TOTAL : DOWN } });
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: format.value },
    grid: { left: 80, right: 16, top: 16, bottom: 56 },
    // Every step named, however narrow the chart: a long label wraps rather than hiding its neighbour.
    xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, overflow: 'break', width: 90, lineHeight: 14 } },
    yAxis: { type: 'value', axisLabel: { formatter: format.axis } },
    series: [
      // 'all': a negative base and the bar above it stack as one column (ECharts stacks by sign otherwise).
      {
        type: 'bar',
        stack: 'w',
        stackStrategy: 'all',
        data: base,
        itemStyle: { color: 'transparent' },
        tooltip: { show: false },
        silent: true,
      },
      { type: 'bar', stack: 'w', stackStrategy: 'all', data: bars },
    ],
  };
}
