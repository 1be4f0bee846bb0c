// Confidence intervals for an experiment's arms and for the difference between two arms: proportions (Wilson,
// Newcombe, Wald), means (Student t, Welch) and a seeded percentile bootstrap. Pure functions, no I/O.
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A point estimate with the two ends of its confidence interval. */
export type Interval = { estimate: number; low: number; high: number };

/** A mean difference with its Welch–Satterthwaite degrees of freedom and standard error. */
export type WelchInterval = Interval & { df: number; standardError: number };

/** A single mean with its Student t interval. */
export type MeanInterval = Interval & { df: number; standardError: number };

/** Summary of a numeric outcome: count, mean and sample variance (divisor n − 1). */
export type MeanSummary = { n: number; mean: number; variance: number };

/** Summary of a 0/1 outcome: how many customers, and how many of them had a 1. */
export type BinarySummary = { n: number; successes: number };

/** Options of the percentile bootstrap. The seed is required so that a report can be reproduced to the digit. */
export type BootstrapOptions = { seed: number; reps?: number; confidence?: number };

/** Replicates when the caller does not say: enough for 95% percentile ends to settle at the third significant digit. */
export const DEFAULT_BOOTSTRAP_REPS = 2000;

/** Throws RangeError unless `confidence` is strictly between 0 and 1. */
export function checkConfidence(confidence: number, name = 'confidence'): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`${name} must be strictly between 0 and 1, got ${confidence}`);
}

function checkCount(value: number, name: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${value}`);
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}

function checkTrials(successes: number, n: number, successesName: string, nName: string): void {
  checkCount(n, nName);
  if (n <= 0) throw new RangeError(`${nName} must be positive, got ${n}`);
  checkCount(successes, successesName);
  if (successes > n) throw new RangeError(`${successesName} (${successes}) must not exceed ${nName} (${n})`);
}

function checkFinite(value: number, name: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${value}`);
}

/** The two-sided standard normal critical value: z with P(|Z| ≤ z) = confidence. */
export function zCritical(confidence: number): number {
  checkConfidence(confidence);
  return normalQuantile(1 - (1 - confidence) / 2, 0, 1);
}

/**
 * Wilson score interval for a proportion (Wilson 1927), without continuity correction. Unlike the Wald interval it
 * stays inside [0, 1] and keeps its coverage near 0 and 1, which matters for conversion rates of a few percent.
 * Throws RangeError when n ≤ 0, successes > n, a count is not a non-negative integer, or confidence is not in (0, 1).
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): Interval {
  checkTrials(successes, n, 'successes', 'n');
  const z = zCritical(confidence);
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 or n successes one end is exactly 0 or 1; the formula gets there only up to rounding.
  return { estimate: p, low: successes === 0 ? 0 : centre - half, high: successes === n ? 1 : centre + half };
}

/**
 * Wald (normal approximation) interval for a proportion: p ± z·√(p(1−p)/n). Known to undercover for small n or p
 * near 0 or 1; kept because published figures often use it. Same validation as {@link wilsonInterval}.
 */
export function waldInterval(successes: number, n: number, confidence = 0.95): Interval {
  checkTrials(successes, n, 'successes', 'n');
  const z = zCritical(confidence);
  const p = successes / n;
  const half = z * Math.sqrt((p * (1 - p)) / n);
  return { estimate: p, low: p - half, high: p + half };
}

/**
 * Difference of two proportions p1 − p2 (arm 1 minus arm 2) with Newcombe's hybrid score interval (Newcombe 1998,
 * "Interval estimation for the difference between independent proportions", method 10), built from the two arms'
 * Wilson intervals (l1, u1), (l2, u2): low = d − √((p1−l1)² + (u2−p2)²), high = d + √((u1−p1)² + (p2−l2)²).
 * Throws RangeError on invalid counts or confidence, naming the argument.
 */
export function newcombeDifference(x1: number, n1: number, x2: number, n2: number, confidence = 0.95): Interval {
  checkTrials(x1, n1, 'x1', 'n1');
  checkTrials(x2, n2, 'x2', 'n2');
  const a = wilsonInterval(x1, n1, confidence);
  const b = wilsonInterval(x2, n2, confidence);
  const d = a.estimate - b.estimate;
  return {
    estimate: d,
    low: d - Math.hypot(a.estimate - a.low, b.high - b.estimate),
    high: d + Math.hypot(a.high - a.estimate, b.estimate - b.low),
  };
}

/**
 * Difference of two proportions p1 − p2 with the Wald (unpooled normal approximation) interval:
 * d ± z·√(p1(1−p1)/n1 + p2(1−p2)/n2). Same validation as {@link newcombeDifference}.
 */
export function waldDifference(x1: number, n1: number, x2: number, n2: number, confidence = 0.95): Interval {
  checkTrials(x1, n1, 'x1', 'n1');
  checkTrials(x2, n2, 'x2', 'n2');
  const z = zCritical(confidence);
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const half = z * Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  return { estimate: p1 - p2, low: p1 - p2 - half, high: p1 - p2 + half };
}

function checkSummary(s: MeanSummary, name: string, minN: number): void {
  checkCount(s.n, `${name}.n`);
  if (s.n < minN) throw new RangeError(`${name}.n must be at least ${minN}, got ${s.n}`);
  checkFinite(s.mean, `${name}.mean`);
  checkFinite(s.variance, `${name}.variance`);
  if (s.variance < 0) throw new RangeError(`${name}.variance must not be negative, got ${s.variance}`);
}

/**
 * Welch–Satterthwaite degrees of freedom of the difference of two means: (va/na + vb/nb)² /
 * ((va/na)²/(na−1) + (vb/nb)²/(nb−1)). When both variances are zero the ratio is 0/0; the pooled na + nb − 2 is
 * returned then, which does not matter because the standard error is zero too.
 */
export function welchDegreesOfFreedom(a: MeanSummary, b: MeanSummary): number {
  const wa = a.variance / a.n;
  const wb = b.variance / b.n;
  const denominator = (wa * wa) / (a.n - 1) + (wb * wb) / (b.n - 1);
  return denominator > 0 ? ((wa + wb) * (wa + wb)) / denominator : a.n + b.n - 2;
}

/**
 * Difference of two means a − b with Welch's unequal-variance t interval (Welch–Satterthwaite degrees of freedom).
 * Each summary needs n ≥ 2 (a variance needs two values), a finite mean and a non-negative finite variance;
 * otherwise RangeError naming the argument ('a.n', 'b.variance', …).
 */
export function welchDifference(a: MeanSummary, b: MeanSummary, confidence = 0.95): WelchInterval {
  checkSummary(a, 'a', 2);
  checkSummary(b, 'b', 2);
  checkConfidence(confidence);
  const standardError = Math.sqrt(a.variance / a.n + b.variance / b.n);
  const df = welchDegreesOfFreedom(a, b);
  const t = tQuantile(1 - (1 - confidence) / 2, df);
  const d = a.mean - b.mean;
  return { estimate: d, low: d - t * standardError, high: d + t * standardError, df, standardError };
}

/** A single mean with its Student t interval on n − 1 degrees of freedom. Needs n ≥ 2; RangeError otherwise. */
export function meanInterval(summary: MeanSummary, confidence = 0.95): MeanInterval {
  checkSummary(summary, 'summary', 2);
  checkConfidence(confidence);
  const df = summary.n - 1;
  const standardError = Math.sqrt(summary.variance / summary.n);
  const t = tQuantile(1 - (1 - confidence) / 2, df);
  return { estimate: summary.mean, low: summary.mean - t * standardError, high: summary.mean + t * standardError, df, standardError };
}

/**
 * Count, mean and sample variance (n − 1) in one pass with Welford's update, which does not lose precision the way
 * Σx² − n·x̄² does when the mean is large against the spread (e.g. spend in kopecks). An empty input gives mean and
 * variance NaN, a single value variance NaN: neither is defined, and a made-up 0 would pass for a measurement.
 * Throws RangeError on a non-finite value, naming its index.
 */
export function summarize(values: ArrayLike<number>): MeanSummary {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (!Number.isFinite(x)) throw new RangeError(`values[${i}] must be a finite number, got ${x}`);
    n += 1;
    const delta = x - mean;
    mean += delta / n;
    m2 += delta * (x - mean);
  }
  return { n, mean: n > 0 ? mean : NaN, variance: n > 1 ? m2 / (n - 1) : NaN };
}

/**
 * Merges two summaries as if their values had been summarized together (Chan, Golub & LeVeque's parallel update),
 * so per-day or per-shard summaries can be combined without the raw values. Empty summaries are neutral.
 */
export function mergeSummaries(a: MeanSummary, b: MeanSummary): MeanSummary {
  if (a.n === 0) return { ...b };
  if (b.n === 0) return { ...a };
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  const m2a = a.n > 1 ? a.variance * (a.n - 1) : 0;
  const m2b = b.n > 1 ? b.variance * (b.n - 1) : 0;
  const m2 = m2a + m2b + (delta * delta * a.n * b.n) / n;
  return { n, mean: a.mean + (delta * b.n) / n, variance: n > 1 ? m2 / (n - 1) : NaN };
}

/** Counts of a 0/1 outcome. Throws RangeError naming the index of any value other than 0 or 1. */
export function summarizeBinary(values: ArrayLike<number>): BinarySummary {
  let successes = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x === 1) successes += 1;
    else if (x !== 0) throw new RangeError(`values[${i}] must be 0 or 1, got ${x}`);
  }
  return { n: values.length, successes };
}

/**
 * The mean summary of a 0/1 outcome from its counts: mean p and sample variance n·p(1−p)/(n−1), exactly what
 * {@link summarize} gives on the expanded values, so binary arms can go through the mean-based code (e.g. Welch).
 */
export function binaryToMeanSummary(s: BinarySummary): MeanSummary {
  checkTrials(s.successes, s.n, 'successes', 'n');
  const p = s.successes / s.n;
  return { n: s.n, mean: p, variance: s.n > 1 ? (s.n * p * (1 - p)) / (s.n - 1) : NaN };
}

/** R's default (type 7) quantile of sorted values: linear interpolation between order statistics. */
function sortedQuantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return a + (h - lo) * (b - a);
}

function checkSample(values: ArrayLike<number>, name: string): void {
  if (values.length < 1) throw new RangeError(`${name} must not be empty`);
  for (let i = 0; i < values.length; i++) checkFinite(values[i] as number, `${name}[${i}]`);
}

function checkBootstrapOptions(options: BootstrapOptions): { reps: number; confidence: number } {
  const reps = options.reps ?? DEFAULT_BOOTSTRAP_REPS;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(reps) || reps < 2) throw new RangeError(`reps must be an integer of at least 2, got ${reps}`);
  if (!Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be a safe integer, got ${options.seed}`);
  checkConfidence(confidence);
  return { reps, confidence };
}

function resampledMean(values: ArrayLike<number>, rng: ReturnType<typeof xoroshiro128plus>): number {
  const last = values.length - 1;
  let sum = 0;
  for (let i = 0; i <= last; i++) sum += values[uniformInt(rng, 0, last)] as number;
  return sum / values.length;
}

function percentileInterval(estimate: number, replicates: Float64Array, confidence: number): Interval {
  replicates.sort();
  const tail = (1 - confidence) / 2;
  return { estimate, low: sortedQuantile(replicates, tail), high: sortedQuantile(replicates, 1 - tail) };
}

function plainMean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/**
 * Percentile bootstrap interval of mean(a) − mean(b): each replicate resamples both arms with replacement, at their
 * own sizes; the ends are the type-7 quantiles of the replicates. Deterministic for a given seed (xoroshiro128+).
 * Throws RangeError on an empty arm, a non-finite value, reps < 2, a seed that is not a safe integer, or a bad confidence.
 */
export function bootstrapDifference(a: ArrayLike<number>, b: ArrayLike<number>, options: BootstrapOptions): Interval {
  checkSample(a, 'a');
  checkSample(b, 'b');
  const { reps, confidence } = checkBootstrapOptions(options);
  const rng = xoroshiro128plus(options.seed);
  const replicates = new Float64Array(reps);
  for (let r = 0; r < reps; r++) replicates[r] = resampledMean(a, rng) - resampledMean(b, rng);
  return percentileInterval(plainMean(a) - plainMean(b), replicates, confidence);
}

/** Percentile bootstrap interval of a single mean; same resampling, seeding and validation as {@link bootstrapDifference}. */
export function bootstrapMean(values: ArrayLike<number>, options: BootstrapOptions): Interval {
  checkSample(values, 'values');
  const { reps, confidence } = checkBootstrapOptions(options);
  const rng = xoroshiro128plus(options.seed);
  const replicates = new Float64Array(reps);
  for (let r = 0; r < reps; r++) replicates[r] = resampledMean(values, rng);
  return percentileInterval(plainMean(values), replicates, confidence);
}
