import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buyProbabilities, observe, recommend, type StepCounts } from './sensitivity.ts';

const LADDER = ['none', 'p5', 'p10'];

/** Adds up the observations of several sales. */
function tally(sales: Record<string, StepCounts>[]): Record<string, StepCounts> {
  const out: Record<string, StepCounts> = {};
  for (const sale of sales) {
    for (const [key, c] of Object.entries(sale)) {
      const prev = out[key] ?? { successes: 0, failures: 0 };
      out[key] = { successes: prev.successes + c.successes, failures: prev.failures + c.failures };
    }
  }
  return out;
}

describe('observe', () => {
  it('steps at or above the accepted one are successes, below it failures', () => {
    expect(observe(LADDER, 'p5')).toEqual({
      none: { successes: 0, failures: 1 },
      p5: { successes: 1, failures: 0 },
      p10: { successes: 1, failures: 0 },
    });
    expect(observe(LADDER, 'none')).toEqual({
      none: { successes: 1, failures: 0 },
      p5: { successes: 1, failures: 0 },
      p10: { successes: 1, failures: 0 },
    });
    expect(() => observe(LADDER, 'p50')).toThrow(RangeError);
    expect(() => observe(['a', 'a'], 'a')).toThrow(RangeError);
  });
});

describe('buyProbabilities', () => {
  it('scales the segment down to the prior strength and adds the own counts', () => {
    const segment = {
      none: { successes: 30, failures: 70 }, // 100 > 10 → × 0.1 → 3 / 7
      p5: { successes: 4, failures: 4 }, // 8 ≤ 10 → as is
      p10: { successes: 50, failures: 0 }, // × 0.2 → 10 / 0
    };
    const own = { none: { successes: 0, failures: 2 }, p5: { successes: 1, failures: 1 }, p10: { successes: 2, failures: 0 } };
    const r = buyProbabilities(LADDER, segment, own, 10);
    // none: α = 1 + 3 + 0 = 4, β = 1 + 7 + 2 = 10 → 4/14. p5: α = 1 + 4 + 1 = 6, β = 6 → 0.5. p10: α = 13, β = 1 → 13/14.
    expect(r.map((s) => [s.key, s.alpha, s.beta])).toEqual([
      ['none', 4, 10],
      ['p5', 6, 6],
      ['p10', 13, 1],
    ]);
    expect(r[0]?.pBuy).toBeCloseTo(4 / 14, 12);
    expect(r[1]?.pBuy).toBeCloseTo(0.5, 12);
    expect(r[2]?.pBuy).toBeCloseTo(13 / 14, 12);
  });

  it('with no data at all, every step is Beta(1, 1)', () => {
    expect(buyProbabilities(LADDER, {}, {})).toEqual(LADDER.map((key) => ({ key, pBuy: 0.5, alpha: 1, beta: 1 })));
  });

  it('pools violators by weight to make pBuy non-decreasing', () => {
    // none: α 9, β 3 → 0.75 (weight 12); p5: α 3, β 21 → 0.125 (weight 24); p10: α 10, β 2 → 0.833.
    // none > p5 violates: pooled (0.75 × 12 + 0.125 × 24) / 36 = 12/36 = 1/3 for both; p10 stays.
    const r = buyProbabilities(
      LADDER,
      { none: { successes: 8, failures: 2 }, p5: { successes: 2, failures: 8 }, p10: { successes: 9, failures: 1 } },
      { p5: { successes: 0, failures: 12 } },
    );
    expect(r.map((s) => s.pBuy)).toEqual([expect.closeTo(1 / 3, 12), expect.closeTo(1 / 3, 12), expect.closeTo(10 / 12, 12)]);
    // alpha and beta stay the step's own posterior.
    expect(r[1]).toMatchObject({ alpha: 3, beta: 21 });
  });

  it('is non-decreasing along the ladder and keeps the weighted mean (property)', () => {
    const counts = fc.record({ successes: fc.integer({ min: 0, max: 500 }), failures: fc.integer({ min: 0, max: 500 }) });
    const keys = ['none', 's1', 's2', 's3', 's4', 's5'];
    const table = fc.dictionary(fc.constantFrom(...keys), counts);
    fc.assert(
      fc.property(table, table, fc.integer({ min: 0, max: 50 }), (segment, own, strength) => {
        const r = buyProbabilities(keys, segment, own, strength);
        for (let i = 1; i < r.length; i++) expect((r[i]?.pBuy ?? 0) + 1e-12).toBeGreaterThanOrEqual(r[i - 1]?.pBuy ?? 0);
        for (const s of r) {
          expect(s.pBuy).toBeGreaterThan(0);
          expect(s.pBuy).toBeLessThan(1);
        }
        // PAVA preserves Σ weight × mean: Σ (α+β) pBuy = Σ α.
        const pooled = r.reduce((t, s) => t + (s.alpha + s.beta) * s.pBuy, 0);
        const raw = r.reduce((t, s) => t + s.alpha, 0);
        expect(pooled).toBeCloseTo(raw, 6);
      }),
      { numRuns: 300 },
    );
  });
});

describe('recommend', () => {
  const costs: Record<string, number> = { none: 0, p5: 50, p10: 100 };
  const options = (probs: { key: string; pBuy: number }[]) => probs.map((p) => ({ ...p, costMinor: costs[p.key] ?? 0 }));

  it('a customer who always buys without a discount gets none', () => {
    const own = tally(Array.from({ length: 5 }, () => observe(LADDER, 'none')));
    const probs = buyProbabilities(LADDER, {}, own);
    // Every step: α = 6, β = 1 → 6/7. Expected: none 6/7 × 300 = 257.1, p5 6/7 × 250 = 214.3, p10 6/7 × 200 = 171.4.
    expect(probs.map((p) => p.pBuy)).toEqual([6 / 7, 6 / 7, 6 / 7]);
    expect(recommend(options(probs), 300)).toEqual({ key: 'none', expectedMarginMinor: 257 });
  });

  it('a customer who only bought at 10% gets 10% when the margin allows, none when it does not', () => {
    const own = tally(Array.from({ length: 4 }, () => observe(LADDER, 'p10')));
    const probs = buyProbabilities(LADDER, {}, own);
    // none, p5: α 1, β 5 → 1/6; p10: α 5, β 1 → 5/6.
    expect(probs.map((p) => [p.alpha, p.beta])).toEqual([
      [1, 5],
      [1, 5],
      [5, 1],
    ]);
    // Margin 300: none 1/6 × 300 = 50; p5 1/6 × 250 = 41.7; p10 5/6 × 200 = 166.7 → p10.
    expect(recommend(options(probs), 300)).toEqual({ key: 'p10', expectedMarginMinor: 167 });
    // Margin 80, the 10% costs 100: p10 5/6 × −20 = −16.7; none 1/6 × 80 = 13.3; p5 1/6 × 30 = 5 → none.
    expect(recommend(options(probs), 80)).toEqual({ key: 'none', expectedMarginMinor: 13 });
  });

  it('ties go to the cheaper step', () => {
    // 0.5 × (200 − 0) = 100 = 1 × (200 − 100).
    const tie = [
      { key: 'p10', costMinor: 100, pBuy: 1 },
      { key: 'none', costMinor: 0, pBuy: 0.5 },
    ];
    expect(recommend(tie, 200)).toEqual({ key: 'none', expectedMarginMinor: 100 });
    // 0.07 × (140 − 40) is 7.000000000000001 in floats, 0.05 × 140 is 7: still a tie, so the cheaper step.
    const noisy = [
      { key: 'b', costMinor: 40, pBuy: 0.07 },
      { key: 'a', costMinor: 0, pBuy: 0.05 },
    ];
    expect(recommend(noisy, 140)).toEqual({ key: 'a', expectedMarginMinor: 7 });
    expect(() => recommend([], 100)).toThrow(RangeError);
  });
});
