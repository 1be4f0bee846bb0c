import { useState } from 'react';
import { ApiError, get, post } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useHasRole } from '../session.tsx';
import type { OfferListT, OfferT, ProgramConfigT } from '../types.ts';
import { useApi } from '../use-api.ts';
import { ruleText } from '../offer-text.ts';
import { OfferForm } from './offer-form.tsx';
import { OfferHistory } from './offer-history.tsx';
import { ErrorPanel, Loading, Section } from './ui.tsx';

// The Loyalty page's offers: each with its rule, group, validity, scope and budget used, and its history of changes
// (admins and analysts); an admin makes new ones (OfferForm), edits and archives them.

export function OffersSection({ config }: { config: ProgramConfigT }) {
  const { t } = useI18n();
  // Offers are made and archived by admins (POST /offers); the others see the list.
  const admin = useHasRole('admin');
  // The history of changes names who made them: admins and analysts read it (GET /offers/{id}/changes).
  const historian = useHasRole('admin', 'analyst');
  const [history, setHistory] = useState<OfferT | null>(null);
  const currency = config.currency;
  const [archived, setArchived] = useState(false);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<OfferT | null>(null);
  const [archiveError, setArchiveError] = useState<ApiError | null>(null);
  const list = useApi(() => get<OfferListT>('/offers', { archived: archived ? 'true' : undefined }), [archived]);
  const offers = list.data?.offers ?? [];
  const archive = admin
    ? async (o: OfferT) => {
        if (!window.confirm(t('loyaltyPage.archiveConfirm', { name: o.name }))) return;
        setArchiveError(null);
        try {
          await post(`/offers/${encodeURIComponent(o.id)}/archive`);
        } catch (e) {
          setArchiveError(e instanceof ApiError ? e : new ApiError(0, 'NETWORK', String(e)));
        }
        list.reload();
      }
    : undefined;
  return (
    <Section
      title={t('loyaltyPage.offers')}
      testId="offers"
      actions={
        <>
          <label>
            <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} data-testid="offers-archived" />{' '}
            {t('loyaltyPage.showArchived')}
          </label>
          {admin && !creating && !editing && (
            <button type="button" onClick={() => setCreating(true)} data-testid="offer-new">
              {t('loyaltyPage.newOffer')}
            </button>
          )}
        </>
      }
    >
      {(creating || editing) && (
        <OfferForm
          key={editing?.id ?? 'new'}
          config={config}
          offer={editing ?? undefined}
          onCancel={() => {
            setCreating(false);
            setEditing(null);
          }}
          onSaved={() => {
            setCreating(false);
            setEditing(null);
            // An open history would miss the edit just made.
            setHistory(null);
            list.reload();
          }}
        />
      )}
      {history && <OfferHistory key={history.id} offer={history} currency={currency} onClose={() => setHistory(null)} />}
      {list.loading && <Loading />}
      {list.error && <ErrorPanel error={list.error} onRetry={list.reload} />}
      {archiveError && <ErrorPanel error={archiveError} />}
      {list.data && offers.length === 0 && <p className="muted">{t('loyaltyPage.noOffers')}</p>}
      {offers.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('loyaltyPage.offer')}</th>
                <th>{t('loyaltyPage.group')}</th>
                <th>{t('loyaltyPage.validity')}</th>
                <th>{t('loyaltyPage.scope')}</th>
                <th>{t('loyaltyPage.budget')}</th>
                <th className="num">{t('loyaltyPage.perCustomer')}</th>
                {(archive || historian) && <th />}
              </tr>
            </thead>
            <tbody>
              {offers.map((o) => (
                <OfferRow
                  key={o.id}
                  offer={o}
                  currency={currency}
                  onArchive={archive}
                  onEdit={admin && !creating ? setEditing : undefined}
                  onHistory={historian ? setHistory : undefined}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function OfferRow({
  offer: o,
  currency,
  onArchive,
  onEdit,
  onHistory,
}: {
  offer: OfferT;
  currency: string;
  onArchive?: (o: OfferT) => Promise<void>;
  onEdit?: (o: OfferT) => void;
  onHistory?: (o: OfferT) => void;
}) {
  const { t, tMaybe, int, pct, money, date } = useI18n();
  const spent = Number(o.budgetSpent);
  const budget = o.budget === null ? null : Number(o.budget);
  const share = budget ? Math.min(1, spent / budget) : 0;
  const scope = [
    o.stores ? t('loyaltyPage.stores', { list: o.stores.join(', ') }) : null,
    o.categories ? t('loyaltyPage.categories', { list: o.categories.join(', ') }) : null,
  ]
    .filter(Boolean)
    .join('; ');
  return (
    <tr data-testid="offer-row" className={o.status === 'archived' ? 'muted' : undefined}>
      <td>
        {o.name} <span className="badge">{tMaybe(`offerKind.${o.kind}`) ?? o.kind}</span>
        {o.status === 'archived' && <span className="badge">{t('loyaltyPage.archived')}</span>}
        <div className="small muted" data-testid="offer-rule">
          {ruleText(o.rule, currency, { t, pct, money })}
        </div>
      </td>
      <td>
        <code>{o.group}</code>
      </td>
      <td>
        {o.validFrom || o.validTo
          ? `${o.validFrom ? date(o.validFrom) : '…'} – ${o.validTo ? date(o.validTo) : '…'}`
          : t('loyaltyPage.always')}
      </td>
      <td>{scope || t('loyaltyPage.everywhere')}</td>
      <td data-testid="offer-budget">
        {budget === null ? (
          t('loyaltyPage.noBudget')
        ) : (
          <>
            <div className="meter" role="meter" aria-valuemin={0} aria-valuemax={budget} aria-valuenow={spent}>
              <span style={{ width: `${share * 100}%` }} className={share >= 0.9 ? 'meter-high' : undefined} />
            </div>
            {t('loyaltyPage.budgetUse', {
              spent: money(o.budgetSpent, currency),
              budget: money(o.budget!, currency),
              share: pct(share, 0),
            })}
          </>
        )}
      </td>
      <td className="num">{o.perCustomerLimit === null ? '—' : int(o.perCustomerLimit)}</td>
      {(onArchive || onHistory) && (
        <td>
          <span className="row-actions">
            {onEdit && o.status === 'active' && (
              <button type="button" className="secondary" onClick={() => onEdit(o)} data-testid="offer-edit">
                {t('loyaltyPage.edit')}
              </button>
            )}
            {onArchive && o.status === 'active' && (
              <button type="button" className="secondary" onClick={() => void onArchive(o)} data-testid="offer-archive">
                {t('loyaltyPage.archive')}
              </button>
            )}
            {onHistory && (
              <button type="button" className="secondary" onClick={() => onHistory(o)} data-testid="offer-history-open">
                {t('loyaltyPage.history')}
              </button>
            )}
          </span>
        </td>
      )}
    </tr>
  );
}
