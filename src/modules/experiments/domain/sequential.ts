// Always-valid inference for an experiment that is looked at while it runs: the mixture sequential probability ratio
// test (mSPRT) of Johari, Koomen, Pekelis & Walsh ("Peeking at A/B tests", KDD 2017; "Always valid inference",
// Operations Research 2022). A fixed-horizon test read every day rejects a true null far more often than its alpha,
// because each look is another chance for noise to cross the line; the mSPRT's p-value and interval stay valid at
// every look, whenever the experiment is stopped. Pure functions over running summaries, no I/O.
import type { BinarySummary, MeanSummary } from './stats.ts';
import { checkConfidence } from './stats.ts';

/**
 * What the test needs from one look at the data: the estimated difference (treated − control) and the variance of
 * that estimate (its squared standard error), both from everything collected so far.
 */
export type SequentialLook = { estimate: number; variance: number };

/**
 * `tau`: standard deviation of the normal mixing distribution over the true difference, in the outcome's units
 * (e.g. 0.01 = one percentage point). The test is valid for any tau; power is best for differences of about that
 * size, so set it to the smallest difference worth detecting. `alpha`: the error rate to control (default 0.05).
 * `nullValue`: the difference under the null hypothesis (default 0).
 */
export type SequentialOptions = { tau: number; alpha?: number; nullValue?: number };

/**
 * The running test. `pValue` is always valid: under the null, the chance it ever falls to alpha or below, at any of
 * the looks, is at most alpha. [`low`, `high`] is the always-valid (1 − alpha) interval for the difference, the
 * intersection of the intervals of all looks so far. `rejected` is pValue ≤ alpha, and stays true once true.
 */
export type SequentialState = {
  tau: number;
  alpha: number;
  nullValue: number;
  looks: number;
  estimate: number | null;
  pValue: number;
  low: number;
  high: number;
  rejected: boolean;
};

/**
 * A fresh test before any data: p-value 1 and the whole real line as the interval. Throws RangeError when tau is not
 * a positive finite number, alpha is not in (0, 1), or nullValue is not finite.
 */
export function startSequentialTest(options: SequentialOptions): SequentialState {
  const alpha = options.alpha ?? 0.05;
  const nullValue = options.nullValue ?? 0;
  if (!(options.tau > 0 && Number.isFinite(options.tau))) throw new RangeError(`tau must be a positive finite number, got ${options.tau}`);
  checkConfidence(alpha, 'alpha');
  if (!Number.isFinite(nullValue)) throw new RangeError(`nullValue must be a finite number, got ${nullValue}`);
  return {
    tau: options.tau,
    alpha,
    nullValue,
    looks: 0,
    estimate: null,
    pValue: 1,
    low: Number.NEGATIVE_INFINITY,
    high: Number.POSITIVE_INFINITY,
    rejected: false,
  };
}

/**
 * log Λ, the log of the mixture likelihood ratio of a normal estimate d with variance V against the null θ0, mixing
 * over θ ~ N(θ0, τ²): Λ = √(V / (V + τ²)) · exp(τ² (d − θ0)² / (2V (V + τ²))). Logs, because Λ overflows once the
 * evidence is strong.
 */
export function logMixtureLikelihoodRatio(look: SequentialLook, nullValue: number, tau: number): number {
  const v = look.variance;
  const t2 = tau * tau;
  const d = look.estimate - nullValue;
  return 0.5 * Math.log(v / (v + t2)) + (t2 * d * d) / (2 * v * (v + t2));
}

/**
 * Half-width of this look's (1 − alpha) mSPRT interval around the estimate: the θ0 for which Λ < 1/alpha,
 * |d − θ0| < √(2V (V + τ²) / τ² · (log(1/alpha) + ½ log((V + τ²) / V))).
 */
function halfWidth(v: number, tau: number, alpha: number): number {
  const t2 = tau * tau;
  return Math.sqrt(((2 * v * (v + t2)) / t2) * (Math.log(1 / alpha) + 0.5 * Math.log((v + t2) / v)));
}

/**
 * The test after one more look. The p-value is the running minimum of 1/Λ and the interval the running intersection,
 * which is what keeps both valid under continuous monitoring. A look whose variance is 0 (e.g. no successes yet in
 * either arm) carries no usable information and leaves the test unchanged apart from the count of looks. The
 * intersection can come out empty only when the looks contradict each other beyond the model; it is then reported as
 * it is (low > high) rather than papered over. Throws RangeError on a non-finite estimate or a negative or non-finite
 * variance.
 */
export function updateSequentialTest(state: SequentialState, look: SequentialLook): SequentialState {
  if (!Number.isFinite(look.estimate)) throw new RangeError(`look.estimate must be a finite number, got ${look.estimate}`);
  if (!(look.variance >= 0 && Number.isFinite(look.variance))) {
    throw new RangeError(`look.variance must be a non-negative finite number, got ${look.variance}`);
  }
  const looks = state.looks + 1;
  if (look.variance === 0) return { ...state, looks, estimate: look.estimate };
  const logLambda = logMixtureLikelihoodRatio(look, state.nullValue, state.tau);
  const pValue = Math.min(state.pValue, Math.min(1, Math.exp(-logLambda)));
  const half = halfWidth(look.variance, state.tau, state.alpha);
  return {
    ...state,
    looks,
    estimate: look.estimate,
    pValue,
    low: Math.max(state.low, look.estimate - half),
    high: Math.min(state.high, look.estimate + half),
    rejected: pValue <= state.alpha,
  };
}

/** The test after a sequence of looks, in order: {@link startSequentialTest} folded with {@link updateSequentialTest}. */
export function runSequentialTest(looks: readonly SequentialLook[], options: SequentialOptions): SequentialState {
  return looks.reduce(updateSequentialTest, startSequentialTest(options));
}

/**
 * A look at the difference of two proportions from running counts: p_t − p_c with variance
 * p_t(1 − p_t)/n_t + p_c(1 − p_c)/n_c. Throws RangeError when an arm has no customers or more successes than customers.
 */
export function proportionLook(treated: BinarySummary, control: BinarySummary): SequentialLook {
  for (const [name, s] of [
    ['treated', treated],
    ['control', control],
  ] as const) {
    if (!(Number.isInteger(s.n) && s.n > 0)) throw new RangeError(`${name}.n must be a positive integer, got ${s.n}`);
    if (!(Number.isInteger(s.successes) && s.successes >= 0 && s.successes <= s.n)) {
      throw new RangeError(`${name}.successes must be an integer from 0 to ${name}.n, got ${s.successes}`);
    }
  }
  const pt = treated.successes / treated.n;
  const pc = control.successes / control.n;
  return { estimate: pt - pc, variance: (pt * (1 - pt)) / treated.n + (pc * (1 - pc)) / control.n };
}

/**
 * A look at the difference of two means from running summaries: mean_t − mean_c with variance
 * var_t/n_t + var_c/n_c. Each arm needs n ≥ 2 (a variance needs two values); RangeError otherwise.
 */
export function meanLook(treated: MeanSummary, control: MeanSummary): SequentialLook {
  for (const [name, s] of [
    ['treated', treated],
    ['control', control],
  ] as const) {
    if (!(Number.isInteger(s.n) && s.n >= 2)) throw new RangeError(`${name}.n must be an integer of at least 2, got ${s.n}`);
    if (!(Number.isFinite(s.mean) && Number.isFinite(s.variance) && s.variance >= 0)) {
      throw new RangeError(`${name} must have a finite mean and a non-negative finite variance`);
    }
  }
  return { estimate: treated.mean - control.mean, variance: treated.variance / treated.n + control.variance / control.n };
}
