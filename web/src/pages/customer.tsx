import { useState, type FormEvent } from 'react';
import type { ApiError } from '../api.ts';
import { get } from '../api.ts';
import { Loyalty } from '../components/customer-loyalty.tsx';
import { ErrorPanel, IdentityKindSelect, Loading, Section, Stat } from '../components/ui.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { minorToMajor } from '../money.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import type { Customer360, CustomerListT, CustomerT, ReceiptT } from '../types.ts';
import { asApiError, useApi } from '../use-api.ts';

const KINDS = ['any', 'card', 'phone', 'email', 'external'] as const;
type Kind = (typeof KINDS)[number];

function Search() {
  const { t } = useI18n();
  const { query } = useLocation();
  const [kind, setKind] = useState<Kind>((query.get('kind') as Kind | null) ?? 'any');
  const [value, setValue] = useState(query.get('q') ?? '');
  const [results, setResults] = useState<CustomerT[]>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const v = value.trim();
    if (!v) return;
    setBusy(true);
    setError(undefined);
    try {
      if (/^cus_[0-9a-z]{26}$/.test(v)) {
        navigate(`/customers/${v}`);
        return;
      }
      if (kind === 'any') {
        setResults((await get<CustomerListT>('/customers', { q: v, limit: 20 })).customers);
      } else {
        const c = await get<CustomerT>('/customers/lookup', { kind, value: v });
        navigate(`/customers/${c.id}`);
      }
    } catch (err) {
      const e2 = asApiError(err);
      if (e2.code === 'CUSTOMERS_NOT_FOUND') setResults([]);
      else setError(e2);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title={t('c360.search')}>
      <form className="toolbar" onSubmit={submit} role="search">
        <label className="field">
          <span>{t('c360.kind')}</span>
          <IdentityKindSelect kinds={KINDS} value={kind} onChange={setKind} testId="search-kind" />
        </label>
        <label className="field grow">
          <span>{t('c360.search')}</span>
          <input
            type="search"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder={t('c360.searchPlaceholder')}
            data-testid="search-value"
          />
        </label>
        <button type="submit" disabled={busy} data-testid="search-submit">
          {t('c360.search')}
        </button>
      </form>
      {error && <ErrorPanel error={error} />}
      {results && results.length === 0 && <p className="muted">{t('c360.noResults')}</p>}
      {results && results.length > 0 && (
        <ul className="results" data-testid="search-results">
          {results.map((c) => (
            <li key={c.id}>
              <Link to={`/customers/${c.id}`}>
                <strong>{c.fullName ?? t('c360.anonymous')}</strong> <code>{c.id}</code>
              </Link>{' '}
              <span className="muted">{c.identities.map((i) => `${i.kind}: ${i.value}`).join(' · ')}</span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

export function CustomerPage({ id }: { id?: string }) {
  const { t } = useI18n();
  return (
    <div className="page" data-testid="page-customer">
      <header className="page-head">
        <h1>{t('c360.title')}</h1>
      </header>
      <Search />
      {id && <Customer key={id} id={id} />}
    </div>
  );
}

function Customer({ id }: { id: string }) {
  const { t, tMaybe, int, num, pct, money, date, dateTime } = useI18n();
  // A status this console does not know yet is shown as the API gives it.
  const deliveryStatus = (status: string) => tMaybe(`delivery.${status}`) ?? status;
  const v = useApi(() => get<Customer360>(`/customers/${id}/360`, { limit: 20 }), [id]);
  const [more, setMore] = useState<ReceiptT[]>([]);
  const [cursor, setCursor] = useState<string | null>();
  if (v.loading && !v.data) return <Loading />;
  if (v.error) return <ErrorPanel error={v.error} onRetry={v.reload} />;
  const d = v.data!;
  const c = d.customer;
  const receipts = [...d.timeline.receipts, ...more];
  const next = cursor === undefined ? d.timeline.nextCursor : cursor;
  const value = d.values.find((x) => x.model === 'bgnbd') ?? d.values[0];
  const cellName = (k: string) => tMaybe(`cell.${k}`) ?? k;

  return (
    <div data-testid="customer-360" data-customer-id={c.id}>
      <Section title={c.fullName ?? t('c360.anonymous')}>
        <p className="muted">
          <code>{c.id}</code> · {t('c360.status', { status: c.status })}
          {c.country ? ` · ${c.country}` : ''}
        </p>
        {d.totals.map((tot) => (
          <div className="stats" key={tot.currency} data-testid={`totals-${tot.currency}`}>
            <Stat label={t('c360.receipts')} value={int(tot.receipts)} testId="c360-receipts" />
            <Stat label={t('common.revenue')} value={money(tot.revenue, tot.currency)} testId="c360-revenue" />
            <Stat
              label={t('c360.returnsAmount')}
              value={`${money(tot.returnsAmount, tot.currency)} (${int(tot.returns)})`}
              testId="c360-returns"
            />
            <Stat label={t('c360.firstPurchase')} value={tot.firstPurchaseAt ? date(tot.firstPurchaseAt) : '—'} />
            <Stat label={t('c360.lastPurchase')} value={tot.lastPurchaseAt ? date(tot.lastPurchaseAt) : '—'} />
          </div>
        ))}
      </Section>
      <div className="two">
        <Section title={t('c360.value')} testId="c360-value">
          {value ? (
            <div className="stats compact">
              <Stat
                label={t('value.expectedPurchases')}
                value={num(value.expectedPurchases)}
                hint={t('value.horizon', { horizon: value.horizon, unit: value.unit === 'week' ? t('common.weeks') : t('common.days') })}
                testId="c360-expected"
              />
              <Stat label={t('value.pAlive')} value={pct(value.pAlive)} testId="c360-palive" />
              <Stat
                label={t('value.expectedSpend')}
                value={
                  value.expectedSpendMinor === null ? '—' : money(minorToMajor(value.expectedSpendMinor, value.currency), value.currency)
                }
              />
              <Stat
                label={t('value.clv')}
                value={value.clvMinor === null ? '—' : money(minorToMajor(value.clvMinor, value.currency), value.currency)}
                testId="c360-clv"
              />
            </div>
          ) : (
            <p className="muted">{t('c360.noValue')}</p>
          )}
        </Section>
        <Section title={t('c360.identities')}>
          <table>
            <tbody>
              {c.identities.map((i) => (
                <tr key={`${i.kind}:${i.value}`}>
                  <th>{tMaybe(`c360.kind.${i.kind}`) ?? i.kind}</th>
                  <td>
                    <code>{i.value}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('c360.consents')}</h3>
          {c.consents.length === 0 ? (
            <p className="muted">{t('common.none')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>{t('c360.channel')}</th>
                  <th>{t('c360.granted')}</th>
                  <th>{t('c360.source')}</th>
                  <th>{t('c360.when')}</th>
                </tr>
              </thead>
              <tbody>
                {c.consents.map((x) => (
                  <tr key={x.channel}>
                    <td>{x.channel}</td>
                    <td>{x.granted ? t('c360.yes') : t('c360.no')}</td>
                    <td>{x.source}</td>
                    <td>{dateTime(x.givenAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      </div>
      <Loyalty loyalty={d.loyalty} customerId={c.id} onChanged={v.reload} />
      <Section title={t('c360.segmentHistory')} testId="c360-segments">
        {d.segments.length === 0 ? (
          <p className="muted">{t('common.none')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t('common.asOf')}</th>
                  <th>{t('segments.cell')}</th>
                  <th className="num">{t('list.recencyDays')}</th>
                  <th className="num">{t('list.frequency')}</th>
                  <th className="num">{t('list.monetary')}</th>
                  <th>{t('list.rfmSegment')}</th>
                </tr>
              </thead>
              <tbody>
                {d.segments.map((s) => (
                  <tr key={s.asOf}>
                    <td>{date(s.asOf)}</td>
                    <td>{cellName(s.cell)}</td>
                    <td className="num">{int(s.recencyDays)}</td>
                    <td className="num">{int(s.frequency)}</td>
                    <td className="num">{money(minorToMajor(s.monetaryMinor, s.currency), s.currency)}</td>
                    <td>{s.rfmSegment}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {d.clusters.length > 0 && (
          <p className="small">
            {t('c360.clusters')}: {d.clusters.map((k) => `${date(k.asOf)} — ${t('c360.cluster', { n: k.cluster })}`).join(' · ')}
          </p>
        )}
      </Section>
      <Section title={t('c360.campaigns')} testId="c360-campaigns">
        {d.campaigns.length === 0 ? (
          <p className="muted">{t('c360.campaignsNone')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t('campaigns.campaign')}</th>
                  <th>{t('c360.launched')}</th>
                  <th>{t('c360.arm')}</th>
                  <th>{t('c360.variant')}</th>
                  <th>{t('c360.channel')}</th>
                  <th>{t('c360.message')}</th>
                  <th>{t('c360.when')}</th>
                </tr>
              </thead>
              <tbody>
                {d.campaigns.map((x) => {
                  const at = x.message?.statusAt ?? x.message?.sentAt ?? null;
                  return (
                    <tr key={x.campaignId}>
                      <td>{x.name}</td>
                      <td>{x.launchedAt ? date(x.launchedAt) : '—'}</td>
                      <td>{x.arm === 'treated' ? t('campaigns.treated') : t('campaigns.control')}</td>
                      <td>
                        <code>{x.variant}</code>
                      </td>
                      <td>{x.channel}</td>
                      <td>{x.message ? deliveryStatus(x.message.status) : t('c360.heldOut')}</td>
                      <td>{at ? dateTime(at) : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title={t('c360.timeline')} testId="c360-timeline">
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('c360.date')}</th>
                <th>{t('c360.store')}</th>
                <th>{t('c360.number')}</th>
                <th>{t('c360.kindCol')}</th>
                <th className="num">{t('c360.lines')}</th>
                <th className="num">{t('c360.total')}</th>
              </tr>
            </thead>
            <tbody>
              {receipts.map((r) => (
                <tr key={r.id} className={r.kind === 'return' ? 'return' : ''}>
                  <td>{dateTime(r.occurredAt)}</td>
                  <td>{r.store}</td>
                  <td>
                    <code>{r.number}</code>
                  </td>
                  <td>{r.kind === 'return' ? t('c360.return') : t('c360.sale')}</td>
                  <td className="num">{int(r.lines.length)}</td>
                  <td className="num">{money(r.total, r.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {next && (
          <button
            type="button"
            className="secondary"
            onClick={async () => {
              const page = await get<Customer360>(`/customers/${id}/360`, { limit: 50, cursor: next });
              setMore((m) => [...m, ...page.timeline.receipts]);
              setCursor(page.timeline.nextCursor);
            }}
          >
            {t('common.loadMore')}
          </button>
        )}
      </Section>
    </div>
  );
}
