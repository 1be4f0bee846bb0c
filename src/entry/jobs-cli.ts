import type { Command } from 'commander';
import type { Config } from '../platform/config.ts';
import { loadConfig } from '../platform/config.ts';
import type { Database } from '../platform/db/client.ts';
import { AppError } from '../platform/errors.ts';
import { listJobs, runJobNow, type JobListing, type JobRun } from '../platform/jobs/index.ts';
import { createLogger } from '../platform/logger.ts';
import { buildJobRegistry, runWorker } from './worker.ts';

type GlobalOpts = { dataDir?: string; json?: boolean; progress?: boolean };

/** What cli.ts lends the job commands, so that they open databases and print exactly as the other commands do. */
export type CliHelpers = {
  globals(cmd: Command): GlobalOpts;
  withDatabase<T>(opts: GlobalOpts, fn: (db: Database, cfg: Config) => Promise<T>): Promise<T>;
  emit(json: boolean | undefined, obj: unknown, human: string): void;
};

function parsePayloadFlag(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `--payload: not JSON (${(e as Error).message}).`, { fields: [{ field: '--payload', message: 'not JSON' }] });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError('VALIDATION_FAILED', '--payload: a JSON object is expected, e.g. {"asOf":"2011-12-10"}.', { fields: [{ field: '--payload', message: 'not a JSON object' }] });
  }
  return value as Record<string, unknown>;
}

function when(iso: string): string {
  return iso.replace('T', ' ').slice(0, 19);
}

function formatListing(jobs: JobListing[]): string {
  if (jobs.length === 0) return 'No jobs are registered.';
  return jobs
    .map((j) => {
      const last = j.lastRun ? `last run ${when(j.lastRun.startedAt)} UTC: ${j.lastRun.status}${j.lastRun.error ? ` (${j.lastRun.error})` : ''}` : 'never run';
      return `${j.name}  ${j.schedule ? `cron "${j.schedule}" UTC` : 'no schedule'}; ${last}\n  ${j.description}`;
    })
    .join('\n');
}

function formatRun(r: JobRun): string {
  const took = r.durationMs === null ? '' : ` in ${(r.durationMs / 1000).toFixed(2)} s`;
  const attempts = r.attempt > 1 ? ` (attempt ${r.attempt} of ${r.maxAttempts})` : '';
  if (r.status === 'succeeded') return `Job ${r.job} succeeded${took}${attempts}. Run ${r.id}.\n${JSON.stringify(r.result)}`;
  return `Job ${r.job} failed${took}${attempts}: ${(r.error ?? 'unknown error').replace(/\.$/, '')}. Run ${r.id}.`;
}

/** `patron jobs list|run` and `patron worker`. */
export function registerJobCommands(program: Command, helpers: CliHelpers): void {
  const jobs = program.command('jobs').description('background jobs: list them with their last runs, or run one now');

  jobs
    .command('list')
    .description('the registered jobs, their schedules and last runs')
    .action(async (_o, cmd: Command) => {
      const g = helpers.globals(cmd);
      await helpers.withDatabase(g, async (database) => {
        const list = await listJobs({ database, registry: buildJobRegistry() });
        helpers.emit(g.json, { jobs: list }, formatListing(list));
      });
    });

  jobs
    .command('run')
    .description('run a job now, in this process (retrying by its policy), and print its outcome')
    .argument('<name>', 'the job, e.g. segments.refresh (see `patron jobs list`)')
    .option('--payload <json>', 'the payload, a JSON object (default {})')
    .option('--as-of <date>', 'shorthand for the payload field asOf (YYYY-MM-DD)')
    .action(async (name: string, o: { payload?: string; asOf?: string }, cmd: Command) => {
      const g = helpers.globals(cmd);
      const registry = buildJobRegistry();
      const payload = parsePayloadFlag(o.payload);
      if (o.asOf !== undefined) payload.asOf = o.asOf;
      // Unknown jobs and bad payloads are refused before the database is opened or migrated.
      registry.get(name).parse(payload);
      await helpers.withDatabase(g, async (database, cfg) => {
        const run = await runJobNow({ database, registry, logger: createLogger(cfg.logLevel) }, name, payload);
        if (run.status !== 'succeeded') {
          process.stderr.write(`Error: ${formatRun(run)}\n`);
          process.exitCode = 1;
          helpers.emit(g.json, run, '');
          return;
        }
        helpers.emit(g.json, run, formatRun(run));
      });
    });

  program
    .command('worker')
    .description('work the job queues and fire their schedules until SIGTERM (PostgreSQL; on PGlite, `patron serve` runs jobs)')
    .action(async (_o, cmd: Command) => {
      const g = helpers.globals(cmd);
      if (!loadConfig().databaseUrl) {
        throw new AppError(
          'CONFIG_INVALID',
          'patron worker needs PostgreSQL (set DATABASE_URL). On embedded PGlite, `patron serve` runs the jobs and their schedules in its own process, and `patron jobs run NAME` runs one now.',
          { field: 'DATABASE_URL' },
        );
      }
      await helpers.withDatabase(g, async (database, cfg) => {
        await runWorker(database, { logger: createLogger(cfg.logLevel) });
        helpers.emit(g.json, { stopped: true }, 'Worker stopped.');
      });
    });
}
