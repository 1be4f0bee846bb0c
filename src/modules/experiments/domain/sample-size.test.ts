import { describe, expect, it } from 'vitest';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { powerForMeans, powerForProportions, sampleSizeForMeans, sampleSizeForProportions, targetProportion } from './sample-size.ts';

describe('sampleSizeForProportions', () => {
  it("gives R's power.prop.test(p1 = .10, p2 = .12, power = .8): n = 3840.847, so 3,841 per arm", () => {
    const s = sampleSizeForProportions({ baseline: 0.1, lift: 0.02 });
    expect(s.n).toBeCloseTo(3840.847, 2);
    expect(s.perArm).toBe(3841);
    expect(s.p2).toBeCloseTo(0.12, 15);
    expect(powerForProportions(s.n, 0.1, 0.12)).toBeCloseTo(0.8, 10);
  });

  it('differs from the all-unpooled textbook formula, which gives 3,839 for the same design', () => {
    // n = (z_α + z_β)² (p1q1 + p2q2) / d²: the alternative's variance in both places.
    const z = normalQuantile(0.975, 0, 1) + normalQuantile(0.8, 0, 1);
    const unpooled = (z * z * (0.1 * 0.9 + 0.12 * 0.88)) / 0.02 ** 2;
    expect(Math.ceil(unpooled)).toBe(3839);
    expect(sampleSizeForProportions({ baseline: 0.1, lift: 0.02 }).perArm).not.toBe(Math.ceil(unpooled));
  });

  it("reproduces R's documented example power.prop.test(n = 50, p1 = .50, p2 = .75): power = 0.7401659", () => {
    expect(powerForProportions(50, 0.5, 0.75)).toBeCloseTo(0.7401659, 7);
  });

  it('reads a relative lift against the baseline and gives the same answer as the equal absolute lift', () => {
    const relative = sampleSizeForProportions({ baseline: 0.1, lift: 0.2, liftType: 'relative' });
    expect(relative.p2).toBeCloseTo(0.12, 15);
    expect(relative.n).toBeCloseTo(sampleSizeForProportions({ baseline: 0.1, lift: 0.02 }).n, 6);
    // A drop needs the same sample as the rise it mirrors (the formula is symmetric in p1, p2).
    expect(sampleSizeForProportions({ baseline: 0.12, lift: -0.02 }).n).toBeCloseTo(relative.n, 6);
  });

  it('strict (both tails) lowers n by about a hundredth of a customer for a realistic effect (measured 0.0093)', () => {
    const plain = sampleSizeForProportions({ baseline: 0.1, lift: 0.02 });
    const strict = sampleSizeForProportions({ baseline: 0.1, lift: 0.02, strict: true });
    expect(plain.n - strict.n).toBeGreaterThan(0);
    expect(plain.n - strict.n).toBeLessThan(0.02);
    expect(strict.perArm).toBe(plain.perArm);
    expect(powerForProportions(strict.n, 0.1, 0.12, { strict: true })).toBeCloseTo(0.8, 9);
  });

  it('needs fewer customers one-sided, more for higher power, and far more for a smaller lift', () => {
    const base = sampleSizeForProportions({ baseline: 0.1, lift: 0.02 }).n;
    expect(sampleSizeForProportions({ baseline: 0.1, lift: 0.02, alternative: 'one-sided' }).n).toBeLessThan(base);
    expect(sampleSizeForProportions({ baseline: 0.1, lift: 0.02, power: 0.9 }).n).toBeGreaterThan(base);
    expect(sampleSizeForProportions({ baseline: 0.1, lift: 0.01 }).n).toBeGreaterThan(3.5 * base);
  });

  it('names what is wrong', () => {
    expect(() => targetProportion({ baseline: 1.2, lift: 0.1 })).toThrow(/baseline must be strictly between 0 and 1/);
    expect(() => targetProportion({ baseline: 0.5, lift: 0 })).toThrow(/lift must be a non-zero finite number/);
    expect(() => targetProportion({ baseline: 0.9, lift: 0.2 })).toThrow(/outside \(0, 1\)/);
    expect(() => sampleSizeForProportions({ baseline: 0.1, lift: 0.02, power: 1 })).toThrow(/power must be strictly between 0 and 1/);
    expect(() => sampleSizeForProportions({ baseline: 0.1, lift: 0.02, alpha: 0 })).toThrow(/alpha must be strictly between 0 and 1/);
  });
});

describe('sampleSizeForMeans', () => {
  it("gives R's power.t.test(delta = 1, sd = 1, power = .8): n = 16.71477", () => {
    const s = sampleSizeForMeans({ delta: 1, sd: 1 });
    expect(s.n).toBeCloseTo(16.71477, 4);
    expect(s.perArm).toBe(17);
    // The normal approximation 2(z.975 + z.8)² = 15.70 is about one customer short.
    expect(s.normalApproximation).toBeCloseTo(15.6978, 3);
  });

  it("gives R's one-sided power.t.test(delta = 1, power = .8, alternative = 'one.sided'): n = 13.09777", () => {
    expect(sampleSizeForMeans({ delta: 1, sd: 1, alternative: 'one-sided' }).n).toBeCloseTo(13.09777, 4);
  });

  it("gives R's power.t.test(n = 20, delta = 1): power = 0.8689528, and depends only on delta / sd", () => {
    expect(powerForMeans(20, 1, 1)).toBeCloseTo(0.8689528, 6);
    expect(sampleSizeForMeans({ delta: 20, sd: 20 }).n).toBeCloseTo(16.71477, 4);
  });

  it('reduces to the central t when there is no difference: power = alpha / 2 per tail', () => {
    // With δ = 0 the upper tail beyond the 97.5% quantile is 2.5%, which checks the noncentral integral against tCdf.
    expect(powerForMeans(10, 0, 1)).toBeCloseTo(0.025, 8);
    expect(powerForMeans(10, 0, 1, { strict: true })).toBeCloseTo(0.05, 8);
    expect(1 - tCdf(2.1009, 18)).toBeCloseTo(0.025, 4);
  });

  it('names what is wrong', () => {
    expect(() => sampleSizeForMeans({ delta: 0, sd: 1 })).toThrow(/delta must be a non-zero finite number/);
    expect(() => sampleSizeForMeans({ delta: 1, sd: -1 })).toThrow(/sd must be a positive finite number/);
    expect(() => powerForMeans(1, 1, 1)).toThrow(/n must be a finite number greater than 1/);
  });
});
