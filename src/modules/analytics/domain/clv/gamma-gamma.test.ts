import { describe, expect, it } from 'vitest';
import { CALIBRATION_END, readCdnowCsv, readCdnowSample } from '../../../../../test/cdnow.ts';
import { AppError } from '../../../../platform/errors.ts';
import { bgNbdConditionalExpectedTransactions, fitBgNbd } from './bg-nbd.ts';
import { customerLifetimeValue } from './clv.ts';
import { fitGammaGamma, gammaGammaExpectedSpend, gammaGammaGradient, gammaGammaLogLikelihood, toSpendPatterns } from './gamma-gamma.ts';
import { summarize, toPatterns } from './summary.ts';

const rows = readCdnowCsv('cdnow_customers_summary_with_transactions.csv').map((r) => ({ id: r.ID!, x: r.x!, zbar: r.zbar! }));
const fit = fitGammaGamma(toSpendPatterns(rows));

function code(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e instanceof AppError ? e.code : e;
  }
  return 'no error';
}

describe('Gamma-Gamma on cdnow_customers_summary_with_transactions.csv (946 repeat buyers)', () => {
  it('finds the published p, q, v = 6.25, 3.74, 15.44 (lifetimes; its docs print v = 15.45)', () => {
    expect(Math.abs(fit.params.p - 6.25)).toBeLessThan(5e-3);
    expect(Math.abs(fit.params.q - 3.74)).toBeLessThan(5e-3);
    expect(fit.params.v).toBeGreaterThan(15.44);
    expect(fit.params.v).toBeLessThan(15.455);
  });

  it('weights identical (x, zbar) by their counts: the same likelihood as one row per customer', () => {
    expect(toSpendPatterns(rows).reduce((a, p) => a + p.count, 0)).toBe(946);
    expect(gammaGammaLogLikelihood(fit.params, rows)).toBeCloseTo(fit.logLikelihood, 6);
  });

  it('has an analytic gradient equal to central differences', () => {
    const p = { p: 5, q: 3, v: 12 };
    const g = gammaGammaGradient(p, rows);
    for (const k of ['p', 'q', 'v'] as const) {
      const h = 1e-6 * p[k];
      const num =
        (gammaGammaLogLikelihood({ ...p, [k]: p[k] + h }, rows) - gammaGammaLogLikelihood({ ...p, [k]: p[k] - h }, rows)) / (2 * h);
      expect(Math.abs(g[k] - num)).toBeLessThan(1e-4 * Math.max(1, Math.abs(num)));
    }
  });

  it("gives Hardie's expected average profit for customers 1-10 (24.65 … 35.17), and lifetimes' six decimals within 1e-4", () => {
    const hardie = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];
    rows.slice(0, 10).forEach((r, i) => expect(Math.abs(gammaGammaExpectedSpend(fit.params, r) - hardie[i]!)).toBeLessThan(0.01));
    [24.658619, 18.911489, 35.170981].forEach((e, i) =>
      expect(Math.abs(gammaGammaExpectedSpend(fit.params, rows[i]!) - e)).toBeLessThan(1e-4),
    );
  });

  it('gives the mean conditional expected average profit 35.2529588 over all 2,357 customers (lifetimes docs)', () => {
    const mean = rows.reduce((a, r) => a + gammaGammaExpectedSpend(fit.params, r), 0) / rows.length;
    expect(Math.abs(mean - 35.2529588256)).toBeLessThan(1e-3);
  });

  it('fits the same on the summaries of CDNOW_sample.txt as on the rounded CSV', () => {
    const s = summarize(readCdnowSample(), { calibrationEnd: CALIBRATION_END, unit: 'week' });
    const own = fitGammaGamma(toSpendPatterns(s));
    for (const k of ['p', 'q', 'v'] as const) expect(Math.abs(own.params[k] / fit.params[k] - 1)).toBeLessThan(2e-3);
  });

  it('refuses data without repeat buyers, a single repeat buyer, zero spend, and reports a capped optimizer', () => {
    expect(code(() => fitGammaGamma([{ x: 0, zbar: 0, count: 10 }]))).toBe('ANALYTICS_NO_REPEAT_BUYERS');
    expect(code(() => fitGammaGamma([{ x: 2, zbar: 10 }]))).toBe('ANALYTICS_TOO_FEW_CUSTOMERS');
    expect(
      code(() =>
        fitGammaGamma([
          { x: 2, zbar: 0 },
          { x: 1, zbar: 5 },
        ]),
      ),
    ).toBe('ANALYTICS_INVALID_INPUT');
    expect(code(() => fitGammaGamma(rows, { maxIterations: 1 }))).toBe('ANALYTICS_FIT_NOT_CONVERGED');
  });
});

describe('customerLifetimeValue', () => {
  const summaries = summarize(readCdnowSample(), { calibrationEnd: CALIBRATION_END, unit: 'week' });
  const bg = fitBgNbd(toPatterns(summaries)).params;
  const c1516 = summaries.find((s) => s.customerId === '1516')!;
  const expected = (t: number) => bgNbdConditionalExpectedTransactions(bg, t, c1516);
  const spend = gammaGammaExpectedSpend(fit.params, c1516);

  it('without discounting, is margin × spend × E[Y(horizon)] (the sum telescopes)', () => {
    const v = customerLifetimeValue(expected, spend, { periods: 12, periodLength: 52 / 12, margin: 0.3 });
    expect(v).toBeCloseTo(0.3 * spend * expected(52), 8);
    // Customer 1516 over a year: 25.757 purchases (published) at the expected spend.
    expect(Math.abs(v / (0.3 * spend) - 25.757)).toBeLessThan(5e-3);
  });

  it('discounts the purchases of period i by (1 + d)^i', () => {
    const lin = (t: number) => 2 * t;
    // Two periods of 1 unit, 2 purchases each, spend 10, margin 0.5: 10/1.1 + 10/1.21.
    expect(customerLifetimeValue(lin, 10, { periods: 2, margin: 0.5, discountRate: 0.1 })).toBeCloseTo(10 / 1.1 + 10 / 1.21, 10);
    const discounted = customerLifetimeValue(expected, spend, { periods: 12, periodLength: 52 / 12, discountRate: 0.01 });
    expect(discounted).toBeLessThan(spend * expected(52));
    expect(discounted).toBeGreaterThan((spend * expected(52)) / 1.01 ** 12);
  });

  it('rejects a malformed horizon, margin or rate', () => {
    expect(code(() => customerLifetimeValue(expected, spend, { periods: 0 }))).toBe('ANALYTICS_INVALID_INPUT');
    expect(code(() => customerLifetimeValue(expected, spend, { periods: 3, margin: 1.5 }))).toBe('ANALYTICS_INVALID_INPUT');
    expect(code(() => customerLifetimeValue(expected, spend, { periods: 3, discountRate: Number.NaN }))).toBe('ANALYTICS_INVALID_INPUT');
  });
});
