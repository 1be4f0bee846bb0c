import { useMemo, useState } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import { useAsOf } from '../as-of.tsx';
import { get, post } from '../api.ts';
import { Chart } from '../components/chart.tsx';
import { SegmentCustomers } from '../components/segment-customers.tsx';
import { CsvButton, DateField, ErrorPanel, Loading, Section } from '../components/ui.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { navigate, useLocation } from '../router.tsx';
import type { ClusterTrait, Clustering, Migration, Rfm } from '../types.ts';
import { useApi } from '../use-api.ts';
import { minusDays } from '../dates.ts';

const CELL_ORDER = ['new', 'promising', 'vip', 'occasional', 'needs_attention', 'at_risk', 'lost', 'sleeping', 'sleeping_vip'];

export function SegmentsPage() {
  const { t, tMaybe, int, pct, money } = useI18n();
  const { asOf, setAsOf } = useAsOf();
  const { query } = useLocation();
  const cell = query.get('cell');
  const rfm = useApi(() => get<Rfm>('/segments/rfm', { asOf }), [asOf], !!asOf);
  const selected = rfm.data?.grid.cells.find((c) => c.key === cell);
  const cellName = (key: string, fallback?: string) =>
    key === 'none' ? t('segments.notInGrid') : (tMaybe(`cell.${key}`) ?? fallback ?? key);

  return (
    <div className="page" data-testid="page-segments">
      <header className="page-head">
        <h1>{t('segments.title')}</h1>
        {asOf && <DateField label={t('common.asOf')} value={asOf} onChange={setAsOf} testId="as-of" />}
      </header>
      <Section
        title={t('segments.cells')}
        testId="cells"
        actions={
          rfm.data && (
            <CsvButton
              fileName={`cells-${rfm.data.asOf}.csv`}
              build={() => ({
                header: ['cell', 'name', 'action', 'payback', 'customers', 'share', 'revenue', 'revenue_share', 'currency'],
                rows: rfm.data!.grid.cells.map((c) => [
                  c.key,
                  cellName(c.key, c.name),
                  tMaybe(`action.${c.key}`) ?? c.action,
                  c.payback,
                  c.customers,
                  c.share,
                  c.revenue,
                  c.revenueShare,
                  rfm.data!.currency,
                ]),
              })}
            />
          )
        }
      >
        {rfm.error && <ErrorPanel error={rfm.error} onRetry={rfm.reload} />}
        {rfm.loading && <Loading />}
        {rfm.data && (
          <div className="table-wrap">
            <table className="clickable">
              <thead>
                <tr>
                  <th>{t('segments.cell')}</th>
                  <th>{t('segments.action')}</th>
                  <th className="num">{t('common.customers')}</th>
                  <th className="num">{t('common.share')}</th>
                  <th className="num">{t('common.revenue')}</th>
                  <th className="num">{t('common.revenueShare')}</th>
                </tr>
              </thead>
              <tbody>
                {rfm.data.grid.cells.map((c) => (
                  <tr
                    key={c.key}
                    className={c.key === cell ? 'selected' : ''}
                    onClick={() => navigate(`/segments?cell=${c.key}`)}
                    data-testid={`cell-row-${c.key}`}
                  >
                    <td>
                      <button type="button" className="linklike" onClick={() => navigate(`/segments?cell=${c.key}`)}>
                        {cellName(c.key, c.name)}
                      </button>
                      <div className={`badge payback-${c.payback}`}>{tMaybe(`payback.${c.payback}`) ?? c.payback}</div>
                    </td>
                    <td>{tMaybe(`action.${c.key}`) ?? c.action}</td>
                    <td className="num">{int(c.customers)}</td>
                    <td className="num">{pct(c.share)}</td>
                    <td className="num">{money(c.revenue, rfm.data!.currency)}</td>
                    <td className="num">{pct(c.revenueShare)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      {selected && asOf && (
        <SegmentCustomers
          key={`${asOf}:${selected.key}`}
          asOf={asOf}
          cell={selected.key}
          total={selected.customers}
          title={t('overview.cellCustomers', { cell: cellName(selected.key, selected.name) })}
        />
      )}
      {asOf && <MigrationSection asOf={asOf} cellName={cellName} />}
      {asOf && <ClustersSection asOf={asOf} />}
    </div>
  );
}

function MigrationSection({ asOf, cellName }: { asOf: string; cellName: (k: string) => string }) {
  const i18n = useI18n();
  const { t, int, date } = i18n;
  const [from, setFrom] = useState(() => minusDays(asOf, 90));
  const [to, setTo] = useState(asOf);
  const m = useApi(() => get<Migration>('/segments/migration', { from, to }), [from, to]);

  const option = useMemo<EChartsCoreOption | undefined>(() => {
    if (!m.data) return undefined;
    const keys = (list: string[]) => [...CELL_ORDER, ...(list.includes('none') ? ['none'] : [])];
    const rows = keys(m.data.matrix.map((x) => x.from));
    const cols = keys(m.data.matrix.map((x) => x.to));
    const max = Math.max(1, ...m.data.matrix.map((x) => x.customers));
    return {
      tooltip: {
        formatter: (p: { value: [number, number, number] }) =>
          `${cellName(rows[p.value[1]]!)} → ${cellName(cols[p.value[0]]!)}: ${int(p.value[2])}`,
      },
      grid: { left: 140, right: 16, top: 8, bottom: 120 },
      xAxis: {
        type: 'category',
        data: cols.map(cellName),
        name: t('segments.toCell', { date: date(m.data.to) }),
        nameLocation: 'middle',
        nameGap: 72,
        axisLabel: { rotate: 35, interval: 0 },
      },
      yAxis: {
        type: 'category',
        data: rows.map(cellName),
        inverse: true,
        name: t('segments.fromCell', { date: date(m.data.from) }),
        nameLocation: 'middle',
        nameGap: 124,
      },
      visualMap: {
        min: 0,
        max,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 160,
        text: [int(max), `0 — ${t('common.customers')}`],
        inRange: { color: ['#f4f7fb', '#74a9cf', '#0b4f8a'] },
      },
      series: [
        {
          type: 'heatmap',
          data: m.data.matrix.map((x) => [cols.indexOf(x.to), rows.indexOf(x.from), x.customers]),
          label: { show: true, formatter: (p: { value: number[] }) => int(p.value[2] ?? 0), fontSize: 11 },
        },
      ],
    };
  }, [m.data, i18n]);

  return (
    <Section
      title={t('segments.migration')}
      testId="migration"
      actions={
        m.data && (
          <CsvButton
            fileName={`migration-${m.data.from}-${m.data.to}.csv`}
            build={() => ({ header: ['from_cell', 'to_cell', 'customers'], rows: m.data!.matrix.map((x) => [x.from, x.to, x.customers]) })}
          />
        )
      }
    >
      <div className="toolbar">
        <DateField label={t('common.from')} value={from} onChange={setFrom} testId="migration-from" />
        <DateField label={t('common.to')} value={to} onChange={setTo} testId="migration-to" />
      </div>
      <p className="muted">{t('segments.migrationHint')}</p>
      {m.error && <ErrorPanel error={m.error} onRetry={m.reload} />}
      {m.loading && <Loading />}
      {m.data && <p>{t('segments.moved', { moved: int(m.data.moved), customers: int(m.data.customers.to) })}</p>}
      {option && <Chart option={option} height={460} label={t('segments.migration')} testId="migration-chart" />}
    </Section>
  );
}

function ClustersSection({ asOf }: { asOf: string }) {
  const { t, tMaybe, int, pct, money } = useI18n();
  const c = useApi(() => get<Clustering>('/segments/clusters', { asOf }), [asOf]);
  const [running, setRunning] = useState(false);
  const phrase = (tr: ClusterTrait) => tMaybe(`cluster.${tr.key}`, { category: tr.category ?? '' }) ?? tr.key;
  const describe = (traits: ClusterTrait[]) => {
    const behaviour = traits.filter((x) => x.key !== 'category.heavy').map(phrase);
    const cats = traits.filter((x) => x.key === 'category.heavy').map(phrase);
    const head = behaviour.length ? behaviour.join(', ') : t('cluster.profile.average');
    return cats.length ? `${head}; ${cats.join(', ')}` : head;
  };
  const currency = c.data?.currency ?? 'GBP';
  const notStored = c.error?.code === 'NOT_FOUND';

  return (
    <Section
      title={t('segments.clusters')}
      testId="clusters"
      actions={
        c.data && (
          <CsvButton
            fileName={`clusters-${asOf}.csv`}
            build={() => ({
              header: ['cluster', 'label', 'description', 'customers', 'share', 'recency_days', 'frequency', 'monetary', 'tenure_days'],
              rows: c.data!.clusters.map((k) => [
                k.id,
                k.label,
                describe(k.traits),
                k.size,
                k.share,
                k.centroid.recencyDays,
                k.centroid.frequency,
                k.centroid.monetary,
                k.centroid.tenureDays,
              ]),
            })}
          />
        )
      }
    >
      {c.loading && <Loading />}
      {notStored && (
        <div>
          <p className="muted">{t('segments.noClusters')}</p>
          <button
            type="button"
            disabled={running}
            onClick={async () => {
              setRunning(true);
              try {
                await post('/segments/clusters', { asOf });
              } finally {
                setRunning(false);
                c.reload();
              }
            }}
          >
            {running ? t('common.loading') : t('segments.runClusters')}
          </button>
        </div>
      )}
      {c.error && !notStored && <ErrorPanel error={c.error} onRetry={c.reload} />}
      {c.data && (
        <div className="cards">
          {c.data.clusters.map((k) => (
            <article key={k.id} className="card" data-testid="cluster">
              <h3>{describe(k.traits).split(';')[0]}</h3>
              <p className="muted">{t('segments.clusterSize', { size: int(k.size), share: pct(k.share) })}</p>
              <p>{describe(k.traits)}</p>
              <p className="small">
                {t('segments.centroid', {
                  frequency: int(k.centroid.frequency),
                  recency: int(k.centroid.recencyDays),
                  monetary: money(k.centroid.monetary, currency),
                })}
              </p>
              {k.centroid.topCategories.length > 0 && (
                <p className="small">
                  {t('segments.topCategories')}: {k.centroid.topCategories.map((x) => `${x.category} ${pct(x.share, 0)}`).join(', ')}
                </p>
              )}
            </article>
          ))}
        </div>
      )}
    </Section>
  );
}
