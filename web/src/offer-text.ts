import type { useI18n } from './i18n/i18n.tsx';

// An offer's rule in words, for the offers' table and their history; and its fields in the form's order.

/** An offer's fields as the form shows them and the API names them (POST and PATCH /offers). */
export const OFFER_FIELDS = [
  'name',
  'rule',
  'group',
  'priority',
  'validFrom',
  'validTo',
  'stores',
  'categories',
  'maxDiscount',
  'budget',
  'perCustomerLimit',
] as const;
type Rule = {
  kind: string;
  minQuantity?: number;
  brands?: string[];
  buy?: number;
  free?: number;
  daysBefore?: number;
  daysAfter?: number;
  tiers?: string[];
  discount?: { kind: 'percent'; percent: number } | { kind: 'amount'; amount: string };
};

/** What an offer gives, in words: "quantity ≥ 3: −10%", "1 of every 3 free". The name is the user's; this is the rule's. */
export function ruleText(
  rule: unknown,
  currency: string,
  f: { t: ReturnType<typeof useI18n>['t']; pct: (x: number, digits?: number) => string; money: (a: string, c: string) => string },
): string {
  const r = rule as Rule;
  const d = r.discount;
  const discount = !d
    ? ''
    : d.kind === 'percent'
      ? `−${f.pct(d.percent / 100, d.percent % 1 === 0 ? 0 : 1)}`
      : `−${f.money(d.amount, currency)}`;
  switch (r.kind) {
    case 'volume':
      return f.t('offerRule.volume', { n: r.minQuantity ?? 1, discount });
    case 'brand':
      return f.t('offerRule.brand', { brands: (r.brands ?? []).join(', '), discount });
    case 'bundle':
      return f.t('offerRule.bundle', { free: r.free ?? 1, buy: r.buy ?? 2 });
    case 'birthday':
      return f.t('offerRule.birthday', { before: r.daysBefore ?? 0, after: r.daysAfter ?? 0, discount });
    case 'tier':
      return f.t('offerRule.tier', { tiers: (r.tiers ?? []).join(', '), discount });
    default:
      return f.t('offerRule.personal', { discount });
  }
}
