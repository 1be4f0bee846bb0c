import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, openTestDatabase } from '../../../test/db.ts';
import type { Database } from '../db/client.ts';
import { AppError, isAppError } from '../errors.ts';
import {
  InProcessRunner,
  JobRegistry,
  PgBossRunner,
  createJobRunner,
  defineJob,
  listJobRuns,
  listJobs,
  retryDelayMs,
  type JobRun,
  type JobRunner,
} from './index.ts';

let database: Database;
let runner: JobRunner;
/** How often each test job's handler was entered, by a key of the payload. */
const calls = new Map<string, number>();
const count = (key: string) => {
  const n = (calls.get(key) ?? 0) + 1;
  calls.set(key, n);
  return n;
};

const echo = defineJob({
  name: 'test.echo',
  description: 'returns what it was given',
  payload: z.object({ key: z.string(), count: z.number().int().min(1) }).strict(),
  retry: { limit: 0 },
  async handler(ctx, p) {
    count(p.key);
    const [row] = await ctx.database.query<{ one: number }>('SELECT $1::int AS one', [p.count]);
    return { key: p.key, count: row!.one, attempt: ctx.attempt, at: new Date(0) };
  },
});

const flaky = defineJob({
  name: 'test.flaky',
  description: 'fails until its attempt reaches `succeedAt` (never, when absent)',
  payload: z.object({ key: z.string(), succeedAt: z.number().int().optional() }),
  // pg-boss counts whole seconds; the in-process runner takes the delay as given.
  retry: { limit: 2, delaySeconds: onPostgres ? 1 : 0.02, backoff: false },
  async handler(ctx, p) {
    count(p.key);
    if (p.succeedAt !== undefined && ctx.attempt >= p.succeedAt) return { attempt: ctx.attempt };
    throw new Error(`boom on attempt ${ctx.attempt}`);
  },
});

const refuse = defineJob({
  name: 'test.refuse',
  description: 'a domain refusal: fails the same way every time',
  payload: z.object({ key: z.string() }),
  retry: { limit: 3, delaySeconds: onPostgres ? 1 : 0.02, backoff: false },
  async handler(_ctx, p) {
    count(p.key);
    throw new AppError('SEGMENTS_NO_PURCHASES', 'nothing to do');
  },
});

const registry = new JobRegistry([echo, flaky, refuse]);

/** Polls until `fn` returns something, for at most `ms`: queued work finishes on the runner's time, not the test's. */
async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms`);
    await sleep(50);
  }
}

/** The runs of one queued job, oldest first, once its last attempt has ended. */
async function finishedRuns(queueJobId: string, done: (runs: JobRun[]) => boolean): Promise<JobRun[]> {
  return waitFor(async () => {
    const runs = (await listJobRuns(database, { queueJobId })).reverse();
    return done(runs) ? runs : undefined;
  });
}

const lastEnded = (runs: JobRun[]) => runs.length > 0 && ['succeeded', 'failed'].includes(runs[runs.length - 1]!.status);

beforeAll(async () => {
  database = await openTestDatabase();
  runner = createJobRunner({ database, registry }, { pollingIntervalSeconds: 0.5 });
  await runner.start({ schedule: false });
});

// pg-boss holds a pool and timers: it must be stopped, or the test process would not end.
afterAll(async () => {
  await runner?.stop();
  await database?.close();
});

describe('job registry', () => {
  it('refuses bad names, duplicates, bad cron expressions and schedule payloads the schema rejects', () => {
    expect(() => new JobRegistry([{ ...echo, name: 'Echo' }])).toThrow(/<module>\.<verb>/);
    expect(() => new JobRegistry([echo, echo])).toThrow(/twice/);
    expect(() => new JobRegistry([{ ...echo, schedule: { cron: 'every day' } }])).toThrow();
    expect(() => new JobRegistry([{ ...echo, schedule: { cron: '0 3 * * *', payload: { key: 'k' } as never } }])).toThrow(/count/);
  });

  it('names an unknown job and lists the known ones', () => {
    expect(() => registry.get('test.nope')).toThrow(/Unknown job 'test\.nope'.*test\.echo, test\.flaky, test\.refuse/);
  });

  it('waits longer before each retry with backoff', () => {
    expect([1, 2, 3].map((n) => retryDelayMs({ limit: 3, delaySeconds: 5, backoff: true }, n))).toEqual([5000, 10_000, 20_000]);
    expect([1, 2].map((n) => retryDelayMs({ limit: 3, delaySeconds: 5, backoff: false }, n))).toEqual([5000, 5000]);
  });
});

describe(`job runner (${onPostgres ? 'pg-boss on PostgreSQL' : 'in-process on PGlite'})`, () => {
  it('is pg-boss on PostgreSQL and the in-process queue on PGlite', () => {
    expect(runner).toBeInstanceOf(onPostgres ? PgBossRunner : InProcessRunner);
  });

  it('runs a sent job and records its run: status, timings, payload and result', async () => {
    const before = Date.now();
    const id = await runner.send('test.echo', { key: 'sent-1', count: 7 });
    const [run, ...more] = await finishedRuns(id, lastEnded);
    expect(more).toEqual([]);
    expect(run).toMatchObject({
      job: 'test.echo',
      source: 'queue',
      queueJobId: id,
      attempt: 1,
      maxAttempts: 1,
      status: 'succeeded',
      payload: { key: 'sent-1', count: 7 },
      result: { key: 'sent-1', count: 7, attempt: 1, at: '1970-01-01T00:00:00.000Z' },
      error: null,
    });
    expect(run!.id).toMatch(/^jrn_/);
    expect(Date.parse(run!.startedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(run!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(run!.startedAt));
    expect(run!.durationMs).toBeGreaterThanOrEqual(0);
    expect(calls.get('sent-1')).toBe(1);
  });

  it.runIf(onPostgres)('leaves the pg-boss job completed once a worker has run it', async () => {
    const boss = runner as PgBossRunner;
    const id = await runner.send('test.echo', { key: 'sent-2', count: 1 });
    await finishedRuns(id, lastEnded);
    const job = await waitFor(async () => {
      const j = await boss.queueJob('test.echo', id);
      return j?.state === 'completed' ? j : undefined;
    });
    expect(job.data).toEqual({ key: 'sent-2', count: 1 });
  });

  it('retries a failing job by its policy, then records it as failed with its message and no stack', async () => {
    const id = await runner.send('test.flaky', { key: 'flaky-1' });
    const runs = await finishedRuns(id, lastEnded);
    expect(runs.map((r) => [r.attempt, r.maxAttempts, r.status, r.error])).toEqual([
      [1, 3, 'retrying', 'boom on attempt 1'],
      [2, 3, 'retrying', 'boom on attempt 2'],
      [3, 3, 'failed', 'boom on attempt 3'],
    ]);
    expect(calls.get('flaky-1')).toBe(3);
    // The retry waited for its delay: the second attempt started after the first one ended.
    expect(Date.parse(runs[1]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(runs[0]!.finishedAt!) + (onPostgres ? 900 : 15));
    if (onPostgres) {
      const job = await waitFor(async () => {
        const j = await (runner as PgBossRunner).queueJob('test.flaky', id);
        return j?.state === 'failed' ? j : undefined;
      });
      expect(job.retryCount).toBe(2);
    }
  });

  it('succeeds on a retry after a failed attempt', async () => {
    const id = await runner.send('test.flaky', { key: 'flaky-2', succeedAt: 2 });
    const runs = await finishedRuns(id, lastEnded);
    expect(runs.map((r) => r.status)).toEqual(['retrying', 'succeeded']);
    expect(runs[1]!.result).toEqual({ attempt: 2 });
  });

  it('does not retry a domain refusal (an AppError with a 4xx status)', async () => {
    const id = await runner.send('test.refuse', { key: 'refuse-1' });
    const runs = await finishedRuns(id, lastEnded);
    expect(runs.map((r) => [r.attempt, r.maxAttempts, r.status, r.error])).toEqual([[1, 4, 'failed', 'nothing to do']]);
    await sleep(onPostgres ? 1500 : 100);
    expect(calls.get('refuse-1')).toBe(1);
  });

  it('rejects a bad payload naming the field, before anything is queued or run', async () => {
    const before = (await listJobRuns(database, { job: 'test.echo', limit: 1000 })).length;
    for (const send of [(p: unknown) => runner.send('test.echo', p), (p: unknown) => runner.runNow('test.echo', p)]) {
      const err = await send({ key: 'bad', count: 'seven' }).catch((e: unknown) => e);
      expect(isAppError(err)).toBe(true);
      expect(err).toMatchObject({ code: 'VALIDATION_FAILED', details: { job: 'test.echo', fields: [{ field: 'count' }] } });
      expect((err as Error).message).toMatch(/test\.echo: payload field 'count'/);
      const extra = await send({ key: 'bad', count: 1, colour: 'red' }).catch((e: unknown) => e);
      expect(extra).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'colour' }] } });
      const unknown = await runner.send('test.nope', {}).catch((e: unknown) => e);
      expect(unknown).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'name' }] } });
    }
    expect(calls.get('bad')).toBeUndefined();
    expect((await listJobRuns(database, { job: 'test.echo', limit: 1000 })).length).toBe(before);
  });

  it('runs a job now, in this process, retrying by its policy (what the CLI does)', async () => {
    const ok = await runner.runNow('test.echo', { key: 'now-1', count: 3 });
    expect(ok).toMatchObject({ source: 'now', queueJobId: null, status: 'succeeded', result: { count: 3 } });
    const failed = await new InProcessRunner({ database, registry }).runNow('test.flaky', { key: 'now-2' });
    expect(failed).toMatchObject({ source: 'now', attempt: 3, status: 'failed', error: 'boom on attempt 3' });
    const all = (await listJobRuns(database, { job: 'test.flaky', limit: 1000 })).filter((r) => r.source === 'now');
    expect(all.map((r) => r.status).sort()).toEqual(['failed', 'retrying', 'retrying']);
  });

  it('lists the registered jobs with each one’s newest run', async () => {
    const list = await listJobs({ database, registry });
    expect(list.map((j) => j.name)).toEqual(['test.echo', 'test.flaky', 'test.refuse']);
    const echoRun = (await listJobRuns(database, { job: 'test.echo', limit: 1 }))[0];
    expect(list[0]!.lastRun?.id).toBe(echoRun!.id);
    expect(list[0]!.retry).toEqual({ limit: 0, delaySeconds: 5, backoff: true });
  });
});

// pg-boss fires cron schedules at minute granularity, so a test of its scheduler would wait a minute or more; the
// in-process runner takes cron-parser's six-field form, which fires every second.
describe.skipIf(onPostgres)('in-process schedules', () => {
  it('fires a job on its cron schedule, with the schedule payload', async () => {
    const ticking = new JobRegistry([{ ...echo, schedule: { cron: '* * * * * *', payload: { key: 'tick', count: 2 } } }]);
    const scheduled = new InProcessRunner({ database, registry: ticking });
    await scheduled.start();
    try {
      const run = await waitFor(async () => (await listJobRuns(database, { job: 'test.echo', limit: 50 })).find((r) => r.source === 'queue' && (r.payload as { key: string }).key === 'tick' && r.status === 'succeeded'), 5000);
      expect(run.result).toMatchObject({ count: 2 });
    } finally {
      await scheduled.stop();
    }
  });
});
