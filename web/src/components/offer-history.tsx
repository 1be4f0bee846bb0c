import { get } from '../api.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { OFFER_FIELDS, ruleText } from '../offer-text.ts';
import type { OfferChangeListT, OfferT } from '../types.ts';
import { useApi } from '../use-api.ts';
import { ErrorPanel, Loading } from './ui.tsx';

// An offer's history (GET /offers/{id}/changes): each edit or archiving, when, by whom, and every field it changed,
// before → after, in the same words as the offers' table.

const MONEY = new Set(['maxDiscount', 'budget']);
/** The fields in the order the form shows them (the stored change keeps them in no particular order). */
const ORDER: readonly string[] = ['status', ...OFFER_FIELDS];
const byForm = ([a]: [string, unknown], [b]: [string, unknown]) => ORDER.indexOf(a) - ORDER.indexOf(b);
const DAYS = new Set(['validFrom', 'validTo']);

export function OfferHistory({ offer, currency, onClose }: { offer: OfferT; currency: string; onClose: () => void }) {
  const i18n = useI18n();
  const { t, dateTime, money } = i18n;
  const changes = useApi(() => get<OfferChangeListT>(`/offers/${encodeURIComponent(offer.id)}/changes`), [offer.id]);
  const label = (field: string) =>
    field === 'rule' || field === 'status' ? t(`offerHistory.${field}`) : t(`offerForm.${field}` as MessageKey);
  const show = (field: string, v: unknown): string => {
    if (v === null || v === undefined) return '—';
    if (field === 'rule') return ruleText(v, currency, i18n);
    if (field === 'status') return t(v === 'archived' ? 'loyaltyPage.archived' : 'offerHistory.active');
    if (MONEY.has(field)) return money(String(v), currency);
    if (DAYS.has(field)) return dateTime(String(v));
    return Array.isArray(v) ? v.join(', ') : String(v);
  };
  return (
    <div className="panel" data-testid="offer-history">
      <h3>{t('offerHistory.title', { name: offer.name })}</h3>
      {changes.loading && <Loading />}
      {changes.error && <ErrorPanel error={changes.error} onRetry={changes.reload} />}
      {changes.data && (
        <ul>
          {changes.data.changes.map((c, i) => (
            <li key={i} data-testid="offer-change">
              {dateTime(c.at)} · {c.actorName ?? t('offerHistory.commandLine')}:{' '}
              {Object.entries(c.change)
                .sort(byForm)
                .map(([field, { from, to }]) => `${label(field)}: ${show(field, from)} → ${show(field, to)}`)
                .join('; ')}
            </li>
          ))}
          {/* Offers made before their making was recorded: the date alone. */}
          {changes.data.changes.at(-1)?.change.status?.from !== null && (
            <li className="muted">{t('offerHistory.created', { at: dateTime(offer.createdAt) })}</li>
          )}
        </ul>
      )}
      <button type="button" className="secondary" onClick={onClose} data-testid="offer-history-close">
        {t('offerHistory.close')}
      </button>
    </div>
  );
}
