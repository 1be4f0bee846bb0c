import { bigint, date, doublePrecision, index, integer, jsonb, pgSchema, primaryKey, serial, smallint, text, timestamp } from 'drizzle-orm/pg-core';

export const segmentsSchema = pgSchema('segments');

/**
 * Versions of the R×F grid thresholds. A refresh records which version it used, so results stay explainable after
 * the thresholds change. `method` says whether the edges were set by a person or derived from quantiles.
 */
export const gridVersions = segmentsSchema.table('grid_versions', {
  version: serial('version').primaryKey(),
  /** Upper bounds (inclusive, days) of the recency bands but the last: [30, 90] → ≤30, 31–90, >90. */
  recencyEdges: integer('recency_edges').array().notNull(),
  /** Upper bounds (inclusive, purchases) of the frequency bands but the last: [1, 4] → 1, 2–4, ≥5. */
  frequencyEdges: integer('frequency_edges').array().notNull(),
  method: text('method').notNull(),
  note: text('note'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Where each customer stood on a date: R, F, M, the grid cell, quintile scores and the named RFM segment. */
export const customerSegments = segmentsSchema.table(
  'customer_segments',
  {
    customerId: text('customer_id').notNull(),
    asOf: date('as_of').notNull(),
    gridVersion: integer('grid_version').notNull(),
    recencyDays: integer('recency_days').notNull(),
    frequency: integer('frequency').notNull(),
    monetaryMinor: bigint('monetary_minor', { mode: 'number' }).notNull(),
    returnsMinor: bigint('returns_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    firstPurchaseOn: date('first_purchase_on').notNull(),
    cell: text('cell').notNull(),
    rScore: smallint('r_score').notNull(),
    fScore: smallint('f_score').notNull(),
    mScore: smallint('m_score').notNull(),
    rfmSegment: text('rfm_segment').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.asOf] }), index('customer_segments_as_of_cell_idx').on(t.asOf, t.cell)],
);

/** One row per refresh: the date, the grid version, how many customers, and the settings used. */
export const refreshRuns = segmentsSchema.table('refresh_runs', {
  asOf: date('as_of').primaryKey(),
  gridVersion: integer('grid_version').notNull(),
  customers: integer('customers').notNull(),
  currency: text('currency').notNull(),
  net: smallint('net').notNull(),
  settings: jsonb('settings'),
  refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One behavioural clustering as of a date: k, how it was chosen, and each cluster's centroid and description. */
export const clusterRuns = segmentsSchema.table('cluster_runs', {
  asOf: date('as_of').primaryKey(),
  k: integer('k').notNull(),
  seed: integer('seed').notNull(),
  result: jsonb('result').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Each customer's cluster as of a date. */
export const customerClusters = segmentsSchema.table(
  'customer_clusters',
  {
    customerId: text('customer_id').notNull(),
    asOf: date('as_of').notNull(),
    cluster: smallint('cluster').notNull(),
    distance: doublePrecision('distance').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.asOf] })],
);
