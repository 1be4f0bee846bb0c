import * as campaigns from '../modules/campaigns/index.ts';
import * as loyalty from '../modules/loyalty/index.ts';
import * as segments from '../modules/segments/index.ts';
import type { Database } from '../platform/db/client.ts';
import { InProcessRunner, JobRegistry, PgBossRunner, type JobRunner } from '../platform/jobs/index.ts';
import type { Logger } from '../platform/logger.ts';

/** Every module's jobs. The composition root for jobs: a module declares its jobs in `<module>.jobs.ts`, and they are listed here. */
export function buildJobRegistry(): JobRegistry {
  return new JobRegistry([...segments.segmentJobs, ...loyalty.loyaltyJobs, ...campaigns.campaignJobs]);
}

/**
 * `patron worker` on PostgreSQL: pg-boss works every queue and fires the schedules until SIGTERM or SIGINT, then lets
 * the running attempt finish. Any number of workers may run against one database.
 */
export async function runWorker(database: Database, opts: { logger?: Logger; registry?: JobRegistry; signal?: AbortSignal } = {}): Promise<void> {
  const registry = opts.registry ?? buildJobRegistry();
  const runner = new PgBossRunner({ database, registry, logger: opts.logger });
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    opts.signal?.addEventListener('abort', stop, { once: true });
  });
  await runner.start({ schedule: true });
  process.stderr.write(`Worker started: ${registry.list().map((j) => j.name + (j.schedule ? ` (${j.schedule.cron} UTC)` : '')).join(', ')}. Stop with SIGTERM.\n`);
  await stopped;
  process.stderr.write('Stopping: the running job finishes first.\n');
  await runner.stop();
}

/**
 * Jobs inside `patron serve`. On PGlite, the in-process runner works sent jobs and fires the schedules, since no
 * other process can reach the database. On PostgreSQL, nothing starts here: API processes stay stateless, and
 * `patron worker` runs the queues and the schedules.
 */
export async function startServeJobs(database: Database, logger?: Logger): Promise<JobRunner | undefined> {
  if (database.kind !== 'pglite') return undefined;
  const runner = new InProcessRunner({ database, registry: buildJobRegistry(), logger });
  await runner.start({ schedule: true });
  return runner;
}
