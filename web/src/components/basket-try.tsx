import { useState, type FormEvent } from 'react';
import { ApiError, get, post } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { ProgramConfigT, QuoteBodyT, QuoteT, StoreListT } from '../types.ts';
import { useApi } from '../use-api.ts';
import { IdentityKindSelect, RefusedFields, Section, Stat } from './ui.tsx';

// Try a basket: the till's own quote (POST /till/quote, which writes nothing), asked from the console, so that whoever
// sets up offers sees how they stack on a basket, for a customer or a walk-in, without a till.

type Draft = { sku: string; category: string; brand: string; quantity: string; unitPrice: string; taxRate: string };
const FIELDS = ['sku', 'category', 'brand', 'quantity', 'unitPrice', 'taxRate'] as const;
const EMPTY: Draft = { sku: '', category: '', brand: '', quantity: '1', unitPrice: '', taxRate: '0' };
const KINDS = ['card', 'phone', 'email', 'external'] as const;
type Kind = (typeof KINDS)[number];

/** Where a field the API named is on the form: "Line 2, Quantity" for body.lines.1.quantity of the second row sent. */
function fieldText(path: string, sentRows: readonly number[], t: ReturnType<typeof useI18n>['t']): string {
  const line = /^body\.lines\.(\d+)(?:\.(\w+))?$/.exec(path);
  if (line) {
    const row = (sentRows[Number(line[1])] ?? Number(line[1])) + 1;
    const field = FIELDS.find((f) => f === line[2]);
    return field ? t('basket.lineField', { line: row, field: t(`basket.${field}`) }) : t('basket.line', { line: row });
  }
  if (path === 'body.store') return t('basket.store');
  if (path.startsWith('body.customer')) return t('basket.customer');
  return path.replace(/^body\./, '');
}

/** A row the user has left as it came (or emptied) is not sent. */
const blank = (d: Draft) => !d.sku.trim() && !d.category.trim() && !d.brand.trim() && !d.unitPrice.trim();

export function BasketTry({ config }: { config: ProgramConfigT }) {
  const { t } = useI18n();
  const currency = config.currency;
  const stores = useApi(() => get<StoreListT>('/stores'), []);
  const [store, setStore] = useState('');
  const [kind, setKind] = useState<Kind>('card');
  const [who, setWho] = useState('');
  const [rows, setRows] = useState<Draft[]>([{ ...EMPTY }, { ...EMPTY }]);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<QuoteT | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  // Which row each sent line came from, to put an error on the input it names (body.lines.2.unitPrice).
  const [sentRows, setSentRows] = useState<number[]>([]);
  const storeCode = store || stores.data?.stores[0]?.code || '';

  const edit = (i: number, field: keyof Draft, value: string) =>
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, [field]: value } : r)));
  const bad = (path: string) => error?.fields.find((f) => f.field === `body.${path}`)?.message;
  const badLine = (row: number, field: keyof Draft) => {
    const k = sentRows.indexOf(row);
    return k < 0 ? undefined : bad(`lines.${k}.${field}`);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const used = rows.flatMap((r, i) => (blank(r) ? [] : [i]));
    const body: QuoteBodyT = {
      store: storeCode.trim(),
      currency,
      customer: who.trim() ? { kind, value: who.trim() } : null,
      lines: used.map((i) => {
        const r = rows[i]!;
        return {
          sku: r.sku.trim(),
          ...(r.category.trim() ? { category: r.category.trim() } : {}),
          ...(r.brand.trim() ? { brand: r.brand.trim() } : {}),
          quantity: r.quantity.trim(),
          unitPrice: r.unitPrice.trim(),
          taxRate: r.taxRate.trim() || '0',
        };
      }),
    };
    setSentRows(used);
    setBusy(true);
    setError(null);
    try {
      setAnswer(await post<QuoteT>('/till/quote', body));
    } catch (err) {
      setAnswer(null);
      setError(err instanceof ApiError ? err : new ApiError(0, 'NETWORK', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title={t('basket.title')} testId="basket">
      <p className="muted small">{t('basket.help')}</p>
      <form onSubmit={(e) => void submit(e)} data-testid="basket-form">
        <div className="toolbar">
          <label className="field">
            <span>{t('basket.store')}</span>
            {stores.data && stores.data.stores.length > 0 ? (
              <select value={storeCode} onChange={(e) => setStore(e.target.value)} data-testid="basket-store">
                {stores.data.stores.map((s) => (
                  <option key={s.code} value={s.code}>
                    {s.code === s.name ? s.code : `${s.code} · ${s.name}`}
                  </option>
                ))}
              </select>
            ) : (
              <input value={store} onChange={(e) => setStore(e.target.value)} aria-invalid={!!bad('store')} data-testid="basket-store" />
            )}
          </label>
          <label className="field">
            <span>{t('c360.kind')}</span>
            <IdentityKindSelect kinds={KINDS} value={kind} onChange={setKind} testId="basket-kind" />
          </label>
          <label className="field">
            <span>{t('basket.customer')}</span>
            <input
              value={who}
              placeholder={t('basket.walkIn')}
              onChange={(e) => setWho(e.target.value)}
              aria-invalid={!!bad('customer.value')}
              data-testid="basket-customer"
            />
          </label>
        </div>
        <div className="table-wrap">
          <table className="basket-lines" data-testid="basket-lines">
            <thead>
              <tr>
                <th>#</th>
                {FIELDS.map((f) => (
                  <th key={f} className={f === 'sku' || f === 'category' || f === 'brand' ? undefined : 'num'}>
                    {t(`basket.${f}`)}
                  </th>
                ))}
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i} data-testid="basket-line">
                  <td>{i + 1}</td>
                  {FIELDS.map((f) => {
                    const why = badLine(i, f);
                    return (
                      <td key={f}>
                        <input
                          value={r[f]}
                          onChange={(e) => edit(i, f, e.target.value)}
                          aria-label={`${t(`basket.${f}`)} ${i + 1}`}
                          aria-invalid={!!why}
                          title={why}
                          inputMode={f === 'sku' || f === 'category' || f === 'brand' ? undefined : 'decimal'}
                          className={f === 'sku' || f === 'category' || f === 'brand' ? 'text' : undefined}
                          data-testid={`basket-${f}`}
                        />
                      </td>
                    );
                  })}
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => {
                        setRows((rs) => rs.filter((_, j) => j !== i));
                        // The refused fields were named by the rows as sent; they no longer match.
                        setError(null);
                        setSentRows([]);
                      }}
                      disabled={rows.length === 1}
                    >
                      {t('basket.remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="toolbar">
          <button type="button" className="secondary" onClick={() => setRows((rs) => [...rs, { ...EMPTY }])} data-testid="basket-add">
            {t('basket.add')}
          </button>
          <button type="submit" disabled={busy || rows.every(blank)} data-testid="basket-submit">
            {t('basket.price')}
          </button>
        </div>
      </form>
      {error && <RefusedFields error={error} name={(f) => fieldText(f, sentRows, t)} testId="basket-fields" />}
      {answer && <QuoteView q={answer} config={config} />}
    </Section>
  );
}

function QuoteView({ q, config }: { q: QuoteT; config: ProgramConfigT }) {
  const { t, tMaybe, int, pct, money } = useI18n();
  const m = (x: string) => money(x, q.currency);
  const c = q.customer;
  const offerName = new Map(q.applicable.map((o) => [o.offerId, o.name]));
  const applied = new Set(q.applied.map((o) => o.offerId));
  return (
    <div data-testid="basket-quote">
      <p data-testid="basket-who">
        {c.known
          ? [
              t('basket.known', { id: c.id ?? '' }),
              c.tier && t('basket.knownTier', { tier: config.tiers.levels.find((l) => l.key === c.tier)?.name ?? c.tier }),
              c.cell && t('basket.knownCell', { cell: tMaybe(`cell.${c.cell}`) ?? c.cell }),
            ]
              .filter(Boolean)
              .join(', ') + '.'
          : t(`basket.reason.${c.reason === 'identified' ? 'none' : c.reason}`)}
      </p>
      <div className="stats">
        <Stat label={t('basket.amount')} value={m(q.totals.amount)} />
        <Stat label={t('basket.discount')} value={m(q.totals.discount)} testId="basket-discount" />
        <Stat label={t('basket.total')} value={m(q.totals.total)} testId="basket-total" />
        <Stat label={t('basket.earn')} value={int(q.points.earn)} testId="basket-earn" />
        <Stat label={t('basket.redeemable')} value={int(q.points.redeemable)} />
      </div>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>{t('basket.sku')}</th>
              <th className="num">{t('basket.quantity')}</th>
              <th className="num">{t('basket.amount')}</th>
              <th>{t('basket.offers')}</th>
              <th className="num">{t('basket.total')}</th>
              <th className="num">{t('basket.earn')}</th>
            </tr>
          </thead>
          <tbody>
            {q.lines.map((l) => (
              <tr key={l.lineNo} data-testid="basket-quote-line">
                <td>{l.lineNo}</td>
                <td>{l.sku}</td>
                <td className="num">{l.quantity}</td>
                <td className="num">{m(l.amount)}</td>
                <td>{l.offers.map((o) => `${offerName.get(o.offerId) ?? o.offerId} −${m(o.discount)}`).join('; ') || '—'}</td>
                <td className="num" data-testid="basket-line-total">
                  {m(l.total)}
                </td>
                <td className="num">{int(l.pointsEarned)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>{t('basket.offersTitle')}</h3>
      {q.applicable.length === 0 ? (
        <p className="muted">{t('basket.noOffers')}</p>
      ) : (
        <ul data-testid="basket-offers">
          {q.applicable.map((o) => (
            <li
              key={o.offerId}
              data-testid={applied.has(o.offerId) ? 'basket-applied' : 'basket-not-applied'}
              className={applied.has(o.offerId) ? undefined : 'muted'}
            >
              {o.name} <span className="badge">{tMaybe(`offerKind.${o.kind}`) ?? o.kind}</span> <code>{o.group}</code>{' '}
              {applied.has(o.offerId)
                ? t('basket.applied', { discount: m(q.applied.find((a) => a.offerId === o.offerId)!.discount) })
                : t('basket.notApplied', { discount: m(o.discount) })}
            </li>
          ))}
        </ul>
      )}
      {q.ladder.steps.length > 0 && (
        <>
          <h3>{t('basket.ladder')}</h3>
          <table data-testid="basket-ladder">
            <thead>
              <tr>
                <th>{t('basket.step')}</th>
                <th className="num">{t('basket.cost')}</th>
                <th className="num">{t('basket.pBuy')}</th>
                <th className="num">{t('basket.margin')}</th>
              </tr>
            </thead>
            <tbody>
              {q.ladder.steps.map((s) => (
                <tr key={s.key} data-testid={s.key === q.ladder.recommended ? 'basket-recommended' : undefined}>
                  <td>
                    {s.percent === 0 ? t('basket.noStep') : `${s.percent}%`}
                    {s.key === q.ladder.recommended && <span className="badge">{t('basket.recommended')}</span>}
                  </td>
                  <td className="num">{m(s.cost)}</td>
                  <td className="num">{s.pBuy === null ? '—' : pct(s.pBuy, 0)}</td>
                  <td className="num">{s.expectedMargin === null ? '—' : m(s.expectedMargin)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
