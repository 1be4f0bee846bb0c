import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, divideFloor, divideHalfEven, toExactRatio } from './allocate.ts';

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

describe('allocate', () => {
  it('splits by the largest remainder, ties to the lower index', () => {
    // 100 × 1/3 = 33.33… each; one unit left goes to index 0 (equal remainders).
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    // 10 × (1, 2, 3)/6 = 1.67, 3.33, 5 → floors 1, 3, 5 (9); the unit goes to the largest remainder (index 0).
    expect(allocate(10, [1, 2, 3])).toEqual([2, 3, 5]);
    // 5 × (1, 1)/2 = 2.5 each → index 0 gets the extra unit.
    expect(allocate(5, [1, 1])).toEqual([3, 2]);
    expect(allocate(0, [1, 2])).toEqual([0, 0]);
    expect(allocate(0, [])).toEqual([]);
    expect(allocate(0, [0, 0])).toEqual([0, 0]);
  });

  it('never gives anything to a zero weight', () => {
    expect(allocate(7, [0, 3, 0, 1])).toEqual([0, 5, 0, 2]); // 5.25 and 1.75 → 5 and 1, the unit to 0.75
  });

  it('reads fractional and BigInt weights exactly', () => {
    // 0.1 and 0.2 are read as 1/10 and 2/10: 3 × 1/3 = 1, 3 × 2/3 = 2 exactly, no float residue.
    expect(allocate(3, [0.1, 0.2])).toEqual([1, 2]);
    expect(allocate(3, [10n ** 30n, 2n * 10n ** 30n])).toEqual([1, 2]);
    // total × weight far beyond 2^53: 9e15 × (1e15 ± 1) / 2e15 = 4.5e15 ± 4.5 → floors …004 and …995, both with
    // remainder one half; the leftover unit goes to index 0.
    expect(allocate(9_000_000_000_000_000, [1e15 + 1, 1e15 - 1])).toEqual([4_500_000_000_000_005, 4_499_999_999_999_995]);
  });

  it('caps shares and hands the excess to the others proportionally', () => {
    // 100 by (1,1,1,1) = 25 each; index 0 capped at 10 → 90 over (1,1,1) = 30 each.
    expect(allocate(100, [1, 1, 1, 1], [10, 100, 100, 100])).toEqual([10, 30, 30, 30]);
    // 100 by (1,1,2): 25, 25, 50; index 2 capped at 40 → 60 over (1,1) = 30, 30.
    expect(allocate(100, [1, 1, 2], [100, 100, 40])).toEqual([30, 30, 40]);
    // Cascade: 100 by (1,2,4): 14.3, 28.6, 57.1 → index 2 capped at 30; 70 by (1,2): 23.3, 46.7 → index 1 capped at
    // 40; 30 left for index 0.
    expect(allocate(100, [1, 2, 4], [1000, 40, 30])).toEqual([30, 40, 30]);
    // Weights equal to caps never bind: 10 by (3, 7) capped (3, 7) → exactly the caps.
    expect(allocate(10, [3, 7], [3, 7])).toEqual([3, 7]);
  });

  it('rejects what cannot be shared', () => {
    expect(() => allocate(1, [0, 0])).toThrow(RangeError);
    expect(() => allocate(1, [])).toThrow(RangeError);
    expect(() => allocate(11, [1, 1], [5, 5])).toThrow(RangeError);
    expect(() => allocate(6, [1, 0], [5, 5])).toThrow(RangeError); // the zero weight's room does not count
    expect(() => allocate(-1, [1])).toThrow(RangeError);
    expect(() => allocate(1.5, [1])).toThrow(RangeError);
    expect(() => allocate(2 ** 53, [1])).toThrow(RangeError);
    expect(() => allocate(1, [-1, 2])).toThrow(RangeError);
    expect(() => allocate(1, [Number.NaN])).toThrow(RangeError);
    expect(() => allocate(1, [1], [1, 1])).toThrow(RangeError);
    expect(() => allocate(1, [1], [0.5])).toThrow(RangeError);
  });

  const weightsArb = fc.array(fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 0, max: 1000, noNaN: true })), {
    minLength: 1,
    maxLength: 15,
  });

  it('sums to the total and stays within 1 of the exact share (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), weightsArb, (total, weights) => {
        fc.pre(weights.some((w) => w > 0));
        const shares = allocate(total, weights);
        expect(sum(shares)).toBe(total);
        const ratios = weights.map(toExactRatio);
        const common = ratios.reduce((m, r) => (r.den > m ? r.den : m), 1n);
        const ints = ratios.map((r) => r.num * (common / r.den));
        const s = ints.reduce((a, b) => a + b, 0n);
        shares.forEach((share, i) => {
          expect(share).toBeGreaterThanOrEqual(0);
          // |share − total × w / S| < 1  ⇔  |share × S − total × w| < S
          const diff = BigInt(share) * s - BigInt(total) * (ints[i] ?? 0n);
          expect(diff < s && -diff < s).toBe(true);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('respects caps, sums to the total and is deterministic (property)', () => {
    const arb = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 10_000 })), { minLength: 1, maxLength: 40, size: 'max' })
      .chain((pairs) => {
        const room = pairs.reduce((s, [w, c]) => s + (w > 0 ? c : 0), 0);
        return fc.tuple(fc.constant(pairs), fc.integer({ min: 0, max: room }));
      });
    fc.assert(
      fc.property(arb, ([pairs, total]) => {
        const weights = pairs.map(([w]) => w);
        const caps = pairs.map(([, c]) => c);
        const shares = allocate(total, weights, caps);
        expect(sum(shares)).toBe(total);
        shares.forEach((share, i) => {
          expect(share).toBeGreaterThanOrEqual(0);
          expect(share).toBeLessThanOrEqual(caps[i] ?? 0);
          if (weights[i] === 0) expect(share).toBe(0);
        });
        expect(allocate(total, weights, caps)).toEqual(shares);
      }),
      { numRuns: 500 },
    );
  });
});

describe('allocate: the plain-number path', () => {
  it('agrees with the BigInt path it shortcuts (property)', () => {
    // BigInt weights always take the BigInt path; the same weights as numbers take the plain-number one. Up to 40
    // weights, so that more than FEW_LEFT units are sometimes left over for the remainders (handed out by a sort).
    const arb = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 })), {
        minLength: 1,
        maxLength: 40,
        size: 'max',
      })
      .chain((pairs) => {
        const room = pairs.reduce((s, [w, c]) => s + (w > 0 ? c : 0), 0);
        return fc.tuple(fc.constant(pairs), fc.integer({ min: 0, max: room }), fc.boolean());
      });
    fc.assert(
      fc.property(arb, ([pairs, total, capped]) => {
        const weights = pairs.map(([w]) => w);
        const caps = capped ? pairs.map(([, c]) => c) : undefined;
        fc.pre(capped || weights.some((w) => w > 0) || total === 0);
        expect(allocate(total, weights, caps)).toEqual(allocate(total, weights.map(BigInt), caps));
      }),
      { numRuns: 500 },
    );
  });
});

describe('exact ratios', () => {
  it('reads numbers as the decimals they print as', () => {
    expect(toExactRatio(0.345)).toEqual({ num: 345n, den: 1000n });
    expect(toExactRatio(12)).toEqual({ num: 12n, den: 1n });
    expect(toExactRatio(-1.5e-7)).toEqual({ num: -15n, den: 100_000_000n });
    expect(toExactRatio(1e21)).toEqual({ num: 10n ** 21n, den: 1n });
    expect(() => toExactRatio(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('answers a number read before with the same, frozen ratio, and an integer without the decimal parse', () => {
    // Read twice: the second answer comes from the cache and must not be changeable by a caller.
    for (const x of [0.345, 0.345, 2.5e-9, 2.5e-9])
      expect(toExactRatio(x)).toEqual(x === 0.345 ? { num: 345n, den: 1000n } : { num: 25n, den: 10n ** 10n });
    expect(Object.isFrozen(toExactRatio(0.345))).toBe(true);
    expect(toExactRatio(-0)).toEqual({ num: 0n, den: 1n });
    expect(toExactRatio(-7)).toEqual({ num: -7n, den: 1n });
    expect(toExactRatio(Number.MAX_SAFE_INTEGER + 1)).toEqual({ num: 2n ** 53n, den: 1n });
    expect(() => toExactRatio(Number.NaN)).toThrow(RangeError);
  });

  it('rounds half to even and floors', () => {
    expect(divideHalfEven(5n, 2n)).toBe(2n);
    expect(divideHalfEven(7n, 2n)).toBe(4n);
    expect(divideHalfEven(-5n, 2n)).toBe(-2n);
    expect(divideHalfEven(10n, 3n)).toBe(3n);
    expect(divideHalfEven(11n, -3n)).toBe(-4n);
    expect(divideFloor(-7n, 2n)).toBe(-4n);
    expect(divideFloor(7n, 2n)).toBe(3n);
    expect(() => divideHalfEven(1n, 0n)).toThrow(RangeError);
  });
});
