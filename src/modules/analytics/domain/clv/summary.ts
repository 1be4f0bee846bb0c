import { AppError } from '../../../../platform/errors.ts';

/** One purchase. `amount` is in the major unit of the currency (the spend models need no integer exactness). */
export type Transaction = { customerId: string; at: Date; amount: number };

/** The time unit of every duration a summary and the models fitted on it use. */
export type TimeUnit = 'day' | 'week';

export type SummaryOptions = {
  /** The last day of the calibration period, inclusive (its UTC calendar day). */
  calibrationEnd: Date;
  /** The last day of the holdout period, inclusive; when given, each summary counts its holdout repeat purchases. */
  holdoutEnd?: Date;
  unit: TimeUnit;
};

/**
 * A customer's calibration-period summary (the "RFM" statistics of the BTYD models).
 * Purchases on the same day are one purchase, whose amount is the day's total.
 */
export type CustomerSummary = {
  customerId: string;
  /** Repeat purchase days in the calibration period (the first purchase is not counted). */
  x: number;
  /** Time of the last repeat purchase since the first purchase (0 when x = 0). */
  tx: number;
  /** Time from the first purchase to the end of the calibration period. */
  T: number;
  /** Mean value of the repeat purchases in the calibration period (0 when x = 0). */
  zbar: number;
  /** Repeat purchase days after the calibration period, up to the holdout end; present when `holdoutEnd` is given. */
  holdoutX?: number;
};

/** A distinct (x, t_x, T) with the number of customers who share it. The likelihoods are sums over patterns. */
export type Pattern = { x: number; tx: number; T: number; count: number };

/**
 * Anything the frequency models can be fitted on: a pattern, or a single customer's summary (`count` defaults to 1).
 */
export type PatternLike = { x: number; tx: number; T: number; count?: number };

const MS_PER_DAY = 86_400_000;

/** The UTC calendar day of a date, as a day number since 1970-01-01. */
function dayNumber(d: Date): number {
  return Math.floor(d.getTime() / MS_PER_DAY);
}

/** Days per unit. */
export function unitDays(unit: TimeUnit): number {
  if (unit === 'day') return 1;
  if (unit === 'week') return 7;
  throw new AppError('ANALYTICS_INVALID_INPUT', `Unknown time unit '${String(unit)}': use 'day' or 'week'.`, {
    fields: [{ field: 'unit', message: "must be 'day' or 'week'" }],
  });
}

/**
 * The length between two calendar days in `unit`, as `summarize` measures T: the holdout length of a summary is
 * `durationBetween(calibrationEnd, holdoutEnd, unit)`.
 */
export function durationBetween(from: Date, to: Date, unit: TimeUnit): number {
  return (dayNumber(to) - dayNumber(from)) / unitDays(unit);
}

function checkDate(d: Date, field: string): number {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
    throw new AppError('ANALYTICS_INVALID_INPUT', `${field} is not a valid date.`, { fields: [{ field, message: 'invalid date' }] });
  }
  return dayNumber(d);
}

/**
 * Summarizes transactions per customer for the BTYD models (BG/NBD, Pareto/NBD, Gamma-Gamma).
 *
 * Conventions (those of the BTYD package and of Fader, Hardie & Lee, which reproduce the published CDNOW summaries):
 * - time is counted in whole UTC calendar days, then divided by 7 for weeks;
 * - purchases on the same day are merged into one, with the day's total amount;
 * - the calibration period runs up to and including the day of `calibrationEnd`, and T is the number of days from the
 *   first purchase to that day (a customer whose first purchase is on the last day has T = 0);
 * - the holdout period is the days after `calibrationEnd` up to and including `holdoutEnd`;
 * - customers whose first purchase is after `calibrationEnd` are left out.
 *
 * The input need not be sorted. Customers come out in the order of their first appearance in the input.
 * Throws ANALYTICS_INVALID_INPUT for an invalid date, a non-finite amount or a holdout end before the calibration end.
 */
export function summarize(transactions: Iterable<Transaction>, options: SummaryOptions): CustomerSummary[] {
  const perUnit = unitDays(options.unit);
  const calEnd = checkDate(options.calibrationEnd, 'calibrationEnd');
  const holdEnd = options.holdoutEnd === undefined ? undefined : checkDate(options.holdoutEnd, 'holdoutEnd');
  if (holdEnd !== undefined && holdEnd < calEnd) {
    throw new AppError('ANALYTICS_INVALID_INPUT', 'holdoutEnd is before calibrationEnd.', {
      fields: [{ field: 'holdoutEnd', message: 'must not be before calibrationEnd' }],
    });
  }
  // Per customer: purchase day → that day's total. A Map keeps the customers in first-appearance order.
  const days = new Map<string, Map<number, number>>();
  let index = 0;
  for (const t of transactions) {
    const day = checkDate(t.at, `transactions[${index}].at`);
    if (!Number.isFinite(t.amount)) {
      throw new AppError('ANALYTICS_INVALID_INPUT', `transactions[${index}].amount is not a finite number.`, {
        fields: [{ field: `transactions[${index}].amount`, message: 'not a finite number' }],
        customerId: t.customerId,
      });
    }
    index++;
    if (holdEnd !== undefined ? day > holdEnd : day > calEnd) continue;
    let m = days.get(t.customerId);
    if (!m) days.set(t.customerId, (m = new Map()));
    m.set(day, (m.get(day) ?? 0) + t.amount);
  }

  const out: CustomerSummary[] = [];
  for (const [customerId, byDay] of days) {
    const sorted = [...byDay.keys()].sort((a, b) => a - b);
    const first = sorted[0]!;
    if (first > calEnd) continue;
    let x = 0;
    let last = first;
    let spend = 0;
    let holdoutX = 0;
    for (let i = 1; i < sorted.length; i++) {
      const d = sorted[i]!;
      if (d <= calEnd) {
        x++;
        last = d;
        spend += byDay.get(d)!;
      } else {
        holdoutX++;
      }
    }
    const s: CustomerSummary = { customerId, x, tx: (last - first) / perUnit, T: (calEnd - first) / perUnit, zbar: x > 0 ? spend / x : 0 };
    if (holdEnd !== undefined) s.holdoutX = holdoutX;
    out.push(s);
  }
  return out;
}

/**
 * The distinct (x, t_x, T) of the summaries with their counts, sorted by x, then t_x, then T. The frequency models are
 * fitted on patterns: the log-likelihood is a weighted sum over them, so its cost grows with the number of distinct
 * patterns, not of customers.
 */
export function toPatterns(summaries: Iterable<PatternLike>): Pattern[] {
  const byKey = new Map<string, Pattern>();
  for (const s of summaries) {
    const key = `${s.x}|${s.tx}|${s.T}`;
    const p = byKey.get(key);
    if (p) p.count += s.count ?? 1;
    else byKey.set(key, { x: s.x, tx: s.tx, T: s.T, count: s.count ?? 1 });
  }
  return [...byKey.values()].sort((a, b) => a.x - b.x || a.tx - b.tx || a.T - b.T);
}

/**
 * The checks every frequency-model fit makes before optimizing, so that degenerate data get a typed error instead of
 * NaN or a boundary "estimate". Returns the patterns with their counts.
 */
export function checkFrequencyData(model: string, data: readonly PatternLike[]): Pattern[] {
  let customers = 0;
  let repeaters = 0;
  let maxT = 0;
  const out: Pattern[] = [];
  for (let i = 0; i < data.length; i++) {
    const p = data[i]!;
    const count = p.count ?? 1;
    const bad =
      !Number.isInteger(p.x) || p.x < 0
        ? 'x must be a whole number ≥ 0'
        : !Number.isFinite(p.T) || p.T < 0
          ? 'T must be a finite number ≥ 0'
          : !Number.isFinite(p.tx) || p.tx < 0 || p.tx > p.T
            ? 't_x must lie in [0, T]'
            : !Number.isFinite(count) || count < 0
              ? 'count must be a finite number ≥ 0'
              : undefined;
    if (bad) {
      throw new AppError('ANALYTICS_INVALID_INPUT', `${model}: pattern ${i} is invalid: ${bad}.`, {
        fields: [{ field: `patterns[${i}]`, message: bad }],
        pattern: p,
      });
    }
    if (count === 0) continue;
    customers += count;
    if (p.x > 0) repeaters += count;
    maxT = Math.max(maxT, p.T);
    out.push({ x: p.x, tx: p.tx, T: p.T, count });
  }
  const details = { model, customers, repeatBuyers: repeaters, maxT };
  if (customers === 0) {
    throw new AppError('ANALYTICS_EMPTY_CALIBRATION', `${model}: no customer has a purchase in the calibration period.`, details);
  }
  if (maxT === 0) {
    throw new AppError('ANALYTICS_EMPTY_CALIBRATION', `${model}: the calibration period has no length (every T is 0).`, details);
  }
  if (customers < 2) {
    throw new AppError('ANALYTICS_TOO_FEW_CUSTOMERS', `${model}: ${customers} customer(s); at least 2 are needed.`, details);
  }
  if (repeaters === 0) {
    throw new AppError('ANALYTICS_NO_REPEAT_BUYERS', `${model}: none of the ${customers} customers made a repeat purchase.`, details);
  }
  return out;
}
