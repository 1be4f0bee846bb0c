import { useMemo, useState, type FormEvent } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import type { ApiError } from '../api.ts';
import { get } from '../api.ts';
import { Chart } from '../components/chart.tsx';
import { ErrorPanel, Loading, Section, Stat } from '../components/ui.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { minorToMajor } from '../money.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import type {
  Customer360,
  CustomerListT,
  CustomerT,
  LedgerEntryT,
  Loyalty360,
  ReceiptT,
  SensitivityStepT,
  TargetedOfferT,
} from '../types.ts';
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
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} data-testid="search-kind">
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`c360.kind.${k}`)}
              </option>
            ))}
          </select>
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
      <Loyalty loyalty={d.loyalty} customerId={c.id} />
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

const ACCENT = '#2f6eb5';
const PALE = '#b9cbe0';

/** The ladder step as a percent of the receipt, for the chart's axis and the table. */
function stepPercent(pct: (x: number, digits?: number) => string, s: SensitivityStepT): string {
  return pct(s.percent / 100, Number.isInteger(s.percent) ? 0 : 1);
}

/** A wallet account without the owner's id ("active:cus_…" → "active"); the program's accounts as they are. */
function accountName(account: string, owner: string): string {
  return account.endsWith(`:${owner}`) ? account.slice(0, -owner.length - 1) : account;
}

/** +points when the movement credits the wallet from outside it, −points when it debits it, unsigned within it. */
function signedPoints(e: LedgerEntryT, owner: string): number {
  const mine = (a: string) => a.endsWith(`:${owner}`);
  if (mine(e.creditAccount) && !mine(e.debitAccount)) return e.points;
  if (mine(e.debitAccount) && !mine(e.creditAccount)) return -e.points;
  return e.points;
}

function Loyalty({ loyalty: l, customerId }: { loyalty: Loyalty360 | null; customerId: string }) {
  const i18n = useI18n();
  const { t, tMaybe, int, num, pct, money, date, dateTime } = i18n;

  const chart = useMemo<EChartsCoreOption | undefined>(() => {
    if (!l) return undefined;
    const steps = l.sensitivity.steps;
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => num(v, 3) },
      grid: { left: 56, right: 16, top: 24, bottom: 48 },
      xAxis: {
        type: 'category',
        data: steps.map((s) => stepPercent(pct, s)),
        name: t('loyalty.stepAxis'),
        nameLocation: 'middle',
        nameGap: 30,
      },
      yAxis: {
        type: 'value',
        min: 0,
        max: 1,
        interval: 0.25,
        name: t('loyalty.pBuyAxis'),
        nameLocation: 'end',
        axisLabel: { formatter: (v: number) => num(v, 2) },
      },
      series: [
        {
          type: 'bar',
          name: t('loyalty.pBuy'),
          barMaxWidth: 48,
          label: { show: true, position: 'top', formatter: (p: { value: number }) => num(p.value, 2) },
          data: steps.map((s) => ({ value: s.pBuy, itemStyle: { color: s.key === l.sensitivity.recommended ? ACCENT : PALE } })),
        },
      ],
    };
  }, [l, i18n]);

  if (!l) {
    return (
      <Section title={t('loyalty.title')} testId="c360-loyalty">
        <p className="muted" data-testid="loyalty-no-program">
          {t('loyalty.noProgram')}
        </p>
      </Section>
    );
  }

  const cur = l.currency;
  const owner = l.points.walletOwnerId;
  const sens = l.sensitivity;
  const recommended = sens.steps.find((s) => s.key === sens.recommended);
  const stepName = (s: SensitivityStepT) => (s.key === 'none' ? t('loyalty.stepNone') : `${s.key} (${stepPercent(pct, s)})`);
  const noPoints = l.points.active === 0 && l.points.pending === 0 && l.entries.length === 0;
  const discount = (o: TargetedOfferT) =>
    o.discount.kind === 'percent' ? pct(o.discount.percent / 100, 0) : money(o.discount.amount, cur);
  const member = (id: string) =>
    id === customerId ? (
      <code>{id}</code>
    ) : (
      <Link to={`/customers/${id}`}>
        <code>{id}</code>
      </Link>
    );

  return (
    <Section title={t('loyalty.title')} testId="c360-loyalty">
      <div className="stats">
        <Stat
          label={t('loyalty.active')}
          value={int(l.points.active)}
          hint={owner === customerId ? undefined : t('loyalty.pooled', { owner })}
          testId="loyalty-active"
        />
        <Stat label={t('loyalty.pending')} value={int(l.points.pending)} hint={t('loyalty.pendingHint')} testId="loyalty-pending" />
        <Stat
          label={t('loyalty.tier')}
          value={!l.tier || l.tier.tier === 'none' ? t('loyalty.noTier') : (l.tier.name ?? l.tier.tier)}
          hint={
            l.tier
              ? t('loyalty.tierSince', { date: date(l.tier.since), spend: money(l.tier.spend, cur), purchases: int(l.tier.purchases) })
              : undefined
          }
          testId="loyalty-tier"
        />
        <Stat
          label={t('loyalty.nextExpiry')}
          value={
            l.points.expiring[0]
              ? t('loyalty.expiryOn', { points: int(l.points.expiring[0].points), date: date(l.points.expiring[0].expiresAt) })
              : '—'
          }
          testId="loyalty-next-expiry"
        />
      </div>
      {noPoints && (
        <p className="muted" data-testid="loyalty-no-points">
          {t('loyalty.noPoints')}
        </p>
      )}

      <div className="two">
        <div>
          <h3>{t('loyalty.expiring')}</h3>
          {l.points.expiring.length === 0 ? (
            <p className="muted">{t('loyalty.noExpiring')}</p>
          ) : (
            <table data-testid="loyalty-expiring">
              <thead>
                <tr>
                  <th>{t('loyalty.expiresAt')}</th>
                  <th className="num">{t('loyalty.points')}</th>
                </tr>
              </thead>
              <tbody>
                {l.points.expiring.map((x) => (
                  <tr key={x.expiresAt}>
                    <td>{date(x.expiresAt)}</td>
                    <td className="num">{int(x.points)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>{t('loyalty.household')}</h3>
          {l.household.members.length === 0 ? (
            <p className="muted" data-testid="loyalty-household">
              {t('loyalty.noHousehold')}
            </p>
          ) : (
            <p data-testid="loyalty-household">
              {t('loyalty.householdOwner')}: {member(l.household.owner)}
              <br />
              {t('loyalty.householdMembers')}:{' '}
              {l.household.members.map((m, i) => (
                <span key={m}>
                  {i > 0 && ', '}
                  {member(m)}
                </span>
              ))}
            </p>
          )}
        </div>
        <div>
          <h3>{t('loyalty.cards')}</h3>
          {l.cards.length === 0 ? (
            <p className="muted">{t('loyalty.noCards')}</p>
          ) : (
            <table data-testid="loyalty-cards">
              <thead>
                <tr>
                  <th>{t('loyalty.card')}</th>
                  <th>{t('loyalty.cardStatus')}</th>
                  <th>{t('loyalty.issued')}</th>
                </tr>
              </thead>
              <tbody>
                {l.cards.map((c) => (
                  <tr key={c.number}>
                    <td>
                      <code>{c.number}</code>
                    </td>
                    <td>
                      <span
                        className={`badge ${c.status === 'active' ? 'status-done' : c.status === 'blocked' ? 'status-failed' : ''}`}
                        data-status={c.status}
                      >
                        {t(`loyalty.cardStatus.${c.status}`)}
                      </span>
                      {c.replacedBy && <span className="muted small"> {t('loyalty.replacedBy', { number: c.replacedBy })}</span>}
                    </td>
                    <td>{date(c.issuedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>

      <h3>{t('loyalty.offers')}</h3>
      {l.offers.length === 0 ? (
        <p className="muted" data-testid="loyalty-offers">
          {t('loyalty.noOffers')}
        </p>
      ) : (
        <div className="table-wrap">
          <table data-testid="loyalty-offers">
            <thead>
              <tr>
                <th>{t('loyalty.offer')}</th>
                <th>{t('loyalty.offerKind')}</th>
                <th className="num">{t('loyalty.discount')}</th>
                <th>{t('loyalty.validTo')}</th>
                <th>{t('loyalty.stores')}</th>
                <th className="num">{t('loyalty.usesLeft')}</th>
              </tr>
            </thead>
            <tbody>
              {l.offers.map((o) => (
                <tr key={o.id}>
                  <td>{o.name}</td>
                  <td>{t(`loyalty.offerKind.${o.kind}`)}</td>
                  <td className="num">{discount(o)}</td>
                  <td>{o.validTo ? dateTime(o.validTo) : t('loyalty.openEnded')}</td>
                  <td>{o.stores ? o.stores.join(', ') : t('loyalty.allStores')}</td>
                  <td className="num">{o.usesLeft === null ? t('loyalty.unlimited') : int(o.usesLeft)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small">{t('loyalty.offersScope')}</p>

      <h3>{t('loyalty.sensitivity')}</h3>
      <p className="small" data-testid="loyalty-recommendation">
        {sens.basket !== null && recommended
          ? t('loyalty.recommendedOn', {
              basket: money(sens.basket, cur),
              margin: pct(sens.marginPercent / 100, 0),
              step: stepName(recommended),
            })
          : t('loyalty.noBasket', { currency: cur })}{' '}
        {sens.cell !== null
          ? t('loyalty.prior', { cell: tMaybe(`cell.${sens.cell}`) ?? sens.cell, strength: num(sens.priorStrength, 0) })
          : t('loyalty.noCell')}
      </p>
      {chart && <Chart option={chart} height={240} label={t('loyalty.sensitivityChart')} testId="loyalty-sensitivity" />}
      <div className="table-wrap">
        <table data-testid="loyalty-steps">
          <thead>
            <tr>
              <th>{t('loyalty.step')}</th>
              <th className="num">{t('loyalty.cost')}</th>
              <th className="num">{t('loyalty.bought')}</th>
              <th className="num">{t('loyalty.notBought')}</th>
              <th className="num">{t('loyalty.pBuy')}</th>
              <th className="num">{t('loyalty.expectedMargin')}</th>
            </tr>
          </thead>
          <tbody>
            {sens.steps.map((s) => (
              <tr key={s.key} className={s.key === sens.recommended ? 'selected' : ''} data-step={s.key}>
                <td>
                  {stepName(s)} {s.key === sens.recommended && <span className="badge status-done">{t('loyalty.recommended')}</span>}
                </td>
                <td className="num">{sens.basket === null ? '—' : money(s.cost, cur)}</td>
                <td className="num">{int(s.successes)}</td>
                <td className="num">{int(s.failures)}</td>
                <td className="num">{num(s.pBuy, 2)}</td>
                <td className="num">{sens.basket === null ? '—' : money(s.expectedMargin, cur)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h3>{t('loyalty.ledger')}</h3>
      {l.entries.length === 0 ? (
        <p className="muted">{t('loyalty.noEntries')}</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="loyalty-ledger">
            <thead>
              <tr>
                <th>{t('c360.date')}</th>
                <th>{t('loyalty.entryKind')}</th>
                <th className="num">{t('loyalty.points')}</th>
                <th>{t('loyalty.accounts')}</th>
                <th>{t('loyalty.cause')}</th>
              </tr>
            </thead>
            <tbody>
              {l.entries.map((e) => {
                const n = signedPoints(e, owner);
                return (
                  <tr key={e.id}>
                    <td>{dateTime(e.createdAt)}</td>
                    <td>{tMaybe(`loyalty.kind.${e.kind}`) ?? e.kind}</td>
                    <td className="num">{n > 0 ? `+${int(n)}` : int(n)}</td>
                    <td>
                      {accountName(e.debitAccount, owner)} → {accountName(e.creditAccount, owner)}
                    </td>
                    <td>
                      <code className="small">{e.cause}</code>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
