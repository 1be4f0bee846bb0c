import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceBasket } from './pricing.ts';
import type { BasketLine, Discount, Offer, OfferRule, PricingContext, PricingResult, StackingGroup } from './types.ts';

const CATEGORIES = ['food', 'dairy', 'drinks'];
const BRANDS = ['acme', 'globex'];
const GROUP_KEYS = ['g1', 'g2', 'g3', 'g4'];
const AT = new Date('2024-06-15T12:00:00Z');

const quantityArb = fc.oneof(
  fc.integer({ min: 0, max: 12 }),
  fc.integer({ min: 1, max: 5000 }).map((thousandths) => thousandths / 1000),
);

const linesArb = fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 12 }).chain((lineNos) =>
  fc.tuple(
    ...lineNos.map((lineNo) =>
      fc.record({
        lineNo: fc.constant(lineNo),
        sku: fc.constant(`sku_${lineNo}`),
        category: fc.constantFrom<string | null>(...CATEGORIES, null),
        brand: fc.constantFrom<string | null>(...BRANDS, null),
        quantity: quantityArb,
        unitPriceMinor: fc.integer({ min: 1, max: 1_000_000 }),
        taxRatePercent: fc.constantFrom(0, 10, 20),
      }),
    ),
  ),
);

const discountArb: fc.Arbitrary<Discount> = fc.oneof(
  fc.constantFrom(5, 10, 12.5, 100 / 3, 50, 99.99, 100, 0).map((percent) => ({ kind: 'percent' as const, percent })),
  fc.integer({ min: 0, max: 2_000_000 }).map((amountMinor) => ({ kind: 'amount' as const, amountMinor })),
);

const ruleArb: fc.Arbitrary<OfferRule> = fc.oneof(
  fc.record({ kind: fc.constant('volume' as const), minQuantity: fc.constantFrom(1, 2, 3, 2.5, 10), discount: discountArb }),
  fc.record({ kind: fc.constant('brand' as const), brands: fc.subarray(BRANDS, { minLength: 1 }), discount: discountArb }),
  fc.record({ kind: fc.constant('bundle' as const), buy: fc.integer({ min: 1, max: 4 }), free: fc.integer({ min: 0, max: 4 }) }),
  fc.record({
    kind: fc.constant('birthday' as const),
    daysBefore: fc.integer({ min: 0, max: 10 }),
    daysAfter: fc.integer({ min: 0, max: 10 }),
    discount: discountArb,
  }),
  fc.record({ kind: fc.constant('tier' as const), tiers: fc.subarray(['gold', 'silver'], { minLength: 1 }), discount: discountArb }),
  fc.record({
    kind: fc.constant('personal' as const),
    customerIds: fc.constant<string[]>(['cus_1']),
    cells: fc.constant<string[]>(['R5F5']),
    rfmSegments: fc.constant<string[]>(['champions']),
    discount: discountArb,
  }),
);

const offersArb: fc.Arbitrary<Offer[]> = fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 8 }).chain((ids) =>
  fc.tuple(
    ...ids.map((n) =>
      fc.record({
        id: fc.constant(`ofr_${n}`),
        name: fc.constant(`Offer ${n}`),
        rule: ruleArb,
        group: fc.constantFrom(...GROUP_KEYS, 'unknown'),
        priority: fc.integer({ min: 0, max: 3 }),
        validFrom: fc.constantFrom<Date | null>(null, null, null, new Date('2024-01-01T00:00:00Z'), new Date('2024-07-01T00:00:00Z')),
        validTo: fc.constantFrom<Date | null>(null, new Date('2024-12-31T00:00:00Z')),
        stores: fc.constantFrom<string[] | null>(null, null, null, ['st_1'], ['st_2']),
        categories: fc.option(fc.subarray(CATEGORIES, { minLength: 1 }), { nil: null }),
        maxDiscountMinor: fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: null, freq: 2 }),
        budgetRemainingMinor: fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: null, freq: 2 }),
        perCustomerLimit: fc.option(fc.integer({ min: 1, max: 2 }), { nil: null, freq: 2 }),
        customerUses: fc.integer({ min: 0, max: 2 }),
      }),
    ),
  ),
);

const groupsArb: fc.Arbitrary<StackingGroup[]> = fc.tuple(
  ...GROUP_KEYS.map((key) =>
    fc.record({
      key: fc.constant(key),
      mode: fc.constantFrom('exclusive' as const, 'cumulative' as const),
      choose: fc.constantFrom('best' as const, 'lowest' as const),
      priority: fc.integer({ min: 0, max: 3 }),
      excludes: fc.subarray(GROUP_KEYS.filter((k) => k !== key)),
    }),
  ),
);

const ctxArb: fc.Arbitrary<PricingContext> = fc.record({
  at: fc.constant(AT),
  store: fc.constantFrom('st_1', 'st_2'),
  customer: fc.option(
    fc.record({
      id: fc.constantFrom('cus_1', 'cus_2'),
      tier: fc.constantFrom<string | null>('gold', 'silver', null),
      birthDate: fc.constantFrom<string | null>('1990-06-12', '1990-06-20', '1990-12-01', '2000-02-29', null),
      cell: fc.constantFrom<string | null>('R5F5', 'R1F1', null),
      rfmSegment: fc.constantFrom<string | null>('champions', null),
    }),
    { nil: null, freq: 8 },
  ),
});

/** A permutation of n indices, drawn as sort keys. */
const permutationOf = (n: number) =>
  fc.array(fc.double({ noNaN: true }), { minLength: n, maxLength: n }).map((keys) =>
    keys
      .map((k, i) => [k, i] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map(([, i]) => i),
  );

const scenarioArb = fc
  .record({ lines: linesArb, offers: offersArb, groups: groupsArb, ctx: ctxArb })
  .chain((s) => fc.record({ s: fc.constant(s), perm: permutationOf(s.lines.length), offerPerm: permutationOf(s.offers.length) }));

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** num ÷ den half to even on BigInt (den > 0, num ≥ 0): the reference the engine's faster paths must agree with. */
function halfEven(num: bigint, den: bigint): number {
  const q = num / den;
  const twice = (num % den) * 2n;
  return Number(twice > den || (twice === den && q % 2n === 1n) ? q + 1n : q);
}

function checkInvariants(r: PricingResult, lines: readonly BasketLine[]): void {
  expect(r.lines.map((l) => l.lineNo)).toEqual(lines.map((l) => l.lineNo).sort((a, b) => a - b));
  // Amounts are quantity × unit price and tax is total × rate / (100 + rate), both exact and half to even (the
  // quantities drawn are whole thousandths, the rates whole percents).
  const byNo = new Map(lines.map((l) => [l.lineNo, l]));
  for (const l of r.lines) {
    const b = byNo.get(l.lineNo)!;
    expect(l.amountMinor).toBe(halfEven(BigInt(Math.round(b.quantity * 1000)) * BigInt(b.unitPriceMinor), 1000n));
    expect(l.taxMinor).toBe(halfEven(BigInt(l.totalMinor) * BigInt(b.taxRatePercent), BigInt(100 + b.taxRatePercent)));
  }
  const lineDiscount = sum(r.lines.map((l) => l.discountMinor));
  expect(lineDiscount).toBe(r.totals.discountMinor);
  expect(sum(r.applied.map((a) => a.discountMinor))).toBe(r.totals.discountMinor);
  expect(r.totals.amountMinor).toBe(sum(r.lines.map((l) => l.amountMinor)));
  expect(r.totals.totalMinor).toBe(r.totals.amountMinor - r.totals.discountMinor);
  expect(r.totals.taxMinor).toBeLessThanOrEqual(r.totals.totalMinor);
  for (const l of r.lines) {
    expect(l.totalMinor).toBeGreaterThanOrEqual(0);
    expect(l.totalMinor).toBeLessThanOrEqual(l.amountMinor);
    expect(l.totalMinor).toBe(l.amountMinor - l.discountMinor);
    expect(sum(l.allocations.map((a) => a.discountMinor))).toBe(l.discountMinor);
    expect(l.allocations.every((a) => a.discountMinor > 0)).toBe(true);
    expect(l.taxMinor).toBeGreaterThanOrEqual(0);
    expect(l.taxMinor).toBeLessThanOrEqual(l.totalMinor);
  }
  for (const a of r.applied) {
    expect(a.discountMinor).toBeGreaterThan(0);
    const allocated = sum(r.lines.flatMap((l) => l.allocations.filter((x) => x.offerId === a.offerId).map((x) => x.discountMinor)));
    expect(allocated).toBe(a.discountMinor);
  }
  expect(new Set(r.applied.map((a) => a.offerId)).size).toBe(r.applied.length);
  const applicable = new Set(r.applicable.map((a) => a.offerId));
  expect(r.applied.every((a) => applicable.has(a.offerId))).toBe(true);
}

describe('priceBasket (properties)', () => {
  it('discounts add up everywhere, lines stay within [0, amount], tax within the total', () => {
    fc.assert(
      fc.property(scenarioArb, ({ s }) => {
        checkInvariants(priceBasket(s.lines, s.offers, s.groups, s.ctx), s.lines);
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on the order of lines, offers or groups', () => {
    fc.assert(
      fc.property(scenarioArb, ({ s, perm, offerPerm }) => {
        const reference = priceBasket(s.lines, s.offers, s.groups, s.ctx);
        const lines = perm.map((i) => s.lines[i] as BasketLine);
        const offers = offerPerm.map((i) => s.offers[i] as Offer);
        expect(priceBasket(lines, offers, [...s.groups].reverse(), s.ctx)).toEqual(reference);
      }),
      { numRuns: 300 },
    );
  });

  it('an applicable offer alone never gives more than the basket, and every applied offer is applicable', () => {
    fc.assert(
      fc.property(scenarioArb, ({ s }) => {
        const r = priceBasket(s.lines, s.offers, s.groups, s.ctx);
        for (const a of r.applicable) {
          expect(a.discountMinor).toBeGreaterThanOrEqual(0);
          expect(a.discountMinor).toBeLessThanOrEqual(r.totals.amountMinor);
        }
        const order = r.applicable.map((a) => a.discountMinor);
        expect(order).toEqual([...order].sort((x, y) => y - x));
      }),
      { numRuns: 200 },
    );
  });
});
