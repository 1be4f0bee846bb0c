import { index, integer, jsonb, pgSchema, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const platform = pgSchema('platform');

/** API keys. Only the SHA-256 of the secret is stored; keys carry 256 random bits, so a slow hash adds nothing. */
export const apiKeys = platform.table('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  secretHash: text('secret_hash').notNull().unique(),
  displayPrefix: text('display_prefix').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

/** Who read or changed a customer's personal data, and when. Append-only; keyed by customer for distribution. */
export const auditLog = platform.table(
  'audit_log',
  {
    customerId: text('customer_id').notNull(),
    id: text('id').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    requestId: text('request_id'),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.id] }), index('audit_log_at_idx').on(t.at)],
);

/** One row per bulk import run: what was read, what was stored, where the rejects went. */
export const importRuns = platform.table('import_runs', {
  id: text('id').primaryKey(),
  format: text('format').notNull(),
  file: text('file').notNull(),
  status: text('status').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  summary: jsonb('summary'),
});

/**
 * One row per attempt of a job (platform/jobs): what started it, how it ended and how long it took. `status` is
 * running, succeeded, retrying (this attempt failed and another follows) or failed (no attempt follows). `error` is the
 * message only: stacks go to the log, never to a table an operator reads.
 */
export const jobRuns = platform.table(
  'job_runs',
  {
    id: text('id').primaryKey(),
    job: text('job').notNull(),
    source: text('source').notNull(),
    queueJobId: text('queue_job_id'),
    attempt: integer('attempt').notNull(),
    maxAttempts: integer('max_attempts').notNull(),
    status: text('status').notNull(),
    payload: jsonb('payload').notNull(),
    result: jsonb('result'),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
  },
  (t) => [index('job_runs_job_started_idx').on(t.job, t.startedAt), index('job_runs_queue_job_idx').on(t.queueJobId)],
);
