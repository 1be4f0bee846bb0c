/**
 * The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves for Customer Base
 * Analysis"; Hardie's note 025). A customer's transaction values are Gamma(p, ν) around their mean p/ν, with
 * ν ~ Gamma(q, γ) across customers (`v` here is γ). It is fitted on customers with repeat purchases, on the number x
 * and mean value z̄ of those purchases, and assumes spend is independent of purchase frequency.
 */
import digamma from '@stdlib/math-base-special-digamma';
import gammaln from '@stdlib/math-base-special-gammaln';
import { AppError } from '../../../../platform/errors.ts';
import { maximizeLogLikelihood, type FitDiagnostics, type FitOptions } from './optimize.ts';

export type GammaGammaParams = { p: number; q: number; v: number };

/** A fitted Gamma-Gamma: the maximum-likelihood parameters and the optimizer's diagnostics. */
export type GammaGammaFit = { params: GammaGammaParams } & FitDiagnostics;

/** A customer's repeat purchases for the spend model: their number x and mean value zbar; `count` customers share it. */
export type SpendPattern = { x: number; zbar: number; count?: number };

const NAMES = ['p', 'q', 'v'] as const;

/**
 * The distinct (x, zbar) of customers with x > 0, with counts: the weights of lifetimes' GammaGammaFitter. Customers
 * without repeat purchases carry no information on spend and are left out.
 */
export function toSpendPatterns(customers: Iterable<{ x: number; zbar: number }>): Required<SpendPattern>[] {
  const byKey = new Map<string, Required<SpendPattern>>();
  for (const c of customers) {
    if (c.x <= 0) continue;
    const key = `${c.x}|${c.zbar}`;
    const p = byKey.get(key);
    if (p) p.count++;
    else byKey.set(key, { x: c.x, zbar: c.zbar, count: 1 });
  }
  return [...byKey.values()].sort((a, b) => a.x - b.x || a.zbar - b.zbar);
}

/**
 * Sum over customers of count × ln f(z̄ | x; p, q, γ), the density of the mean of x values (Hardie's note 025, eq. 3):
 *   lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln z̄ + px ln x − (px+q) ln(γ + x z̄),
 * and into `grad` its derivatives in (p, q, γ).
 */
function logLikelihoodAndGradient(params: GammaGammaParams, data: readonly SpendPattern[], grad?: number[]): number {
  const { p, q, v } = params;
  const lgq = gammaln(q);
  const dgq = grad ? digamma(q) : 0;
  const lnV = Math.log(v);
  let ll = 0;
  let gp = 0;
  let gq = 0;
  let gv = 0;
  for (const d of data) {
    const w = d.count ?? 1;
    const { x, zbar: m } = d;
    const px = p * x;
    const lnM = Math.log(m);
    const lnX = Math.log(x);
    const lnVXM = Math.log(v + x * m);
    ll += w * (gammaln(px + q) - gammaln(px) - lgq + q * lnV + (px - 1) * lnM + px * lnX - (px + q) * lnVXM);
    if (grad) {
      const dgpq = digamma(px + q);
      gp += w * x * (dgpq - digamma(px) + lnM + lnX - lnVXM);
      gq += w * (dgpq - dgq + lnV - lnVXM);
      gv += w * (q / v - (px + q) / (v + x * m));
    }
  }
  if (grad) {
    grad[0] = gp;
    grad[1] = gq;
    grad[2] = gv;
  }
  return ll;
}

function checkSpendData(data: readonly SpendPattern[]): SpendPattern[] {
  const out: SpendPattern[] = [];
  let customers = 0;
  for (let i = 0; i < data.length; i++) {
    const d = data[i]!;
    const count = d.count ?? 1;
    if (!Number.isInteger(d.x) || d.x < 0 || !(d.zbar >= 0) || !Number.isFinite(d.zbar) || !(count >= 0) || !Number.isFinite(count)) {
      throw new AppError('ANALYTICS_INVALID_INPUT', `Gamma-Gamma: customer ${i} is invalid (x a whole number ≥ 0, zbar and count ≥ 0).`, {
        fields: [{ field: `customers[${i}]`, message: 'x must be a whole number ≥ 0, zbar and count finite and ≥ 0' }],
        customer: d,
      });
    }
    if (d.x === 0 || count === 0) continue;
    if (d.zbar === 0) {
      throw new AppError(
        'ANALYTICS_INVALID_INPUT',
        `Gamma-Gamma: customer ${i} has repeat purchases of zero value; the model needs positive spend.`,
        {
          fields: [{ field: `customers[${i}].zbar`, message: 'must be > 0 when x > 0' }],
        },
      );
    }
    customers += count;
    out.push({ x: d.x, zbar: d.zbar, count });
  }
  if (customers === 0) {
    throw new AppError('ANALYTICS_NO_REPEAT_BUYERS', 'Gamma-Gamma: no customer made a repeat purchase, so there is no spend to model.', {
      model: 'Gamma-Gamma',
    });
  }
  if (customers < 2) {
    throw new AppError('ANALYTICS_TOO_FEW_CUSTOMERS', `Gamma-Gamma: ${customers} repeat buyer(s); at least 2 are needed.`, {
      model: 'Gamma-Gamma',
      customers,
    });
  }
  return out;
}

/** The Gamma-Gamma log-likelihood. Customers with x = 0 contribute nothing. */
export function gammaGammaLogLikelihood(params: GammaGammaParams, data: readonly SpendPattern[]): number {
  return logLikelihoodAndGradient(
    params,
    data.filter((d) => d.x > 0),
  );
}

/** The analytic gradient of gammaGammaLogLikelihood with respect to (p, q, v). */
export function gammaGammaGradient(params: GammaGammaParams, data: readonly SpendPattern[]): GammaGammaParams {
  const g = [0, 0, 0];
  logLikelihoodAndGradient(
    params,
    data.filter((d) => d.x > 0),
    g,
  );
  return { p: g[0]!, q: g[1]!, v: g[2]! };
}

/**
 * Fits the Gamma-Gamma by maximum likelihood (BFGS on log-parameters, analytic gradient) on the customers with x > 0;
 * pass summaries or toSpendPatterns(summaries). Starts from p = q = v = 1 unless `start` says otherwise.
 * Throws ANALYTICS_NO_REPEAT_BUYERS, ANALYTICS_TOO_FEW_CUSTOMERS, ANALYTICS_INVALID_INPUT or ANALYTICS_FIT_NOT_CONVERGED.
 */
export function fitGammaGamma(
  data: readonly SpendPattern[],
  options: FitOptions & { start?: Partial<GammaGammaParams> } = {},
): GammaGammaFit {
  const spend = checkSpendData(data);
  const start = { p: 1, q: 1, v: 1, ...options.start };
  const grad = [0, 0, 0];
  const fit = maximizeLogLikelihood(
    'Gamma-Gamma',
    NAMES,
    (u, g) => {
      const params = { p: Math.exp(u[0]!), q: Math.exp(u[1]!), v: Math.exp(u[2]!) };
      const ll = logLikelihoodAndGradient(params, spend, grad);
      g[0] = -grad[0]! * params.p;
      g[1] = -grad[1]! * params.q;
      g[2] = -grad[2]! * params.v;
      return -ll;
    },
    [start.p, start.q, start.v],
    options,
  );
  return { ...fit, params: { p: fit.params[0]!, q: fit.params[1]!, v: fit.params[2]! } };
}

/**
 * E[Z | x, z̄]: the expected mean transaction value of a customer, a weighted average of the population mean pγ/(q−1)
 * and their own mean z̄ (Hardie's note 025, eq. 5): p(γ + x z̄) / (px + q − 1). With x = 0 it is the population mean,
 * which exists only for q > 1.
 */
export function gammaGammaExpectedSpend(params: GammaGammaParams, customer: { x: number; zbar: number }): number {
  const { p, q, v } = params;
  const { x, zbar } = customer;
  return (p * (v + x * zbar)) / (p * x + q - 1);
}
