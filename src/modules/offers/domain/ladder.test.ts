import { describe, expect, it } from 'vitest';
import { buildLadder } from './ladder.ts';
import { priceBasket } from './pricing.ts';
import type { BasketLine, Offer, PricingContext } from './types.ts';

const line = (lineNo: number, category: string | null, unitPriceMinor: number, quantity = 1): BasketLine => ({
  lineNo,
  sku: `sku_${lineNo}`,
  category,
  brand: null,
  quantity,
  unitPriceMinor,
  taxRatePercent: 20,
});

const ctx: PricingContext = {
  at: new Date('2024-06-15T12:00:00Z'),
  store: 'st_1',
  customer: { id: 'cus_1', tier: 'gold', birthDate: null, cell: null, rfmSegment: null },
};

const foodTenOff: Offer = {
  id: 'ofr_food',
  name: 'Food −10%',
  rule: { kind: 'tier', tiers: ['gold'], discount: { kind: 'percent', percent: 10 } },
  group: 'main',
  priority: 1,
  validFrom: null,
  validTo: null,
  stores: null,
  categories: ['food'],
  maxDiscountMinor: null,
  budgetRemainingMinor: null,
  perCustomerLimit: null,
  customerUses: 0,
};

describe('buildLadder', () => {
  // Line 1 food 1000 − 10% offer = 900; line 2 tobacco 500 (excluded); line 3 no category 333; line 4 dairy 2 × 250 = 500.
  // Eligible after offers: 900 + 333 + 500 = 1733.
  const lines = [line(4, 'dairy', 250, 2), line(1, 'food', 1000), line(2, 'tobacco', 500), line(3, null, 333)];
  const priced = priceBasket(lines, [foodTenOff], [{ key: 'main', mode: 'exclusive', choose: 'best', priority: 1, excludes: [] }], ctx);

  it('prices steps on the basket after offers, smallest first, shares adding up', () => {
    const ladder = buildLadder(
      priced,
      lines,
      [
        { key: 'p10', percent: 10 },
        { key: 'p5', percent: 5 },
        { key: 'p2.5', percent: 2.5 },
      ],
      ['tobacco'],
    );
    expect(ladder).toEqual([
      { key: 'none', percent: 0, costMinor: 0, allocations: [] },
      // 1733 × 2.5% = 43.325 → 43. Exact shares 22.33 / 8.26 / 12.41 → floors 22 + 8 + 12 = 42, the unit to line 4 (.41).
      {
        key: 'p2.5',
        percent: 2.5,
        costMinor: 43,
        allocations: [
          { lineNo: 1, discountMinor: 22 },
          { lineNo: 3, discountMinor: 8 },
          { lineNo: 4, discountMinor: 13 },
        ],
      },
      // 1733 × 5% = 86.65 → 87. Shares 45.18 / 16.72 / 25.10 → 45 + 16 + 25 = 86, the unit to line 3 (.72).
      {
        key: 'p5',
        percent: 5,
        costMinor: 87,
        allocations: [
          { lineNo: 1, discountMinor: 45 },
          { lineNo: 3, discountMinor: 17 },
          { lineNo: 4, discountMinor: 25 },
        ],
      },
      // 1733 × 10% = 173.3 → 173. Shares 89.84 / 33.24 / 49.91 → 89 + 33 + 49 = 171, units to line 4 (.91), line 1 (.84).
      {
        key: 'p10',
        percent: 10,
        costMinor: 173,
        allocations: [
          { lineNo: 1, discountMinor: 90 },
          { lineNo: 3, discountMinor: 33 },
          { lineNo: 4, discountMinor: 50 },
        ],
      },
    ]);
  });

  it('rounds the cost half to even and orders equal costs by percent, then key', () => {
    const one = [line(1, 'food', 250)];
    const p = priceBasket(one, [], [], ctx);
    const ladder = buildLadder(
      p,
      one,
      [
        { key: 'p15', percent: 15 }, // 37.5 → 38
        { key: 'p5', percent: 5 }, // 12.5 → 12
        { key: 'y', percent: 4 }, // 10
        { key: 'p4.1', percent: 4.1 }, // 10.25 → 10
        { key: 'x', percent: 4 }, // 10
      ],
      [],
    );
    expect(ladder.map((s) => [s.key, s.costMinor])).toEqual([
      ['none', 0],
      ['x', 10],
      ['y', 10],
      ['p4.1', 10],
      ['p5', 12],
      ['p15', 38],
    ]);
  });

  it("keeps 'none' first even when other steps cost nothing", () => {
    // Everything is excluded: every step costs 0; 'a' would sort before 'none' by key.
    const ladder = buildLadder(
      priced,
      lines,
      [
        { key: 'a', percent: 0 },
        { key: 'b', percent: 5 },
      ],
      ['food', 'tobacco', 'dairy'],
    );
    // Line 3 has no category, so it stays eligible: 333 × 5% = 16.65 → 17.
    expect(ladder.map((s) => [s.key, s.costMinor])).toEqual([
      ['none', 0],
      ['a', 0],
      ['b', 17],
    ]);
    expect(ladder[2]?.allocations).toEqual([{ lineNo: 3, discountMinor: 17 }]);
  });

  it('rejects a repeated or reserved key and a percent outside 0–100', () => {
    expect(() =>
      buildLadder(
        priced,
        lines,
        [
          { key: 'a', percent: 5 },
          { key: 'a', percent: 10 },
        ],
        [],
      ),
    ).toThrow(RangeError);
    expect(() => buildLadder(priced, lines, [{ key: 'none', percent: 5 }], [])).toThrow(RangeError);
    expect(() => buildLadder(priced, lines, [{ key: 'big', percent: 101 }], [])).toThrow(RangeError);
  });
});
