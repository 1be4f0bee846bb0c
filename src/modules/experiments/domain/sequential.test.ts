import { describe, expect, it } from 'vitest';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import {
  logMixtureLikelihoodRatio,
  meanLook,
  proportionLook,
  runSequentialTest,
  startSequentialTest,
  updateSequentialTest,
  type SequentialLook,
} from './sequential.ts';

type Rng = ReturnType<typeof xoroshiro128plus>;

function binomial(rng: Rng, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (uniformFloat64(rng) < p) k += 1;
  return k;
}

/** Daily cumulative looks at a two-arm experiment with conversion rates pTreated and pControl. */
function dailyLooks(rng: Rng, days: number, perArmPerDay: number, pTreated: number, pControl: number): SequentialLook[] {
  const looks: SequentialLook[] = [];
  let xt = 0;
  let xc = 0;
  for (let day = 1; day <= days; day++) {
    xt += binomial(rng, perArmPerDay, pTreated);
    xc += binomial(rng, perArmPerDay, pControl);
    const n = day * perArmPerDay;
    looks.push(proportionLook({ n, successes: xt }, { n, successes: xc }));
  }
  return looks;
}

/** The naive habit: a fixed-horizon two-sided z-test at 5%, read every day, stopped at the first "significant" day. */
function naiveRejectsSomeDay(looks: readonly SequentialLook[]): boolean {
  return looks.some((l) => l.variance > 0 && 2 * (1 - normalCdf(Math.abs(l.estimate) / Math.sqrt(l.variance), 0, 1)) < 0.05);
}

describe('mSPRT statistic', () => {
  it('matches the two-stream formula of Johari et al. written with n per arm and known σ²', () => {
    // Λ = √(2σ² / (2σ² + nτ²)) · exp(n²τ²(Ȳ − X̄ − θ0)² / (4σ²(2σ² + nτ²))).
    const [sigma2, n, tau, diff] = [0.09, 500, 0.02, 0.013];
    const expected =
      0.5 * Math.log((2 * sigma2) / (2 * sigma2 + n * tau * tau)) +
      (n * n * tau * tau * diff * diff) / (4 * sigma2 * (2 * sigma2 + n * tau * tau));
    expect(logMixtureLikelihoodRatio({ estimate: diff, variance: (2 * sigma2) / n }, 0, tau)).toBeCloseTo(expected, 12);
  });

  it('rejects exactly when the interval excludes the null value', () => {
    const look = { estimate: 0.021, variance: 0.00004 };
    const state = updateSequentialTest(startSequentialTest({ tau: 0.02 }), look);
    expect(state.rejected).toBe(state.low > 0 || state.high < 0);
    const edge = updateSequentialTest(startSequentialTest({ tau: 0.02, nullValue: state.low }), look);
    expect(edge.pValue).toBeCloseTo(0.05, 9);
  });

  it('keeps the p-value non-increasing and the interval shrinking across looks', () => {
    const looks = dailyLooks(xoroshiro128plus(3), 20, 300, 0.12, 0.1);
    let state = startSequentialTest({ tau: 0.02 });
    for (const look of looks) {
      const next = updateSequentialTest(state, look);
      expect(next.pValue).toBeLessThanOrEqual(state.pValue);
      expect(next.low).toBeGreaterThanOrEqual(state.low);
      expect(next.high).toBeLessThanOrEqual(state.high);
      state = next;
    }
    expect(state.looks).toBe(20);
  });

  it('skips a look with no variance (no successes yet) and validates its input', () => {
    const s = updateSequentialTest(startSequentialTest({ tau: 0.01 }), proportionLook({ n: 50, successes: 0 }, { n: 50, successes: 0 }));
    expect(s).toMatchObject({ looks: 1, pValue: 1, rejected: false, low: Number.NEGATIVE_INFINITY });
    expect(() => startSequentialTest({ tau: 0 })).toThrow(/tau must be a positive finite number/);
    expect(() => startSequentialTest({ tau: 1, alpha: 1 })).toThrow(/alpha must be strictly between 0 and 1/);
    expect(() => updateSequentialTest(s, { estimate: 0, variance: -1 })).toThrow(/look\.variance/);
    expect(() => proportionLook({ n: 5, successes: 6 }, { n: 5, successes: 1 })).toThrow(/treated\.successes/);
    expect(() => meanLook({ n: 1, mean: 0, variance: 0 }, { n: 5, mean: 0, variance: 1 })).toThrow(/treated\.n/);
    expect(meanLook({ n: 10, mean: 3, variance: 4 }, { n: 20, mean: 2, variance: 2 })).toEqual({ estimate: 1, variance: 0.5 });
  });
});

describe('mSPRT under daily peeking (seeded simulation)', () => {
  const REPS = 2000;
  const DAYS = 30;
  const PER_ARM_PER_DAY = 200;
  // Binomial sampling error of a rate near 5% over REPS repetitions: √(0.05 · 0.95 / 2000) ≈ 0.0049.
  // Three of those (≈ 0.015) is the allowed slack above 5%.
  const TOLERANCE = 3 * Math.sqrt((0.05 * 0.95) / REPS);

  it('keeps the false-positive rate at or below 5% when there is no effect, where the naive daily z-test does not', () => {
    const rng = xoroshiro128plus(20240601);
    let msprt = 0;
    let naive = 0;
    for (let r = 0; r < REPS; r++) {
      const looks = dailyLooks(rng, DAYS, PER_ARM_PER_DAY, 0.1, 0.1);
      if (runSequentialTest(looks, { tau: 0.02 }).rejected) msprt += 1;
      if (naiveRejectsSomeDay(looks)) naive += 1;
    }
    const msprtRate = msprt / REPS;
    const naiveRate = naive / REPS;
    // Measured with this seed: mSPRT 0.014 (28 of 2000), naive 0.2975 (595 of 2000).
    expect(msprtRate).toBeLessThanOrEqual(0.05 + TOLERANCE);
    expect(naiveRate).toBeGreaterThan(0.05 + TOLERANCE);
    expect(naiveRate).toBeGreaterThan(2 * 0.05);
  });

  it('rejects a real effect (10% → 12%) in most runs, and its interval covers the true difference at every look', () => {
    const rng = xoroshiro128plus(7);
    const reps = 400;
    let rejected = 0;
    let alwaysCovered = 0;
    for (let r = 0; r < reps; r++) {
      const looks = dailyLooks(rng, DAYS, 300, 0.12, 0.1);
      let state = startSequentialTest({ tau: 0.02 });
      let covered = true;
      for (const look of looks) {
        state = updateSequentialTest(state, look);
        if (!(state.low <= 0.02 && 0.02 <= state.high)) covered = false;
      }
      if (state.rejected) rejected += 1;
      if (covered) alwaysCovered += 1;
    }
    // Measured with this seed: power 0.9375 (375 of 400), coverage at every look 0.99 (396 of 400).
    expect(rejected / reps).toBeGreaterThanOrEqual(0.8);
    expect(alwaysCovered / reps).toBeGreaterThanOrEqual(0.95 - 3 * Math.sqrt((0.05 * 0.95) / reps));
  });
});
