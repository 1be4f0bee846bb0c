import { and, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import { jobRuns } from '../db/platform.schema.ts';
import { newId } from '../ids.ts';

export type JobRunStatus = 'running' | 'succeeded' | 'retrying' | 'failed';

/** How a run was started: `now` runs in the caller's process (the CLI); `queue` was sent to a runner or scheduled. */
export type JobRunSource = 'now' | 'queue';

/** One attempt of a job, as stored in platform.job_runs. */
export type JobRun = {
  id: string;
  job: string;
  source: JobRunSource;
  queueJobId: string | null;
  attempt: number;
  maxAttempts: number;
  status: JobRunStatus;
  payload: unknown;
  result: unknown;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
};

type Row = typeof jobRuns.$inferSelect;

function toRun(r: Row): JobRun {
  return {
    id: r.id,
    job: r.job,
    source: r.source as JobRunSource,
    queueJobId: r.queueJobId,
    attempt: r.attempt,
    maxAttempts: r.maxAttempts,
    status: r.status as JobRunStatus,
    payload: r.payload,
    result: r.result ?? null,
    error: r.error,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    durationMs: r.durationMs,
  };
}

export async function insertRun(
  q: Queryable,
  run: { job: string; source: JobRunSource; queueJobId: string | null; attempt: number; maxAttempts: number; payload: unknown; startedAt: Date },
): Promise<JobRun> {
  const [row] = await q.db
    .insert(jobRuns)
    .values({ id: newId('jobRun', run.startedAt.getTime()), status: 'running', ...run, payload: run.payload ?? {} })
    .returning();
  return toRun(row!);
}

export async function finishRun(
  q: Queryable,
  id: string,
  outcome: { status: Exclude<JobRunStatus, 'running'>; result?: unknown; error?: string | null; finishedAt: Date; durationMs: number },
): Promise<JobRun> {
  const [row] = await q.db
    .update(jobRuns)
    .set({ status: outcome.status, result: outcome.result ?? null, error: outcome.error ?? null, finishedAt: outcome.finishedAt, durationMs: outcome.durationMs })
    .where(eq(jobRuns.id, id))
    .returning();
  return toRun(row!);
}

/** The newest runs first, of one job or of all. */
export async function listJobRuns(q: Queryable, opts: { job?: string; queueJobId?: string; limit?: number } = {}): Promise<JobRun[]> {
  const where = and(opts.job !== undefined ? eq(jobRuns.job, opts.job) : undefined, opts.queueJobId !== undefined ? eq(jobRuns.queueJobId, opts.queueJobId) : undefined);
  const rows = await q.db
    .select()
    .from(jobRuns)
    .where(where)
    .orderBy(desc(jobRuns.startedAt), desc(jobRuns.id))
    .limit(opts.limit ?? 50);
  return rows.map(toRun);
}

/** Each job's newest run, by job name. */
export async function lastJobRuns(q: Queryable): Promise<Map<string, JobRun>> {
  const rows = await q.db
    .selectDistinctOn([jobRuns.job])
    .from(jobRuns)
    .orderBy(jobRuns.job, desc(jobRuns.startedAt), desc(jobRuns.id));
  return new Map(rows.map((r) => [r.job, toRun(r)]));
}
