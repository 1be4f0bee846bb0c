import { randomUUID } from 'node:crypto';
import { runAttempt } from './execute.ts';
import type { JobRun } from './job-runs.ts';
import { nextCronTime, retryDelayMs, type RegisteredJob } from './registry.ts';
import { runJobNow, type JobRunner, type RunnerDeps } from './runner.ts';

type Item = { id: string; job: RegisteredJob; payload: unknown; attempt: number };

// setTimeout holds at most 2^31-1 ms (about 24.8 days); a later cron time is reached in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The runner for PGlite: a queue in memory, worked one job at a time in this process, since PGlite is a single
 * connection that no other process can reach. It is not durable: jobs still queued when the process stops are lost,
 * and a schedule fires again at its next time. Every attempt is recorded in platform.job_runs as with pg-boss.
 */
export class InProcessRunner implements JobRunner {
  readonly kind = 'in-process' as const;
  readonly #deps: RunnerDeps;
  readonly #queue: Item[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #draining: Promise<void> | undefined;
  #retriesPending = 0;
  #started = false;
  #stopped = false;

  constructor(deps: RunnerDeps) {
    this.#deps = deps;
  }

  async start(opts: { schedule?: boolean } = {}): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#stopped = false;
    if (opts.schedule !== false) {
      for (const job of this.#deps.registry.list()) if (job.schedule) this.#arm(job, job.schedule.cron, job.schedule.payload);
    }
    this.#kick();
  }

  async send(name: string, payload?: unknown): Promise<string> {
    const job = this.#deps.registry.get(name);
    const parsed = job.parse(payload);
    const id = randomUUID();
    this.#enqueue({ id, job, payload: parsed, attempt: 1 });
    return id;
  }

  async runNow(name: string, payload?: unknown): Promise<JobRun> {
    return runJobNow(this.#deps, name, payload);
  }

  /** Resolves once the queue is empty, nothing runs and no retry is waiting (tests and graceful shutdowns). */
  async idle(): Promise<void> {
    while (this.#draining || this.#queue.length > 0 || this.#retriesPending > 0) {
      await (this.#draining ?? new Promise((r) => setTimeout(r, 20)));
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#started = false;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#retriesPending = 0;
    await this.#draining;
    this.#queue.length = 0;
  }

  #enqueue(item: Item): void {
    if (this.#stopped) return;
    this.#queue.push(item);
    this.#kick();
  }

  #kick(): void {
    if (!this.#started || this.#draining) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
    });
  }

  async #drain(): Promise<void> {
    for (let item = this.#queue.shift(); item && !this.#stopped; item = this.#queue.shift()) {
      const maxAttempts = item.job.retry.limit + 1;
      try {
        const { run } = await runAttempt({ database: this.#deps.database, logger: this.#deps.logger }, item.job, item.payload, {
          source: 'queue',
          queueJobId: item.id,
          attempt: item.attempt,
          maxAttempts,
        });
        if (run.status === 'retrying') this.#retryLater(item);
      } catch (e) {
        // Only recording the run can throw here (the database is gone); the process must live on to serve.
        this.#deps.logger?.error({ err: e, job: item.job.name }, 'job run could not be recorded');
      }
    }
  }

  #retryLater(item: Item): void {
    this.#retriesPending++;
    this.#later(retryDelayMs(item.job.retry, item.attempt), () => {
      this.#retriesPending--;
      this.#enqueue({ ...item, attempt: item.attempt + 1 });
    });
  }

  #arm(job: RegisteredJob, cron: string, payload: unknown): void {
    const at = nextCronTime(cron, new Date()).getTime();
    const wait = at - Date.now();
    this.#later(Math.min(wait, MAX_TIMER_MS), () => {
      if (Date.now() >= at) this.#enqueue({ id: randomUUID(), job, payload, attempt: 1 });
      this.#arm(job, cron, payload);
    });
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#stopped) fn();
    }, Math.max(0, ms));
    // Timers alone must not keep a process alive: `patron serve` is kept alive by its server, a test or a CLI command is not.
    t.unref();
    this.#timers.add(t);
  }
}
