import { AppError } from '../../../../platform/errors.ts';

export type ClvOptions = {
  /** Number of periods in the horizon (a whole number ≥ 1). */
  periods: number;
  /** Length of one period in the model's time unit, e.g. 30/7 for months with weekly models (default 1). */
  periodLength?: number;
  /** The share of spend that is profit, in [0, 1] (default 1: the value is revenue). */
  margin?: number;
  /** Discount rate per period (default 0), e.g. 0.01 a month. */
  discountRate?: number;
};

/**
 * The expected, discounted value of a customer over a horizon:
 *
 *   CLV = Σ_{i=1..n} margin · E[spend] · (E[Y(i·L)] − E[Y((i−1)·L)]) / (1 + d)^i
 *
 * where E[Y(t)] is the customer's expected number of purchases in the t units after the calibration end (say
 * `t => bgNbdConditionalExpectedTransactions(params, t, customer)`), E[spend] the expected value of one purchase
 * (say gammaGammaExpectedSpend), L the period length, n the number of periods and d the discount rate per period. The
 * purchases expected in period i are discounted as if they all fell at its end, as lifetimes'
 * customer_lifetime_value does. Spend is assumed independent of the number of purchases (the Gamma-Gamma assumption).
 */
export function customerLifetimeValue(expectedTransactions: (t: number) => number, expectedSpend: number, options: ClvOptions): number {
  const { periods, periodLength = 1, margin = 1, discountRate = 0 } = options;
  const bad =
    !Number.isInteger(periods) || periods < 1
      ? ['periods', 'must be a whole number ≥ 1']
      : !(periodLength > 0) || !Number.isFinite(periodLength)
        ? ['periodLength', 'must be a positive number']
        : !(margin >= 0 && margin <= 1)
          ? ['margin', 'must lie in [0, 1]']
          : !(discountRate > -1) || !Number.isFinite(discountRate)
            ? ['discountRate', 'must be a number > −1']
            : !Number.isFinite(expectedSpend)
              ? ['expectedSpend', 'must be a finite number']
              : undefined;
  if (bad) throw new AppError('ANALYTICS_INVALID_INPUT', `CLV: ${bad[0]} ${bad[1]}.`, { fields: [{ field: bad[0]!, message: bad[1]! }] });
  let value = 0;
  let before = 0;
  for (let i = 1; i <= periods; i++) {
    const upTo = expectedTransactions(i * periodLength);
    value += (margin * expectedSpend * (upTo - before)) / Math.pow(1 + discountRate, i);
    before = upTo;
  }
  return value;
}
