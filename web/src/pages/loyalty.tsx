import { useEffect, useMemo, useState } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import { get } from '../api.ts';
import { BasketTry } from '../components/basket-try.tsx';
import { OffersSection } from '../components/offers-section.tsx';
import { ProgramEditor } from '../components/program-editor.tsx';
import { Chart } from '../components/chart.tsx';
import { CsvButton, DateField, ErrorPanel, Loading, Section, Stat } from '../components/ui.tsx';
import { waterfallOption } from '../components/waterfall.ts';
import { minusDays } from '../dates.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { LiabilityT, ProgramConfigT, ProgramVersionListT, ProgramVersionT, SettlementT } from '../types.ts';
import { useHasRole } from '../session.tsx';
import { useApi } from '../use-api.ts';

// The loyalty program as the CRM team runs it: the points that moved in a period and what is outstanding (the
// liability), the partners' settlement for the same days, the program in force, and the offers with their budgets.

/** Digits a figure of the program needs to be shown exactly, up to 2 (1.25 → 2, 1.5 → 1, 2 → 0). */
function digitsOf(x: number): number {
  return Number.isInteger(x) ? 0 : Number.isInteger(x * 10) ? 1 : 2;
}

export function LoyaltyPage() {
  const { t } = useI18n();
  const program = useApi(() => get<ProgramVersionT>('/loyalty/program'), []);
  const none = program.error?.code === 'LOYALTY_NO_PROGRAM';
  return (
    <div className="page" data-testid="page-loyalty">
      <header className="page-head">
        <h1>{t('loyaltyPage.title')}</h1>
      </header>
      {program.loading && <Loading />}
      {none && (
        <p className="muted" data-testid="no-program">
          {t('loyaltyPage.noProgram')}
        </p>
      )}
      {program.error && !none && <ErrorPanel error={program.error} onRetry={program.reload} />}
      {program.data && (
        <>
          <PeriodSections />
          <ProgramSection current={program.data} onSaved={program.reload} />
          <OffersSection config={program.data.config} />
          <BasketTry config={program.data.config} />
        </>
      )}
    </div>
  );
}

/** The points flow and the partners' settlement over the same days (inclusive), the last 30 by default. */
function PeriodSections() {
  const { t } = useI18n();
  const today = new Date().toISOString().slice(0, 10);
  const [from, setFrom] = useState(minusDays(today, 29));
  const [to, setTo] = useState(today);
  const bad = from > to;
  return (
    <>
      <div className="toolbar">
        <DateField label={t('loyaltyPage.from')} value={from} onChange={setFrom} testId="loyalty-from" />
        <DateField label={t('loyaltyPage.to')} value={to} onChange={setTo} testId="loyalty-to" />
      </div>
      {bad ? (
        <p className="bad" role="alert">
          {t('loyaltyPage.badPeriod')}
        </p>
      ) : (
        <>
          <PointsFlow from={from} to={to} />
          <SettlementSection from={from} to={to} />
        </>
      )}
    </>
  );
}

function PointsFlow({ from, to }: { from: string; to: string }) {
  const i18n = useI18n();
  const { t, int, pct, money } = i18n;
  // The liability takes [from, to): the day after the last one shown.
  const flow = useApi(() => get<LiabilityT>('/loyalty/liability', { from, to: minusDays(to, -1) }), [from, to]);
  const p = flow.data;
  // Nothing held and nothing moved (a new program, or a period before it): words, not an empty chart.
  const still =
    !!p && [p.outstandingStart, p.outstandingEnd, p.issued, p.spent, p.expired, p.adjustments, p.other].every((x) => x.points === 0);
  const chart = useMemo<EChartsCoreOption | undefined>(() => {
    if (!p || still) return undefined;
    const steps = [
      { label: t('loyaltyPage.issued'), value: p.issued.points },
      { label: t('loyaltyPage.spent'), value: -p.spent.points },
      { label: t('loyaltyPage.expired'), value: -p.expired.points },
      { label: t('loyaltyPage.adjustments'), value: p.adjustments.points },
    ];
    if (p.other.points !== 0) steps.push({ label: t('loyaltyPage.other'), value: p.other.points });
    return waterfallOption(
      steps,
      t('loyaltyPage.outstandingEnd'),
      { value: (v) => int(v), axis: (v) => int(v) },
      { label: t('loyaltyPage.outstandingStart'), value: p.outstandingStart.points },
    );
  }, [p, still, i18n]);
  const cur = flow.data?.currency ?? '';
  return (
    <Section title={t('loyaltyPage.points')} testId="points-flow">
      {flow.loading && <Loading />}
      {flow.error && <ErrorPanel error={flow.error} onRetry={flow.reload} />}
      {p && (
        <>
          <div className="stats compact">
            <Stat
              label={t('loyaltyPage.outstandingEnd')}
              value={int(p.outstandingEnd.points)}
              hint={money(p.outstandingEnd.value, cur)}
              testId="points-outstanding"
            />
            <Stat label={t('loyaltyPage.issued')} value={int(p.issued.points)} hint={money(p.issued.value, cur)} testId="points-issued" />
            <Stat label={t('loyaltyPage.spent')} value={int(p.spent.points)} hint={money(p.spent.value, cur)} testId="points-spent" />
            <Stat label={t('loyaltyPage.expired')} value={int(p.expired.points)} hint={money(p.expired.value, cur)} />
            <Stat
              label={t('loyaltyPage.breakage')}
              value={p.breakage.rate === null ? '—' : pct(p.breakage.rate)}
              hint={p.breakage.expected ? t('loyaltyPage.breakageExpected', { points: int(p.breakage.expected.points) }) : undefined}
            />
          </div>
          {still && (
            <p className="muted" data-testid="points-none">
              {t('loyaltyPage.noMovement')}
            </p>
          )}
          {chart && (
            <Chart
              option={chart}
              height={280}
              label={t('loyaltyPage.points')}
              testId="points-waterfall"
              onReady={(_, el) => (el.dataset.ready = 'true')}
            />
          )}
          <p className="muted small">{t('loyaltyPage.pointsHelp', { value: money(p.pointValue, cur) })}</p>
        </>
      )}
    </Section>
  );
}

function SettlementSection({ from, to }: { from: string; to: string }) {
  const { t, int, money } = useI18n();
  const s = useApi(() => get<SettlementT>('/loyalty/partners/settlement', { from, to }), [from, to]);
  const d = s.data;
  return (
    <Section
      title={t('loyaltyPage.settlement')}
      testId="settlement"
      actions={
        d &&
        d.partners.length > 0 && (
          <CsvButton
            fileName={`settlement-${d.from}-${d.to}.csv`}
            build={() => ({
              header: ['partner', 'name', 'points_issued', 'points_burned', 'partner_owes', 'program_owes', 'net', 'currency'],
              rows: d.partners.map((p) => [
                p.code,
                p.name,
                p.pointsIssued,
                p.pointsBurned,
                p.partnerOwes,
                p.programOwes,
                p.net,
                d.currency,
              ]),
            })}
          />
        )
      }
    >
      {s.loading && <Loading />}
      {s.error && <ErrorPanel error={s.error} onRetry={s.reload} />}
      {d && d.partners.length === 0 && <p className="muted">{t('loyaltyPage.noPartners')}</p>}
      {d && d.partners.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('loyaltyPage.partner')}</th>
                <th className="num">{t('loyaltyPage.pointsIssued')}</th>
                <th className="num">{t('loyaltyPage.pointsBurned')}</th>
                <th className="num">{t('loyaltyPage.partnerOwes')}</th>
                <th className="num">{t('loyaltyPage.programOwes')}</th>
                <th className="num">{t('loyaltyPage.net')}</th>
              </tr>
            </thead>
            <tbody>
              {d.partners.map((p) => (
                <tr key={p.code} data-testid="settlement-row">
                  <td>
                    {p.name} <code>{p.code}</code>
                  </td>
                  <td className="num">{int(p.pointsIssued)}</td>
                  <td className="num">{int(p.pointsBurned)}</td>
                  <td className="num">{money(p.partnerOwes, d.currency)}</td>
                  <td className="num">{money(p.programOwes, d.currency)}</td>
                  <td className="num" data-testid="settlement-net">
                    {money(p.net, d.currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">{t('loyaltyPage.netHelp')}</p>
        </div>
      )}
    </Section>
  );
}

/** The program in force, or an earlier version picked from its history (a receipt names the version that priced it). */
function ProgramSection({ current, onSaved }: { current: ProgramVersionT; onSaved: () => void }) {
  const { t, dateTime } = useI18n();
  const admin = useHasRole('admin');
  const [editing, setEditing] = useState(false);
  const [picked, setPicked] = useState(current.version);
  // A new version saved: the page reloads the program, and this shows the version now in force.
  useEffect(() => setPicked(current.version), [current.version]);
  const history = useApi(() => get<ProgramVersionListT>('/loyalty/program/versions'), [current.version]);
  const other = picked !== current.version;
  const earlier = useApi(() => get<ProgramVersionT>(`/loyalty/program/versions/${picked}`), [picked], other);
  const versions = history.data?.versions ?? [];
  const shown = other ? earlier.data : current;
  return (
    <Section
      title={t('loyaltyPage.program')}
      testId="program"
      actions={
        <>
          {admin && !editing && (
            <button type="button" className="secondary" onClick={() => setEditing(true)} data-testid="program-edit">
              {t('programEditor.edit')}
            </button>
          )}
          {versions.length > 1 && (
            <label>
              {t('loyaltyPage.versionPick')}{' '}
              <select value={picked} onChange={(e) => setPicked(Number(e.target.value))} data-testid="program-version-select">
                {versions.map((v) => (
                  <option key={v.version} value={v.version}>
                    {t(v.inForce ? 'loyaltyPage.versionInForce' : 'loyaltyPage.versionOption', {
                      version: v.version,
                      at: dateTime(v.createdAt),
                    })}
                  </option>
                ))}
              </select>
            </label>
          )}
        </>
      }
    >
      {editing && (
        <ProgramEditor
          current={current}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            onSaved();
          }}
        />
      )}
      {other && earlier.loading && <Loading />}
      {other && earlier.error && <ErrorPanel error={earlier.error} onRetry={earlier.reload} />}
      {shown && <ProgramView program={shown} inForce={!other} />}
    </Section>
  );
}

function ProgramView({ program, inForce }: { program: ProgramVersionT; inForce: boolean }) {
  const { t, int, num, money, dateTime } = useI18n();
  const c: ProgramConfigT = program.config;
  const cur = c.currency;
  return (
    <>
      <p className={inForce ? 'muted' : 'bad'} data-testid="program-version">
        {t(inForce ? 'loyaltyPage.version' : 'loyaltyPage.versionReplaced', { version: program.version, at: dateTime(program.createdAt) })}
        {program.note ? ` · ${program.note}` : ''}
      </p>
      <div className="stats compact">
        <Stat
          label={t('loyaltyPage.earn')}
          value={`${num(c.earn.basePercent, digitsOf(c.earn.basePercent))}%`}
          hint={t('loyaltyPage.earnHint')}
        />
        <Stat label={t('loyaltyPage.pointValue')} value={money(c.burn.pointValue, cur)} />
        <Stat label={t('loyaltyPage.maxShare')} value={`${num(c.burn.maxSharePercent, digitsOf(c.burn.maxSharePercent))}%`} />
        <Stat label={t('loyaltyPage.pending')} value={t('loyaltyPage.days', { n: int(c.lifecycle.pendingDays) })} />
        <Stat label={t('loyaltyPage.expiry')} value={t('loyaltyPage.months', { n: int(c.lifecycle.expiryMonths) })} />
      </div>
      <h3>{t('loyaltyPage.tiers')}</h3>
      {c.tiers.levels.length === 0 ? (
        <p className="muted">{t('loyaltyPage.noTiers')}</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="tiers">
            <thead>
              <tr>
                <th>{t('loyaltyPage.tier')}</th>
                <th className="num">{t('loyaltyPage.minSpend')}</th>
                <th className="num">{t('loyaltyPage.minPurchases')}</th>
                <th className="num">{t('loyaltyPage.earnMultiplier')}</th>
                <th className="num">{t('loyaltyPage.extraDiscount')}</th>
                <th>{t('loyaltyPage.services')}</th>
              </tr>
            </thead>
            <tbody>
              {c.tiers.levels.map((l) => (
                <tr key={l.key} data-testid="tier-row">
                  <td>
                    {l.name} <code>{l.key}</code>
                  </td>
                  <td className="num">{money(l.minSpend, cur)}</td>
                  <td className="num">{int(l.minPurchases)}</td>
                  <td className="num">×{num(l.earnMultiplier, digitsOf(l.earnMultiplier))}</td>
                  <td className="num">
                    {l.extraDiscountPercent > 0 ? `${num(l.extraDiscountPercent, digitsOf(l.extraDiscountPercent))}%` : '—'}
                  </td>
                  <td>{l.services.join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small">
        {t('loyaltyPage.tiersHelp', { window: int(c.tiers.windowDays), grace: int(c.tiers.downgradeGraceDays) })}
      </p>
      <h3>{t('loyaltyPage.stacking')}</h3>
      <div className="table-wrap">
        <table data-testid="stacking">
          <thead>
            <tr>
              <th>{t('loyaltyPage.group')}</th>
              <th>{t('loyaltyPage.mode')}</th>
              <th className="num">{t('loyaltyPage.priority')}</th>
              <th>{t('loyaltyPage.excludes')}</th>
            </tr>
          </thead>
          <tbody>
            {[...c.stacking.groups]
              .sort((a, b) => a.priority - b.priority)
              .map((g) => (
                <tr key={g.key}>
                  <td>
                    <code>{g.key}</code>
                  </td>
                  <td>
                    {t(
                      g.mode === 'exclusive'
                        ? g.choose === 'best'
                          ? 'loyaltyPage.exclusiveBest'
                          : 'loyaltyPage.exclusiveLowest'
                        : 'loyaltyPage.cumulative',
                    )}
                  </td>
                  <td className="num">{int(g.priority)}</td>
                  <td>{g.excludes.join(', ') || '—'}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      <p className="muted small" data-testid="ladder">
        {c.ladder.steps.length === 0
          ? t('loyaltyPage.noLadder')
          : t('loyaltyPage.ladder', {
              steps: c.ladder.steps.map((s) => `${num(s.percent, digitsOf(s.percent))}%`).join(' · '),
              margin: num(c.ladder.marginPercent, digitsOf(c.ladder.marginPercent)),
            })}
      </p>
    </>
  );
}
