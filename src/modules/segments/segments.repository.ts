import type { Queryable, Session } from '../../platform/db/client.ts';
import { copyRows } from '../../platform/db/copy.ts';
import { cellCaseSql, type GridEdges } from './domain/grid.ts';
import { quintileSql, rfmCaseSql } from './domain/rfm.ts';

export type GridVersionRow = {
  version: number;
  recencyEdges: number[];
  frequencyEdges: number[];
  method: string;
  note: string | null;
  createdAt: Date;
};

export async function latestGridVersion(q: Queryable): Promise<GridVersionRow | undefined> {
  const rows = await q.query<GridVersionRow>(
    `SELECT version, recency_edges AS "recencyEdges", frequency_edges AS "frequencyEdges", method, note, created_at AS "createdAt"
     FROM segments.grid_versions ORDER BY version DESC LIMIT 1`,
  );
  return rows[0];
}

export async function findGridVersion(q: Queryable, version: number): Promise<GridVersionRow | undefined> {
  const rows = await q.query<GridVersionRow>(
    `SELECT version, recency_edges AS "recencyEdges", frequency_edges AS "frequencyEdges", method, note, created_at AS "createdAt"
     FROM segments.grid_versions WHERE version = $1`,
    [version],
  );
  return rows[0];
}

export async function insertGridVersion(q: Queryable, edges: GridEdges, method: string, note: string | null): Promise<GridVersionRow> {
  const rows = await q.query<GridVersionRow>(
    `INSERT INTO segments.grid_versions (recency_edges, frequency_edges, method, note) VALUES ($1::int[], $2::int[], $3, $4)
     RETURNING version, recency_edges AS "recencyEdges", frequency_edges AS "frequencyEdges", method, note, created_at AS "createdAt"`,
    [edges.recencyEdges, edges.frequencyEdges, method, note],
  );
  return rows[0]!;
}

/** The key of the advisory lock that refreshes hold until they commit (migrate.ts holds 727274 while it migrates). */
const REFRESH_LOCK = 727275;

/**
 * Refreshes run one at a time. Two of one date at once would each insert its customers' rows, and the later would fail
 * on the earlier's keys; two first refreshes would each derive a grid version 1. Refreshes are a daily job or a report's
 * first look at a new date, so waiting costs little. On PGlite the one connection already serialises them.
 */
export async function lockRefreshes(s: Session): Promise<void> {
  await s.query(`SELECT pg_advisory_xact_lock($1)`, [REFRESH_LOCK]);
}

/**
 * Settings for the refresh transaction. The aggregate holds about 150 bytes per customer and the quantile sorts read
 * the same rows, so with the server's default work_mem (4MB) a million customers spill both to disk in batches; 256MB
 * keeps them in memory and is released at commit. JIT compiles the big aggregate for seconds and saves less than
 * that on a single pass, so it is off.
 */
export async function tuneRefresh(s: Session): Promise<void> {
  await s.query(`SELECT set_config('work_mem', '256MB', true), set_config('jit', 'off', true)`);
}

/**
 * Per-customer R, F, M (and returns) as of a date, into a temporary table dropped at commit, and the currency they are
 * counted in. One pass over the purchases and returns: R is whole days from the last purchase date to the as-of date;
 * F distinct purchase receipts; M the purchase amount. Dates are UTC dates. Without a currency, the one with the most
 * purchases up to the date is chosen from the same pass (the sum of F per currency is its purchase count), instead of
 * a separate scan of every receipt. Returns the currency and the number of customers, or undefined when none bought.
 */
export async function buildStats(
  s: Session,
  asOf: string,
  currency: string | undefined,
  net: boolean,
): Promise<{ currency: string; customers: number } | undefined> {
  await s.query(`DROP TABLE IF EXISTS pg_temp.segment_stats`);
  // One GROUP BY over purchases and returns together, in one scan and without a join, so the plan stays linear even
  // without statistics.
  // Grouped by currency too, so that one pass serves every currency; with $2 the scan keeps only that one.
  await s.query(
    `CREATE TEMP TABLE segment_stats ON COMMIT DROP AS
     SELECT customer_id, currency,
            $1::date - max(day) FILTER (WHERE purchase) AS recency_days,
            (count(*) FILTER (WHERE purchase))::int AS frequency,
            CASE WHEN $3::boolean
                 THEN greatest(COALESCE(sum(amount_minor) FILTER (WHERE purchase), 0) - COALESCE(sum(amount_minor) FILTER (WHERE NOT purchase), 0), 0)
                 ELSE COALESCE(sum(amount_minor) FILTER (WHERE purchase), 0) END::bigint AS monetary_minor,
            COALESCE(sum(amount_minor) FILTER (WHERE NOT purchase), 0)::bigint AS returns_minor,
            min(day) FILTER (WHERE purchase) AS first_purchase_on
     FROM (
       SELECT customer_id, currency, (occurred_at AT TIME ZONE 'UTC')::date AS day,
              CASE WHEN is_purchase THEN purchase_minor ELSE return_minor END AS amount_minor, is_purchase AS purchase
       FROM sales.customer_receipts
       WHERE occurred_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC' AND ($2::text IS NULL OR currency = $2)
         AND (is_purchase OR kind = 'return')
     ) x
     GROUP BY customer_id, currency
     HAVING count(*) FILTER (WHERE purchase) > 0`,
    [asOf, currency ?? null, net],
  );
  const counts = await s.query<{ currency: string; customers: number; purchases: number; total: number }>(
    `SELECT currency, count(*)::int AS customers, sum(frequency)::int8 AS purchases, count(*) OVER ()::int AS total
     FROM segment_stats GROUP BY currency ORDER BY sum(frequency) DESC, currency LIMIT 1`,
  );
  const main = counts[0];
  if (!main) return undefined;
  if (main.total > 1) await s.query(`DELETE FROM segment_stats WHERE currency <> $1`, [main.currency]);
  return { currency: main.currency, customers: main.customers };
}

/** Quantiles of the stats that the default grid edges are derived from. */
export async function statsQuantiles(s: Session): Promise<{ recencyP33: number; recencyP67: number; repeatFrequencyP80: number }> {
  const rows = await s.query<{ r33: number; r67: number; f80: number | null }>(
    `SELECT percentile_disc(1/3.0) WITHIN GROUP (ORDER BY recency_days) AS r33,
            percentile_disc(2/3.0) WITHIN GROUP (ORDER BY recency_days) AS r67,
            (SELECT percentile_disc(0.8) WITHIN GROUP (ORDER BY frequency) FROM segment_stats WHERE frequency > 1) AS f80
     FROM segment_stats`,
  );
  const r = rows[0]!;
  return { recencyP33: Number(r.r33), recencyP67: Number(r.r67), repeatFrequencyP80: Number(r.f80 ?? 3) };
}

/**
 * Replaces the stored results of `asOf` with the stats table scored and placed on the grid. Two statements: the
 * delete, and one INSERT … SELECT that computes the quintile cuts once and scores every customer.
 */
export async function writeSegments(s: Session, asOf: string, grid: { version: number } & GridEdges, currency: string): Promise<number> {
  await s.query(`DELETE FROM segments.customer_segments WHERE as_of = $1`, [asOf]);
  const rBand = `(CASE WHEN st.recency_days <= ($4::int[])[1] THEN 0 WHEN st.recency_days <= ($4::int[])[2] THEN 1 ELSE 2 END)`;
  const fBand = `(CASE WHEN st.frequency <= ($5::int[])[1] THEN 0 WHEN st.frequency <= ($5::int[])[2] THEN 1 ELSE 2 END)`;
  const rScore = quintileSql('st.recency_days', 'c.r', true);
  const fScore = quintileSql('st.frequency', 'c.f');
  const mScore = quintileSql('st.monetary_minor', 'c.m');
  const rows = await s.query<{ n: number }>(
    `WITH c AS (
       SELECT percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY recency_days) AS r,
              percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY frequency) AS f,
              percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY monetary_minor) AS m
       FROM segment_stats
     ), scored AS (
       SELECT st.*, ${cellCaseSql(rBand, fBand)} AS cell, ${rScore} AS r_score, ${fScore} AS f_score, ${mScore} AS m_score
       FROM segment_stats st CROSS JOIN c
     ), ins AS (
       INSERT INTO segments.customer_segments
         (customer_id, as_of, grid_version, recency_days, frequency, monetary_minor, returns_minor, currency, first_purchase_on,
          cell, r_score, f_score, m_score, rfm_segment)
       SELECT customer_id, $1::date, $2, recency_days, frequency, monetary_minor, returns_minor, $3, first_purchase_on,
              cell, r_score, f_score, m_score, ${rfmCaseSql('r_score', 'f_score', 'm_score')}
       FROM scored
       RETURNING 1
     ) SELECT count(*)::int AS n FROM ins`,
    [asOf, grid.version, currency, grid.recencyEdges, grid.frequencyEdges],
  );
  return rows[0]?.n ?? 0;
}

export async function recordRefresh(
  s: Session,
  asOf: string,
  gridVersion: number,
  customers: number,
  currency: string,
  net: boolean,
): Promise<void> {
  await s.query(
    `INSERT INTO segments.refresh_runs (as_of, grid_version, customers, currency, net) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (as_of) DO UPDATE SET grid_version = excluded.grid_version, customers = excluded.customers,
       currency = excluded.currency, net = excluded.net, refreshed_at = now()`,
    [asOf, gridVersion, customers, currency, net ? 1 : 0],
  );
}

export type RefreshRunRow = { asOf: string; gridVersion: number; customers: number; currency: string; net: number; refreshedAt: Date };

export async function findRefresh(q: Queryable, asOf: string): Promise<RefreshRunRow | undefined> {
  const rows = await q.query<RefreshRunRow>(
    `SELECT as_of::text AS "asOf", grid_version AS "gridVersion", customers, currency, net, refreshed_at AS "refreshedAt"
     FROM segments.refresh_runs WHERE as_of = $1`,
    [asOf],
  );
  return rows[0];
}

export async function listRefreshes(q: Queryable): Promise<RefreshRunRow[]> {
  return q.query<RefreshRunRow>(
    `SELECT as_of::text AS "asOf", grid_version AS "gridVersion", customers, currency, net, refreshed_at AS "refreshedAt"
     FROM segments.refresh_runs ORDER BY as_of DESC`,
  );
}

export type Summary = {
  customers: number;
  recencyMean: number;
  recencyMedian: number;
  frequencyMean: number;
  frequencyMedian: number;
  monetaryMeanMinor: number;
  monetaryMedianMinor: number;
  returnsMinor: number;
};

/** Means and medians (the median is the midpoint of the two middle values when the count is even). */
export async function summary(q: Queryable, asOf: string): Promise<Summary> {
  const rows = await q.query<Summary>(
    `SELECT count(*)::int AS customers,
            avg(recency_days)::float8 AS "recencyMean", percentile_cont(0.5) WITHIN GROUP (ORDER BY recency_days)::float8 AS "recencyMedian",
            avg(frequency)::float8 AS "frequencyMean", percentile_cont(0.5) WITHIN GROUP (ORDER BY frequency)::float8 AS "frequencyMedian",
            avg(monetary_minor)::float8 AS "monetaryMeanMinor", percentile_cont(0.5) WITHIN GROUP (ORDER BY monetary_minor)::float8 AS "monetaryMedianMinor",
            COALESCE(sum(returns_minor), 0)::int8 AS "returnsMinor"
     FROM segments.customer_segments WHERE as_of = $1`,
    [asOf],
  );
  return rows[0]!;
}

export type CellCount = { cell: string; customers: number; revenueMinor: number };

export async function cellCounts(q: Queryable, asOf: string): Promise<CellCount[]> {
  return q.query<CellCount>(
    `SELECT cell, count(*)::int AS customers, sum(monetary_minor)::int8 AS "revenueMinor"
     FROM segments.customer_segments WHERE as_of = $1 GROUP BY cell`,
    [asOf],
  );
}

export async function rfmSegmentCounts(
  q: Queryable,
  asOf: string,
): Promise<{ segment: string; customers: number; revenueMinor: number }[]> {
  return q.query(
    `SELECT rfm_segment AS segment, count(*)::int AS customers, sum(monetary_minor)::int8 AS "revenueMinor"
     FROM segments.customer_segments WHERE as_of = $1 GROUP BY rfm_segment ORDER BY count(*) DESC`,
    [asOf],
  );
}

/** Customers per (cell at `from`, cell at `to`). A customer without purchases by `from` starts in 'none'. */
export async function migrationMatrix(q: Queryable, from: string, to: string): Promise<{ from: string; to: string; customers: number }[]> {
  return q.query(
    `SELECT COALESCE(a.cell, 'none') AS "from", COALESCE(b.cell, 'none') AS "to", count(*)::int AS customers
     FROM (SELECT customer_id, cell FROM segments.customer_segments WHERE as_of = $1) a
     FULL JOIN (SELECT customer_id, cell FROM segments.customer_segments WHERE as_of = $2) b USING (customer_id)
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [from, to],
  );
}

export type CustomerSegmentRow = {
  customerId: string;
  asOf: string;
  gridVersion: number;
  recencyDays: number;
  frequency: number;
  monetaryMinor: number;
  returnsMinor: number;
  currency: string;
  firstPurchaseOn: string;
  cell: string;
  rScore: number;
  fScore: number;
  mScore: number;
  rfmSegment: string;
};

const SEGMENT_COLUMNS = `customer_id AS "customerId", as_of::text AS "asOf", grid_version AS "gridVersion", recency_days AS "recencyDays",
  frequency, monetary_minor AS "monetaryMinor", returns_minor AS "returnsMinor", currency, first_purchase_on::text AS "firstPurchaseOn",
  cell, r_score AS "rScore", f_score AS "fScore", m_score AS "mScore", rfm_segment AS "rfmSegment"`;

/** A customer's position on every refreshed date, oldest first. */
export async function customerHistory(q: Queryable, customerId: string): Promise<CustomerSegmentRow[]> {
  return q.query(`SELECT ${SEGMENT_COLUMNS} FROM segments.customer_segments WHERE customer_id = $1 ORDER BY as_of`, [customerId]);
}

/** A page of the customers in one cell (or RFM segment), by monetary value, keyset-paginated on (monetary, id). */
export async function customersIn(
  q: Queryable,
  asOf: string,
  filter: { cell?: string | undefined; rfmSegment?: string | undefined },
  limit: number,
  after?: { monetaryMinor: number; customerId: string },
): Promise<CustomerSegmentRow[]> {
  return q.query(
    `SELECT ${SEGMENT_COLUMNS} FROM segments.customer_segments
     WHERE as_of = $1 AND ($2::text IS NULL OR cell = $2) AND ($3::text IS NULL OR rfm_segment = $3)
       AND ($4::int8 IS NULL OR (monetary_minor, customer_id) < ($4::int8, $5::text))
     ORDER BY monetary_minor DESC, customer_id DESC LIMIT $6`,
    [asOf, filter.cell ?? null, filter.rfmSegment ?? null, after?.monetaryMinor ?? null, after?.customerId ?? null, limit],
  );
}

export type BehaviourRow = {
  customerId: string;
  recencyDays: number;
  frequency: number;
  monetaryMinor: number;
  tenureDays: number;
  meanInterPurchaseDays: number | null;
};

/** The behaviour of every customer with purchases as of a date (same definitions as the RFM refresh), one pass. */
export async function behaviour(q: Queryable, asOf: string, currency: string): Promise<BehaviourRow[]> {
  return q.query(
    `SELECT customer_id AS "customerId",
            $1::date - max(day) AS "recencyDays",
            count(*)::int AS frequency,
            sum(amount_minor)::float8 AS "monetaryMinor",
            $1::date - min(day) AS "tenureDays",
            CASE WHEN count(*) > 1 THEN (max(day) - min(day))::float8 / (count(*) - 1) END AS "meanInterPurchaseDays"
     FROM (SELECT customer_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, amount_minor
           FROM sales.purchases WHERE occurred_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC' AND currency = $2) p
     GROUP BY customer_id`,
    [asOf, currency],
  );
}

/**
 * Each customer's spend per product category (lines with a positive price on purchases up to the date). Products
 * without a category are left out, so a catalogue without categories gives no category mix.
 */
export async function categorySpend(
  q: Queryable,
  asOf: string,
  currency: string,
): Promise<{ customerId: string; category: string; amountMinor: number }[]> {
  return q.query(
    `SELECT l.customer_id AS "customerId", p.category, sum(l.amount_minor)::float8 AS "amountMinor"
     FROM sales.receipt_lines l JOIN catalog.products p ON p.sku = l.sku
     WHERE l.kind = 'sale' AND l.unit_price_minor > 0 AND l.customer_id NOT LIKE 'anon:%' AND p.category IS NOT NULL
       AND l.occurred_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC' AND l.currency = $2
     GROUP BY 1, 2`,
    [asOf, currency],
  );
}

export async function writeClusters(
  s: Session,
  asOf: string,
  run: { k: number; seed: number; result: unknown },
  assignments: readonly { customerId: string; cluster: number; distance: number }[],
): Promise<void> {
  // The run's row first: a second run of the date waits here until the first commits, and its DELETE, a statement
  // later, then sees (and removes) the first's assignments instead of colliding with them.
  await s.query(
    `INSERT INTO segments.cluster_runs (as_of, k, seed, result) VALUES ($1, $2, $3, $4)
     ON CONFLICT (as_of) DO UPDATE SET k = excluded.k, seed = excluded.seed, result = excluded.result, created_at = now()`,
    [asOf, run.k, run.seed, JSON.stringify(run.result)],
  );
  await s.query(`DELETE FROM segments.customer_clusters WHERE as_of = $1`, [asOf]);
  for (let i = 0; i < assignments.length; i += 20_000) {
    const chunk = assignments.slice(i, i + 20_000);
    await s.copyCsv(
      'segments.customer_clusters',
      ['customer_id', 'as_of', 'cluster', 'distance'],
      copyRows(chunk.map((a) => [a.customerId, asOf, a.cluster, a.distance])),
    );
  }
}

export async function findClusterRun(
  q: Queryable,
  asOf: string,
): Promise<{ asOf: string; k: number; seed: number; result: unknown } | undefined> {
  const rows = await q.query<{ asOf: string; k: number; seed: number; result: unknown }>(
    `SELECT as_of::text AS "asOf", k, seed, result FROM segments.cluster_runs WHERE as_of = $1`,
    [asOf],
  );
  return rows[0];
}

export async function clusterOfCustomer(q: Queryable, customerId: string): Promise<{ asOf: string; cluster: number; distance: number }[]> {
  return q.query(`SELECT as_of::text AS "asOf", cluster, distance FROM segments.customer_clusters WHERE customer_id = $1 ORDER BY as_of`, [
    customerId,
  ]);
}

/**
 * Each customer's latest R×F cell and RFM segment, by customer id (customers never scored are absent): one statement,
 * one index probe per customer (the key leads with customer_id).
 */
export async function currentCells(
  q: Queryable,
  customerIds: readonly string[],
): Promise<Map<string, { cell: string; rfmSegment: string; asOf: string }>> {
  if (customerIds.length === 0) return new Map();
  const rows = await q.query<{ customerId: string; cell: string; rfmSegment: string; asOf: string }>(
    `SELECT DISTINCT ON (customer_id) customer_id AS "customerId", cell, rfm_segment AS "rfmSegment", as_of::text AS "asOf"
     FROM segments.customer_segments WHERE customer_id = ANY($1::text[]) ORDER BY customer_id, as_of DESC`,
    [customerIds],
  );
  return new Map(rows.map((r) => [r.customerId, { cell: r.cell, rfmSegment: r.rfmSegment, asOf: r.asOf }]));
}

/** Every customer's cell as of the latest refreshed date. */
export async function latestCells(q: Queryable): Promise<{ asOf: string | null; customerIds: string[]; cells: string[] }> {
  const rows = await q.query<{ asOf: string | null; customerIds: string[] | null; cells: string[] | null }>(
    `WITH d AS (SELECT max(as_of) AS as_of FROM segments.refresh_runs)
     SELECT d.as_of::text AS "asOf", array_agg(s.customer_id) AS "customerIds", array_agg(s.cell) AS cells
     FROM d LEFT JOIN segments.customer_segments s ON s.as_of = d.as_of GROUP BY d.as_of`,
  );
  const r = rows[0];
  return {
    asOf: r?.asOf ?? null,
    customerIds: (r?.customerIds ?? []).filter((x) => x !== null),
    cells: (r?.cells ?? []).filter((x) => x !== null),
  };
}
