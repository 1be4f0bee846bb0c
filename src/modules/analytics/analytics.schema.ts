import { bigint, boolean, date, doublePrecision, index, integer, jsonb, pgSchema, primaryKey, serial, text, timestamp } from 'drizzle-orm/pg-core';

export const analyticsSchema = pgSchema('analytics');

/** Every fitted customer-value model: its parameters, fit quality, and the data window it was fitted on. */
export const modelFits = analyticsSchema.table(
  'model_fits',
  {
    id: serial('id').primaryKey(),
    model: text('model').notNull(),
    calibrationEnd: date('calibration_end').notNull(),
    unit: text('unit').notNull(),
    currency: text('currency').notNull(),
    params: jsonb('params').$type<Record<string, number>>().notNull(),
    logLikelihood: doublePrecision('log_likelihood').notNull(),
    customers: integer('customers').notNull(),
    iterations: integer('iterations').notNull(),
    converged: boolean('converged').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('model_fits_model_idx').on(t.model, t.unit, t.createdAt)],
);

/** Per customer and fit: expected purchases over the horizon, P(alive), expected spend per purchase, CLV. */
export const customerValues = analyticsSchema.table(
  'customer_values',
  {
    customerId: text('customer_id').notNull(),
    fitId: integer('fit_id').notNull(),
    spendFitId: integer('spend_fit_id'),
    horizon: doublePrecision('horizon').notNull(),
    unit: text('unit').notNull(),
    x: integer('x').notNull(),
    tx: doublePrecision('tx').notNull(),
    t: doublePrecision('t').notNull(),
    expectedPurchases: doublePrecision('expected_purchases').notNull(),
    pAlive: doublePrecision('p_alive').notNull(),
    expectedSpendMinor: bigint('expected_spend_minor', { mode: 'number' }),
    clvMinor: bigint('clv_minor', { mode: 'number' }),
    currency: text('currency').notNull(),
    settings: jsonb('settings'),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.fitId] }), index('customer_values_fit_clv_idx').on(t.fitId, t.clvMinor)],
);
