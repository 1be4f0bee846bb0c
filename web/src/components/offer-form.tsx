import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, patch, post } from '../api.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { OfferBodyT, OfferT, ProgramConfigT } from '../types.ts';
import { OFFER_FIELDS } from '../offer-text.ts';
import { RefusedFields, SaveCancel } from './ui.tsx';

// An offer from the console (admin): a new one (POST /offers) with its rule, discount, stacking group, validity, scope
// and limits, or an edit of one (PATCH /offers/{id}: its kind stays, and only the fields changed in the form are sent,
// so that a validity set to the minute through the API is not cut to the day). The server validates everything and
// names the fields it refuses; the form marks them and lists them in words.

const KINDS = ['volume', 'brand', 'bundle', 'birthday', 'tier', 'personal'] as const;
type Kind = (typeof KINDS)[number];

/** The form's text for each field, keyed by its path in the request body (rule.minQuantity, budget, …). */
type Draft = Record<string, string>;

const list = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
/** A whole number as a number; anything else as typed, so that the server's answer names the field. */
const int = (s: string | undefined) => (/^\s*\d+\s*$/.test(s ?? '') ? Number(s) : (s ?? '').trim());
const num = (s: string | undefined) => (/^\s*\d+(\.\d+)?\s*$/.test(s ?? '') ? Number(s) : (s ?? '').trim());
const orNull = (s: string | undefined) => (s?.trim() ? s.trim() : null);
/** A day of the form as the start of that day in UTC. */
const day = (s: string | undefined) => (s ? `${s}T00:00:00Z` : null);

function bodyOf(kind: Kind, d: Draft): OfferBodyT {
  const discount =
    d['rule.discount.kind'] === 'amount'
      ? { kind: 'amount' as const, amount: (d['rule.discount.amount'] ?? '').trim() }
      : { kind: 'percent' as const, percent: num(d['rule.discount.percent']) };
  const rules = {
    volume: { kind, minQuantity: int(d['rule.minQuantity']), discount },
    brand: { kind, brands: list(d['rule.brands']), discount },
    bundle: { kind, buy: int(d['rule.buy']), free: int(d['rule.free']) },
    birthday: { kind, daysBefore: int(d['rule.daysBefore']), daysAfter: int(d['rule.daysAfter']), discount },
    tier: { kind, tiers: list(d['rule.tiers']), discount },
    personal: {
      kind,
      ...(list(d['rule.cells']).length ? { cells: list(d['rule.cells']) } : {}),
      ...(list(d['rule.rfmSegments']).length ? { rfmSegments: list(d['rule.rfmSegments']) } : {}),
      ...(list(d['rule.customerIds']).length ? { customerIds: list(d['rule.customerIds']) } : {}),
      discount,
    },
  };
  return {
    name: (d.name ?? '').trim(),
    // Types as the server checks them; what is typed wrong goes as typed, and comes back named.
    rule: rules[kind] as OfferBodyT['rule'],
    group: d.group ?? '',
    // An emptied priority goes as typed and comes back named, rather than silently becoming 100.
    priority: int(d.priority) as number,
    validFrom: day(d.validFrom),
    validTo: day(d.validTo),
    stores: list(d.stores).length ? list(d.stores) : null,
    categories: list(d.categories).length ? list(d.categories) : null,
    maxDiscount: orNull(d.maxDiscount),
    budget: orNull(d.budget),
    perCustomerLimit: d.perCustomerLimit?.trim() ? (int(d.perCustomerLimit) as number) : null,
  };
}

/** An offer as the form's text: the inverse of bodyOf, for an edit. */
function draftOf(o: OfferT): Draft {
  const rule = o.rule as Record<string, unknown> & { discount?: { kind: string; percent?: number; amount?: string } };
  const text = (v: unknown) => (v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v));
  const d: Draft = {
    name: o.name,
    group: o.group,
    priority: String(o.priority),
    validFrom: o.validFrom?.slice(0, 10) ?? '',
    validTo: o.validTo?.slice(0, 10) ?? '',
    stores: text(o.stores),
    categories: text(o.categories),
    maxDiscount: text(o.maxDiscount),
    budget: text(o.budget),
    perCustomerLimit: text(o.perCustomerLimit),
    'rule.discount.kind': rule.discount?.kind ?? 'percent',
    'rule.discount.percent': text(rule.discount?.percent),
    'rule.discount.amount': text(rule.discount?.amount),
  };
  for (const k of RULE_FIELDS[o.kind as Kind] ?? []) d[k] = text(rule[k.slice('rule.'.length)]);
  return d;
}

/** The fields of `next` that differ from `before`: what an edit sends. */
function changes(before: OfferBodyT, next: OfferBodyT): Partial<OfferBodyT> {
  return Object.fromEntries(
    Object.entries(next).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k as keyof OfferBodyT])),
  ) as Partial<OfferBodyT>;
}

/** Fields that take a comma-separated list. */
const LISTS = new Set(['rule.brands', 'rule.cells', 'rule.rfmSegments', 'rule.customerIds']);

/** The rule's own fields, by kind; the discount follows for every kind but the bundle. */
const RULE_FIELDS: Record<Kind, string[]> = {
  volume: ['rule.minQuantity'],
  brand: ['rule.brands'],
  bundle: ['rule.buy', 'rule.free'],
  birthday: ['rule.daysBefore', 'rule.daysAfter'],
  tier: ['rule.tiers'],
  personal: ['rule.cells', 'rule.rfmSegments', 'rule.customerIds'],
};

export function OfferForm({
  config,
  offer,
  onSaved,
  onCancel,
}: {
  config: ProgramConfigT;
  /** The offer to edit; without it, the form makes a new one. */
  offer?: OfferT;
  onSaved: (o: OfferT) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const groups = config.stacking.groups.map((g) => g.key);
  const [kind, setKind] = useState<Kind>((offer?.kind as Kind | undefined) ?? 'volume');
  const [initial] = useState<Draft>(() =>
    offer
      ? draftOf(offer)
      : {
          group: groups[0] ?? '',
          priority: '100',
          'rule.discount.kind': 'percent',
          'rule.minQuantity': '2',
          'rule.buy': '3',
          'rule.free': '1',
          'rule.daysBefore': '3',
          'rule.daysAfter': '3',
        },
  );
  const [d, setD] = useState<Draft>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const set = (k: string) => (v: string) => setD((x) => ({ ...x, [k]: v }));
  const label = (k: string) => t(`offerForm.${k}` as MessageKey);
  // The schema names a field by its path in the request (body.budget); the service's own checks by the field (budget).
  const why = (k: string) =>
    error?.fields.find((f) => {
      const path = f.field.replace(/^body\./, '');
      return path === k || path.startsWith(`${k}.`);
    })?.message;

  const field = (k: string, input?: ReactNode, hint?: string) => (
    <label className="field" key={k}>
      <span>{label(k)}</span>
      {input ?? (
        <input
          value={d[k] ?? ''}
          onChange={(e) => set(k)(e.target.value)}
          aria-invalid={!!why(k)}
          title={why(k)}
          data-testid={`offer-${k.replace(/\./g, '-')}`}
        />
      )}
      {hint && <span className="small">{hint}</span>}
    </label>
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (!offer) onSaved(await post<OfferT>('/offers', bodyOf(kind, d)));
      else {
        const changed = changes(bodyOf(kind, initial), bodyOf(kind, d));
        onSaved(Object.keys(changed).length === 0 ? offer : await patch<OfferT>(`/offers/${encodeURIComponent(offer.id)}`, changed));
      }
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'NETWORK', String(err)));
    } finally {
      setBusy(false);
    }
  };

  const discountKind = d['rule.discount.kind'] ?? 'percent';
  return (
    <form className="panel offer-form" onSubmit={(e) => void submit(e)} data-testid="offer-form">
      {offer && <p className="small">{t('offerForm.editing', { name: offer.name })}</p>}
      <div className="form-grid">
        {field('name')}
        {field(
          'kind',
          // An edit keeps the offer's kind: another kind is another offer.
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} disabled={!!offer} data-testid="offer-kind">
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`offerKind.${k}`)}
              </option>
            ))}
          </select>,
        )}
        {RULE_FIELDS[kind].map((k) =>
          field(
            k,
            undefined,
            k === 'rule.tiers'
              ? t('offerForm.tiersHint', { list: config.tiers.levels.map((l) => l.key).join(', ') })
              : LISTS.has(k)
                ? t('offerForm.commas')
                : undefined,
          ),
        )}
        {kind !== 'bundle' && (
          <>
            {field(
              'rule.discount.kind',
              <select value={discountKind} onChange={(e) => set('rule.discount.kind')(e.target.value)} data-testid="offer-discount-kind">
                <option value="percent">{t('offerForm.percentOff')}</option>
                <option value="amount">{t('offerForm.amountOff', { currency: config.currency })}</option>
              </select>,
            )}
            {field(discountKind === 'amount' ? 'rule.discount.amount' : 'rule.discount.percent')}
          </>
        )}
        {field(
          'group',
          <select value={d.group} onChange={(e) => set('group')(e.target.value)} aria-invalid={!!why('group')} data-testid="offer-group">
            {groups.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>,
        )}
        {field('priority')}
        {field(
          'validFrom',
          <input type="date" value={d.validFrom ?? ''} onChange={(e) => set('validFrom')(e.target.value)} data-testid="offer-validFrom" />,
        )}
        {field(
          'validTo',
          <input
            type="date"
            value={d.validTo ?? ''}
            onChange={(e) => set('validTo')(e.target.value)}
            aria-invalid={!!why('validTo')}
            data-testid="offer-validTo"
          />,
        )}
        {field('stores', undefined, t('offerForm.commasAll'))}
        {field('categories', undefined, t('offerForm.commasAll'))}
        {field('maxDiscount')}
        {field('budget')}
        {field('perCustomerLimit')}
      </div>
      {error && <RefusedFields error={error} name={(f) => fieldName(f, label)} testId="offer-fields" />}
      <SaveCancel label={t(offer ? 'offerForm.saveEdit' : 'offerForm.save')} busy={busy} onCancel={onCancel} testId="offer-save" />
    </form>
  );
}

/** A field the server named, in the form's words: body.rule.minQuantity → "Minimum quantity". */
function fieldName(path: string, label: (k: string) => string): string {
  const k = path.replace(/^body\./, '');
  const known = [...Object.values(RULE_FIELDS).flat(), 'rule.discount.percent', 'rule.discount.amount'].find(
    (f) => k === f || k.startsWith(`${f}.`),
  );
  if (known) return label(known);
  const top = k.split('.')[0]!;
  return top !== 'rule' && (OFFER_FIELDS as readonly string[]).includes(top) ? label(top) : k;
}
