import { useEffect } from 'react';
import { usePickedAsOf } from '../as-of.tsx';
import { get } from '../api.ts';
import { RfHeatmap } from '../components/rf-heatmap.tsx';
import { SegmentCustomers } from '../components/segment-customers.tsx';
import { DateField, ErrorPanel, Loading, Section, Stat } from '../components/ui.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { navigate, useLocation } from '../router.tsx';
import type { ConsoleOverview, Rfm } from '../types.ts';
import { useApi } from '../use-api.ts';

export function OverviewPage() {
  const { t, tMaybe, int, money } = useI18n();
  const { picked: asOf, setAsOf, setLatest } = usePickedAsOf();
  const { query } = useLocation();
  const cell = query.get('cell');
  // Both ask for the user's date, or, with none picked, for the server's default (the latest purchase's day), which
  // their answers carry; so the figures and the grid are asked for together, at boot (boot.ts), with no round trip
  // first. Asked on every visit without a pick, so that new receipts (an upload) move the default date.
  const ov = useApi(() => get<ConsoleOverview>('/console/overview', { asOf }), [asOf]);
  const rfm = useApi(() => get<Rfm>('/segments/rfm', { asOf }), [asOf]);
  const day = asOf ?? rfm.data?.asOf ?? ov.data?.asOf;
  useEffect(() => {
    if (day && !asOf) setLatest(day);
  }, [day, asOf, setLatest]);
  const selected = rfm.data?.grid.cells.find((c) => c.key === cell);

  return (
    <div className="page" data-testid="page-overview">
      <header className="page-head">
        <h1>{t('overview.title')}</h1>
        {day && <DateField label={t('common.asOf')} value={day} onChange={setAsOf} testId="as-of" />}
      </header>
      {ov.error && <ErrorPanel error={ov.error} onRetry={ov.reload} />}
      {ov.data && (
        <div className="stats">
          <Stat label={t('overview.customers')} value={int(ov.data.customers)} testId="stat-customers" />
          <Stat
            label={t('overview.activeCustomers')}
            value={int(ov.data.activeCustomers)}
            hint={t('overview.activeHint')}
            testId="stat-active"
          />
          <Stat
            label={t('overview.revenue')}
            value={money(ov.data.revenue, ov.data.currency)}
            hint={t('overview.revenuePrevious', { amount: money(ov.data.revenuePrevious, ov.data.currency) })}
            testId="stat-revenue"
          />
          <Stat label={t('overview.receipts')} value={int(ov.data.receipts)} testId="stat-receipts" />
        </div>
      )}
      <Section title={t('overview.grid')}>
        <p className="muted">{t('overview.gridHint')}</p>
        {rfm.error && <ErrorPanel error={rfm.error} onRetry={rfm.reload} />}
        {(ov.loading || rfm.loading) && !rfm.data && <Loading />}
        {rfm.data && <RfHeatmap rfm={rfm.data} selected={cell} onSelect={(k) => navigate(`/?cell=${encodeURIComponent(k)}`)} />}
      </Section>
      {selected && day && (
        <SegmentCustomers
          key={`${day}:${selected.key}`}
          asOf={day}
          cell={selected.key}
          total={selected.customers}
          title={t('overview.cellCustomers', { cell: tMaybe(`cell.${selected.key}`) ?? selected.name })}
        />
      )}
    </div>
  );
}
