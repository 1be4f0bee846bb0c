import PgBoss from 'pg-boss';
import { AppError } from '../errors.ts';
import { runAttempt } from './execute.ts';
import type { JobRun } from './job-runs.ts';
import type { RegisteredJob } from './registry.ts';
import { runJobNow, type JobRunner, type RunnerDeps } from './runner.ts';

/** pg-boss keeps its tables in a schema of its own, apart from the migration stream in drizzle/. */
export const PGBOSS_SCHEMA = 'pgboss';

export type PgBossRunnerOptions = {
  /** How often an idle worker looks for jobs (pg-boss's minimum is 0.5 s). A send from this process wakes it at once. */
  pollingIntervalSeconds?: number;
  /** Connections of pg-boss's own pool. */
  maxConnections?: number;
};

function sendOptions(job: RegisteredJob): PgBoss.SendOptions {
  return {
    retryLimit: job.retry.limit,
    // pg-boss counts whole seconds, and backoff needs at least one.
    retryDelay: Math.max(job.retry.backoff ? 1 : 0, Math.ceil(job.retry.delaySeconds)),
    retryBackoff: job.retry.backoff,
  };
}

/**
 * The runner for PostgreSQL: pg-boss queues (one per job, in schema `pgboss`), worked by `patron worker` processes
 * with SKIP LOCKED, so any number of workers share them. pg-boss retries with backoff and fires the cron schedules
 * (once across all workers); each attempt is also recorded in platform.job_runs, which is what `patron jobs list` reads.
 */
export class PgBossRunner implements JobRunner {
  readonly kind = 'pg-boss' as const;
  readonly #deps: RunnerDeps;
  readonly #opts: PgBossRunnerOptions;
  readonly #workers = new Map<string, string>();
  #starting: Promise<PgBoss> | undefined;

  constructor(deps: RunnerDeps, opts: PgBossRunnerOptions = {}) {
    if (!deps.database.connectionString) {
      throw new AppError('CONFIG_INVALID', 'pg-boss needs a PostgreSQL connection string (DATABASE_URL).', { field: 'DATABASE_URL' });
    }
    this.#deps = deps;
    this.#opts = opts;
  }

  /**
   * Opens pg-boss once. A process that only sends (the API, the CLI) runs neither maintenance nor the scheduler;
   * the first call decides which this process is.
   */
  #open(role: { work: boolean; schedule: boolean }): Promise<PgBoss> {
    this.#starting ??= (async () => {
      const boss = new PgBoss({
        connectionString: this.#deps.database.connectionString,
        schema: PGBOSS_SCHEMA,
        application_name: 'patron-jobs',
        max: this.#opts.maxConnections ?? 4,
        supervise: role.work,
        schedule: role.schedule,
      });
      // Without a listener, an 'error' event (a lost connection during maintenance) would end the process.
      boss.on('error', (err) => this.#deps.logger?.error({ err }, 'pg-boss error'));
      await boss.start();
      for (const job of this.#deps.registry.list()) await boss.createQueue(job.name, { name: job.name, ...sendOptions(job) });
      return boss;
    })();
    return this.#starting;
  }

  async start(opts: { schedule?: boolean } = {}): Promise<void> {
    const schedule = opts.schedule !== false;
    const boss = await this.#open({ work: true, schedule });
    for (const job of this.#deps.registry.list()) {
      if (this.#workers.has(job.name)) continue;
      const id = await boss.work<unknown>(
        job.name,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: this.#opts.pollingIntervalSeconds ?? 2 },
        async ([j]) => (j ? this.#handle(job, j) : undefined),
      );
      this.#workers.set(job.name, id);
      if (!schedule) continue;
      // Schedules live in the database: a job that lost its schedule in this version must lose it there too.
      if (job.schedule) await boss.schedule(job.name, job.schedule.cron, job.schedule.payload as object, { tz: 'UTC', ...sendOptions(job) });
      else await boss.unschedule(job.name);
    }
  }

  async #handle(job: RegisteredJob, j: PgBoss.JobWithMetadata<unknown>): Promise<unknown> {
    const attempt = j.retryCount + 1;
    const maxAttempts = j.retryLimit + 1;
    // Parsed inside the attempt: a payload queued by an older version that no longer validates is a recorded failure.
    const checked: RegisteredJob = { ...job, run: (ctx, data) => job.run(ctx, job.parse(data)) };
    const { run, error } = await runAttempt({ database: this.#deps.database, logger: this.#deps.logger }, checked, j.data, {
      source: 'queue',
      queueJobId: j.id,
      attempt,
      maxAttempts,
    });
    if (run.status === 'succeeded') return { runId: run.id };
    // A retry is pg-boss's to schedule, and the last failure is its to mark: both need the error thrown.
    if (run.status === 'retrying' || attempt >= maxAttempts) throw error instanceof Error ? error : new Error(String(error));
    // A permanent failure before the last attempt (bad input, a domain refusal) would only fail again: completing the
    // queue job stops the retries, and platform.job_runs holds the failure.
    return { runId: run.id, failed: run.error };
  }

  async send(name: string, payload?: unknown): Promise<string> {
    const job = this.#deps.registry.get(name);
    const data = job.parse(payload);
    const boss = await this.#open({ work: false, schedule: false });
    const id = await boss.send(name, (data ?? {}) as object, sendOptions(job));
    if (!id) throw new AppError('CONFLICT', `Job ${name} was not queued.`);
    const worker = this.#workers.get(name);
    if (worker) boss.notifyWorker(worker);
    return id;
  }

  async runNow(name: string, payload?: unknown): Promise<JobRun> {
    return runJobNow(this.#deps, name, payload);
  }

  /** The queue's own view of a job (state, retries), for operators and tests. */
  async queueJob(name: string, id: string): Promise<PgBoss.JobWithMetadata<unknown> | null> {
    const boss = await this.#open({ work: false, schedule: false });
    return boss.getJobById(name, id);
  }

  async stop(): Promise<void> {
    const starting = this.#starting;
    if (!starting) return;
    const boss = await starting.catch(() => undefined);
    this.#starting = undefined;
    this.#workers.clear();
    // Graceful: the running attempt finishes (up to 30 s), then pg-boss closes its pool, so nothing keeps the process alive.
    await boss?.stop({ graceful: true, wait: true, timeout: 30_000, close: true });
  }
}
