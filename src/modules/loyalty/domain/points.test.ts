import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateRedemption, earnPoints, maxRedeemable, proportionalShare, type BurnConfig, type EarnConfig } from './points.ts';

const earn: EarnConfig = { basePercent: 5, categoryMultipliers: { wine: 2 }, brandMultipliers: { acme: 1.5 } };

describe('earnPoints', () => {
  it('multiplies exactly, floors the total once and spreads it by the exact values', () => {
    const lines = [
      { lineNo: 2, category: 'wine', brand: null, paidMinor: 9999 }, // 9999 × 5% × 2 / 100 = 9.999
      { lineNo: 1, category: 'food', brand: null, paidMinor: 12345 }, // 12345 × 5% / 100 = 6.1725
      { lineNo: 3, category: null, brand: 'acme', paidMinor: 1000 }, // 1000 × 5% × 1.5 / 100 = 0.75
      { lineNo: 4, category: 'food', brand: 'acme', paidMinor: 501 }, // 501 × 5% × 1.5 / 100 = 0.37575
    ];
    // Σ = 17.29725 → 17. Shares of 17: 6.066 / 9.827 / 0.737 / 0.369 → floors 6 + 9 + 0 + 0 = 15; the two units go to
    // the largest remainders, line 2 (.827) and line 3 (.737).
    expect(earnPoints(lines, earn, 1, 100)).toEqual({
      total: 17,
      lines: [
        { lineNo: 1, points: 6 },
        { lineNo: 2, points: 10 },
        { lineNo: 3, points: 1 },
        { lineNo: 4, points: 0 },
      ],
    });
    // A double-points promotion: Σ = 34.5945 → 34.
    expect(earnPoints(lines, earn, 2, 100).total).toBe(34);
  });

  it('does not lose a point to float error', () => {
    // 1000 × 10% × 2.3 / 10 = 23 exactly; in floats it is 22.999999999999996, which would floor to 22.
    const r = earnPoints(
      [{ lineNo: 1, category: 'promo', brand: null, paidMinor: 1000 }],
      { basePercent: 10, categoryMultipliers: { promo: 2.3 }, brandMultipliers: {} },
      1,
      10,
    );
    expect(r.total).toBe(23);
  });

  it('ignores inherited keys and rejects bad input', () => {
    const r = earnPoints([{ lineNo: 1, category: 'constructor', brand: 'toString', paidMinor: 1000 }], earn, 1, 1); // multipliers 1
    expect(r.total).toBe(50);
    expect(() => earnPoints([{ lineNo: 1, category: null, brand: null, paidMinor: -1 }], earn, 1, 1)).toThrow(RangeError);
    expect(() => earnPoints([], earn, 1, 0)).toThrow(RangeError);
    expect(() => earnPoints([], earn, -1, 1)).toThrow(RangeError);
    expect(earnPoints([], earn, 1, 1)).toEqual({ total: 0, lines: [] });
  });

  it('line points add up to the floor of the exact total (property)', () => {
    const lineArb = fc.record({
      category: fc.constantFrom<string | null>('wine', 'food', null),
      brand: fc.constantFrom<string | null>('acme', null),
      paidMinor: fc.integer({ min: 0, max: 10_000_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(lineArb, { maxLength: 12 }),
        fc.constantFrom(0, 1, 2.5, 3),
        fc.constantFrom(1, 10, 100),
        (raw, multiplier, pv) => {
          const lines = raw.map((l, i) => ({ ...l, lineNo: i + 1 }));
          const r = earnPoints(lines, earn, multiplier, pv);
          expect(r.lines.reduce((s, l) => s + l.points, 0)).toBe(r.total);
          expect(r.lines.every((l) => l.points >= 0)).toBe(true);
          // Reference on integers: 10 000 × exact = paid × 5 × cat×10 × brand×10 × mult×10 / pv … scaled to stay integral.
          const scaled = lines.reduce((s, l) => {
            const cat = l.category === 'wine' ? 20n : 10n;
            const brand = l.brand === 'acme' ? 15n : 10n;
            return s + BigInt(l.paidMinor) * 5n * cat * brand * BigInt(multiplier * 10);
          }, 0n);
          expect(r.total).toBe(Number(scaled / (100n * 1000n * BigInt(pv))));
        },
      ),
      { numRuns: 300 },
    );
  });
});

const burn: BurnConfig = { pointValueMinor: 100, maxSharePercent: 50, excludedCategories: ['tobacco'] };
const burnLines = [
  { lineNo: 3, category: null, totalMinor: 2345 },
  { lineNo: 1, category: 'food', totalMinor: 10_000 },
  { lineNo: 2, category: 'tobacco', totalMinor: 5000 },
];

describe('maxRedeemable', () => {
  it('caps by the eligible share and the balance', () => {
    // Eligible 10 000 + 2345 = 12 345; 50% = 6172.5; / 100 = 61.725 → 61.
    expect(maxRedeemable(burnLines, burn, 100)).toBe(61);
    expect(maxRedeemable(burnLines, burn, 30)).toBe(30);
    expect(maxRedeemable(burnLines, burn, -5)).toBe(0);
    expect(maxRedeemable(burnLines, { ...burn, maxSharePercent: 0 }, 100)).toBe(0);
    expect(maxRedeemable([{ lineNo: 1, category: 'tobacco', totalMinor: 9999 }], burn, 100)).toBe(0);
  });
});

describe('allocateRedemption', () => {
  it('spreads money by line totals and points by money', () => {
    // 61 points = 6100 over (10 000, 2345): 4941.27 / 1158.73 → 4941 + 1158, the unit to line 3 → 4941 / 1159.
    // Points 61 over (4941, 1159): 49.41 / 11.59 → 49 + 11, the unit to line 3 → 49 / 12.
    expect(allocateRedemption(burnLines, burn, 61)).toEqual([
      { lineNo: 1, points: 49, amountMinor: 4941 },
      { lineNo: 3, points: 12, amountMinor: 1159 },
    ]);
    expect(allocateRedemption(burnLines, burn, 0)).toEqual([]);
  });

  it('can pay a line in full, never more', () => {
    // 100% share, point = 50: 550 eligible → 11 points = 550, exactly the line totals; points 11 × 300/550 = 6, 5.
    const r = allocateRedemption(
      [
        { lineNo: 1, category: null, totalMinor: 300 },
        { lineNo: 2, category: null, totalMinor: 250 },
      ],
      { pointValueMinor: 50, maxSharePercent: 100, excludedCategories: [] },
      11,
    );
    expect(r).toEqual([
      { lineNo: 1, points: 6, amountMinor: 300 },
      { lineNo: 2, points: 5, amountMinor: 250 },
    ]);
  });

  it('throws when the points exceed what the lines allow', () => {
    expect(() => allocateRedemption(burnLines, burn, 62)).toThrow(RangeError);
    expect(() => allocateRedemption(burnLines, burn, -1)).toThrow(RangeError);
  });

  it('money and points add up and stay within the lines (property)', () => {
    const arb = fc
      .record({
        totals: fc.array(fc.tuple(fc.constantFrom<string | null>('food', 'tobacco', null), fc.integer({ min: 0, max: 1_000_000 })), {
          minLength: 1,
          maxLength: 10,
        }),
        pv: fc.integer({ min: 1, max: 500 }),
        share: fc.constantFrom(10, 33.3, 50, 100),
      })
      .chain((s) => {
        const lines = s.totals.map(([category, totalMinor], i) => ({ lineNo: i + 1, category, totalMinor }));
        const config = { pointValueMinor: s.pv, maxSharePercent: s.share, excludedCategories: ['tobacco'] };
        return fc.record({
          lines: fc.constant(lines),
          config: fc.constant(config),
          points: fc.integer({ min: 0, max: maxRedeemable(lines, config, 1e9) }),
        });
      });
    fc.assert(
      fc.property(arb, ({ lines, config, points }) => {
        const r = allocateRedemption(lines, config, points);
        expect(r.reduce((s, l) => s + l.points, 0)).toBe(points);
        expect(r.reduce((s, l) => s + l.amountMinor, 0)).toBe(points * config.pointValueMinor);
        for (const row of r) {
          const line = lines.find((l) => l.lineNo === row.lineNo);
          expect(line?.category).not.toBe('tobacco');
          expect(row.amountMinor).toBeLessThanOrEqual(line?.totalMinor ?? 0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('proportionalShare', () => {
  it('rounds the running total, so the parts add up', () => {
    // 100 over 3 units, one at a time: round(33.3) = 33; round(66.7) − 33 = 34; 100 − 67 = 33.
    expect(proportionalShare(100, 3, 1, 0, 0)).toBe(33);
    expect(proportionalShare(100, 3, 1, 1, 33)).toBe(34);
    expect(proportionalShare(100, 3, 1, 2, 67)).toBe(33);
    // Half to even: 5 × 1/2 = 2.5 → 2, then the remaining 3.
    expect(proportionalShare(5, 2, 1, 0, 0)).toBe(2);
    expect(proportionalShare(5, 2, 1, 1, 2)).toBe(3);
    // Weighed: 0.1 of 0.3 kg → 333.3 → 333; the other 0.2 kg (0.1 + 0.2 read exactly as 0.3) → 667.
    expect(proportionalShare(1000, 0.3, 0.1, 0, 0)).toBe(333);
    expect(proportionalShare(1000, 0.3, 0.2, 0.1, 333)).toBe(667);
    // Beyond the quantity nothing more is reversed; a zero return reverses nothing.
    expect(proportionalShare(1000, 0.3, 0.1, 0.30000000000000004, 1000)).toBe(0);
    expect(proportionalShare(1000, 3, 0, 1, 333)).toBe(0);
    expect(() => proportionalShare(100, 0, 1, 0, 0)).toThrow(RangeError);
    expect(() => proportionalShare(-1, 1, 1, 0, 0)).toThrow(RangeError);
  });

  it('any sequence of partial returns adding up to the quantity reverses exactly the value (property)', () => {
    const arb = fc
      .record({
        value: fc.integer({ min: 0, max: 1_000_000_000 }),
        thousandths: fc.integer({ min: 1, max: 100_000 }),
        weighed: fc.boolean(),
      })
      .chain(({ value, thousandths, weighed }) => {
        const total = weighed ? thousandths : Math.max(1, Math.floor(thousandths / 1000)) * 1000;
        const step = weighed ? 1 : 1000; // whole units return in whole units
        const cuts = fc
          .uniqueArray(fc.integer({ min: 0, max: total / step }), { maxLength: 8 })
          .map((xs) => xs.map((x) => x * step).sort((a, b) => a - b));
        return fc.record({ value: fc.constant(value), total: fc.constant(total), cuts });
      });
    fc.assert(
      fc.property(arb, ({ value, total, cuts }) => {
        const points = [0, ...cuts, total];
        let reversed = 0;
        for (let i = 1; i < points.length; i++) {
          const before = points[i - 1] ?? 0;
          const share = proportionalShare(value, total / 1000, ((points[i] ?? 0) - before) / 1000, before / 1000, reversed);
          expect(share).toBeGreaterThanOrEqual(0);
          reversed += share;
        }
        expect(reversed).toBe(value);
      }),
      { numRuns: 500 },
    );
  });
});
