import type { Queryable, Session } from '../../platform/db/client.ts';
import { copyRows } from '../../platform/db/copy.ts';

/**
 * The per-customer calibration summary, computed in SQL with the conventions of summarize() (domain/clv/summary.ts):
 * whole UTC days, same-day purchases merged, the calibration period up to and including its end day, and customers
 * whose first purchase is later left out. One pass with a window for the first day: no join, so the plan stays linear.
 */
function summarySql(forOneCustomer: boolean): string {
  return `
    WITH days AS (
      SELECT customer_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, sum(amount_minor)::float8 AS amount
      FROM sales.customer_sales
      WHERE currency = $1 AND occurred_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
        ${forOneCustomer ? 'AND customer_id = $5' : ''}
      GROUP BY customer_id, day
    ), d AS (
      SELECT *, min(day) OVER (PARTITION BY customer_id) AS first FROM days
    )
    SELECT customer_id AS "customerId",
           (count(*) FILTER (WHERE day > first AND day <= $2::date))::int AS x,
           ((max(day) FILTER (WHERE day <= $2::date)) - first)::float8 / $4 AS tx,
           ($2::date - first)::float8 / $4 AS "T",
           COALESCE(avg(amount) FILTER (WHERE day > first AND day <= $2::date), 0)::float8 AS "zbarMinor",
           (count(*) FILTER (WHERE day > $2::date))::int AS "holdoutX",
           first::text AS "firstPurchaseOn"
    FROM d WHERE first <= $2::date
    GROUP BY customer_id, first`;
}

export type SummaryRow = { customerId: string; x: number; tx: number; T: number; zbarMinor: number; holdoutX: number; firstPurchaseOn: string };

export type Window = { currency: string; calibrationEnd: string; holdoutEnd?: string | undefined; unitDays: number };

function params(w: Window): unknown[] {
  return [w.currency, w.calibrationEnd, w.holdoutEnd ?? w.calibrationEnd, w.unitDays];
}

/** The distinct (x, t_x, T) patterns with counts: what the frequency models are fitted on. */
export async function frequencyPatterns(q: Queryable, w: Window): Promise<{ x: number; tx: number; T: number; count: number }[]> {
  return q.query(`SELECT x, tx, "T", count(*)::int AS count FROM (${summarySql(false)}) s GROUP BY x, tx, "T" ORDER BY x, tx, "T"`, params(w));
}

/** The distinct (x, mean repeat spend) of repeat buyers with counts: what Gamma-Gamma is fitted on (minor units). */
export async function spendPatterns(q: Queryable, w: Window): Promise<{ x: number; zbarMinor: number; count: number }[]> {
  return q.query(
    `SELECT x, "zbarMinor", count(*)::int AS count FROM (${summarySql(false)}) s WHERE x > 0 GROUP BY x, "zbarMinor" ORDER BY x, "zbarMinor"`,
    params(w),
  );
}

/** Every customer's summary, streamed through a cursor-less batch: the caller gets all rows (one per customer). */
export async function customerSummaries(q: Queryable, w: Window): Promise<SummaryRow[]> {
  return q.query(`${summarySql(false)} ORDER BY customer_id`, params(w));
}

export async function customerSummary(q: Queryable, w: Window, customerId: string): Promise<SummaryRow | undefined> {
  const rows = await q.query<SummaryRow>(summarySql(true), [...params(w), customerId]);
  return rows[0];
}

/** Holdout table input: per calibration frequency, the customers and their summed holdout repeat purchases. */
export async function holdoutByFrequency(q: Queryable, w: Window): Promise<{ x: number; tx: number; T: number; count: number; holdoutX: number }[]> {
  return q.query(
    `SELECT x, tx, "T", count(*)::int AS count, sum("holdoutX")::int AS "holdoutX" FROM (${summarySql(false)}) s GROUP BY x, tx, "T"`,
    params(w),
  );
}

/**
 * Actual repeat purchase days of the cohort (customers whose first purchase is on or before the calibration end) per
 * period since `origin`, up to the holdout end. Period k covers days [origin + (k−1)·len, origin + k·len).
 */
export async function actualRepeatsByPeriod(q: Queryable, w: Window & { origin: string }): Promise<{ period: number; repeats: number }[]> {
  return q.query(
    `WITH days AS (
       SELECT customer_id, (occurred_at AT TIME ZONE 'UTC')::date AS day
       FROM sales.customer_sales
       WHERE currency = $1 AND occurred_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
       GROUP BY 1, 2
     ), d AS (SELECT *, min(day) OVER (PARTITION BY customer_id) AS first FROM days)
     SELECT (floor((day - $5::date) / $4::float8) + 1)::int AS period, count(*)::int AS repeats
     FROM d WHERE first <= $2::date AND day > first
     GROUP BY 1 ORDER BY 1`,
    [...params(w), w.origin],
  );
}

export async function earliestPurchase(q: Queryable, currency: string): Promise<string | undefined> {
  const rows = await q.query<{ d: string | null }>(`SELECT (min(occurred_at) AT TIME ZONE 'UTC')::date::text AS d FROM sales.customer_sales WHERE currency = $1`, [currency]);
  return rows[0]?.d ?? undefined;
}


export type FitRow = {
  id: number;
  model: string;
  calibrationEnd: string;
  unit: string;
  currency: string;
  params: Record<string, number>;
  logLikelihood: number;
  customers: number;
  iterations: number;
  createdAt: Date;
};

const FIT_COLUMNS = `id, model, calibration_end::text AS "calibrationEnd", unit, currency, params, log_likelihood AS "logLikelihood",
  customers, iterations, created_at AS "createdAt"`;

export async function insertFit(q: Queryable, f: Omit<FitRow, 'id' | 'createdAt'>): Promise<FitRow> {
  const rows = await q.query<FitRow>(
    `INSERT INTO analytics.model_fits (model, calibration_end, unit, currency, params, log_likelihood, customers, iterations, converged)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true) RETURNING ${FIT_COLUMNS}`,
    [f.model, f.calibrationEnd, f.unit, f.currency, JSON.stringify(f.params), f.logLikelihood, f.customers, f.iterations],
  );
  return rows[0]!;
}

/** The latest fit of a model (for a unit, and a calibration end when given). */
export async function latestFit(q: Queryable, model: string, unit: string, calibrationEnd?: string): Promise<FitRow | undefined> {
  const rows = await q.query<FitRow>(
    `SELECT ${FIT_COLUMNS} FROM analytics.model_fits
     WHERE model = $1 AND unit = $2 AND ($3::date IS NULL OR calibration_end = $3::date)
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    [model, unit, calibrationEnd ?? null],
  );
  return rows[0];
}

export type ValueRow = [string, number, number | null, number, string, number, number, number, number, number, number | null, number | null, string];

/**
 * Replaces the values of a fit, COPYing them in. The fit's row is locked first: a second writer of the same fit waits
 * there until the first commits, and its DELETE, a statement later, then sees (and removes) the first's rows instead
 * of colliding with them.
 */
export async function writeValues(s: Session, fitId: number, rows: readonly ValueRow[]): Promise<void> {
  await s.query(`SELECT 1 FROM analytics.model_fits WHERE id = $1 FOR UPDATE`, [fitId]);
  await s.query(`DELETE FROM analytics.customer_values WHERE fit_id = $1`, [fitId]);
  const cols = ['customer_id', 'fit_id', 'spend_fit_id', 'horizon', 'unit', 'x', 'tx', 't', 'expected_purchases', 'p_alive', 'expected_spend_minor', 'clv_minor', 'currency'];
  for (let i = 0; i < rows.length; i += 20_000) {
    await s.copyCsv('analytics.customer_values', cols, copyRows(rows.slice(i, i + 20_000)));
  }
}

export type CustomerValueRow = {
  customerId: string;
  fitId: number;
  model: string;
  calibrationEnd: string;
  horizon: number;
  unit: string;
  expectedPurchases: number;
  pAlive: number;
  expectedSpendMinor: number | null;
  clvMinor: number | null;
  currency: string;
  computedAt: Date;
};

/** A customer's latest values per model. */
export async function valuesOfCustomer(q: Queryable, customerId: string): Promise<CustomerValueRow[]> {
  return q.query(
    `SELECT DISTINCT ON (f.model) v.customer_id AS "customerId", v.fit_id AS "fitId", f.model, f.calibration_end::text AS "calibrationEnd",
            v.horizon, v.unit, v.expected_purchases AS "expectedPurchases", v.p_alive AS "pAlive",
            v.expected_spend_minor AS "expectedSpendMinor", v.clv_minor AS "clvMinor", v.currency, v.computed_at AS "computedAt"
     FROM analytics.customer_values v JOIN analytics.model_fits f ON f.id = v.fit_id
     WHERE v.customer_id = $1 ORDER BY f.model, v.computed_at DESC`,
    [customerId],
  );
}

/** The top customers of a fit by CLV, and the CLV distribution as counts per bucket. */
export async function topValues(q: Queryable, fitId: number, limit: number): Promise<CustomerValueRow[]> {
  return q.query(
    `SELECT v.customer_id AS "customerId", v.fit_id AS "fitId", f.model, f.calibration_end::text AS "calibrationEnd", v.horizon, v.unit,
            v.expected_purchases AS "expectedPurchases", v.p_alive AS "pAlive", v.expected_spend_minor AS "expectedSpendMinor",
            v.clv_minor AS "clvMinor", v.currency, v.computed_at AS "computedAt"
     FROM analytics.customer_values v JOIN analytics.model_fits f ON f.id = v.fit_id
     WHERE v.fit_id = $1 ORDER BY v.clv_minor DESC NULLS LAST, v.customer_id LIMIT $2`,
    [fitId, limit],
  );
}

export async function clvHistogram(q: Queryable, fitId: number, buckets: number): Promise<{ bucket: number; lowMinor: number; highMinor: number; customers: number }[]> {
  return q.query(
    `WITH v AS (SELECT clv_minor FROM analytics.customer_values WHERE fit_id = $1 AND clv_minor IS NOT NULL),
          b AS (SELECT min(clv_minor) AS lo, max(clv_minor) AS hi FROM v)
     SELECT width_bucket(v.clv_minor, b.lo, b.hi + 1, $2) AS bucket,
            (b.lo + (width_bucket(v.clv_minor, b.lo, b.hi + 1, $2) - 1) * (b.hi + 1 - b.lo) / $2)::int8 AS "lowMinor",
            (b.lo + width_bucket(v.clv_minor, b.lo, b.hi + 1, $2) * (b.hi + 1 - b.lo) / $2)::int8 AS "highMinor",
            count(*)::int AS customers
     FROM v CROSS JOIN b GROUP BY 1, 2, 3 ORDER BY 1`,
    [fitId, buckets],
  );
}
