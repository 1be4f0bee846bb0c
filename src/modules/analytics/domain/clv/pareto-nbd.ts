/**
 * The Pareto/NBD model of Schmittlein, Morrison & Colombo (1987), in the formulation of Fader & Hardie (2005), "A Note
 * on Deriving the Pareto/NBD Model and Related Expressions". While alive a customer buys at a Poisson rate
 * λ ~ Gamma(r, α); their lifetime is exponential with rate μ ~ Gamma(s, β). Times are in the unit of the summaries.
 */
import { logHyp2f1 } from './hypergeometric.ts';
import { maximizeLogLikelihood, withNumericGradient, type FitDiagnostics, type FitOptions } from './optimize.ts';
import { checkFrequencyData, type PatternLike } from './summary.ts';
import type { Rfm } from './bg-nbd.ts';

export type ParetoNbdParams = { r: number; alpha: number; s: number; beta: number };

/** A fitted Pareto/NBD: the maximum-likelihood parameters and the optimizer's diagnostics. */
export type ParetoNbdFit = { params: ParetoNbdParams } & FitDiagnostics;

const NAMES = ['r', 'alpha', 's', 'beta'] as const;

/** lnΓ(c + x) − lnΓ(c) for whole x ≥ 0, by the recurrence. */
function lnRising(c: number, x: number): number {
  let s = 0;
  for (let k = 0; k < x; k++) s += Math.log(c + k);
  return s;
}

/**
 * ln A₀ of Fader & Hardie's note (eq. 19–20). With m = max(α, β), k = r+s+x, and b₂ = s+1 when α ≥ β, r+x otherwise:
 *   A₀ = ₂F₁(k, b₂; k+1; |α−β|/(m+t_x)) / (m+t_x)^k − ₂F₁(k, b₂; k+1; |α−β|/(m+T)) / (m+T)^k.
 * Choosing the branch by the larger of α and β keeps the argument in [0, 1), where the series converges.
 */
function logA0(p: ParetoNbdParams, c: Rfm): number {
  const { r, alpha, s, beta } = p;
  const { x, tx, T } = c;
  const k = r + s + x;
  const m = Math.max(alpha, beta);
  const d = Math.abs(alpha - beta);
  const b2 = alpha >= beta ? s + 1 : r + x;
  const l1 = logHyp2f1(k, b2, k + 1, d / (m + tx)) - k * Math.log(m + tx);
  const l2 = logHyp2f1(k, b2, k + 1, d / (m + T)) - k * Math.log(m + T);
  // A₀ ≥ 0, and 0 when t_x = T; rounding may put l2 a hair above l1.
  return l2 >= l1 ? Number.NEGATIVE_INFINITY : l1 + Math.log1p(-Math.exp(l2 - l1));
}

/** ln of the two terms of the likelihood's bracket: the customer alive at T, and died in (t_x, T]. */
function logTerms(p: ParetoNbdParams, c: Rfm): { alive: number; died: number } {
  const { r, alpha, s, beta } = p;
  return {
    alive: -(r + c.x) * Math.log(alpha + c.T) - s * Math.log(beta + c.T),
    died: Math.log(s / (r + s + c.x)) + logA0(p, c),
  };
}

function logAddExp(u: number, v: number): number {
  const m = Math.max(u, v);
  if (m === Number.NEGATIVE_INFINITY) return m;
  return m + Math.log(Math.exp(u - m) + Math.exp(v - m));
}

/**
 * The Pareto/NBD log-likelihood of the data (patterns with counts, or one summary per customer):
 *   ln L = lnΓ(r+x) − lnΓ(r) + r ln α + s ln β + ln[ (α+T)^−(r+x) (β+T)^−s + s/(r+s+x) · A₀ ].
 */
export function paretoNbdLogLikelihood(params: ParetoNbdParams, data: readonly PatternLike[]): number {
  const { r, alpha, s, beta } = params;
  const base = r * Math.log(alpha) + s * Math.log(beta);
  let ll = 0;
  for (const d of data) {
    const t = logTerms(params, d);
    ll += (d.count ?? 1) * (lnRising(r, d.x) + base + logAddExp(t.alive, t.died));
  }
  return ll;
}

const toParams = (v: readonly number[]): ParetoNbdParams => ({ r: v[0]!, alpha: v[1]!, s: v[2]!, beta: v[3]! });

/**
 * Fits the Pareto/NBD by maximum likelihood: BFGS on log-parameters over patterns, with a central-difference gradient
 * (the hypergeometric terms have no cheap analytic derivative in their parameters). Starts from r = α = s = β = 1
 * unless `start` says otherwise. Throws like fitBgNbd.
 */
export function fitParetoNbd(data: readonly PatternLike[], options: FitOptions & { start?: Partial<ParetoNbdParams> } = {}): ParetoNbdFit {
  const patterns = checkFrequencyData('Pareto/NBD', data);
  const start = { r: 1, alpha: 1, s: 1, beta: 1, ...options.start };
  const fit = maximizeLogLikelihood(
    'Pareto/NBD',
    NAMES,
    withNumericGradient((u) => -paretoNbdLogLikelihood(toParams(u.map(Math.exp)), patterns)),
    [start.r, start.alpha, start.s, start.beta],
    { gradientTolerance: 1e-8, ...options },
  );
  return { ...fit, params: toParams(fit.params) };
}

/** P(alive | x, t_x, T) = 1 / [1 + s/(r+s+x) · (α+T)^(r+x) (β+T)^s · A₀]. */
export function paretoNbdProbabilityAlive(params: ParetoNbdParams, customer: Rfm): number {
  const t = logTerms(params, customer);
  return 1 / (1 + Math.exp(t.died - t.alive));
}

/**
 * E[X(t)] for a new customer: rβ / (α(s−1)) · [1 − (β/(β+t))^(s−1)] (rβ/α · ln(1 + t/β) when s = 1).
 */
export function paretoNbdExpectedTransactions(params: ParetoNbdParams, t: number): number {
  const { r, alpha, s, beta } = params;
  if (t <= 0) return 0;
  return ((r * beta) / alpha) * lifetimeFactor(s, beta, t);
}

/** ∫₀ᵗ P(alive at τ) dτ / β for μ ~ Gamma(s, β): [1 − (β/(β+t))^(s−1)] / (s−1), with its limit at s = 1. */
function lifetimeFactor(s: number, beta: number, t: number): number {
  if (Math.abs(s - 1) < 1e-9) return Math.log1p(t / beta);
  return -Math.expm1((s - 1) * Math.log(beta / (beta + t))) / (s - 1);
}

/**
 * E[Y(t) | x, t_x, T] = P(alive | x, t_x, T) · (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)]
 * (Fader & Hardie's note, eq. 22).
 */
export function paretoNbdConditionalExpectedTransactions(params: ParetoNbdParams, t: number, customer: Rfm): number {
  const { r, alpha, s, beta } = params;
  const { x, T } = customer;
  if (t <= 0) return 0;
  return (paretoNbdProbabilityAlive(params, customer) * (r + x) * (beta + T) * lifetimeFactor(s, beta + T, t)) / (alpha + T);
}
