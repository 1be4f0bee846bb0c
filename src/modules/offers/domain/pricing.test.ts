import { describe, expect, it } from 'vitest';
import { isInBirthdayWindow, priceBasket } from './pricing.ts';
import type { BasketLine, Discount, Offer, OfferRule, PricingContext, PricingResult, StackingGroup } from './types.ts';

const AT = new Date('2024-06-15T12:00:00Z');

type Customer = NonNullable<PricingContext['customer']>;
const customer = (over: Partial<Customer> = {}): Customer => ({
  id: 'cus_1',
  tier: null,
  birthDate: null,
  cell: null,
  rfmSegment: null,
  ...over,
});
const ctx = (over: Partial<PricingContext> = {}): PricingContext => ({ at: AT, store: 'st_1', customer: null, ...over });

const line = (lineNo: number, unitPriceMinor: number, quantity = 1, over: Partial<BasketLine> = {}): BasketLine => ({
  lineNo,
  sku: `sku_${lineNo}`,
  category: 'food',
  brand: null,
  quantity,
  unitPriceMinor,
  taxRatePercent: 0,
  ...over,
});

const offer = (id: string, rule: OfferRule, over: Partial<Offer> = {}): Offer => ({
  id,
  name: `Offer ${id}`,
  rule,
  group: 'main',
  priority: 1,
  validFrom: null,
  validTo: null,
  stores: null,
  categories: null,
  maxDiscountMinor: null,
  budgetRemainingMinor: null,
  perCustomerLimit: null,
  customerUses: 0,
  ...over,
});

const pct = (percent: number): Discount => ({ kind: 'percent', percent });
const amt = (amountMinor: number): Discount => ({ kind: 'amount', amountMinor });
const tierRule = (percent: number): OfferRule => ({ kind: 'tier', tiers: ['gold'], discount: pct(percent) });

const group = (key: string, over: Partial<StackingGroup> = {}): StackingGroup => ({
  key,
  mode: 'exclusive',
  choose: 'best',
  priority: 1,
  excludes: [],
  ...over,
});
const MAIN = [group('main')];

/** lineNo → discount, the shape most expectations are easiest to read in. */
const discounts = (r: PricingResult): Record<number, number> => Object.fromEntries(r.lines.map((l) => [l.lineNo, l.discountMinor]));
const appliedIds = (r: PricingResult): string[] => r.applied.map((a) => a.offerId);
const applicableIds = (r: PricingResult): string[] => r.applicable.map((a) => a.offerId);

describe('line amounts', () => {
  it('rounds quantity × price half to even, exactly', () => {
    const r = priceBasket(
      [
        line(1, 1999, 0.345), // 689.655 → 690
        line(2, 25, 0.5), // 12.5 → 12 (even)
        line(3, 27, 0.5), // 13.5 → 14 (even)
        line(4, 90, 0.35), // exactly 31.5 → 32; in floats 0.35 × 90 = 31.4999… would round to 31
        line(5, 100, 0.575), // exactly 57.5 → 58; floats give 57.4999…
        line(6, 250, 4), // 1000
      ],
      [],
      [],
      ctx(),
    );
    expect(r.lines.map((l) => l.amountMinor)).toEqual([690, 12, 14, 32, 58, 1000]);
    expect(r.totals).toEqual({ amountMinor: 1806, discountMinor: 0, totalMinor: 1806, taxMinor: 0 });
  });

  it('rejects invalid lines', () => {
    expect(() => priceBasket([line(1, 100), line(1, 200)], [], [], ctx())).toThrow(RangeError);
    expect(() => priceBasket([line(1, 100, -1)], [], [], ctx())).toThrow(RangeError);
    expect(() => priceBasket([line(1, -5)], [], [], ctx())).toThrow(RangeError);
  });
});

describe('offer kinds', () => {
  it('volume: below the threshold nothing, at it the discount', () => {
    const o = offer('vol', { kind: 'volume', minQuantity: 3, discount: pct(10) });
    // 2 units < 3: not eligible.
    const below = priceBasket([line(1, 500, 2)], [o], MAIN, ctx());
    expect(below.applicable).toEqual([]);
    expect(below.totals.discountMinor).toBe(0);
    // 2 + 1 = 3 units: 10% of 1000 + 500 = 150, spread 100 / 50.
    const at = priceBasket([line(1, 500, 2), line(2, 500, 1)], [o], MAIN, ctx());
    expect(discounts(at)).toEqual({ 1: 100, 2: 50 });
    expect(at.applied).toEqual([{ offerId: 'vol', name: 'Offer vol', kind: 'volume', group: 'main', discountMinor: 150 }]);
    // Weighed goods count by their exact quantity: 1.1 + 1.9 = 3 kg reaches the threshold, 2.9 kg does not.
    expect(priceBasket([line(1, 1000, 1.1), line(2, 1000, 1.9)], [o], MAIN, ctx()).totals.discountMinor).toBe(300);
    expect(priceBasket([line(1, 1000, 2.9)], [o], MAIN, ctx()).applicable).toEqual([]);
  });

  it('brand: only the lines of the brand', () => {
    const o = offer('br', { kind: 'brand', brands: ['acme'], discount: pct(20) });
    const r = priceBasket([line(1, 1000, 1, { brand: 'acme' }), line(2, 500, 1, { brand: 'other' }), line(3, 300)], [o], MAIN, ctx());
    // 20% of the acme line only: 200.
    expect(discounts(r)).toEqual({ 1: 200, 2: 0, 3: 0 });
    expect(r.lines[0]?.allocations).toEqual([{ offerId: 'br', discountMinor: 200 }]);
    expect(r.lines[1]?.allocations).toEqual([]);
    // No acme line: not applicable.
    expect(priceBasket([line(1, 500, 1, { brand: 'other' })], [o], MAIN, ctx()).applicable).toEqual([]);
  });

  describe('bundle', () => {
    const threeForTwo = offer('b32', { kind: 'bundle', buy: 3, free: 1 });

    it('one multiple: the cheapest of the three is free', () => {
      // Units 300, 300, 100 → one run, its cheapest (100, line 2) free.
      const r = priceBasket([line(1, 300, 2), line(2, 100, 1)], [threeForTwo], MAIN, ctx());
      expect(discounts(r)).toEqual({ 1: 0, 2: 100 });
    });

    it('seven units give two free units, the cheapest of each full run', () => {
      // Sorted: 500 500 500 | 200 200 100 | 100. Run 1 frees a 500 (line 1), run 2 a 100 (line 3); the 7th unit is in
      // no full run. So 600 off, not the two globally cheapest units (100 + 100).
      const r = priceBasket([line(2, 200, 2), line(3, 100, 2), line(1, 500, 3)], [threeForTwo], MAIN, ctx());
      expect(discounts(r)).toEqual({ 1: 500, 2: 0, 3: 100 });
      expect(r.totals.discountMinor).toBe(600);
    });

    it('three multiples over mixed lines', () => {
      // Sorted: 900 900 900 | 900 600 600 | 600 300 300 → free 900 (line 1), 600 (line 2), 300 (line 3) = 1800.
      const r = priceBasket([line(1, 900, 4), line(2, 600, 3), line(3, 300, 2)], [threeForTwo], MAIN, ctx());
      expect(discounts(r)).toEqual({ 1: 900, 2: 600, 3: 300 });
    });

    it('needs `buy` whole units; weighed lines do not count', () => {
      // 2 whole units + 1.5 kg: only 2 units count, below 3.
      expect(priceBasket([line(1, 300, 2), line(2, 100, 1.5)], [threeForTwo], MAIN, ctx()).applicable).toEqual([]);
      // 3 whole units + a weighed line: the weighed line gets nothing. Units 400 300 200 → 200 free (line 2).
      const r = priceBasket([line(1, 400), line(2, 200), line(3, 300), line(4, 1000, 0.5)], [threeForTwo], MAIN, ctx());
      expect(discounts(r)).toEqual({ 1: 0, 2: 200, 3: 0, 4: 0 });
    });

    it('buy=3 free=1 and buy=2 free=1 differ', () => {
      const basket = [line(1, 400), line(2, 300), line(3, 200), line(4, 100)];
      // buy 3 free 1: 400 300 200 | 100 → 200 free.
      expect(discounts(priceBasket(basket, [threeForTwo], MAIN, ctx()))).toEqual({ 1: 0, 2: 0, 3: 200, 4: 0 });
      // buy 2 free 1: 400 300 | 200 100 → 300 + 100 free.
      const twoForOne = offer('b21', { kind: 'bundle', buy: 2, free: 1 });
      expect(discounts(priceBasket(basket, [twoForOne], MAIN, ctx()))).toEqual({ 1: 0, 2: 300, 3: 0, 4: 100 });
      // Three units only: buy 2 free 1 frees one (300), the third unit is in no full run.
      expect(priceBasket(basket.slice(0, 3), [twoForOne], MAIN, ctx()).totals.discountMinor).toBe(300);
    });

    it('values a free unit at what is left of its line after earlier offers', () => {
      // Group 1: 10% off line 1 (3 × 333 = 999 → 99.9 → 100 off, 899 left). Group 2: 3-for-2 frees one unit of line
      // 1, worth 899 / 3 = 299.67 → 300.
      const tenOff = offer('p10', { kind: 'tier', tiers: ['gold'], discount: pct(10) }, { group: 'first' });
      const r = priceBasket(
        [line(1, 333, 3)],
        [tenOff, { ...threeForTwo, group: 'second' }],
        [group('first', { priority: 1 }), group('second', { priority: 2 })],
        ctx({ customer: customer({ tier: 'gold' }) }),
      );
      expect(r.applied.map((a) => [a.offerId, a.discountMinor])).toEqual([
        ['p10', 100],
        ['b32', 300],
      ]);
      expect(r.lines[0]?.totalMinor).toBe(599);
    });
  });

  describe('birthday', () => {
    const bday = (before: number, after: number) =>
      offer('bd', { kind: 'birthday', daysBefore: before, daysAfter: after, discount: pct(15) });
    const at = (iso: string, birthDate: string | null, o = bday(7, 7)) =>
      priceBasket([line(1, 1000)], [o], MAIN, ctx({ at: new Date(iso), customer: customer({ birthDate }) })).totals.discountMinor;

    it('applies inside the window, not outside', () => {
      expect(at('2024-06-15T10:00:00Z', '1990-06-20')).toBe(150); // 5 days before; 15% of 1000
      expect(at('2024-06-13T00:00:00Z', '1990-06-20')).toBe(150); // exactly 7 before, inclusive
      expect(at('2024-06-27T23:59:59Z', '1990-06-20')).toBe(150); // exactly 7 after, inclusive
      expect(at('2024-06-12T23:59:59Z', '1990-06-20')).toBe(0); // 8 before
      expect(at('2024-06-28T00:00:00Z', '1990-06-20')).toBe(0); // 8 after
      expect(at('2024-06-15T10:00:00Z', null)).toBe(0);
      expect(priceBasket([line(1, 1000)], [bday(7, 7)], MAIN, ctx()).applicable).toEqual([]); // anonymous
    });

    it('wraps around the new year', () => {
      expect(at('2024-12-30T12:00:00Z', '1985-01-02', bday(5, 0))).toBe(150); // Jan 2 2025 is 3 days later
      expect(at('2024-12-27T12:00:00Z', '1985-01-02', bday(5, 0))).toBe(0); // 6 days before
      expect(at('2025-01-02T12:00:00Z', '1985-12-30', bday(0, 5))).toBe(150); // Dec 30 2024 was 3 days before
      expect(at('2025-01-04T12:00:00Z', '1985-12-30', bday(0, 5))).toBe(150); // Dec 30 + 5 = Jan 4, inclusive
      expect(at('2025-01-05T12:00:00Z', '1985-12-30', bday(0, 5))).toBe(0); // 6 days after
    });

    it('treats Feb 29 as Feb 28 in non-leap years', () => {
      const exact = bday(0, 0);
      expect(at('2023-02-28T12:00:00Z', '2000-02-29', exact)).toBe(150);
      expect(at('2023-03-01T12:00:00Z', '2000-02-29', exact)).toBe(0);
      expect(at('2024-02-28T12:00:00Z', '2000-02-29', exact)).toBe(0); // leap year: the birthday is the 29th
      expect(at('2024-02-29T12:00:00Z', '2000-02-29', exact)).toBe(150);
      expect(isInBirthdayWindow('2000-02-30', new Date('2024-03-01T00:00:00Z'), 5, 5)).toBe(false); // not a date
    });
  });

  it('tier', () => {
    const o = offer('t', { kind: 'tier', tiers: ['gold', 'platinum'], discount: pct(5) });
    expect(priceBasket([line(1, 2000)], [o], MAIN, ctx({ customer: customer({ tier: 'gold' }) })).totals.discountMinor).toBe(100);
    expect(priceBasket([line(1, 2000)], [o], MAIN, ctx({ customer: customer({ tier: 'silver' }) })).applicable).toEqual([]);
    expect(priceBasket([line(1, 2000)], [o], MAIN, ctx({ customer: customer() })).applicable).toEqual([]);
  });

  it('personal: by customer id, by cell, by RFM segment', () => {
    const byId = offer('pid', { kind: 'personal', customerIds: ['cus_1'], discount: amt(300) });
    const byCell = offer('pcell', { kind: 'personal', cells: ['R5F5'], discount: amt(300) });
    const bySeg = offer('pseg', { kind: 'personal', rfmSegments: ['champions'], discount: amt(300) });
    const price = (c: Customer, o: Offer) => priceBasket([line(1, 2000)], [o], MAIN, ctx({ customer: c })).totals.discountMinor;
    expect(price(customer(), byId)).toBe(300);
    expect(price(customer({ id: 'cus_2' }), byId)).toBe(0);
    expect(price(customer({ id: 'cus_2', cell: 'R5F5' }), byCell)).toBe(300);
    expect(price(customer({ cell: 'R1F1' }), byCell)).toBe(0);
    expect(price(customer({ rfmSegment: 'champions' }), bySeg)).toBe(300);
    expect(priceBasket([line(1, 2000)], [byId], MAIN, ctx()).applicable).toEqual([]);
  });
});

describe('eligibility', () => {
  const gold = ctx({ customer: customer({ tier: 'gold' }) });
  const price = (over: Partial<Offer>, c: PricingContext = gold) =>
    priceBasket([line(1, 1000)], [offer('o', tierRule(10), over)], MAIN, c).totals.discountMinor;

  it('validity dates, inclusive', () => {
    expect(price({ validFrom: new Date('2024-07-01T00:00:00Z') })).toBe(0);
    expect(price({ validFrom: new Date('2024-06-15T12:00:00Z') })).toBe(100);
    expect(price({ validTo: new Date('2024-06-15T12:00:00Z') })).toBe(100);
    expect(price({ validTo: new Date('2024-06-15T11:59:59Z') })).toBe(0);
    expect(price({ validFrom: new Date('2024-01-01T00:00:00Z'), validTo: new Date('2024-12-31T00:00:00Z') })).toBe(100);
  });

  it('store filter', () => {
    expect(price({ stores: ['st_2'] })).toBe(0);
    expect(price({ stores: ['st_2', 'st_1'] })).toBe(100);
  });

  it('category filter: only the lines of those categories', () => {
    const o = offer('dairy', tierRule(10), { categories: ['dairy'] });
    const r = priceBasket([line(1, 1000), line(2, 800, 1, { category: 'dairy' }), line(3, 500, 1, { category: null })], [o], MAIN, gold);
    expect(discounts(r)).toEqual({ 1: 0, 2: 80, 3: 0 }); // 10% of 800
    // No line of the category: the offer does not apply to this basket.
    expect(priceBasket([line(1, 1000)], [o], MAIN, gold).applicable).toEqual([]);
  });

  it('per-customer limit', () => {
    expect(price({ perCustomerLimit: 1, customerUses: 1 })).toBe(0);
    expect(price({ perCustomerLimit: 2, customerUses: 1 })).toBe(100);
    const anyone = offer('o', { kind: 'volume', minQuantity: 1, discount: pct(10) }, { perCustomerLimit: 5 });
    expect(priceBasket([line(1, 1000)], [anyone], MAIN, ctx()).applicable).toEqual([]); // limit needs a known customer
  });

  it('budget: exhausted means not eligible; nearly exhausted caps the discount', () => {
    expect(price({ budgetRemainingMinor: 0 })).toBe(0);
    // 10% of 3000 + 2000 = 500 (300 / 200), budget 120 → 120 re-spread 300:200 = 72 / 48.
    const o = offer('o', tierRule(10), { budgetRemainingMinor: 120 });
    const r = priceBasket([line(1, 3000), line(2, 2000)], [o], MAIN, gold);
    expect(discounts(r)).toEqual({ 1: 72, 2: 48 });
    expect(r.applicable[0]?.discountMinor).toBe(120);
  });

  it('maxDiscount caps the discount and the shares still add up', () => {
    // 50% of 3 × 1000 = 1500, capped at 1000 → 333.33 each → 334 / 333 / 333.
    const o = offer('o', tierRule(50), { maxDiscountMinor: 1000 });
    const r = priceBasket([line(1, 1000), line(2, 1000), line(3, 1000)], [o], MAIN, gold);
    expect(discounts(r)).toEqual({ 1: 334, 2: 333, 3: 333 });
    expect(r.totals.totalMinor).toBe(2000);
  });
});

describe('amounts at the edges', () => {
  const gold = ctx({ customer: customer({ tier: 'gold' }) });

  it('100% off makes every line 0', () => {
    // 0.5 × 999 = 499.5 → 500 (even).
    const r = priceBasket([line(1, 1234), line(2, 999, 0.5)], [offer('o', tierRule(100))], MAIN, gold);
    expect(r.lines.map((l) => [l.amountMinor, l.discountMinor, l.totalMinor])).toEqual([
      [1234, 1234, 0],
      [500, 500, 0],
    ]);
    expect(r.totals).toEqual({ amountMinor: 1734, discountMinor: 1734, totalMinor: 0, taxMinor: 0 });
  });

  it('an amount larger than the basket takes the basket, never more', () => {
    const o = offer('o', { kind: 'tier', tiers: ['gold'], discount: amt(10_000) });
    const r = priceBasket([line(1, 1500), line(2, 1000)], [o], MAIN, gold);
    expect(discounts(r)).toEqual({ 1: 1500, 2: 1000 });
    expect(r.totals.totalMinor).toBe(0);
  });

  it('tax included at 20% and 10%, rounded half to even per line', () => {
    const r = priceBasket(
      [
        line(1, 1000, 1, { taxRatePercent: 20 }), // 1000 × 20/120 = 166.67 → 167
        line(2, 1100, 1, { taxRatePercent: 10 }), // 1100 × 10/110 = 100
        line(3, 1050, 1, { taxRatePercent: 10 }), // 1050 × 10/110 = 95.45 → 95
        line(4, 15, 1, { taxRatePercent: 20 }), // 15/6 = 2.5 → 2 (even)
        line(5, 9, 1, { taxRatePercent: 20 }), // 9/6 = 1.5 → 2 (even)
        line(6, 500, 1, { taxRatePercent: 0 }),
      ],
      [],
      [],
      ctx(),
    );
    expect(r.lines.map((l) => l.taxMinor)).toEqual([167, 100, 95, 2, 2, 0]);
    expect(r.totals.taxMinor).toBe(366);
    // Tax is on the total after discounts: 1200 − 10% = 1080 → 1080/6 = 180.
    const d = priceBasket([line(1, 1200, 1, { taxRatePercent: 20 })], [offer('o', tierRule(10))], MAIN, gold);
    expect(d.lines[0]?.taxMinor).toBe(180);
  });

  it('a third off three lines: the shares add up exactly', () => {
    // 100/3 % is 33.333333333333336 as a number, read exactly: 3003 × 0.33333333333333336 = 1001.0000000000001 → 1001.
    // 1001 over three equal lines = 333.67 each → 334, 334, 333.
    const r = priceBasket([line(1, 1001), line(2, 1001), line(3, 1001)], [offer('o', tierRule(100 / 3))], MAIN, gold);
    expect(discounts(r)).toEqual({ 1: 334, 2: 334, 3: 333 });
    expect(r.totals).toEqual({ amountMinor: 3003, discountMinor: 1001, totalMinor: 2002, taxMinor: 0 });
    // 300 × 1/3 = 100.0000000000000008 → 100 → 34 / 33 / 33.
    const s = priceBasket([line(1, 100), line(2, 100), line(3, 100)], [offer('o', tierRule(100 / 3))], MAIN, gold);
    expect(discounts(s)).toEqual({ 1: 34, 2: 33, 3: 33 });
  });
});

describe('stacking', () => {
  const gold = ctx({ customer: customer({ tier: 'gold' }) });

  it("exclusive 'best' takes the largest, 'lowest' the smallest non-zero", () => {
    const ten = offer('a10', tierRule(10), { priority: 1 }); // 10% of 2000 = 200
    const fixed = offer('b300', { kind: 'tier', tiers: ['gold'], discount: amt(300) }, { priority: 2 }); // 300
    const zero = offer('c0', tierRule(10), { priority: 0, maxDiscountMinor: 0 }); // 0
    const basket = [line(1, 2000)];
    const best = priceBasket(basket, [ten, fixed, zero], [group('main', { choose: 'best' })], gold);
    expect(appliedIds(best)).toEqual(['b300']);
    expect(best.totals.discountMinor).toBe(300);
    const lowest = priceBasket(basket, [ten, fixed, zero], [group('main', { choose: 'lowest' })], gold);
    expect(appliedIds(lowest)).toEqual(['a10']);
    expect(lowest.totals.discountMinor).toBe(200);
    // applicable lists all three alone: by discount desc.
    expect(best.applicable.map((a) => [a.offerId, a.discountMinor])).toEqual([
      ['b300', 300],
      ['a10', 200],
      ['c0', 0],
    ]);
  });

  it('exclusive ties go to the lower priority, then the id', () => {
    const a = offer('a', tierRule(10), { priority: 2 });
    const b = offer('b', { kind: 'tier', tiers: ['gold'], discount: amt(100) }, { priority: 1 });
    const c = offer('c', tierRule(10), { priority: 1 });
    // All three give 100 on 1000: priority 1 beats 2; between b and c, the id.
    expect(appliedIds(priceBasket([line(1, 1000)], [a, c, b], MAIN, gold))).toEqual(['b']);
    expect(appliedIds(priceBasket([line(1, 1000)], [a, c], MAIN, gold))).toEqual(['c']);
  });

  it("cumulative 'best' and 'lowest' order percent-after-percent differently, and the totals differ", () => {
    const half = offer('half', tierRule(50));
    const tenth = offer('tenth', tierRule(10));
    // best (largest first): 50% of 15 = 7.5 → 8, 7 left; 10% of 7 = 0.7 → 1. Total 9.
    const best = priceBasket([line(1, 15)], [tenth, half], [group('main', { mode: 'cumulative', choose: 'best' })], gold);
    expect(best.applied.map((a) => [a.offerId, a.discountMinor])).toEqual([
      ['half', 8],
      ['tenth', 1],
    ]);
    expect(best.totals.totalMinor).toBe(6);
    // lowest (smallest first): 10% of 15 = 1.5 → 2, 13 left; 50% of 13 = 6.5 → 6. Total 8.
    const lowest = priceBasket([line(1, 15)], [half, tenth], [group('main', { mode: 'cumulative', choose: 'lowest' })], gold);
    expect(lowest.applied.map((a) => [a.offerId, a.discountMinor])).toEqual([
      ['tenth', 2],
      ['half', 6],
    ]);
    expect(lowest.totals.totalMinor).toBe(7);
    expect(lowest.lines[0]?.allocations).toEqual([
      { offerId: 'tenth', discountMinor: 2 },
      { offerId: 'half', discountMinor: 6 },
    ]);
  });

  it('cumulative order matters with a cap too', () => {
    const capped = offer('cap', tierRule(50), { maxDiscountMinor: 300 }); // alone: min(500, 300) = 300
    const twenty = offer('twenty', tierRule(20)); // alone: 200
    const cumulative = (choose: 'best' | 'lowest') => [group('main', { mode: 'cumulative', choose })];
    // best: cap first 300, 700 left, 20% = 140 → 440.
    expect(priceBasket([line(1, 1000)], [capped, twenty], cumulative('best'), gold).totals.discountMinor).toBe(440);
    // lowest: 20% first 200, 800 left, 50% = 400 capped 300 → 500.
    expect(priceBasket([line(1, 1000)], [capped, twenty], cumulative('lowest'), gold).totals.discountMinor).toBe(500);
  });

  it('groups apply in priority order, each on what the previous left', () => {
    const first = offer('first', { kind: 'tier', tiers: ['gold'], discount: amt(200) }, { group: 'g1' });
    const second = offer('second', tierRule(10), { group: 'g2' });
    // g1 (priority 1): 200 off 1000 → 800; g2 (priority 2): 10% of 800 = 80.
    const r = priceBasket([line(1, 1000)], [second, first], [group('g2', { priority: 2 }), group('g1', { priority: 1 })], gold);
    expect(r.applied.map((a) => [a.offerId, a.discountMinor])).toEqual([
      ['first', 200],
      ['second', 80],
    ]);
    // The standalone figures stay on the undiscounted basket: 200 and 100.
    expect(r.applicable.map((a) => [a.offerId, a.discountMinor])).toEqual([
      ['first', 200],
      ['second', 100],
    ]);
  });

  it('an unknown group key makes the offer an exclusive group of its own, after the defined groups', () => {
    const known = offer('known', tierRule(10), { group: 'main' });
    const stray1 = offer('stray1', { kind: 'tier', tiers: ['gold'], discount: amt(100) }, { group: 'nowhere', priority: 5 });
    const stray2 = offer('stray2', { kind: 'tier', tiers: ['gold'], discount: amt(50) }, { group: 'nowhere', priority: 3 });
    // main: 10% of 1000 = 100 → 900; then the strays, each its own group, by priority: stray2 (50), stray1 (100).
    const r = priceBasket([line(1, 1000)], [stray1, known, stray2], MAIN, gold);
    expect(r.applied.map((a) => [a.offerId, a.discountMinor])).toEqual([
      ['known', 100],
      ['stray2', 50],
      ['stray1', 100],
    ]);
  });

  describe('groups that exclude each other', () => {
    const groups = [group('pct', { priority: 1, excludes: ['fixed'] }), group('fixed', { priority: 2 }), group('extra', { priority: 3 })];
    const offers = [
      offer('p10', tierRule(10), { group: 'pct' }),
      offer('f150', { kind: 'tier', tiers: ['gold'], discount: amt(150) }, { group: 'fixed' }),
      offer('x1', tierRule(1), { group: 'extra' }), // in neither exclusion: applies with whichever wins
    ];

    it('the better combination wins, and the winner flips with the prices', () => {
      // 1000: pct gives 100 (+1% of 900 = 9 → 109); fixed gives 150 (+1% of 850 = 8.5 → 8 → 158). fixed wins.
      const cheap = priceBasket([line(1, 1000)], offers, groups, gold);
      expect(cheap.applied.map((a) => [a.offerId, a.discountMinor])).toEqual([
        ['f150', 150],
        ['x1', 8],
      ]);
      // 3000: pct gives 300 (+27 = 327); fixed 150 (+28.5 → 28 = 178). pct wins.
      const dear = priceBasket([line(1, 3000)], offers, groups, gold);
      expect(dear.applied.map((a) => [a.offerId, a.discountMinor])).toEqual([
        ['p10', 300],
        ['x1', 27],
      ]);
      // Both stay applicable: the exclusion decides what applies, not what is offered.
      expect(applicableIds(dear)).toEqual(['p10', 'f150', 'x1']);
    });

    it('on a tie the combination with the higher-priority group wins', () => {
      // 1500: pct 150 vs fixed 150, no extra offer → tie; pct has priority 1.
      const r = priceBasket([line(1, 1500)], offers.slice(0, 2), groups, gold);
      expect(appliedIds(r)).toEqual(['p10']);
    });

    it('beyond 8 groups in exclusions the choice is greedy by priority', () => {
      // k1…k9 all exclude each other. Enumeration would pick k9 (500); greedy keeps k1, the highest priority (10).
      const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9'];
      const many = keys.map((key, i) => group(key, { priority: i + 1, excludes: keys.filter((k) => k !== key) }));
      const gifts = keys.map((key, i) =>
        offer(`o_${key}`, { kind: 'tier', tiers: ['gold'], discount: amt(i === 8 ? 500 : 10) }, { group: key }),
      );
      expect(appliedIds(priceBasket([line(1, 1000)], gifts, many, gold))).toEqual(['o_k1']);
      // Without k1, 8 groups remain: every combination is tried and k9's 500 wins.
      expect(appliedIds(priceBasket([line(1, 1000)], gifts.slice(1), many.slice(1), gold))).toEqual(['o_k9']);
    });
  });
});

describe('determinism', () => {
  it('the same basket in another line order gives the same result per line', () => {
    const basket = [
      line(1, 333, 3, { brand: 'acme' }),
      line(2, 1999, 0.345, { category: 'veg' }),
      line(3, 250, 2, { taxRatePercent: 20 }),
      line(4, 100, 1, { brand: 'acme', taxRatePercent: 10 }),
      line(5, 250, 2),
    ];
    const offers = [
      offer('b32', { kind: 'bundle', buy: 3, free: 1 }, { group: 'bundles' }),
      offer('acme', { kind: 'brand', brands: ['acme'], discount: pct(15) }, { group: 'brands' }),
      offer('gold', tierRule(100 / 3), { group: 'tiers', maxDiscountMinor: 301 }),
      offer('amt', { kind: 'tier', tiers: ['gold'], discount: amt(77) }, { group: 'tiers' }),
    ];
    const groups = [
      group('bundles', { priority: 1, excludes: ['brands'] }),
      group('brands', { priority: 2 }),
      group('tiers', { priority: 3, mode: 'cumulative', choose: 'lowest' }),
    ];
    const c = ctx({ customer: customer({ tier: 'gold' }) });
    const reference = priceBasket(basket, offers, groups, c);
    expect(reference.totals.discountMinor).toBeGreaterThan(0);
    for (const order of [
      [4, 3, 2, 1, 0],
      [2, 0, 4, 1, 3],
      [1, 4, 0, 3, 2],
    ]) {
      const shuffled = order.map((i) => basket[i] as BasketLine);
      expect(priceBasket(shuffled, [...offers].reverse(), [...groups].reverse(), c)).toEqual(reference);
    }
  });
});
