import cronParser from 'cron-parser';
import type { z } from 'zod';
import type { Database } from '../db/client.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** How often a failed attempt is tried again, and how long to wait before each retry. */
export type RetryPolicy = {
  /** Retries after the first attempt (0: never retried). */
  limit: number;
  /** The wait before the first retry. */
  delaySeconds: number;
  /** Doubles the wait before each further retry. */
  backoff: boolean;
};

/**
 * Short waits, so that `patron jobs run` and a worker see a transient failure (a lost connection, a serialization
 * failure) retried within seconds rather than after the next schedule.
 */
export const DEFAULT_RETRY: RetryPolicy = { limit: 2, delaySeconds: 5, backoff: true };

/** What a handler gets besides its payload. */
export type JobContext = {
  database: Database;
  logger: Logger | undefined;
  /** The id of this attempt's row in platform.job_runs. */
  runId: string;
  /** 1 for the first attempt. */
  attempt: number;
  maxAttempts: number;
};

/** A job as a module declares it (in its `<module>.jobs.ts`). */
export type JobDefinition<S extends z.ZodType = z.ZodType> = {
  /** `<module>.<verb>`, e.g. `segments.refresh`. */
  name: string;
  description: string;
  /** Validates the payload; a bad payload is rejected before anything is queued or run. */
  payload: S;
  /** Returns a JSON-serializable summary, stored with the run. Throwing fails the attempt. */
  handler(ctx: JobContext, payload: z.output<S>): Promise<unknown>;
  /** A cron expression (UTC) and the payload each scheduled run gets. */
  schedule?: { cron: string; payload?: z.input<S> };
  retry?: Partial<RetryPolicy>;
};

/** Keeps the payload's type between the schema and the handler. */
export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}

/** A job as the runners see it: its payload type erased behind `parse`. */
export type RegisteredJob = {
  name: string;
  description: string;
  schedule: { cron: string; payload: unknown } | undefined;
  retry: RetryPolicy;
  /** Validates a raw payload; throws VALIDATION_FAILED naming the field. */
  parse(raw: unknown): unknown;
  /** Runs the handler on an already parsed payload. */
  run(ctx: JobContext, payload: unknown): Promise<unknown>;
};

const JOB_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

function fieldOf(issue: z.core.$ZodIssue): string {
  if (issue.path.length > 0) return issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys' && issue.keys[0]) return issue.keys[0];
  return 'payload';
}

/** Validates `raw` against a job's payload schema, as the API and the CLI do: the first bad field is named. */
export function parsePayload(job: string, schema: z.ZodType, raw: unknown): unknown {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => ({ field: fieldOf(i), message: i.message }));
  const first = fields[0] ?? { field: 'payload', message: 'invalid' };
  throw new AppError('VALIDATION_FAILED', `Job ${job}: payload field '${first.field}': ${first.message}.`, { job, fields });
}

/** Throws on a cron expression that cron-parser (and pg-boss, which uses it) cannot read. */
export function checkCron(cron: string): void {
  cronParser.parseExpression(cron, { tz: 'UTC' });
}

/** The next time a cron expression (UTC) fires after `after`. */
export function nextCronTime(cron: string, after: Date): Date {
  return cronParser.parseExpression(cron, { tz: 'UTC', currentDate: after }).next().toDate();
}

/** The jobs the program knows, by name. Built once by a composition root (entry/) from the modules' jobs. */
export class JobRegistry {
  readonly #jobs = new Map<string, RegisteredJob>();

  constructor(defs: readonly JobDefinition[] = []) {
    for (const d of defs) this.register(d);
  }

  /** Adds a job. A bad name, a duplicate, a bad cron or a schedule payload the schema rejects is a programming error. */
  register<S extends z.ZodType>(def: JobDefinition<S>): this {
    if (!JOB_NAME.test(def.name)) throw new Error(`Job name '${def.name}' is not <module>.<verb> in lower case.`);
    if (this.#jobs.has(def.name)) throw new Error(`Job '${def.name}' is registered twice.`);
    const parse = (raw: unknown) => parsePayload(def.name, def.payload, raw);
    let schedule: RegisteredJob['schedule'];
    if (def.schedule) {
      checkCron(def.schedule.cron);
      schedule = { cron: def.schedule.cron, payload: parse(def.schedule.payload ?? {}) };
    }
    const retry = { ...DEFAULT_RETRY, ...def.retry };
    if (!Number.isInteger(retry.limit) || retry.limit < 0 || !(retry.delaySeconds >= 0)) {
      throw new Error(`Job '${def.name}': retry needs a whole limit ≥ 0 and a delay ≥ 0.`);
    }
    this.#jobs.set(def.name, {
      name: def.name,
      description: def.description,
      schedule,
      retry,
      parse,
      run: (ctx, payload) => def.handler(ctx, payload as z.output<S>),
    });
    return this;
  }

  find(name: string): RegisteredJob | undefined {
    return this.#jobs.get(name);
  }

  /** The job, or VALIDATION_FAILED listing the known names. */
  get(name: string): RegisteredJob {
    const job = this.#jobs.get(name);
    if (!job) {
      const known = [...this.#jobs.keys()].sort().join(', ') || 'none';
      throw new AppError('VALIDATION_FAILED', `Unknown job '${name}'. Known jobs: ${known}.`, { fields: [{ field: 'name', message: 'unknown job' }] });
    }
    return job;
  }

  list(): RegisteredJob[] {
    return [...this.#jobs.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** The wait before retry number `retry` (1 for the first retry). */
export function retryDelayMs(policy: RetryPolicy, retry: number): number {
  const factor = policy.backoff ? 2 ** Math.min(16, retry - 1) : 1;
  return policy.delaySeconds * 1000 * factor;
}
