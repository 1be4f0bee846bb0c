// ECharts is a chunk of its own (~600 kB), evaluated only when a page with a plot needs it, so that the login form and
// the pages without plots never wait for it. boot.ts starts it early on the pages that draw a plot.
import type * as Setup from './echarts-setup.ts';

let loading: Promise<typeof Setup> | undefined;

export function loadEcharts(): Promise<typeof Setup> {
  return (loading ??= import('./echarts-setup.ts'));
}
