import { useMemo } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import { get } from '../api.ts';
import { Chart } from '../components/chart.tsx';
import { waterfallOption } from '../components/waterfall.ts';
import { ErrorPanel, Loading, NamePicker, Section, Stat } from '../components/ui.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { CampaignListT, CampaignReportT } from '../types.ts';
import { useApi } from '../use-api.ts';

// A campaign's proof: treated against its control group (conversion and revenue per customer with 95% intervals),
// per segment, and in money: the incremental margin, the costs taken from it, and what is left (the ROI waterfall).

export function CampaignsPage({ name }: { name?: string | undefined }) {
  const { t } = useI18n();
  const list = useApi(() => get<CampaignListT>('/campaigns'), []);
  const launched = (list.data?.campaigns ?? []).filter((c) => c.status === 'launched');
  const current = launched.find((c) => c.name === name) ?? launched[0];
  return (
    <div className="page" data-testid="page-campaigns">
      <header className="page-head">
        <h1>{t('campaigns.title')}</h1>
        {launched.length > 0 && (
          <NamePicker label={t('campaigns.campaign')} names={launched.map((c) => c.name)} value={current?.name} base="/campaigns" testId="campaign-select" />
        )}
      </header>
      {list.loading && <Loading />}
      {list.error && <ErrorPanel error={list.error} onRetry={list.reload} />}
      {list.data && launched.length === 0 && (
        <p className="muted" data-testid="no-campaigns">
          {t('campaigns.none')}
        </p>
      )}
      {current && <CampaignView key={current.name} name={current.name} />}
    </div>
  );
}

function CampaignView({ name }: { name: string }) {
  const i18n = useI18n();
  const { t, int, pct, money, dateTime, num } = i18n;
  const report = useApi(() => get<CampaignReportT>(`/campaigns/${encodeURIComponent(name)}/report`), [name]);
  const r = report.data;

  const roi = useMemo<EChartsCoreOption | undefined>(() => {
    if (!r?.money.incrementalMargin) return undefined;
    const c = r.money.costs;
    return waterfallOption(
      [
        { label: t('campaigns.incrementalMargin'), value: r.money.incrementalMargin.estimate },
        { label: t('campaigns.costMessages'), value: -c.messages },
        { label: t('campaigns.costDiscounts'), value: -c.discounts },
        { label: t('campaigns.costPoints'), value: -c.points },
      ],
      t('campaigns.net'),
      { value: (v) => money(v, r.currency), axis: (v) => money(v, r.currency, true) },
    );
  }, [r, i18n]);

  const effects = r?.effects;
  return (
    <>
      {report.loading && <Loading />}
      {report.error && <ErrorPanel error={report.error} onRetry={report.reload} />}
      {r && (
        <>
          <p className="muted" data-testid="campaign-window">
            {t(r.complete ? 'campaigns.windowDone' : 'campaigns.windowOpen', { from: dateTime(r.launchedAt), to: dateTime(r.windowEnds) })}
          </p>
          <div className="stats">
            <Stat label={t('campaigns.treated')} value={int(r.arms.treated.n)} hint={t('campaigns.conversion', { rate: pct(r.arms.treated.conversionRate, 2) })} />
            <Stat label={t('campaigns.control')} value={int(r.arms.control.n)} hint={t('campaigns.conversion', { rate: pct(r.arms.control.conversionRate, 2) })} />
            <Stat
              label={t('campaigns.effectConversion')}
              value={effects?.conversion ? pct(effects.conversion.estimate, 2) : '—'}
              hint={effects?.conversion ? `[${pct(effects.conversion.low, 2)}, ${pct(effects.conversion.high, 2)}]` : undefined}
              testId="effect-conversion"
            />
            <Stat
              label={t('campaigns.effectRevenue')}
              value={effects?.revenuePerCustomer ? money(effects.revenuePerCustomer.estimate, r.currency) : '—'}
              hint={effects?.revenuePerCustomer ? `[${money(effects.revenuePerCustomer.low, r.currency)}, ${money(effects.revenuePerCustomer.high, r.currency)}]` : undefined}
            />
            <Stat label={t('campaigns.roi')} value={r.money.roi === null ? '—' : num(r.money.roi, 2)} testId="campaign-roi" />
          </div>
          {effects?.conversionAlwaysValid && (
            <p className="muted small" data-testid="always-valid">
              {t('campaigns.alwaysValid', {
                low: pct(effects.conversionAlwaysValid.low, 2),
                high: pct(effects.conversionAlwaysValid.high, 2),
                p: num(effects.conversionAlwaysValid.pValue, 3),
              })}
            </p>
          )}
          <Section title={t('campaigns.waterfall')} testId="campaign-waterfall">
            {roi ? (
              <Chart option={roi} height={320} label={t('campaigns.waterfall')} testId="roi-waterfall" onReady={(_, el) => (el.dataset.ready = 'true')} />
            ) : (
              <p className="muted">{t('campaigns.noMargin')}</p>
            )}
            <p className="muted small">{t('campaigns.roiHelp', { margin: num(r.money.marginPercent, 0) })}</p>
          </Section>
          <Section title={t('campaigns.segments')} testId="campaign-segments">
            <table className="table">
              <thead>
                <tr>
                  <th>{t('campaigns.segment')}</th>
                  <th className="num">{t('common.customers')}</th>
                  <th className="num">{t('campaigns.effectConversion')}</th>
                  <th>{t('campaigns.verdict')}</th>
                </tr>
              </thead>
              <tbody>
                {r.segments.conversion.map((s) => (
                  <tr key={s.value} data-testid="campaign-segment-row">
                    <td>{s.value}</td>
                    <td className="num">{int(s.n)}</td>
                    <td className="num">{s.effect === null ? '—' : `${pct(s.effect, 2)} [${pct(s.ciLow!, 2)}, ${pct(s.ciHigh!, 2)}]`}</td>
                    <td className={s.harmed ? 'bad' : s.helped ? 'good' : 'muted'}>{t(s.harmed ? 'campaigns.harmed' : s.helped ? 'campaigns.helped' : 'campaigns.unclear')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section title={t('campaigns.deliveries')} testId="campaign-deliveries">
            <p>{Object.entries(r.deliveries).map(([status, n]) => `${status}: ${int(n)}`).join(' · ') || '—'}</p>
          </Section>
        </>
      )}
    </>
  );
}
