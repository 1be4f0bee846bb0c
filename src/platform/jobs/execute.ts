import type { Database } from '../db/client.ts';
import { isAppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { finishRun, insertRun, type JobRun, type JobRunSource } from './job-runs.ts';
import type { RegisteredJob } from './registry.ts';

export type AttemptMeta = { source: JobRunSource; queueJobId: string | null; attempt: number; maxAttempts: number };

/** An attempt's stored run, and the error when it failed (for a runner that must rethrow it, such as pg-boss's). */
export type AttemptOutcome = { run: JobRun; error: unknown };

/**
 * Bad input and domain refusals (AppError with a 4xx status: an unknown grid version, no purchases before the date)
 * fail the same way on every attempt, so retrying them only delays the answer.
 */
export function isPermanentFailure(e: unknown): boolean {
  return isAppError(e) && e.status < 500;
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

/**
 * Runs one attempt of a job on an already validated payload and records it in platform.job_runs: `running` before
 * the handler starts, then `succeeded`, `retrying` (another attempt follows) or `failed`. Only a failure to record
 * throws; the handler's own error is returned.
 */
export async function runAttempt(
  deps: { database: Database; logger: Logger | undefined },
  job: RegisteredJob,
  payload: unknown,
  meta: AttemptMeta,
): Promise<AttemptOutcome> {
  const startedAt = new Date();
  const run = await insertRun(deps.database, { job: job.name, payload, startedAt, ...meta });
  const log = deps.logger?.child({ job: job.name, runId: run.id, attempt: meta.attempt });
  try {
    const result = await job.run({ database: deps.database, logger: log, runId: run.id, attempt: meta.attempt, maxAttempts: meta.maxAttempts }, payload);
    const finishedAt = new Date();
    // Through JSON, so that what is stored is exactly what a reader of the table gets back (Dates as strings, no undefined).
    const stored = result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown);
    const done = await finishRun(deps.database, run.id, { status: 'succeeded', result: stored, finishedAt, durationMs: finishedAt.getTime() - startedAt.getTime() });
    log?.info({ durationMs: done.durationMs }, 'job succeeded');
    return { run: done, error: undefined };
  } catch (e) {
    const finishedAt = new Date();
    const last = isPermanentFailure(e) || meta.attempt >= meta.maxAttempts;
    const done = await finishRun(deps.database, run.id, {
      status: last ? 'failed' : 'retrying',
      error: messageOf(e),
      finishedAt,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    });
    // The stack goes to the log only: the table is read by operators, and the message is what they act on.
    log?.warn({ err: e, willRetry: !last }, 'job attempt failed');
    return { run: done, error: e };
  }
}
