import { useMemo } from 'react';
import type { ECharts, EChartsCoreOption } from 'echarts/core';
import { useI18n } from '../i18n/i18n.tsx';
import type { Rfm, RfmCell } from '../types.ts';
import { Chart } from './chart.tsx';

/** Frequency bands left to right, recency bands top (recent) to bottom (lapsed). */
function position(c: RfmCell): [number, number] {
  return [c.frequencyBand, 2 - c.recencyBand];
}

/**
 * The R×F grid as a heatmap: colour is the number of customers, each cell is labelled with its name, count and share
 * of revenue. When drawn, the container carries `data-ready` and every cell's pixel centre in `data-cells`, so a
 * browser test (and the benchmark) can click a cell the way a user does.
 */
export function RfHeatmap({ rfm, selected, onSelect }: { rfm: Rfm; selected?: string | null; onSelect: (cell: string) => void }) {
  const i18n = useI18n();
  const { t, tMaybe, int, pct } = i18n;
  const cellName = (c: RfmCell) => tMaybe(`cell.${c.key}`) ?? c.name;
  const option = useMemo<EChartsCoreOption>(() => {
    const cells = rfm.grid.cells;
    const max = Math.max(1, ...cells.map((c) => c.customers));
    return {
      tooltip: {
        formatter: (p: { data: { key: string } }) => {
          const c = cells.find((x) => x.key === p.data.key);
          return c
            ? t('grid.tooltip', { name: cellName(c), customers: int(c.customers), share: pct(c.share), revenueShare: pct(c.revenueShare) })
            : '';
        },
      },
      grid: { left: 96, right: 16, top: 8, bottom: 72, containLabel: false },
      xAxis: {
        type: 'category',
        data: [t('grid.f0'), t('grid.f1'), t('grid.f2')],
        name: t('grid.frequency'),
        nameLocation: 'middle',
        nameGap: 28,
        splitArea: { show: true },
      },
      yAxis: {
        type: 'category',
        data: [t('grid.r2'), t('grid.r1'), t('grid.r0')],
        name: t('grid.recency'),
        nameLocation: 'middle',
        nameGap: 72,
        splitArea: { show: true },
      },
      visualMap: {
        min: 0,
        max,
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 4,
        itemHeight: 180,
        text: [int(max), `0 — ${t('grid.legend')}`],
        inRange: { color: ['#eef4fb', '#6aa3d8', '#1f4e8c'] },
      },
      series: [
        {
          type: 'heatmap',
          data: cells.map((c) => ({
            value: [...position(c), c.customers],
            key: c.key,
            itemStyle: c.key === selected ? { borderColor: '#e8590c', borderWidth: 4 } : { borderColor: '#fff', borderWidth: 2 },
          })),
          label: {
            show: true,
            formatter: (p: { data: { key: string } }) => {
              const c = cells.find((x) => x.key === p.data.key);
              return c ? `{b|${cellName(c)}}\n${int(c.customers)}\n{s|${pct(c.revenueShare)} ${t('common.revenue').toLowerCase()}}` : '';
            },
            rich: { b: { fontWeight: 'bold', fontSize: 13, lineHeight: 18 }, s: { fontSize: 11, lineHeight: 16 } },
            color: '#102a43',
            textBorderColor: '#fff',
            textBorderWidth: 2,
            lineHeight: 18,
          },
          emphasis: { itemStyle: { borderColor: '#e8590c', borderWidth: 3 } },
          cursor: 'pointer',
        },
      ],
    };
    // i18n changes when the language does; the option is rebuilt then.
  }, [rfm, selected, i18n]);

  const [r1, r2] = rfm.grid.recencyEdges;
  const [f1, f2] = rfm.grid.frequencyEdges;
  const onReady = (chart: ECharts, el: HTMLDivElement) => {
    const pos: Record<string, [number, number]> = {};
    for (const c of rfm.grid.cells) {
      const p = chart.convertToPixel({ gridIndex: 0 }, position(c)) as number[];
      pos[c.key] = [Math.round(p[0] ?? 0), Math.round(p[1] ?? 0)];
    }
    el.dataset.cells = JSON.stringify(pos);
    el.dataset.ready = 'true';
  };

  return (
    <>
      <Chart
        option={option}
        height={440}
        label={t('overview.grid')}
        testId="rf-heatmap"
        onReady={onReady}
        onClick={(e) => {
          const key = (e.data as { key?: string } | undefined)?.key;
          if (key) onSelect(key);
        }}
      />
      {/* The edges are in the grid's own units: days for recency, purchases for frequency. */}
      <p className="small muted center" data-testid="grid-edges">
        {t('grid.rEdges', { a: r1 ?? '', b: r2 ?? '' })} · {t('grid.fEdges', { a: f1 ?? '', b: f2 ?? '' })}
      </p>
    </>
  );
}
