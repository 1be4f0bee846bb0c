import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../platform/errors.ts';
import { maximizeLogLikelihood, minimizeBfgs, withNumericGradient, type Objective } from './optimize.ts';

const rosenbrock: Objective = (u, g) => {
  const [x, y] = [u[0]!, u[1]!];
  g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
  g[1] = 200 * (y - x * x);
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};

describe('minimizeBfgs', () => {
  it('finds the minimum of the Rosenbrock function from the classic start (-1.2, 1)', () => {
    const r = minimizeBfgs(rosenbrock, [-1.2, 1]);
    expect(r.converged).toBe(true);
    expect(r.u[0]).toBeCloseTo(1, 6);
    expect(r.u[1]).toBeCloseTo(1, 6);
    expect(r.iterations).toBeLessThan(100);
  });

  it('agrees with a numeric gradient of the same function', () => {
    const r = minimizeBfgs(
      withNumericGradient((u) => (u[0]! - 3) ** 2 + 10 * (u[1]! + 1) ** 2 + (u[0]! - 3) * (u[1]! + 1)),
      [0, 0],
    );
    expect(r.converged).toBe(true);
    expect(r.u[0]).toBeCloseTo(3, 5);
    expect(r.u[1]).toBeCloseTo(-1, 5);
  });

  it('reports an iteration cap as not converged, with the last point', () => {
    const r = minimizeBfgs(rosenbrock, [-1.2, 1], { maxIterations: 1 });
    expect(r).toMatchObject({ converged: false, reason: 'max-iterations', iterations: 1 });
    expect(r.gradientNorm).toBeGreaterThan(1e-3);
  });

  it('reports a non-finite start instead of iterating on NaN', () => {
    const r = minimizeBfgs((_u, g) => ((g[0] = Number.NaN), Number.NaN), [0]);
    expect(r).toMatchObject({ converged: false, reason: 'non-finite-start', iterations: 0 });
  });

  it('backtracks out of regions where the objective is not finite', () => {
    // ln is undefined below 0: the first trial steps overshoot into it.
    const r = minimizeBfgs(
      (u, g) => {
        const x = u[0]!;
        g[0] = 1 - 1 / x;
        return x > 0 ? x - Math.log(x) : Number.NaN;
      },
      [5],
    );
    expect(r.converged).toBe(true);
    expect(r.u[0]).toBeCloseTo(1, 6);
  });
});

describe('maximizeLogLikelihood', () => {
  it('throws ANALYTICS_FIT_NOT_CONVERGED with diagnostics when a parameter runs off to infinity', () => {
    // LL = ln θ grows without bound as θ = e^u → ∞: there is no maximum, and the gradient never vanishes.
    const f: Objective = (u, g) => {
      g[0] = -1;
      return -u[0]!;
    };
    let caught: unknown;
    try {
      maximizeLogLikelihood('test', ['theta'], f, [1], { maxIterations: 500 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('ANALYTICS_FIT_NOT_CONVERGED');
    expect((caught as AppError).details).toMatchObject({ model: 'test', reason: 'diverged' });
    expect((caught as AppError).status).toBe(422);
  });
});
