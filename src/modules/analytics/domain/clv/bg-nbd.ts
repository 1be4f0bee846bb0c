/**
 * The BG/NBD model of Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2).
 * While alive a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase they drop out with probability
 * p ~ Beta(a, b). Times are in the unit of the summaries (days or weeks); α is in that unit too.
 */
import hyp2f1 from '@stdlib/math-base-special-hyp2f1';
import { maximizeLogLikelihood, type FitDiagnostics, type FitOptions } from './optimize.ts';
import { checkFrequencyData, type PatternLike } from './summary.ts';

export type BgNbdParams = { r: number; alpha: number; a: number; b: number };

/** A fitted BG/NBD: the maximum-likelihood parameters and the optimizer's diagnostics. */
export type BgNbdFit = { params: BgNbdParams } & FitDiagnostics;

/** A customer's calibration statistics, as in CustomerSummary. */
export type Rfm = { x: number; tx: number; T: number };

const NAMES = ['r', 'alpha', 'a', 'b'] as const;

/**
 * For whole x, lnΓ(c+x) − lnΓ(c) = Σ_{k<x} ln(c+k) and ψ(c+x) − ψ(c) = Σ_{k<x} 1/(c+k). Exact recurrences, cheaper
 * than special functions, and shared by all patterns of the same x: tables indexed by x.
 */
function risingTables(c: number, maxX: number): { lg: Float64Array; dg: Float64Array } {
  const lg = new Float64Array(maxX + 1);
  const dg = new Float64Array(maxX + 1);
  for (let k = 0; k < maxX; k++) {
    lg[k + 1] = lg[k]! + Math.log(c + k);
    dg[k + 1] = dg[k]! + 1 / (c + k);
  }
  return { lg, dg };
}

/**
 * Sum over patterns of count × the log-likelihood of one customer (FHL 2005, eq. 6), and into `grad` (when given)
 * its derivatives with respect to (r, α, a, b):
 *   ln L = lnΓ(r+x) − lnΓ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
 *          + ln[ (α+T)^−(r+x) + 1{x>0} a/(b+x−1) (α+t_x)^−(r+x) ].
 */
function logLikelihoodAndGradient(p: BgNbdParams, data: readonly PatternLike[], grad?: number[]): number {
  const { r, alpha, a, b } = p;
  let maxX = 0;
  for (const d of data) if (d.x > maxX) maxX = d.x;
  const R = risingTables(r, maxX);
  const B = risingTables(b, maxX);
  const AB = risingTables(a + b, maxX);
  const lnAlpha = Math.log(alpha);
  const lnA = Math.log(a);
  let ll = 0;
  let gr = 0;
  let gAlpha = 0;
  let ga = 0;
  let gb = 0;
  for (const d of data) {
    const w = d.count ?? 1;
    const { x, tx, T } = d;
    const rx = r + x;
    const lnAT = Math.log(alpha + T);
    const a1 = R.lg[x]! + r * lnAlpha;
    const a2 = B.lg[x]! - AB.lg[x]!;
    const a3 = -rx * lnAT;
    let l3 = a3;
    // Weights of the two terms of the bracket, which sum to 1.
    let w3 = 1;
    let w4 = 0;
    let lnAtx = 0;
    if (x > 0) {
      lnAtx = Math.log(alpha + tx);
      const a4 = lnA - Math.log(b + x - 1) - rx * lnAtx;
      const m = Math.max(a3, a4);
      const e3 = Math.exp(a3 - m);
      const e4 = Math.exp(a4 - m);
      l3 = m + Math.log(e3 + e4);
      w3 = e3 / (e3 + e4);
      w4 = e4 / (e3 + e4);
    }
    ll += w * (a1 + a2 + l3);
    if (grad) {
      gr += w * (R.dg[x]! + lnAlpha - w3 * lnAT - w4 * lnAtx);
      gAlpha += w * (r / alpha - w3 * (rx / (alpha + T)) - (x > 0 ? w4 * (rx / (alpha + tx)) : 0));
      ga += w * (-AB.dg[x]! + (x > 0 ? w4 / a : 0));
      gb += w * (B.dg[x]! - AB.dg[x]! - (x > 0 ? w4 / (b + x - 1) : 0));
    }
  }
  if (grad) {
    grad[0] = gr;
    grad[1] = gAlpha;
    grad[2] = ga;
    grad[3] = gb;
  }
  return ll;
}

/** The BG/NBD log-likelihood of the data (patterns with counts, or one summary per customer). */
export function bgNbdLogLikelihood(params: BgNbdParams, data: readonly PatternLike[]): number {
  return logLikelihoodAndGradient(params, data);
}

/** The analytic gradient of bgNbdLogLikelihood with respect to (r, α, a, b). */
export function bgNbdGradient(params: BgNbdParams, data: readonly PatternLike[]): BgNbdParams {
  const g = [0, 0, 0, 0];
  logLikelihoodAndGradient(params, data, g);
  return { r: g[0]!, alpha: g[1]!, a: g[2]!, b: g[3]! };
}

const toParams = (v: readonly number[]): BgNbdParams => ({ r: v[0]!, alpha: v[1]!, a: v[2]!, b: v[3]! });

/**
 * Fits the BG/NBD by maximum likelihood: BFGS on log-parameters with the analytic gradient, over patterns (see
 * toPatterns). Starts from r = α = a = b = 1 unless `start` says otherwise.
 *
 * Throws ANALYTICS_EMPTY_CALIBRATION, ANALYTICS_TOO_FEW_CUSTOMERS or ANALYTICS_NO_REPEAT_BUYERS on degenerate data,
 * ANALYTICS_INVALID_INPUT on a malformed pattern, and ANALYTICS_FIT_NOT_CONVERGED when the optimizer does not converge.
 */
export function fitBgNbd(data: readonly PatternLike[], options: FitOptions & { start?: Partial<BgNbdParams> } = {}): BgNbdFit {
  const patterns = checkFrequencyData('BG/NBD', data);
  const start = { r: 1, alpha: 1, a: 1, b: 1, ...options.start };
  const grad = [0, 0, 0, 0];
  const fit = maximizeLogLikelihood(
    'BG/NBD',
    NAMES,
    (u, g) => {
      const p = toParams(u.map(Math.exp));
      const ll = logLikelihoodAndGradient(p, patterns, grad);
      // Chain rule for θ = e^u, and minus for minimization.
      g[0] = -grad[0]! * p.r;
      g[1] = -grad[1]! * p.alpha;
      g[2] = -grad[2]! * p.a;
      g[3] = -grad[3]! * p.b;
      return -ll;
    },
    [start.r, start.alpha, start.a, start.b],
    options,
  );
  return { ...fit, params: toParams(fit.params) };
}

/**
 * E[X(t)]: the expected number of repeat purchases of a new customer in the t units after their first purchase
 * (FHL 2005, eq. 9): (a+b−1)/(a−1) · [1 − (α/(α+t))^r · ₂F₁(r, b; a+b−1; t/(α+t))].
 */
export function bgNbdExpectedTransactions(params: BgNbdParams, t: number): number {
  const { r, alpha, a, b } = params;
  if (t <= 0) return 0;
  const z = t / (alpha + t);
  return ((a + b - 1) / (a - 1)) * (1 - Math.pow(alpha / (alpha + t), r) * hyp2f1(r, b, a + b - 1, z));
}

/**
 * P(alive | x, t_x, T): the probability that a customer with this history has not dropped out by T (FHL 2005 note
 * "Computing P(alive)"): 1 / [1 + 1{x>0} a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)].
 */
export function bgNbdProbabilityAlive(params: BgNbdParams, customer: Rfm): number {
  const { r, alpha, a, b } = params;
  const { x, tx, T } = customer;
  if (x === 0) return 1;
  return 1 / (1 + (a / (b + x - 1)) * Math.exp((r + x) * Math.log((alpha + T) / (alpha + tx))));
}

/**
 * E[Y(t) | x, t_x, T]: the expected number of purchases in the t units after T of a customer with this history
 * (FHL 2005, eq. 10):
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive | x, t_x, T).
 */
export function bgNbdConditionalExpectedTransactions(params: BgNbdParams, t: number, customer: Rfm): number {
  const { r, alpha, a, b } = params;
  const { x, T } = customer;
  if (t <= 0) return 0;
  const z = t / (alpha + T + t);
  const bracket = 1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z);
  return ((a + b + x - 1) / (a - 1)) * bracket * bgNbdProbabilityAlive(params, customer);
}

/** The expected repeat purchases of a cohort per period, from its first period on. */
export type CohortForecast = {
  /** Expected repeat purchases of the whole cohort in period k (index k−1). */
  incremental: number[];
  /** Expected repeat purchases of the whole cohort from the origin to the end of period k (index k−1). */
  cumulative: number[];
};

/**
 * The expected repeat purchases of a cohort in each of `periods` consecutive periods of `periodLength` units, for
 * tracking plots of actual against expected (the BTYD walkthrough's weekly tracking).
 *
 * Period k covers (origin + (k−1)·periodLength, origin + k·periodLength]. The origin is `originT` units before the
 * calibration end; by default the largest T, i.e. the day of the cohort's earliest first purchase (as in BTYD's
 * bgnbd.ExpectedCumulativeTransactions). A customer with calibration age T was born `originT − T` units after the
 * origin and contributes E[X(end − birth)] up to the end of each period: the cohort forecast uses the unconditional
 * expectation, not the customers' histories. Customers can be patterns (T with a count) or summaries.
 */
export function bgNbdExpectedCohortTransactions(
  params: BgNbdParams,
  customers: readonly { T: number; count?: number }[],
  options: { periods: number; periodLength?: number; originT?: number },
): CohortForecast {
  const len = options.periodLength ?? 1;
  const originT = options.originT ?? customers.reduce((m, c) => Math.max(m, c.T), 0);
  // Group by birth time: E[X] is evaluated once per distinct birth and period.
  const births = new Map<number, number>();
  for (const c of customers) births.set(originT - c.T, (births.get(originT - c.T) ?? 0) + (c.count ?? 1));
  const cumulative: number[] = [];
  const incremental: number[] = [];
  for (let k = 1; k <= options.periods; k++) {
    const end = k * len;
    let sum = 0;
    for (const [birth, n] of births) if (end > birth) sum += n * bgNbdExpectedTransactions(params, end - birth);
    incremental.push(sum - (cumulative[k - 2] ?? 0));
    cumulative.push(sum);
  }
  return { incremental, cumulative };
}
