// What bench/till.ts sells: the basket, the loyalty program, the offers, the cards, and the request bodies.
import type { z } from 'zod';
import type { BasketLineBody, CommitBody, QuoteBody } from '../../src/flows/till/till.contract.ts';
import type { ProgramConfig } from '../../src/modules/loyalty/loyalty.contract.ts';
import type { CreateOfferBody } from '../../src/modules/offers/offers.contract.ts';

export const CURRENCY = 'EUR';
export const STORES = Array.from({ length: 20 }, (_, i) => `S${String(i + 1).padStart(3, '0')}`);

/** Eight lines of a grocery shop with some non-food: one weighed line, 10% VAT on food and 20% on the rest. */
export const BASKET: z.input<typeof BasketLineBody>[] = [
  { lineNo: 1, sku: '4000001', category: 'dairy', brand: 'Meadow', quantity: '2', unitPrice: '0.89', taxRate: '10' },
  { lineNo: 2, sku: '2100745', category: 'produce', brand: 'Orchard', quantity: '0.745', unitPrice: '2.49', taxRate: '10' },
  { lineNo: 3, sku: '4000017', category: 'coffee', brand: 'Crema Nera', quantity: '1', unitPrice: '6.49', taxRate: '10' },
  { lineNo: 4, sku: '4000024', category: 'pantry', brand: 'Oliveto', quantity: '1', unitPrice: '8.99', taxRate: '10' },
  { lineNo: 5, sku: '4000031', category: 'dairy', brand: 'Meadow', quantity: '3', unitPrice: '1.15', taxRate: '10' },
  { lineNo: 6, sku: '4000048', category: 'wine', brand: 'Castello', quantity: '1', unitPrice: '12.50', taxRate: '20' },
  { lineNo: 7, sku: '4000055', category: 'household', brand: 'Sparkle', quantity: '3', unitPrice: '4.75', taxRate: '20' },
  { lineNo: 8, sku: '4000062', category: 'appliances', brand: 'Volta', quantity: '1', unitPrice: '59.90', taxRate: '20' },
];

export const PROGRAM: z.input<typeof ProgramConfig> = {
  currency: CURRENCY,
  earn: { basePercent: 5, categoryMultipliers: { coffee: 2 }, brandMultipliers: { Meadow: 1.5 } },
  burn: { pointValue: '0.01', maxSharePercent: 50, excludedCategories: ['wine'] },
  lifecycle: { pendingDays: 14, expiryMonths: 24 },
  tiers: {
    levels: [
      { key: 'silver', name: 'Silver', minSpend: '500', earnMultiplier: 1.25 },
      { key: 'gold', name: 'Gold', minSpend: '2000', minPurchases: 20, earnMultiplier: 1.5, extraDiscountPercent: 3 },
    ],
  },
  stacking: {
    groups: [
      { key: 'promo', mode: 'exclusive', choose: 'best', priority: 10 },
      { key: 'brand', mode: 'cumulative', choose: 'best', priority: 20 },
      { key: 'personal', mode: 'exclusive', choose: 'best', priority: 30, excludes: ['promo'] },
      { key: 'loyalty', mode: 'cumulative', choose: 'best', priority: 40 },
    ],
  },
  ladder: {
    steps: [
      { key: 'p5', percent: 5 },
      { key: 'p10', percent: 10 },
    ],
    excludedCategories: ['appliances'],
  },
};

const NOW = new Date();
const daysFromNow = (d: number): string => new Date(NOW.getTime() + d * 86_400_000).toISOString();

/** About ten offers of every kind; most apply to the basket, some are out of date, of other stores or capped. */
export const OFFERS: z.input<typeof CreateOfferBody>[] = [
  {
    name: 'Dairy: from 3 items -10%',
    rule: { kind: 'volume', minQuantity: 3, discount: { kind: 'percent', percent: 10 } },
    group: 'promo',
    priority: 1,
    categories: ['dairy'],
  },
  {
    name: 'Any 5 items -5%',
    rule: { kind: 'volume', minQuantity: 5, discount: { kind: 'percent', percent: 5 } },
    group: 'promo',
    priority: 2,
  },
  {
    name: 'Meadow -15%',
    rule: { kind: 'brand', brands: ['Meadow'], discount: { kind: 'percent', percent: 15 } },
    group: 'brand',
    priority: 1,
  },
  {
    name: 'Crema Nera 1.00 off',
    rule: { kind: 'brand', brands: ['Crema Nera'], discount: { kind: 'amount', amount: '1.00' } },
    group: 'brand',
    priority: 2,
    budget: '100000.00',
  },
  { name: 'Household 3 for 2', rule: { kind: 'bundle', buy: 3, free: 1 }, group: 'promo', priority: 3, categories: ['household'] },
  {
    name: 'Birthday week -20%',
    rule: { kind: 'birthday', daysBefore: 3, daysAfter: 3, discount: { kind: 'percent', percent: 20 } },
    group: 'personal',
    priority: 1,
    maxDiscount: '20.00',
  },
  { name: 'Gold -5%', rule: { kind: 'tier', tiers: ['gold'], discount: { kind: 'percent', percent: 5 } }, group: 'loyalty', priority: 1 },
  {
    name: 'Win back -10%',
    rule: { kind: 'personal', rfmSegments: ['at_risk', 'hibernating'], discount: { kind: 'percent', percent: 10 } },
    group: 'personal',
    priority: 2,
    perCustomerLimit: 1,
  },
  {
    name: 'Wine -10%, first five stores',
    rule: { kind: 'volume', minQuantity: 1, discount: { kind: 'percent', percent: 10 } },
    group: 'brand',
    priority: 3,
    categories: ['wine'],
    stores: STORES.slice(0, 5),
  },
  {
    name: 'Last month: appliances -25%',
    rule: { kind: 'volume', minQuantity: 1, discount: { kind: 'percent', percent: 25 } },
    group: 'promo',
    priority: 4,
    categories: ['appliances'],
    validFrom: daysFromNow(-60),
    validTo: daysFromNow(-30),
  },
];

export const cardNumber = (i: number): string => `27${String(i).padStart(11, '0')}`;

/**
 * The i-th request's body: customers spread over the `customers` seeded cards (a stride prime to their count, so
 * neighbouring requests hit different wallets), stores in turn, points redeemed on one basket in five. A commit adds a
 * receipt number unique to this run (`runId`) and phase. The baseline gets the quote's body.
 */
export const tillBodies =
  (customers: number, runId: string) =>
  (i: number, commitTag?: string): string => {
    const quote: z.input<typeof QuoteBody> = {
      store: STORES[i % STORES.length]!,
      currency: CURRENCY,
      customer: { kind: 'card', value: cardNumber((i * 7919) % customers) },
      lines: BASKET,
      ...(i % 5 === 0 ? { redeemPoints: 50 } : {}),
    };
    if (!commitTag) return JSON.stringify(quote);
    const commit: z.input<typeof CommitBody> = {
      ...quote,
      number: `bench-${runId}-${commitTag}-${i}`,
      occurredAt: new Date().toISOString(),
    };
    return JSON.stringify(commit);
  };
