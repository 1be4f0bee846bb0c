// How many customers each arm of an experiment needs to detect a given difference with a given power. The formulas
// are R's power.prop.test and power.t.test (package stats), so a planner can check a number against R to the digit.
import gammaln from '@stdlib/math-base-special-gammaln';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Two-sided tests split alpha over both tails; one-sided put it all in the direction of the expected difference. */
export type Alternative = 'two-sided' | 'one-sided';

/**
 * Common test settings. `alpha` (default 0.05) and `power` (default 0.8) are probabilities in (0, 1). `strict`
 * (default false, as in R) also counts rejections in the wrong tail of a two-sided test as power; it changes n only
 * for tiny effects.
 */
export type TestDesign = { alpha?: number; power?: number; alternative?: Alternative; strict?: boolean };

/**
 * A difference of proportions to detect: the control's rate `baseline` and the change `lift`, absolute (0.02 = two
 * percentage points) or relative (0.2 = +20% of the baseline). A negative lift is a drop.
 */
export type ProportionDesign = TestDesign & { baseline: number; lift: number; liftType?: 'absolute' | 'relative' };

/** A difference of means to detect: `delta` in the outcome's units, `sd` the outcome's standard deviation (per arm, equal). */
export type MeanDesign = TestDesign & { delta: number; sd: number };

/** Customers per arm: `n` unrounded (what R prints), `perArm` rounded up (what to plan for). */
export type SampleSize = { n: number; perArm: number };

type Settings = { alpha: number; power: number; tails: 1 | 2; strict: boolean };

function settings(design: TestDesign): Settings {
  const alpha = design.alpha ?? 0.05;
  const power = design.power ?? 0.8;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be strictly between 0 and 1, got ${alpha}`);
  if (!(power > 0 && power < 1)) throw new RangeError(`power must be strictly between 0 and 1, got ${power}`);
  const alternative = design.alternative ?? 'two-sided';
  if (alternative !== 'two-sided' && alternative !== 'one-sided') throw new RangeError(`alternative must be 'two-sided' or 'one-sided'`);
  return { alpha, power, tails: alternative === 'two-sided' ? 2 : 1, strict: design.strict ?? false };
}

/** The treated arm's rate implied by a design. Throws RangeError unless both rates are in (0, 1) and differ. */
export function targetProportion(design: Pick<ProportionDesign, 'baseline' | 'lift' | 'liftType'>): number {
  const { baseline, lift } = design;
  if (!(baseline > 0 && baseline < 1)) throw new RangeError(`baseline must be strictly between 0 and 1, got ${baseline}`);
  if (!Number.isFinite(lift) || lift === 0) throw new RangeError(`lift must be a non-zero finite number, got ${lift}`);
  const liftType = design.liftType ?? 'absolute';
  if (liftType !== 'absolute' && liftType !== 'relative') throw new RangeError(`liftType must be 'absolute' or 'relative'`);
  const target = liftType === 'relative' ? baseline * (1 + lift) : baseline + lift;
  if (!(target > 0 && target < 1))
    throw new RangeError(`baseline ${baseline} with ${liftType} lift ${lift} gives ${target}, outside (0, 1)`);
  return target;
}

/**
 * Power of the two-sided (or one-sided) two-proportion z-test with n per arm, as R's power.prop.test computes it:
 * Φ((√n·|p1 − p2| − z·√(2p̄q̄)) / √(p1q1 + p2q2)), the null's pooled variance in the critical value and the
 * alternative's in the spread; `strict` adds the other tail's term.
 */
export function powerForProportions(n: number, p1: number, p2: number, design: TestDesign = {}): number {
  const s = settings({ ...design, power: 0.5 });
  if (!(n > 0 && Number.isFinite(n))) throw new RangeError(`n must be a positive finite number, got ${n}`);
  const z = normalQuantile(1 - s.alpha / s.tails, 0, 1);
  const pbar = (p1 + p2) / 2;
  const s0 = Math.sqrt(2 * pbar * (1 - pbar));
  const s1 = Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  const d = Math.abs(p1 - p2);
  const main = normalCdf((Math.sqrt(n) * d - z * s0) / s1, 0, 1);
  return s.strict && s.tails === 2 ? main + normalCdf((-Math.sqrt(n) * d - z * s0) / s1, 0, 1) : main;
}

/** Smallest n in [lo, hi] with power(n) ≥ target, for a power increasing in n; bisection to machine precision. */
function solveIncreasing(power: (n: number) => number, target: number, lo: number, start: number): number {
  let hi = Math.max(start, lo * 2);
  while (power(hi) < target) {
    lo = hi;
    hi *= 2;
    if (hi > 1e15) throw new RangeError('the difference is too small to detect with any realistic sample');
  }
  for (let i = 0; i < 200 && hi - lo > 1e-9 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (power(mid) < target) lo = mid;
    else hi = mid;
  }
  return hi;
}

function rounded(n: number): SampleSize {
  // A solution such as 3840.99999999997 is 3841 up to rounding, not 3842.
  return { n, perArm: Math.ceil(n - 1e-9) };
}

/**
 * Customers per arm to detect the design's change in a proportion, R's power.prop.test with n unknown. Without
 * `strict` the power equation has the closed form n = ((z_α·√(2p̄q̄) + z_β·√(p1q1 + p2q2)) / |p1 − p2|)²; with it the
 * equation is solved numerically. Throws RangeError on rates outside (0, 1), a zero lift, or alpha/power outside (0, 1).
 */
export function sampleSizeForProportions(design: ProportionDesign): SampleSize & { p1: number; p2: number } {
  const s = settings(design);
  const p1 = design.baseline;
  const p2 = targetProportion(design);
  const za = normalQuantile(1 - s.alpha / s.tails, 0, 1);
  const zb = normalQuantile(s.power, 0, 1);
  const pbar = (p1 + p2) / 2;
  const closed = ((za * Math.sqrt(2 * pbar * (1 - pbar)) + zb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) / Math.abs(p1 - p2)) ** 2;
  const n = s.strict && s.tails === 2 ? solveIncreasing((m) => powerForProportions(m, p1, p2, design), s.power, 1e-9, closed) : closed;
  return { ...rounded(n), p1, p2 };
}

/** Simpson's rule over [a, b] with an even number of intervals. */
function simpson(f: (x: number) => number, a: number, b: number, intervals: number): number {
  const h = (b - a) / intervals;
  let sum = f(a) + f(b);
  for (let i = 1; i < intervals; i++) sum += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

/**
 * P(T > q) and P(T < −q) for T noncentral t with ν degrees of freedom and noncentrality δ, by integrating the normal
 * part over the chi-square: T = (Z + δ) / √(U/ν). The integral runs over w = log U, where the chi-square density is
 * smooth and unimodal for every ν; its range holds all but ~1e-14 of the mass.
 */
function noncentralTTails(q: number, nu: number, ncp: number): { upper: number; lower: number } {
  const logNorm = (nu / 2) * Math.log(2) + gammaln(nu / 2);
  const density = (w: number): number => Math.exp((nu / 2) * w - Math.exp(w) / 2 - logNorm);
  const a = Math.log(nu) - 64 / nu - 2;
  const b = Math.log(nu + 40 * Math.sqrt(nu) + 100);
  const upper = simpson((w) => density(w) * normalCdf(ncp - q * Math.sqrt(Math.exp(w) / nu), 0, 1), a, b, 4000);
  const lower = simpson((w) => density(w) * normalCdf(-q * Math.sqrt(Math.exp(w) / nu) - ncp, 0, 1), a, b, 4000);
  return { upper, lower };
}

/**
 * Power of the two-sample Student t-test with n per arm, as R's power.t.test computes it: the noncentral t with
 * 2(n − 1) degrees of freedom and noncentrality √(n/2)·δ/σ beyond the central t's critical value.
 */
export function powerForMeans(n: number, delta: number, sd: number, design: TestDesign = {}): number {
  const s = settings({ ...design, power: 0.5 });
  if (!(n > 1 && Number.isFinite(n))) throw new RangeError(`n must be a finite number greater than 1, got ${n}`);
  const nu = 2 * (n - 1);
  const q = tQuantile(1 - s.alpha / s.tails, nu);
  const tails = noncentralTTails(q, nu, Math.sqrt(n / 2) * (Math.abs(delta) / sd));
  return s.strict && s.tails === 2 ? tails.upper + tails.lower : tails.upper;
}

/**
 * Customers per arm to detect a difference `delta` in a mean whose standard deviation is `sd`, R's power.t.test
 * (two-sample) with n unknown, solved numerically. `normalApproximation` is the textbook 2σ²(z_α + z_β)²/δ², which
 * ignores that σ is estimated and so comes out about one customer short per arm when n is small. As in R, the
 * search starts at n = 2, the smallest sample with a variance; a huge effect gets 2.
 * Throws RangeError on a zero or non-finite delta, a non-positive sd, or alpha/power outside (0, 1).
 */
export function sampleSizeForMeans(design: MeanDesign): SampleSize & { normalApproximation: number } {
  const s = settings(design);
  if (!Number.isFinite(design.delta) || design.delta === 0)
    throw new RangeError(`delta must be a non-zero finite number, got ${design.delta}`);
  if (!(design.sd > 0 && Number.isFinite(design.sd))) throw new RangeError(`sd must be a positive finite number, got ${design.sd}`);
  const za = normalQuantile(1 - s.alpha / s.tails, 0, 1);
  const zb = normalQuantile(s.power, 0, 1);
  const normalApproximation = (2 * design.sd ** 2 * (za + zb) ** 2) / design.delta ** 2;
  const n = solveIncreasing((m) => powerForMeans(m, design.delta, design.sd, design), s.power, 2, normalApproximation + 2);
  return { ...rounded(n), normalApproximation };
}
