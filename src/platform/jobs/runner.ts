import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { runAttempt } from './execute.ts';
import { lastJobRuns, type JobRun } from './job-runs.ts';
import { retryDelayMs, type JobRegistry, type RegisteredJob } from './registry.ts';

export type RunnerDeps = { database: Database; registry: JobRegistry; logger?: Logger | undefined };

/**
 * Runs the registered jobs. Two implementations: pg-boss on PostgreSQL (durable queues, any number of workers) and an
 * in-process queue on PGlite (one connection in one process, so no worker can live elsewhere).
 */
export interface JobRunner {
  readonly kind: 'pg-boss' | 'in-process';
  /** Works the queues in this process; with `schedule` (the default), also fires the jobs' cron schedules. */
  start(opts?: { schedule?: boolean }): Promise<void>;
  /** Validates the payload (VALIDATION_FAILED naming the field) and queues the job; returns the queue's job id. */
  send(name: string, payload?: unknown): Promise<string>;
  /** Validates and runs the job in this process, now, retrying by its policy; returns the last attempt's run. */
  runNow(name: string, payload?: unknown): Promise<JobRun>;
  /** Stops taking jobs, lets the running attempt finish, and releases what `start` or `send` opened. */
  stop(): Promise<void>;
}

/** Shared by both runners: `runNow` never goes through a queue, so it behaves alike on both databases. */
export async function runJobNow(deps: RunnerDeps, name: string, raw: unknown): Promise<JobRun> {
  const job = deps.registry.get(name);
  const payload = job.parse(raw);
  return runWithRetries(deps, job, payload);
}

async function runWithRetries(deps: RunnerDeps, job: RegisteredJob, payload: unknown): Promise<JobRun> {
  const maxAttempts = job.retry.limit + 1;
  for (let attempt = 1; ; attempt++) {
    const { run } = await runAttempt({ database: deps.database, logger: deps.logger }, job, payload, { source: 'now', queueJobId: null, attempt, maxAttempts });
    if (run.status !== 'retrying') return run;
    await sleep(retryDelayMs(job.retry, attempt));
  }
}

export type JobListing = { name: string; description: string; schedule: string | null; retry: RegisteredJob['retry']; lastRun: JobRun | null };

/** The registered jobs with each one's newest run (what `patron jobs list` shows). */
export async function listJobs(deps: Pick<RunnerDeps, 'database' | 'registry'>): Promise<JobListing[]> {
  const last = await lastJobRuns(deps.database);
  return deps.registry.list().map((j) => ({ name: j.name, description: j.description, schedule: j.schedule?.cron ?? null, retry: j.retry, lastRun: last.get(j.name) ?? null }));
}
