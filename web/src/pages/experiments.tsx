import { useMemo, useState } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import { get, post } from '../api.ts';
import { Chart } from '../components/chart.tsx';
import { ErrorPanel, Loading, NamePicker, Section } from '../components/ui.tsx';
import { useI18n, type I18n } from '../i18n/i18n.tsx';
import type { ExperimentT, ExperimentListT, ExperimentReportT, SegmentReportT, UpliftResultT } from '../types.ts';
import { asApiError, useApi } from '../use-api.ts';
import type { ApiError } from '../api.ts';

// Experiments: the arms with their intervals, each treatment's effect against control as a point with its 95% CI,
// the effect per segment of any attribute (harmed only when the whole interval is below zero), and the Qini curve of
// an uplift model evaluated on held-out customers.

const HARMED = '#c0392b';
const HELPED = '#2e8b57';
const NEUTRAL = '#2f6eb5';

type Interval = { label: string; effect: number; low: number; high: number; color: string };

/** Points with horizontal 95% intervals, one row per label: what a reader compares against zero. */
function intervalsChart(rows: Interval[], axisName: string, format: (x: number) => string): EChartsCoreOption {
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p: { dataIndex: number }) => {
        const r = rows[p.dataIndex]!;
        return `${r.label}: ${format(r.effect)} [${format(r.low)}, ${format(r.high)}]`;
      },
    },
    grid: { left: 160, right: 24, top: 16, bottom: 48 },
    xAxis: { type: 'value', name: axisName, nameLocation: 'middle', nameGap: 30, axisLabel: { formatter: format } },
    yAxis: { type: 'category', data: rows.map((r) => r.label), inverse: true },
    series: [
      {
        type: 'custom',
        data: rows.map((r, i) => [i, r.effect, r.low, r.high]),
        renderItem: (_: unknown, api: { value: (i: number) => number; coord: (p: [number, number]) => [number, number]; size: (p: [number, number]) => [number, number] }) => {
          const i = api.value(0);
          const [x, y] = api.coord([api.value(1), i]);
          const [lo] = api.coord([api.value(2), i]);
          const [hi] = api.coord([api.value(3), i]);
          const color = rows[i]!.color;
          const cap = 6;
          return {
            type: 'group',
            children: [
              { type: 'line', shape: { x1: lo, y1: y, x2: hi, y2: y }, style: { stroke: color, lineWidth: 2 } },
              { type: 'line', shape: { x1: lo, y1: y - cap, x2: lo, y2: y + cap }, style: { stroke: color, lineWidth: 2 } },
              { type: 'line', shape: { x1: hi, y1: y - cap, x2: hi, y2: y + cap }, style: { stroke: color, lineWidth: 2 } },
              { type: 'circle', shape: { cx: x, cy: y, r: 5 }, style: { fill: color } },
            ],
          };
        },
        encode: { x: [1, 2, 3], y: 0 },
      },
    ],
  };
}

function qiniChart(u: UpliftResultT, t: I18n['t']): EChartsCoreOption {
  const c = u.curves;
  const pairs = (x: number[], y: number[]) => x.map((v, i) => [v, y[i]!]);
  const lastX = c.qini.x[c.qini.x.length - 1] ?? 0;
  const lastY = c.qini.y[c.qini.y.length - 1] ?? 0;
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 64, right: 24, top: 36, bottom: 48 },
    xAxis: { type: 'value', name: t('experiments.qiniX'), nameLocation: 'middle', nameGap: 30, max: lastX },
    yAxis: { type: 'value', name: t('experiments.qiniY') },
    series: [
      { type: 'line', name: t('experiments.model'), data: pairs(c.qini.x, c.qini.y), showSymbol: false, lineStyle: { width: 2 }, color: NEUTRAL },
      { type: 'line', name: t('experiments.perfect'), data: pairs(c.perfectQini.x, c.perfectQini.y), showSymbol: false, lineStyle: { type: 'dashed' }, color: HELPED },
      { type: 'line', name: t('experiments.random'), data: [[0, 0], [lastX, lastY]], showSymbol: false, lineStyle: { type: 'dotted' }, color: '#888' },
    ],
  };
}

export function ExperimentsPage({ name }: { name?: string | undefined }) {
  const i18n = useI18n();
  const { t } = i18n;
  const list = useApi(() => get<ExperimentListT>('/experiments'), []);
  const experiments = list.data?.experiments ?? [];
  const current = experiments.find((e) => e.name === name) ?? experiments[0];

  return (
    <div className="page" data-testid="page-experiments">
      <header className="page-head">
        <h1>{t('experiments.title')}</h1>
        {experiments.length > 0 && (
          <NamePicker label={t('experiments.experiment')} names={experiments.map((e) => e.name)} value={current?.name} base="/experiments" testId="experiment-select" />
        )}
      </header>
      {list.loading && <Loading />}
      {list.error && <ErrorPanel error={list.error} onRetry={list.reload} />}
      {list.data && experiments.length === 0 && (
        <p className="muted" data-testid="no-experiments">
          {t('experiments.none')}
        </p>
      )}
      {current && <ExperimentView key={current.name} experiment={current} />}
    </div>
  );
}

function ExperimentView({ experiment }: { experiment: ExperimentT }) {
  const i18n = useI18n();
  const { t, int, pct, num } = i18n;
  const e = experiment;
  const path = `/experiments/${encodeURIComponent(e.name)}`;
  const report = useApi(() => get<ExperimentReportT>(`${path}/report`), [path]);
  const treatments = e.arms.filter((a) => a !== e.controlArm);
  const [outcome, setOutcome] = useState(e.outcomes[0]?.name ?? '');
  const [treatment, setTreatment] = useState(treatments[0] ?? '');
  const attributes = e.features.map((f) => f.name);
  const [by, setBy] = useState(attributes[0] ?? '');
  const segments = useApi(
    () => get<SegmentReportT>(`${path}/report`, { by, treatment, outcome }),
    [path, by, treatment, outcome],
    Boolean(by && treatment && outcome),
  );
  const kindOf = (o: string) => e.outcomes.find((x) => x.name === o)?.kind ?? 'binary';
  const fmt = (o: string) => (kindOf(o) === 'binary' ? (x: number) => pct(x, 2) : (x: number) => num(x, 3));

  const effects = useMemo<EChartsCoreOption | undefined>(() => {
    const rows = report.data?.effects.filter((x) => x.outcome === outcome) ?? [];
    if (rows.length === 0) return undefined;
    return intervalsChart(
      rows.map((r) => ({ label: r.arm, effect: r.effect, low: r.ciLow, high: r.ciHigh, color: r.ciHigh < 0 ? HARMED : r.ciLow > 0 ? HELPED : NEUTRAL })),
      t('experiments.effectAxis', { outcome }),
      fmt(outcome),
    );
  }, [report.data, outcome, i18n]);

  const perSegment = useMemo<EChartsCoreOption | undefined>(() => {
    const rows = (segments.data?.segments ?? []).filter((s) => s.effect !== null);
    if (rows.length === 0) return undefined;
    return intervalsChart(
      rows.map((s) => ({ label: s.value, effect: s.effect!, low: s.ciLow!, high: s.ciHigh!, color: s.harmed ? HARMED : s.helped ? HELPED : NEUTRAL })),
      t('experiments.effectAxis', { outcome }),
      fmt(outcome),
    );
  }, [segments.data, i18n]);

  return (
    <>
      {report.loading && <Loading />}
      {report.error && <ErrorPanel error={report.error} onRetry={report.reload} />}
      {report.data && (
        <Section title={t('experiments.arms')} testId="experiment-arms">
          <table className="table">
            <thead>
              <tr>
                <th>{t('experiments.arm')}</th>
                <th className="num">{t('common.customers')}</th>
                {e.outcomes.map((o) => (
                  <th key={o.name} className="num">
                    {o.kind === 'binary' ? t('experiments.rate', { outcome: o.name }) : t('experiments.perCustomer', { outcome: o.name })}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {report.data.arms.map((a) => (
                <tr key={a.name} data-testid="arm-row">
                  <td>
                    {a.name}
                    {a.control ? ` (${t('experiments.control')})` : ''}
                  </td>
                  <td className="num">{int(a.n)}</td>
                  {e.outcomes.map((o) => {
                    const x = a.outcomes[o.name];
                    if (!x) return <td key={o.name} />;
                    const f = fmt(o.name);
                    const v = x.kind === 'binary' ? x.rate : x.mean;
                    return (
                      <td key={o.name} className="num" title={x.ci.method}>
                        {f(v)} <span className="muted small">[{f(x.ci.low)}, {f(x.ci.high)}]</span>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">{t('experiments.methods', { methods: Object.entries(report.data.methods).map(([k, v]) => `${k}: ${v}`).join('; ') })}</p>
        </Section>
      )}
      <Section
        title={t('experiments.effects')}
        testId="experiment-effects"
        actions={
          <select value={outcome} onChange={(x) => setOutcome(x.target.value)} aria-label={t('experiments.outcome')} data-testid="outcome-select">
            {e.outcomes.map((o) => (
              <option key={o.name}>{o.name}</option>
            ))}
          </select>
        }
      >
        {effects && <Chart option={effects} height={80 + 48 * treatments.length} label={t('experiments.effects')} testId="effects-chart" onReady={(_, el) => (el.dataset.ready = 'true')} />}
        <p className="muted small">{t('experiments.effectsHelp')}</p>
      </Section>
      <Section
        title={t('experiments.segments')}
        testId="experiment-segments"
        actions={
          <>
            <select value={by} onChange={(x) => setBy(x.target.value)} aria-label={t('experiments.by')} data-testid="by-select">
              {attributes.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
            <select value={treatment} onChange={(x) => setTreatment(x.target.value)} aria-label={t('experiments.treatment')} data-testid="treatment-select">
              {treatments.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </>
        }
      >
        {segments.loading && <Loading />}
        {segments.error && <ErrorPanel error={segments.error} onRetry={segments.reload} />}
        {perSegment && <Chart option={perSegment} height={80 + 36 * (segments.data?.segments.length ?? 1)} label={t('experiments.segments')} testId="segments-chart" onReady={(_, el) => (el.dataset.ready = 'true')} />}
        {segments.data && (
          <p className="muted small" data-testid="harmed-count">
            {t('experiments.harmedCount', { harmed: segments.data.segments.filter((s) => s.harmed).length, total: segments.data.segments.length })}
          </p>
        )}
      </Section>
      <UpliftSection path={path} treatment={treatment} outcome={e.outcomes.find((o) => o.kind === 'binary')?.name ?? outcome} />
    </>
  );
}

function UpliftSection({ path, treatment, outcome }: { path: string; treatment: string; outcome: string }) {
  const i18n = useI18n();
  const { t, num } = i18n;
  const [model, setModel] = useState<'two-model' | 'class-transformation'>('two-model');
  const [seed, setSeed] = useState(0);
  const [result, setResult] = useState<UpliftResultT | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const evaluate = () => {
    setBusy(true);
    setError(undefined);
    post<UpliftResultT>(`${path}/uplift`, { treatment, outcome, split: 0.5, seed, model })
      .then(setResult, (x: unknown) => setError(asApiError(x)))
      .finally(() => setBusy(false));
  };
  const chart = useMemo(() => (result ? qiniChart(result, t) : undefined), [result, i18n]);
  return (
    <Section
      title={t('experiments.uplift')}
      testId="experiment-uplift"
      actions={
        <>
          <select value={model} onChange={(x) => setModel(x.target.value as typeof model)} aria-label={t('experiments.modelKind')} data-testid="model-select">
            <option value="two-model">{t('experiments.twoModel')}</option>
            <option value="class-transformation">{t('experiments.classTransformation')}</option>
          </select>
          <label>
            {t('experiments.seed')}{' '}
            <input type="number" min={0} value={seed} onChange={(x) => setSeed(Number(x.target.value) || 0)} style={{ width: '5em' }} />
          </label>
          <button type="button" onClick={evaluate} disabled={busy} data-testid="evaluate-uplift">
            {busy ? t('experiments.evaluating') : t('experiments.evaluate')}
          </button>
        </>
      }
    >
      <p className="muted small">{t('experiments.upliftHelp', { treatment, outcome })}</p>
      {error && <ErrorPanel error={error} />}
      {result && (
        <>
          <p data-testid="uplift-figures">
            {t('experiments.upliftFigures', { qini: num(result.qini, 4), auuc: num(result.auuc, 4), at30: num(result.upliftAt30, 4), test: num(result.testUplift, 4) })}
          </p>
          {chart && <Chart option={chart} height={320} label={t('experiments.qini')} testId="qini-chart" onReady={(_, el) => (el.dataset.ready = 'true')} />}
        </>
      )}
    </Section>
  );
}
