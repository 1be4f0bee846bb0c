import { useMemo, useState } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import { useAsOf } from '../as-of.tsx';
import { get } from '../api.ts';
import { Chart } from '../components/chart.tsx';
import { CsvButton, DateField, ErrorPanel, Loading, Section } from '../components/ui.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { minorToDecimal, minorToMajor } from '../money.ts';
import { Link } from '../router.tsx';
import type { FitQuality, ValueOverview } from '../types.ts';
import { useApi } from '../use-api.ts';

const MODEL_NAMES: Record<string, string> = { bgnbd: 'BG/NBD', 'pareto-nbd': 'Pareto/NBD', 'gamma-gamma': 'Gamma-Gamma' };

export function ValuePage() {
  const i18n = useI18n();
  const { t, int, num, pct, money, date } = i18n;
  const ov = useApi(() => get<ValueOverview>('/analytics/clv/overview', { model: 'bgnbd', unit: 'week', buckets: 20, limit: 20 }), []);
  const fit = ov.data?.fit;
  const currency = fit?.currency ?? 'GBP';
  const top = ov.data?.top ?? [];

  const histogram = useMemo<EChartsCoreOption | undefined>(() => {
    if (!ov.data) return undefined;
    const h = ov.data.histogram;
    const label = (lo: number, hi: number) =>
      `${money(minorToMajor(lo, currency), currency, true)}–${money(minorToMajor(hi, currency), currency, true)}`;
    return {
      tooltip: { trigger: 'axis' },
      legend: { data: [t('common.customers')], top: 0 },
      grid: { left: 64, right: 16, top: 32, bottom: 96 },
      xAxis: {
        type: 'category',
        data: h.map((b) => label(b.lowMinor, b.highMinor)),
        name: t('value.distributionAxis', { currency }),
        nameLocation: 'middle',
        nameGap: 70,
        axisLabel: { rotate: 40, fontSize: 10 },
      },
      // Values are heavily skewed: a log axis keeps the long tail of valuable customers visible.
      yAxis: { type: 'log', name: `${t('common.customers')} (log)`, logBase: 10 },
      series: [
        {
          type: 'bar',
          name: t('common.customers'),
          data: h.map((b) => (b.customers > 0 ? b.customers : null)),
          itemStyle: { color: '#2f6eb5' },
        },
      ],
    };
  }, [ov.data, i18n]);

  return (
    <div className="page" data-testid="page-value">
      <header className="page-head">
        <h1>{t('value.title')}</h1>
      </header>
      {ov.loading && <Loading />}
      {ov.error && <ErrorPanel error={ov.error} onRetry={ov.reload} />}
      {fit && (
        <p className="muted" data-testid="fit-summary">
          {t('value.model', { model: MODEL_NAMES[fit.model] ?? fit.model, date: date(fit.calibrationEnd), customers: int(fit.customers) })}
        </p>
      )}
      {histogram && (
        <Section title={t('value.distribution')}>
          <Chart
            option={histogram}
            height={360}
            label={t('value.distribution')}
            testId="clv-histogram"
            onReady={(_, el) => (el.dataset.ready = 'true')}
          />
        </Section>
      )}
      {ov.data && (
        <Section
          title={t('value.top')}
          testId="top-customers"
          actions={
            <CsvButton
              fileName="top-customers.csv"
              build={() => ({
                header: ['customer_id', 'model', 'horizon', 'unit', 'expected_purchases', 'p_alive', 'expected_spend', 'clv', 'currency'],
                rows: top.map((v) => [
                  v.customerId,
                  v.model,
                  v.horizon,
                  v.unit,
                  v.expectedPurchases,
                  v.pAlive,
                  v.expectedSpendMinor === null ? null : minorToDecimal(v.expectedSpendMinor, v.currency),
                  v.clvMinor === null ? null : minorToDecimal(v.clvMinor, v.currency),
                  v.currency,
                ]),
              })}
            />
          }
        >
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t('list.customer')}</th>
                  <th className="num">{t('value.expectedPurchases')}</th>
                  <th className="num">{t('value.pAlive')}</th>
                  <th className="num">{t('value.expectedSpend')}</th>
                  <th className="num">{t('value.clv')}</th>
                </tr>
              </thead>
              <tbody>
                {top.map((v) => (
                  <tr key={v.customerId}>
                    <td>
                      <Link to={`/customers/${v.customerId}`}>
                        <code>{v.customerId}</code>
                      </Link>
                    </td>
                    <td className="num">{num(v.expectedPurchases)}</td>
                    <td className="num">{pct(v.pAlive)}</td>
                    <td className="num">
                      {v.expectedSpendMinor === null ? '—' : money(minorToMajor(v.expectedSpendMinor, v.currency), v.currency)}
                    </td>
                    <td className="num">{v.clvMinor === null ? '—' : money(minorToMajor(v.clvMinor, v.currency), v.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {top[0] && (
            <p className="muted small">
              {t('value.horizon', { horizon: top[0].horizon, unit: top[0].unit === 'week' ? t('common.weeks') : t('common.days') })}
            </p>
          )}
        </Section>
      )}
      {fit && <FitSection calibrationEnd={fit.calibrationEnd} />}
    </div>
  );
}

function FitSection({ calibrationEnd: fitted }: { calibrationEnd: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { asOf } = useAsOf();
  const [calibrationEnd, setCalibrationEnd] = useState(fitted);
  const [holdoutEnd, setHoldoutEnd] = useState<string>();
  const end = holdoutEnd ?? asOf;
  const rep = useApi(
    () => get<FitQuality>('/analytics/clv/report', { calibrationEnd, holdoutEnd: end, unit: 'week' }),
    [calibrationEnd, end],
    !!end && end > calibrationEnd,
  );

  const byFreq = useMemo<EChartsCoreOption | undefined>(() => {
    if (!rep.data) return undefined;
    const rows = rep.data.byFrequency;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 56, right: 16, top: 36, bottom: 56 },
      xAxis: { type: 'category', data: rows.map((r) => r.x), name: t('value.byFrequencyAxis'), nameLocation: 'middle', nameGap: 32 },
      yAxis: { type: 'value', name: t('value.perCustomer') },
      series: [
        { type: 'bar', name: t('value.actual'), data: rows.map((r) => round(r.actual)), itemStyle: { color: '#3b3b3b' } },
        { type: 'bar', name: t('value.bgnbd'), data: rows.map((r) => round(r.bgnbd)), itemStyle: { color: '#2f6eb5' } },
        { type: 'bar', name: t('value.paretoNbd'), data: rows.map((r) => round(r.paretoNbd)), itemStyle: { color: '#e8590c' } },
      ],
    };
  }, [rep.data, i18n]);

  const tracking = useMemo<EChartsCoreOption | undefined>(() => {
    if (!rep.data) return undefined;
    const rows = rep.data.tracking;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: [
        { left: 56, right: 16, top: 40, height: '33%' },
        { left: 56, right: 16, bottom: 48, height: '33%' },
      ],
      xAxis: [
        { gridIndex: 0, type: 'category', data: rows.map((r) => r.period), name: t('value.week'), nameLocation: 'middle', nameGap: 24 },
        { gridIndex: 1, type: 'category', data: rows.map((r) => r.period), name: t('value.week'), nameLocation: 'middle', nameGap: 24 },
      ],
      yAxis: [
        { gridIndex: 0, type: 'value', name: t('value.tracking') },
        { gridIndex: 1, type: 'value', name: t('value.trackingCumulative') },
      ],
      series: [
        {
          type: 'line',
          name: t('value.actual'),
          data: rows.map((r) => round(r.actual)),
          xAxisIndex: 0,
          yAxisIndex: 0,
          showSymbol: false,
          color: '#3b3b3b',
        },
        {
          type: 'line',
          name: t('value.expected'),
          data: rows.map((r) => round(r.expected)),
          xAxisIndex: 0,
          yAxisIndex: 0,
          showSymbol: false,
          lineStyle: { type: 'dashed' },
          color: '#2f6eb5',
        },
        {
          type: 'line',
          name: t('value.actual'),
          data: rows.map((r) => round(r.cumulativeActual)),
          xAxisIndex: 1,
          yAxisIndex: 1,
          showSymbol: false,
          color: '#3b3b3b',
        },
        {
          type: 'line',
          name: t('value.expected'),
          data: rows.map((r) => round(r.cumulativeExpected)),
          xAxisIndex: 1,
          yAxisIndex: 1,
          showSymbol: false,
          lineStyle: { type: 'dashed' },
          color: '#2f6eb5',
        },
      ],
    };
  }, [rep.data, i18n]);

  return (
    <Section title={t('value.fit')} testId="fit">
      <div className="toolbar">
        <DateField label={t('value.calibrationEnd')} value={calibrationEnd} onChange={setCalibrationEnd} />
        {end && <DateField label={t('value.holdoutEnd')} value={end} onChange={setHoldoutEnd} />}
      </div>
      {rep.loading && <Loading />}
      {rep.error && <ErrorPanel error={rep.error} onRetry={rep.reload} />}
      <div className="two">
        {byFreq && (
          <div>
            <h3>{t('value.byFrequency')}</h3>
            <Chart option={byFreq} height={320} label={t('value.byFrequency')} testId="fit-by-frequency" />
          </div>
        )}
        {tracking && (
          <div>
            <h3>{t('value.tracking')}</h3>
            <Chart option={tracking} height={420} label={t('value.tracking')} testId="fit-tracking" />
          </div>
        )}
      </div>
    </Section>
  );
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
