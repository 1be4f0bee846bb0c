import { describe, expect, it } from 'vitest';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import {
  binaryToMeanSummary,
  bootstrapDifference,
  bootstrapMean,
  meanInterval,
  mergeSummaries,
  newcombeDifference,
  summarize,
  summarizeBinary,
  waldDifference,
  waldInterval,
  welchDifference,
  wilsonInterval,
  zCritical,
} from './stats.ts';

/** n values of which `successes` are 1, the rest 0. */
function binaryValues(successes: number, n: number): Float64Array {
  const values = new Float64Array(n);
  values.fill(1, 0, successes);
  return values;
}

describe('wilsonInterval', () => {
  it("reproduces Newcombe's (1998, single proportion) 81/263 example: 0.2553 to 0.3662", () => {
    const w = wilsonInterval(81, 263);
    expect(w.estimate).toBeCloseTo(81 / 263, 12);
    expect(w.low).toBeCloseTo(0.2553, 4);
    expect(w.high).toBeCloseTo(0.3662, 4);
  });

  it('stays inside [0, 1] and ends exactly at 0 or 1 for 0 or n successes', () => {
    expect(wilsonInterval(0, 10).low).toBe(0);
    expect(wilsonInterval(0, 10).high).toBeGreaterThan(0);
    expect(wilsonInterval(10, 10).high).toBe(1);
    // Wilson 0/10 upper end: z²/(n + z²) with z = 1.959964.
    const z2 = zCritical(0.95) ** 2;
    expect(wilsonInterval(0, 10).high).toBeCloseTo(z2 / (10 + z2), 12);
  });

  it('widens with confidence', () => {
    const a = wilsonInterval(30, 100, 0.9);
    const b = wilsonInterval(30, 100, 0.99);
    expect(b.low).toBeLessThan(a.low);
    expect(b.high).toBeGreaterThan(a.high);
  });

  it('throws a RangeError naming the argument on bad input', () => {
    expect(() => wilsonInterval(1, 0)).toThrow(/n must be positive/);
    expect(() => wilsonInterval(5, 4)).toThrow(/successes \(5\) must not exceed n \(4\)/);
    expect(() => wilsonInterval(Number.NaN, 4)).toThrow(/successes must be a finite number/);
    expect(() => wilsonInterval(1, Number.POSITIVE_INFINITY)).toThrow(/n must be a finite number/);
    expect(() => wilsonInterval(1.5, 4)).toThrow(/successes must be a non-negative integer/);
    expect(() => wilsonInterval(1, 4, 1)).toThrow(/confidence must be strictly between 0 and 1/);
    expect(() => wilsonInterval(1, 4, 0)).toThrow(RangeError);
  });
});

describe('newcombeDifference', () => {
  it("reproduces Newcombe's (1998) example 56/70 vs 48/80, method 10: 0.2000 (0.0524, 0.3339)", () => {
    const d = newcombeDifference(56, 70, 48, 80);
    expect(d.estimate).toBeCloseTo(0.2, 10);
    expect(d.low).toBeCloseTo(0.0524, 4);
    expect(d.high).toBeCloseTo(0.3339, 4);
  });

  it('is antisymmetric: swapping the arms negates and mirrors the interval', () => {
    const a = newcombeDifference(12, 90, 30, 110);
    const b = newcombeDifference(30, 110, 12, 90);
    expect(b.estimate).toBeCloseTo(-a.estimate, 12);
    expect(b.low).toBeCloseTo(-a.high, 12);
    expect(b.high).toBeCloseTo(-a.low, 12);
  });

  it('names the offending argument', () => {
    expect(() => newcombeDifference(3, 2, 1, 5)).toThrow(/x1 \(3\) must not exceed n1 \(2\)/);
    expect(() => newcombeDifference(1, 2, 1, 0)).toThrow(/n2 must be positive/);
  });
});

describe('waldDifference', () => {
  it("reproduces Newcombe's (1998) method 1 (simple asymptotic) for 56/70 vs 48/80: (0.0575, 0.3425)", () => {
    const d = waldDifference(56, 70, 48, 80);
    expect(d.estimate).toBeCloseTo(0.2, 10);
    expect(d.low).toBeCloseTo(0.0575, 4);
    expect(d.high).toBeCloseTo(0.3425, 4);
  });
});

// R's datasets::sleep, the two drug groups.
const SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('welchDifference', () => {
  it("reproduces R's t.test(extra ~ group, data = sleep): df 17.776, CI (-3.3654832, 0.2054832)", () => {
    const w = welchDifference(summarize(SLEEP_1), summarize(SLEEP_2));
    expect(w.estimate).toBeCloseTo(0.75 - 2.33, 12);
    expect(w.df).toBeCloseTo(17.776, 3);
    expect(w.low).toBeCloseTo(-3.3654832, 6);
    expect(w.high).toBeCloseTo(0.2054832, 6);
    // R's t = -1.8608.
    expect(w.estimate / w.standardError).toBeCloseTo(-1.8608, 4);
  });

  it('agrees with the Welch–Satterthwaite formula written out independently', () => {
    const [ma, sa, na] = [10.3, 2.1, 25];
    const [mb, sb, nb] = [8.9, 4.7, 40];
    const se2 = (sa * sa) / na + (sb * sb) / nb;
    const df = se2 ** 2 / (sa ** 4 / (na * na * (na - 1)) + sb ** 4 / (nb * nb * (nb - 1)));
    const half = tQuantile(0.975, df) * Math.sqrt(se2);
    const w = welchDifference({ n: na, mean: ma, variance: sa * sa }, { n: nb, mean: mb, variance: sb * sb });
    expect(w.df).toBeCloseTo(df, 10);
    expect(w.low).toBeCloseTo(ma - mb - half, 10);
    expect(w.high).toBeCloseTo(ma - mb + half, 10);
    // Unequal variances: df lies between the smaller arm's n − 1 and the pooled na + nb − 2.
    expect(w.df).toBeGreaterThan(na - 1);
    expect(w.df).toBeLessThan(na + nb - 2);
  });

  it('gives a zero-width interval when neither arm varies', () => {
    const w = welchDifference({ n: 3, mean: 2, variance: 0 }, { n: 4, mean: 5, variance: 0 });
    expect([w.low, w.estimate, w.high]).toEqual([-3, -3, -3]);
  });

  it('needs two customers per arm and names the argument', () => {
    expect(() => welchDifference({ n: 1, mean: 1, variance: 0 }, summarize(SLEEP_2))).toThrow(/a\.n must be at least 2/);
    expect(() => welchDifference(summarize(SLEEP_1), { n: 5, mean: 1, variance: -1 })).toThrow(/b\.variance must not be negative/);
    expect(() => welchDifference(summarize(SLEEP_1), { n: 5, mean: Number.NaN, variance: 1 })).toThrow(/b\.mean must be a finite number/);
  });
});

describe('meanInterval', () => {
  it("reproduces R's one-sample t.test on the sleep differences: mean -1.58, CI (-2.4598858, -0.7001142)", () => {
    const diffs = SLEEP_1.map((x, i) => x - (SLEEP_2[i] as number));
    const m = meanInterval(summarize(diffs));
    expect(m.estimate).toBeCloseTo(-1.58, 12);
    expect(m.df).toBe(9);
    expect(m.low).toBeCloseTo(-2.4598858, 6);
    expect(m.high).toBeCloseTo(-0.7001142, 6);
  });
});

describe('summarize', () => {
  it('gives the sample variance (n − 1)', () => {
    expect(summarize([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ n: 8, mean: 5, variance: 32 / 7 });
  });

  it('keeps precision when the mean dwarfs the spread (where Σx² − n·x̄² fails)', () => {
    const values = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    const s = summarize(values);
    expect(s.mean).toBe(1e9 + 10);
    expect(s.variance).toBeCloseTo(30, 9);
    const naive = (values.reduce((acc, x) => acc + x * x, 0) - 4 * s.mean * s.mean) / 3;
    expect(Math.abs(naive - 30)).toBeGreaterThan(1);
  });

  it('leaves undefined moments as NaN rather than a made-up 0', () => {
    expect(summarize([])).toEqual({ n: 0, mean: Number.NaN, variance: Number.NaN });
    expect(summarize([3])).toEqual({ n: 1, mean: 3, variance: Number.NaN });
  });

  it('names a non-finite value by its index', () => {
    expect(() => summarize([1, 2, Number.NaN])).toThrow(/values\[2\] must be a finite number/);
  });

  it('merges summaries as if the values had been summarized together', () => {
    const all = [3.5, 1, 8, 2.25, 9, 4, 4, 7.5, 0.5];
    for (const cut of [0, 1, 4, 8, 9]) {
      const merged = mergeSummaries(summarize(all.slice(0, cut)), summarize(all.slice(cut)));
      const whole = summarize(all);
      expect(merged.n).toBe(whole.n);
      expect(merged.mean).toBeCloseTo(whole.mean, 12);
      expect(merged.variance).toBeCloseTo(whole.variance, 12);
    }
  });
});

describe('binary summaries', () => {
  it('counts 0/1 outcomes and rejects anything else', () => {
    expect(summarizeBinary([1, 0, 0, 1, 1])).toEqual({ n: 5, successes: 3 });
    expect(() => summarizeBinary([1, 0, 2])).toThrow(/values\[2\] must be 0 or 1/);
  });

  it('turns counts into the same mean summary as the expanded values', () => {
    const direct = summarize(binaryValues(7, 19));
    const fromCounts = binaryToMeanSummary({ n: 19, successes: 7 });
    expect(fromCounts.mean).toBeCloseTo(direct.mean, 12);
    expect(fromCounts.variance).toBeCloseTo(direct.variance, 12);
  });
});

describe('bootstrap', () => {
  const a = [5.1, 3.2, 8.8, 1.0, 0.0, 0.0, 12.5, 4.4, 6.0, 2.2, 0.0, 9.1];
  const b = [2.0, 0.0, 1.5, 3.3, 0.0, 4.0, 0.0, 2.8, 1.1, 0.0];

  it('is deterministic for a seed and differs between seeds', () => {
    const x = bootstrapDifference(a, b, { seed: 42, reps: 500 });
    expect(bootstrapDifference(a, b, { seed: 42, reps: 500 })).toEqual(x);
    expect(bootstrapDifference(a, b, { seed: 43, reps: 500 })).not.toEqual(x);
  });

  it('brackets the observed difference and lands near the Welch interval on a moderate sample', () => {
    const boot = bootstrapDifference(Float64Array.from(a), Float64Array.from(b), { seed: 7, reps: 4000 });
    const welch = welchDifference(summarize(a), summarize(b));
    expect(boot.estimate).toBeCloseTo(welch.estimate, 12);
    expect(boot.low).toBeLessThan(boot.estimate);
    expect(boot.high).toBeGreaterThan(boot.estimate);
    // The percentile bootstrap is known to be somewhat narrower than t on 10–12 values; same ballpark is the claim.
    expect(Math.abs(boot.low - welch.low)).toBeLessThan(1);
    expect(Math.abs(boot.high - welch.high)).toBeLessThan(1);
  });

  it('validates its options and samples', () => {
    expect(() => bootstrapDifference([], b, { seed: 1 })).toThrow(/a must not be empty/);
    expect(() => bootstrapDifference(a, [1, Number.POSITIVE_INFINITY], { seed: 1 })).toThrow(/b\[1\] must be a finite number/);
    expect(() => bootstrapDifference(a, b, { seed: 1, reps: 1 })).toThrow(/reps must be an integer of at least 2/);
    expect(() => bootstrapDifference(a, b, { seed: 0.5 })).toThrow(/seed must be a safe integer/);
    expect(() => bootstrapMean(a, { seed: 1, confidence: 1.2 })).toThrow(/confidence must be strictly between 0 and 1/);
  });
});

// Per-arm 95% intervals of a mean on Hillstrom's e-mail data, as published by a third party
// (aokassamali/Hillstrom-emails-experiment, reports/tables/outcome_means_ci.csv; see ../shared/data/hillstrom/README.md).
const HILLSTROM = [
  { name: 'visit, Mens', x: 3894, n: 21307, low: 0.17759421786267424, high: 0.18801332895292627 },
  { name: 'visit, Womens', x: 3238, n: 21387, low: 0.14653761630897275, high: 0.15616963576004114 },
  { name: 'visit, control', x: 2262, n: 21306, low: 0.10199004975124377, high: 0.11025063362433117 },
  { name: 'conversion, Mens', x: 267, n: 21307, low: 0.011076172149997654, high: 0.014032946918852958 },
  { name: 'conversion, Womens', x: 189, n: 21387, low: 0.007621452284097816, high: 0.010146350586805068 },
  { name: 'conversion, control', x: 122, n: 21306, low: 0.0047404486998967425, high: 0.006758659532526049 },
] as const;

describe('Hillstrom published per-arm intervals: which method made them', () => {
  it('every published end is a whole number of customers over n, the fingerprint of a resampling (bootstrap) interval', () => {
    for (const arm of HILLSTROM) {
      for (const end of [arm.low, arm.high]) expect(Math.abs(end * arm.n - Math.round(end * arm.n))).toBeLessThan(1e-6);
      // Wilson and Wald ends are not: they are irrational functions of the counts.
      const w = wilsonInterval(arm.x, arm.n);
      expect(Math.abs(w.low * arm.n - Math.round(w.low * arm.n))).toBeGreaterThan(1e-3);
    }
  });

  it('our percentile bootstrap (2,000 replicates) matches every end to 3 decimals, within Monte Carlo error', () => {
    // Three arms, to keep the test near a second; the other three behave the same (checked by hand).
    for (const arm of [HILLSTROM[0], HILLSTROM[2], HILLSTROM[3]]) {
      if (!arm) throw new Error('fixture');
      const boot = bootstrapMean(binaryValues(arm.x, arm.n), { seed: 20240101, reps: 2000 });
      expect(boot.estimate).toBeCloseTo(arm.x / arm.n, 12);
      expect(Math.abs(boot.low - arm.low)).toBeLessThan(5e-4);
      expect(Math.abs(boot.high - arm.high)).toBeLessThan(5e-4);
    }
  });

  it('Wald and Wilson also agree to 3 decimals (n is large); Wald is the closer closed form', () => {
    let worstWald = 0;
    let worstWilson = 0;
    for (const arm of HILLSTROM) {
      const wald = waldInterval(arm.x, arm.n);
      const wilson = wilsonInterval(arm.x, arm.n);
      worstWald = Math.max(worstWald, Math.abs(wald.low - arm.low), Math.abs(wald.high - arm.high));
      worstWilson = Math.max(worstWilson, Math.abs(wilson.low - arm.low), Math.abs(wilson.high - arm.high));
    }
    // Measured: Wald at most 6.7e-5 off, Wilson at most 1.24e-4; both far inside 5e-4 (3 decimals).
    expect(worstWald).toBeLessThan(1e-4);
    expect(worstWilson).toBeLessThan(1.5e-4);
    expect(worstWilson).toBeGreaterThan(worstWald);
  });
});
