import { useEffect, useState } from 'react';
import { get } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { minorToDecimal } from '../money.ts';
import { Link } from '../router.tsx';
import type { SegmentPage, SegmentRow } from '../types.ts';
import { asApiError } from '../use-api.ts';
import type { ApiError } from '../api.ts';
import { CsvButton, ErrorPanel, Loading, Section } from './ui.tsx';

/** The customers of one cell on a date, by spend, a page at a time; the CSV export loads every page. */
export function SegmentCustomers({ asOf, cell, title, total }: { asOf: string; cell: string; title: string; total?: number }) {
  const { t, int, money } = useI18n();
  const [rows, setRows] = useState<SegmentRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);

  const load = async (cursor: string | null, reset: boolean) => {
    setLoading(true);
    try {
      const page = await get<SegmentPage>('/segments/customers', { asOf, cell, limit: 50, cursor });
      setRows((r) => (reset ? page.customers : [...r, ...page.customers]));
      setNext(page.nextCursor);
      setError(undefined);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    setRows([]);
    void load(null, true);
  }, [asOf, cell]);

  const exportAll = async () => {
    const all: SegmentRow[] = [];
    let cursor: string | null = null;
    do {
      const page: SegmentPage = await get<SegmentPage>('/segments/customers', { asOf, cell, limit: 1000, cursor });
      all.push(...page.customers);
      cursor = page.nextCursor;
    } while (cursor);
    return {
      header: [
        'customer_id',
        'as_of',
        'cell',
        'recency_days',
        'frequency',
        'monetary',
        'returns',
        'currency',
        'r_score',
        'f_score',
        'm_score',
        'rfm_segment',
        'first_purchase_on',
      ],
      rows: all.map((r) => [
        r.customerId,
        r.asOf,
        r.cell,
        r.recencyDays,
        r.frequency,
        minorToDecimal(r.monetaryMinor, r.currency),
        minorToDecimal(r.returnsMinor, r.currency),
        r.currency,
        r.rScore,
        r.fScore,
        r.mScore,
        r.rfmSegment,
        r.firstPurchaseOn,
      ]),
    };
  };

  return (
    <Section
      title={title}
      testId="cell-customers"
      actions={<CsvButton fileName={`segment-${cell}-${asOf}.csv`} build={exportAll} testId="export-cell" />}
    >
      {error && <ErrorPanel error={error} onRetry={() => void load(null, true)} />}
      {total !== undefined && <p className="muted">{t('common.shown', { shown: int(rows.length), total: int(total) })}</p>}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('list.customer')}</th>
              <th className="num">{t('list.recencyDays')}</th>
              <th className="num">{t('list.frequency')}</th>
              <th className="num">{t('list.monetary')}</th>
              <th>{t('list.rfmSegment')}</th>
              <th className="num">{t('list.scores')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.customerId}>
                <td>
                  <Link to={`/customers/${r.customerId}`} testId="customer-link">
                    <code>{r.customerId}</code>
                  </Link>
                </td>
                <td className="num">{int(r.recencyDays)}</td>
                <td className="num">{int(r.frequency)}</td>
                <td className="num">{money(minorToDecimal(r.monetaryMinor, r.currency), r.currency)}</td>
                <td>{r.rfmSegment}</td>
                <td className="num">
                  {r.rScore}/{r.fScore}/{r.mScore}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {loading && <Loading />}
      {next && !loading && (
        <button type="button" className="secondary" onClick={() => void load(next, false)}>
          {t('common.loadMore')}
        </button>
      )}
    </Section>
  );
}
