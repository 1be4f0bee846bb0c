import { AppError } from '../../../../platform/errors.ts';

/**
 * A small BFGS minimizer with a backtracking (Armijo) line search, for maximum likelihood over 3–4 log-parameters.
 *
 * Why hand-written: the maintained JavaScript options do not fit. fmin's conjugateGradient has a hard-coded absolute
 * gradient tolerance (1e-5), returns its last iterate without saying whether it converged, and silently resets when
 * its line search fails; its 0.0.4 release does not even load as an ES module. ml-levenberg-marquardt fits curves
 * (least squares), not likelihoods; numeric's uncmin is unmaintained since 2012. BFGS converges here in 20–40
 * iterations, and the caller needs a convergence verdict with diagnostics rather than a silently wrong answer.
 */

/** The objective: returns f(u) and writes ∇f(u) into `grad`. May return a non-finite value outside its domain. */
export type Objective = (u: readonly number[], grad: number[]) => number;

export type MinimizeOptions = {
  /** Iteration cap (default 200). */
  maxIterations?: number;
  /** Converged when max |∂f/∂uᵢ| ≤ gradientTolerance × max(1, |f|) (default 1e-9). */
  gradientTolerance?: number;
};

export type MinimizeResult = {
  u: number[];
  f: number;
  gradient: number[];
  /** max |∂f/∂uᵢ| at `u`. */
  gradientNorm: number;
  iterations: number;
  /** Objective evaluations, line search included. */
  evaluations: number;
  converged: boolean;
  /** Why the iteration stopped: 'gradient' (converged), 'no-progress', 'max-iterations', 'non-finite-start'. */
  reason: 'gradient' | 'no-progress' | 'max-iterations' | 'non-finite-start';
};

const maxAbs = (v: readonly number[]) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** Minimizes f from u0 by BFGS. Never throws: the result says whether, and why not, it converged. */
export function minimizeBfgs(f: Objective, u0: readonly number[], options: MinimizeOptions = {}): MinimizeResult {
  const n = u0.length;
  const maxIterations = options.maxIterations ?? 200;
  const tol = options.gradientTolerance ?? 1e-9;
  let u = [...u0];
  let g = new Array<number>(n).fill(0);
  let fu = f(u, g);
  let evaluations = 1;
  const result = (iterations: number, converged: boolean, reason: MinimizeResult['reason']): MinimizeResult => ({
    u,
    f: fu,
    gradient: g,
    gradientNorm: maxAbs(g),
    iterations,
    evaluations,
    converged,
    reason,
  });
  if (!Number.isFinite(fu) || !g.every(Number.isFinite)) return result(0, false, 'non-finite-start');

  // Inverse Hessian approximation, row-major; starts as the identity and is rescaled after the first step.
  let H = identity(n);
  const gNew = new Array<number>(n).fill(0);
  for (let iter = 0; iter < maxIterations; iter++) {
    if (maxAbs(g) <= tol * Math.max(1, Math.abs(fu))) return result(iter, true, 'gradient');
    let d = H.map((row) => -dot(row, g));
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // H lost positive definiteness (rounding): restart from steepest descent.
      H = identity(n);
      d = g.map((x) => -x);
      slope = dot(g, d);
    }
    // Cap the first trial step at 1 in log-parameter space (a factor e on a parameter): wider steps overflow the
    // likelihood's powers and waste evaluations on backtracking.
    let step = Math.min(1, 1 / maxAbs(d));
    let uNew: number[] = u;
    let fNew = Number.NaN;
    let accepted = false;
    for (let k = 0; k < 60; k++) {
      uNew = u.map((x, i) => x + step * d[i]!);
      fNew = f(uNew, gNew);
      evaluations++;
      // Strictly below fu: near the optimum the Armijo bound rounds to fu itself, and a step that changes nothing
      // must not count as progress.
      if (Number.isFinite(fNew) && fNew <= fu + 1e-4 * step * slope && fNew < fu && gNew.every(Number.isFinite)) {
        accepted = true;
        break;
      }
      step *= Number.isFinite(fNew) ? Math.max(0.1, Math.min(0.5, (-slope * step) / (2 * (fNew - fu - slope * step)))) : 0.25;
    }
    if (!accepted) {
      // No decrease along a descent direction: either the optimum is reached to the precision of f, or we are stuck.
      // The quasi-Newton model predicts the decrease still available, −slope/2 = gᵀHg/2; below 1e-10·|f| it is
      // under what the rounding of a sum of thousands of terms can resolve.
      const ok = -slope / 2 <= 1e-10 * Math.max(1, Math.abs(fu));
      return result(iter, ok, ok ? 'gradient' : 'no-progress');
    }
    const s = uNew.map((x, i) => x - u[i]!);
    const y = gNew.map((x, i) => x - g[i]!);
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (iter === 0) H = identity(n).map((row) => row.map((v) => (v * sy) / dot(y, y)));
      H = bfgsUpdate(H, s, y, sy);
    }
    u = uNew;
    fu = fNew;
    g = [...gNew];
  }
  const converged = maxAbs(g) <= tol * Math.max(1, Math.abs(fu));
  return result(maxIterations, converged, converged ? 'gradient' : 'max-iterations');
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

/** H⁺ = (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1/(yᵀs). */
function bfgsUpdate(H: number[][], s: number[], y: number[], sy: number): number[][] {
  const n = s.length;
  const rho = 1 / sy;
  const Hy = H.map((row) => dot(row, y));
  const yHy = dot(y, Hy);
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      row.push(H[i]![j]! - rho * (Hy[i]! * s[j]! + s[i]! * Hy[j]!) + (rho * rho * yHy + rho) * s[i]! * s[j]!);
    }
    out.push(row);
  }
  return out;
}

/**
 * A central-difference gradient, for objectives without an analytic one (the Pareto/NBD likelihood, whose
 * hypergeometric terms have no cheap parameter derivatives).
 */
export function withNumericGradient(f: (u: readonly number[]) => number, h = 1e-5): Objective {
  return (u, grad) => {
    const fu = f(u);
    const v = [...u];
    for (let i = 0; i < u.length; i++) {
      const ui = u[i]!;
      v[i] = ui + h;
      const fp = f(v);
      v[i] = ui - h;
      const fm = f(v);
      v[i] = ui;
      grad[i] = (fp - fm) / (2 * h);
    }
    return fu;
  };
}

/** Options of every model fit. */
export type FitOptions = {
  /** Iteration cap of the optimizer (default 200). A fit that needs more throws ANALYTICS_FIT_NOT_CONVERGED. */
  maxIterations?: number;
  /** Relative gradient tolerance, see MinimizeOptions (default 1e-9). */
  gradientTolerance?: number;
};

/** What every fit reports besides its parameters. */
export type FitDiagnostics = {
  logLikelihood: number;
  iterations: number;
  evaluations: number;
  /** max |∂LL/∂log θᵢ| at the optimum. */
  gradientNorm: number;
};

/**
 * Maximizes a log-likelihood over positive parameters by minimizing −LL in log-parameter space (θ = exp(u)), so the
 * parameters stay positive without constraints. Throws ANALYTICS_FIT_NOT_CONVERGED, with the last parameters and
 * gradient, when BFGS stops without converging or a parameter runs off to 0 or ∞ (the likelihood has no interior
 * maximum on such data).
 */
export function maximizeLogLikelihood(
  model: string,
  names: readonly string[],
  negLogLikInLogSpace: Objective,
  start: readonly number[],
  options: FitOptions,
): { params: number[] } & FitDiagnostics {
  const r = minimizeBfgs(negLogLikInLogSpace, start.map(Math.log), options);
  const params = r.u.map(Math.exp);
  // Beyond e^±25 the likelihood is flat in that direction: the estimate is a boundary, not a maximum.
  const diverged = r.u.some((v) => !Number.isFinite(v) || Math.abs(v) > 25);
  if (!r.converged || diverged) {
    throw new AppError(
      'ANALYTICS_FIT_NOT_CONVERGED',
      `The ${model} fit did not converge (${diverged ? 'a parameter diverged' : r.reason} after ${r.iterations} iterations).`,
      {
        model,
        reason: diverged ? 'diverged' : r.reason,
        iterations: r.iterations,
        evaluations: r.evaluations,
        params: Object.fromEntries(names.map((k, i) => [k, params[i]])),
        logLikelihood: -r.f,
        gradientNorm: r.gradientNorm,
      },
    );
  }
  return { params, logLikelihood: -r.f, iterations: r.iterations, evaluations: r.evaluations, gradientNorm: r.gradientNorm };
}
