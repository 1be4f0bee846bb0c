import { useMemo } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import { useHasRole } from '../session.tsx';
import { CardActions } from './card-actions.tsx';
import { Chart } from './chart.tsx';
import { Section, Stat } from './ui.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import type { LedgerEntryT, Loyalty360, SensitivityStepT, TargetedOfferT } from '../types.ts';

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

/** The customer's loyalty section of the 360 page: wallet, tier, cards, household, offers, sensitivity, ledger. */
export function Loyalty({ loyalty: l, customerId, onChanged }: { loyalty: Loyalty360 | null; customerId: string; onChanged?: () => void }) {
  const i18n = useI18n();
  // Blocking and replacing a card: admin and agent (POST /loyalty/cards/{number}/block, …/replace).
  const manage = useHasRole('admin', 'agent') && onChanged !== undefined;
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
                  {manage && <th />}
                </tr>
              </thead>
              <tbody>
                {l.cards.map((c) => (
                  <tr key={c.number} data-testid="loyalty-card" data-number={c.number}>
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
                    {manage && <td>{c.status === 'active' && <CardActions number={c.number} onChanged={onChanged!} />}</td>}
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
