import { doublePrecision, integer, jsonb, pgSchema, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const experimentsSchema = pgSchema('experiments');

/** An outcome measured on every subject: 0/1 (visit, conversion) or a number (spend). */
export type OutcomeSpec = { name: string; kind: 'binary' | 'continuous' };

/** A customer attribute recorded with each subject: a number (recency) or a category (channel). */
export type FeatureSpec = { name: string; kind: 'numeric' | 'categorical' };

/**
 * A finished experiment: its arms (the control among them), the outcomes measured and the attributes recorded.
 * `outcomes` and `features` fix the order of the values in each subject's arrays. `model_features` are the
 * features uplift models use by default (Hillstrom's history_segment is a binning of history, so it is left out).
 */
export const experiments = experimentsSchema.table('experiments', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  source: text('source').notNull(),
  arms: text('arms').array().notNull(),
  controlArm: text('control_arm').notNull(),
  outcomes: jsonb('outcomes').$type<OutcomeSpec[]>().notNull(),
  features: jsonb('features').$type<FeatureSpec[]>().notNull(),
  modelFeatures: text('model_features').array().notNull(),
  subjects: integer('subjects').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * One subject (customer) of an experiment: the arm, the outcome values in the experiment's `outcomes` order and the
 * attribute values, as written in the source file, in its `features` order. `row_no` is the data row of the source
 * (1 = the first row after the header). Loaded by COPY; the key leads with the experiment.
 */
export const subjects = experimentsSchema.table(
  'subjects',
  {
    experimentId: text('experiment_id')
      .notNull()
      .references(() => experiments.id, { onDelete: 'cascade' }),
    rowNo: integer('row_no').notNull(),
    arm: text('arm').notNull(),
    outcomes: doublePrecision('outcomes').array().notNull(),
    features: text('features').array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.experimentId, t.rowNo] })],
);
