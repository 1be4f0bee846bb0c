/** Jobs: a typed registry and two runners behind one interface (pg-boss on PostgreSQL, in-process on PGlite). */
import type { PgBossRunnerOptions } from './pg-boss-runner.ts';
import { PgBossRunner } from './pg-boss-runner.ts';
import { InProcessRunner } from './in-process-runner.ts';
import type { JobRunner, RunnerDeps } from './runner.ts';

export { DEFAULT_RETRY, JobRegistry, defineJob, parsePayload, retryDelayMs } from './registry.ts';
export type { JobContext, JobDefinition, RegisteredJob, RetryPolicy } from './registry.ts';
export { listJobs, runJobNow } from './runner.ts';
export type { JobListing, JobRunner, RunnerDeps } from './runner.ts';
export { listJobRuns, lastJobRuns } from './job-runs.ts';
export type { JobRun, JobRunSource, JobRunStatus } from './job-runs.ts';
export { InProcessRunner } from './in-process-runner.ts';
export { PGBOSS_SCHEMA, PgBossRunner } from './pg-boss-runner.ts';
export type { PgBossRunnerOptions } from './pg-boss-runner.ts';

/** The runner for the database in use: pg-boss on PostgreSQL, the in-process queue on PGlite. */
export function createJobRunner(deps: RunnerDeps, opts: PgBossRunnerOptions = {}): JobRunner {
  return deps.database.kind === 'postgres' ? new PgBossRunner(deps, opts) : new InProcessRunner(deps);
}
