// The till's hot path on PostgreSQL (quote and commit of an 8-line basket), against a one-query Fastify+pg endpoint, same load generator, same run.
//
// Usage: npx tsx bench/till.ts [--duration S] [--warmup S] [--reps R] [--customers N] [--connections C] [--rate R]
//                              [--rate-connections C] [--only baseline] [--targets quote,commit] [--phases throughput,fixed]
//                              [--quiesce] [--database-url URL] [--keep] [--json]
//   --database-url  PostgreSQL server (default BENCH_DATABASE_URL, else TEST_DATABASE_URL, else
//                   postgres://root@127.0.0.1:5432/test). The database patron_bench_till is dropped if it exists,
//                   created, migrated and seeded, and dropped at the end unless --keep is given.
//   --targets       Which of Patron's endpoints to measure (default quote,commit); the baseline always runs.
//   --phases        Which phases to run (default throughput,fixed): closed loop at --connections, open loop at --rate.
//                   Each fixed-rate run also reports its p50 and p99 per 5 s window, to tell warm-up from steady state.
//   --quiesce       Before each measured phase, VACUUM (ANALYZE), CHECKPOINT and wait for autovacuum, so that no
//                   target pays for the writes of the phase before it.
//   --only baseline Run the baseline alone, twice per phase (A against B), to check the generator; the seed is then
//                   the few rows the baseline reads, written in SQL.
//
// BENCH_SERVER_NODE_ARGS (environment): extra Node flags for Patron's server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
//   to profile it (the profile is written when the bench stops it).
// BENCH_CHILD_LOG_DIR (environment): a folder where everything the servers print is also appended (patron.log,
//   baseline.log), e.g. the lines of --trace-gc.
//
// Patron (`node bin/patron.js serve`) and the baseline (bench/lib/baseline-server.ts) run as child processes, so that
// the load generator (this process) shares no event loop with them; all three share the machine's CPUs.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openPostgres } from '../src/platform/db/client.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { createApiKey } from '../src/platform/http/auth.ts';
import { createDatabase, databaseUrl, dropDatabase, positiveInt } from './generate-receipts.ts';
import { fixedRate, throughput, type FixedRateResult, type LoadTarget, type ThroughputResult } from './lib/load.ts';
import { children, cpuMark, cpuSince, freePort, startChild, stopChildren, stopChildrenOnExit, waitHealthy, type Child, type Cpu } from './lib/processes.ts';
import { logger, median, round, seconds } from './lib/stats.ts';
import { BASKET, OFFERS, PROGRAM, cardNumber, tillBodies } from './lib/till-fixture.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    reps: { type: 'string' },
    customers: { type: 'string' },
    connections: { type: 'string' },
    rate: { type: 'string' },
    'rate-connections': { type: 'string' },
    only: { type: 'string' },
    targets: { type: 'string' },
    phases: { type: 'string' },
    'database-url': { type: 'string' },
    keep: { type: 'boolean', default: false },
    quiesce: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const durationSec = positiveInt(args.duration, 20, 'duration');
const warmupSec = args.warmup === '0' ? 0 : positiveInt(args.warmup, 5, 'warmup');
const reps = positiveInt(args.reps, 1, 'reps');
const customerCount = positiveInt(args.customers, 10_000, 'customers');
const connections = positiveInt(args.connections, 64, 'connections');
const rate = positiveInt(args.rate, 1000, 'rate');
const rateConnections = positiveInt(args['rate-connections'], 256, 'rate-connections');
if (args.only !== undefined && args.only !== 'baseline') throw new Error(`--only takes 'baseline', got '${args.only}'`);
const baselineOnly = args.only === 'baseline';
/** A comma-separated flag's values, each one of `allowed`; the flag names itself in the error. */
function listFlag(flag: string, value: string | undefined, allowed: readonly string[]): string[] {
  const picked = (value ?? allowed.join(',')).split(',').map((x) => x.trim());
  const bad = picked.find((x) => !allowed.includes(x));
  if (bad !== undefined || picked.length === 0) throw new Error(`--${flag} takes a comma-separated list of ${allowed.join(', ')}; got '${value}'`);
  return picked;
}
const measured = listFlag('targets', args.targets, ['quote', 'commit']);
const phases = listFlag('phases', args.phases, ['throughput', 'fixed']);
const serverUrl = args['database-url'] ?? process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const DB_NAME = 'patron_bench_till';
const dbUrl = databaseUrl(serverUrl, DB_NAME);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Patron's pool size (openPostgres in src/platform/db/client.ts); the baseline gets the same. */
const POOL_MAX = 10;
const log = logger(args.json);
const runId = randomBytes(3).toString('hex');
const tillBody = tillBodies(customerCount, runId);

// ---------------------------------------------------------------------------------------------------------------
// Seeding

async function api(base: string, key: string, method: string, path: string, body: unknown): Promise<unknown> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} answered ${r.status}: ${text.slice(0, 1000)}\nrequest: ${JSON.stringify(body).slice(0, 1000)}`);
  return text ? (JSON.parse(text) as unknown) : null;
}

/** Runs fn over 0…n-1 with at most `limit` calls in flight; reports progress on stderr. */
async function inParallel(n: number, limit: number, what: string, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let done = 0;
  const step = Math.max(1, Math.floor(n / 10));
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) {
        await fn(next++);
        if (++done % step === 0) console.error(`  ${what}: ${done}/${n}`);
      }
    }),
  );
}

/**
 * Through the API, as an operator would: the program, the offers, one card per customer (registering the customer)
 * and a goodwill credit so that every wallet can pay with points.
 */
async function seedThroughApi(base: string, adminKey: string): Promise<{ seconds: number; offers: number; customers: number }> {
  const t = process.hrtime.bigint();
  await api(base, adminKey, 'PUT', '/api/v1/loyalty/program', { config: PROGRAM, note: 'bench/till' });
  for (const offer of OFFERS) await api(base, adminKey, 'POST', '/api/v1/offers', offer);
  await inParallel(customerCount, 16, 'cards and points', async (i) => {
    const number = cardNumber(i);
    await api(base, adminKey, 'POST', '/api/v1/loyalty/cards', { number, customer: { kind: 'external', value: `bench-${i}` } });
    await api(base, adminKey, 'POST', '/api/v1/loyalty/adjustments', {
      customer: { kind: 'card', value: number },
      points: 5000,
      reason: 'bench/till opening balance',
      idempotencyKey: `bench-open-${i}`,
    });
  });
  return { seconds: seconds(t), offers: OFFERS.length, customers: customerCount };
}

/** --only baseline: the rows the baseline's query reads (customers, their card identities, balances), in SQL. */
async function seedForBaseline(): Promise<{ seconds: number; offers: number; customers: number }> {
  const t = process.hrtime.bigint();
  const db = openPostgres(dbUrl, { max: 1 });
  try {
    await db.transaction(async (s) => {
      await s.query(`INSERT INTO customers.customers (id) SELECT 'cus_bench' || lpad(g::text, 21, '0') FROM generate_series(0, $1 - 1) g`, [customerCount]);
      await s.query(
        `INSERT INTO customers.identities (kind, value, customer_id)
         SELECT 'card', '27' || lpad(g::text, 11, '0'), 'cus_bench' || lpad(g::text, 21, '0') FROM generate_series(0, $1 - 1) g`,
        [customerCount],
      );
      await s.query(`INSERT INTO loyalty.balances (customer_id, active) SELECT 'cus_bench' || lpad(g::text, 21, '0'), 5000 FROM generate_series(0, $1 - 1) g`, [customerCount]);
    });
    await db.query('ANALYZE');
  } finally {
    await db.close();
  }
  return { seconds: seconds(t), offers: 0, customers: customerCount };
}

// ---------------------------------------------------------------------------------------------------------------
// The run

type Target = { name: string; server: Child; load: (phase: string) => LoadTarget };
type ThroughputRun = ThroughputResult & { target: string; rep: number; cpuPerRequestMs: Cpu; otherCores: number; loadAverage: number };
type FixedRun = FixedRateResult & { target: string; rep: number; cpuPerRequestMs: Cpu; otherCores: number; loadAverage: number };

function perRequestMs(cpu: Cpu, requests: number): Cpu {
  const f = (s: number): number => round((s * 1000) / Math.max(1, requests), 3);
  return { server: f(cpu.server), postgres: f(cpu.postgres), generator: f(cpu.generator) };
}

/** The commit of the Patron being measured, and whether its tree had changes; null outside a git checkout. */
function patronCommit(): { commit: string; dirty: boolean } | null {
  const git = (a: string[]): string | null => {
    const r = spawnSync('git', ['-C', ROOT, ...a], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  const commit = git(['rev-parse', '--short', 'HEAD']);
  return commit ? { commit, dirty: (git(['status', '--porcelain', '--', 'src', 'drizzle']) ?? '') !== '' } : null;
}

/**
 * Before each measured phase: the database's debts of the phase before (dirty buffers, tables to vacuum and analyse)
 * paid outside the timing, so that no target pays for another's writes; while a commit phase runs, autovacuum does
 * its share of that phase's own work as it would in production. Returns the seconds it took.
 */
async function quiesce(db: ReturnType<typeof openPostgres>): Promise<number> {
  const t = process.hrtime.bigint();
  await db.query('VACUUM (ANALYZE)');
  await db.query('CHECKPOINT');
  // Autovacuum workers already started finish on their own; wait for them (at most 30 s).
  for (let i = 0; i < 300; i++) {
    const busy = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'`);
    if (busy[0]!.n === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return seconds(t);
}

async function machineInfo(): Promise<Record<string, unknown>> {
  const db = openPostgres(dbUrl, { max: 1 });
  try {
    const v = await db.query<{ server_version: string }>('SHOW server_version');
    const settings = await db.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN ('shared_buffers', 'synchronous_commit', 'max_connections', 'work_mem')`,
    );
    return {
      nproc: cpus().length,
      cpu: cpus()[0]?.model ?? '',
      memGiB: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      postgres: (v[0]?.server_version ?? '').split(' ')[0],
      settings: Object.fromEntries(settings.map((s) => [s.name, s.setting])),
    };
  } finally {
    await db.close();
  }
}

/** One request of each target outside the timing, so that a wrong contract fails here with the server's answer. */
async function probe(t: Target): Promise<string> {
  const l = t.load('probe');
  const r = await fetch(l.url, { method: 'POST', headers: { 'content-type': 'application/json', ...l.headers }, body: l.bodies(1) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${t.name}: ${l.url} answered ${r.status}: ${text.slice(0, 2000)}\nrequest: ${l.bodies(1)}`);
  return text;
}

stopChildrenOnExit(`stopping the servers${args.keep ? '' : ` and dropping ${DB_NAME}`}`, () => (args.keep ? Promise.resolve() : dropDatabase(serverUrl, DB_NAME)));

const loadStart = loadavg();
const started = new Date();
const throughputRuns: ThroughputRun[] = [];
const fixedRuns: FixedRun[] = [];
let machine: Record<string, unknown> = {};
let seed: { seconds: number; offers: number; customers: number } | undefined;
const probes: Record<string, unknown> = {};
let failure: unknown;
let quiet: ReturnType<typeof openPostgres> | undefined;

try {
  await dropDatabase(serverUrl, DB_NAME);
  await createDatabase(serverUrl, DB_NAME);
  const setup = openPostgres(dbUrl, { max: 1 });
  let tillKey: string;
  let adminKey: string;
  try {
    await migrate(setup);
    tillKey = (await createApiKey(setup, 'till', 'bench')).secret;
    adminKey = (await createApiKey(setup, 'admin', 'bench admin')).secret;
  } finally {
    await setup.close();
  }
  machine = await machineInfo();
  log(
    `till bench: ${machine.nproc} × ${machine.cpu}, Node ${machine.node}, PostgreSQL ${machine.postgres}; load average ${loadStart.map((x) => x.toFixed(2)).join(' ')}; database ${DB_NAME}`,
  );

  const baselinePort = await freePort();
  const baseline = startChild('baseline', process.execPath, ['--import', 'tsx', 'bench/lib/baseline-server.ts', '--database-url', dbUrl, '--port', String(baselinePort), '--pool', String(POOL_MAX)], {
    cwd: ROOT,
    env: process.env,
  });
  const baselineBase = `http://127.0.0.1:${baselinePort}`;
  let patron: Child | undefined;
  let patronBase = '';
  if (!baselineOnly) {
    const port = await freePort();
    patron = startChild('patron', process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), 'bin/patron.js', 'serve', '--no-demo'], {
      cwd: ROOT,
      // A sealing key of the run's own (the quotes' tokens), rather than a key file made in the checkout's data folder.
      env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', PATRON_RATE_LIMIT: '100000000',
        PATRON_SECRET_KEY: process.env.PATRON_SECRET_KEY ?? randomBytes(32).toString('hex') },
    });
    patronBase = `http://127.0.0.1:${port}`;
  }
  await waitHealthy(baseline, baselineBase);
  if (patron) await waitHealthy(patron, patronBase);
  log(`servers up: baseline ${baselineBase}${patron ? `, patron ${patronBase}` : ''}`);

  if (patron) {
    log(`seeding through the API: program, ${OFFERS.length} offers, ${customerCount} cards with 5,000 points each`);
    seed = await seedThroughApi(patronBase, adminKey);
  } else {
    seed = await seedForBaseline();
  }
  log(`seeded in ${seed.seconds.toFixed(1)} s`);

  const auth = { authorization: `Bearer ${tillKey}` };
  // The baseline gets the same headers and bodies (it ignores the key); only the URL differs.
  const baselineTarget = (name: string): Target => ({
    name,
    server: baseline,
    load: () => ({ url: `${baselineBase}/quote`, headers: auth, bodies: (i) => tillBody(i) }),
  });
  const targets: Target[] = baselineOnly
    ? [baselineTarget('baseline'), baselineTarget('baseline B')]
    : [
        baselineTarget('baseline'),
        ...[
          { name: 'quote', server: patron!, load: () => ({ url: `${patronBase}/api/v1/till/quote`, headers: auth, bodies: (i: number) => tillBody(i) }) },
          {
            name: 'commit',
            server: patron!,
            load: (phase: string) => ({ url: `${patronBase}/api/v1/till/receipts`, headers: auth, bodies: (i: number) => tillBody(i, phase) }),
          },
        ].filter((t) => measured.includes(t.name)),
      ];

  for (const t of targets) {
    const text = await probe(t);
    probes[t.name] = JSON.parse(text) as unknown;
    log(`  ${t.name}: one request answered ${text.length} bytes`);
  }

  quiet = args.quiesce ? openPostgres(dbUrl, { max: 1 }) : undefined;
  for (let rep = 1; rep <= reps; rep++) {
    // Alternate the order, so that no target always runs on a warmer (or more loaded) server and database.
    const order = rep % 2 === 1 ? targets : [...targets].reverse();
    for (const t of phases.includes('throughput') ? order : []) {
      if (quiet) log(`  quiesced the database in ${(await quiesce(quiet)).toFixed(1)} s`);
      if (warmupSec) await throughput({ ...t.load(`tw${rep}`), connections, durationSec: warmupSec });
      const mark = cpuMark(t.server, DB_NAME);
      const r = await throughput({ ...t.load(`t${rep}`), connections, durationSec });
      const cpu = cpuSince(t.server, mark);
      throughputRuns.push({ ...r, target: t.name, rep, cpuPerRequestMs: perRequestMs(cpu, r.requests), otherCores: round(cpu.otherCores, 2), loadAverage: round(loadavg()[0]!, 2) });
      log(
        `  rep ${rep} throughput ${t.name.padEnd(10)} ${r.okPerSec.toFixed(0).padStart(6)} ok/s  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms` +
          `  non-2xx ${r.non2xx}  errors ${r.errors}  other load ${cpu.otherCores.toFixed(2)} cores${r.errorSamples.length ? `  first: ${r.errorSamples[0]}` : ''}`,
      );
    }
    for (const t of phases.includes('fixed') ? order : []) {
      if (quiet) log(`  quiesced the database in ${(await quiesce(quiet)).toFixed(1)} s`);
      // The warm-up is inside fixedRate, on the connections the measured window uses; CPU is counted over both.
      const mark = cpuMark(t.server, DB_NAME);
      const r = await fixedRate({ ...t.load(`f${rep}`), rate, connections: rateConnections, durationSec, warmupSec });
      const cpu = cpuSince(t.server, mark);
      fixedRuns.push({ ...r, target: t.name, rep, cpuPerRequestMs: perRequestMs(cpu, r.requests + r.warmupRequests), otherCores: round(cpu.otherCores, 2), loadAverage: round(loadavg()[0]!, 2) });
      log(
        `  rep ${rep} at ${rate}/s    ${t.name.padEnd(10)} ${r.achievedRate.toFixed(0).padStart(6)} ok/s  p50 ${r.latencyMs.p50.toFixed(2)} ms  p99 ${r.latencyMs.p99.toFixed(2)} ms` +
          `  max ${r.latencyMs.max.toFixed(1)} ms  in flight ≤ ${r.maxInFlight}  queued ${r.queued}  non-2xx ${r.non2xx}  other load ${cpu.otherCores.toFixed(2)} cores`,
      );
      log(`             p50 / p99 ms by 5 s window: ${r.windows.map((w) => `${w.p50.toFixed(1)} / ${w.p99.toFixed(1)}`).join(', ')}`);
      if (!r.achieved) console.error(`  NOT ACHIEVED: ${t.name} at ${rate}/s: ${r.shortfall}`);
    }
  }
} catch (e) {
  failure = e;
  // The servers' own account of what went wrong (Patron logs errors at LOG_LEVEL=warn).
  for (const c of children) if (c.tail.length) console.error(`--- last output of ${c.name}:\n${c.tail.join('\n')}`);
} finally {
  await quiet?.close().catch(() => undefined);
  await stopChildren();
  if (args.keep) log(`kept database ${DB_NAME}`);
  else await dropDatabase(serverUrl, DB_NAME).catch((e: unknown) => console.error(`could not drop ${DB_NAME}: ${String(e)}`));
}
if (failure) throw failure;

// ---------------------------------------------------------------------------------------------------------------
// Report

const names = [...new Set([...throughputRuns, ...fixedRuns].map((r) => r.target))];
const med = (xs: number[]): number => round(median(xs), 2);
/** Only the targets that ran in a phase (--phases may leave one out). */
const ranIn = (runs: readonly { target: string }[]): string[] => names.filter((n) => runs.some((r) => r.target === n));
const throughputBy = Object.fromEntries(
  ranIn(throughputRuns).map((n) => {
    const rs = throughputRuns.filter((r) => r.target === n);
    return [
      n,
      {
        okPerSec: med(rs.map((r) => r.okPerSec)),
        p50Ms: med(rs.map((r) => r.latencyMs.p50)),
        p99Ms: med(rs.map((r) => r.latencyMs.p99)),
        non2xx: rs.reduce((s, r) => s + r.non2xx, 0),
        errors: rs.reduce((s, r) => s + r.errors, 0),
        cpuPerRequestMs: rs.at(-1)!.cpuPerRequestMs,
        otherCores: med(rs.map((r) => r.otherCores)),
      },
    ];
  }),
);
const fixedBy = Object.fromEntries(
  ranIn(fixedRuns).map((n) => {
    const rs = fixedRuns.filter((r) => r.target === n);
    return [
      n,
      {
        achievedRate: med(rs.map((r) => r.achievedRate)),
        p50Ms: med(rs.map((r) => r.latencyMs.p50)),
        p90Ms: med(rs.map((r) => r.latencyMs.p90)),
        p99Ms: med(rs.map((r) => r.latencyMs.p99)),
        maxMs: med(rs.map((r) => r.latencyMs.max)),
        p99FromScheduleMs: med(rs.map((r) => r.fromScheduleMs.p99)),
        sendLagP99Ms: med(rs.map((r) => r.sendLagMs.p99)),
        maxInFlight: Math.max(...rs.map((r) => r.maxInFlight)),
        queued: rs.reduce((s, r) => s + r.queued, 0),
        achieved: rs.every((r) => r.achieved),
        non2xx: rs.reduce((s, r) => s + r.non2xx, 0),
        errors: rs.reduce((s, r) => s + r.errors, 0),
        cpuPerRequestMs: rs.at(-1)!.cpuPerRequestMs,
        otherCores: med(rs.map((r) => r.otherCores)),
      },
    ];
  }),
);

type Goal = { goal: string; value: number; baseline: number; ratio: number; limit: string; pass: boolean; note: string | null };
const goals: Goal[] = [];
const base = throughputBy[names[0]!];
const baseFixed = fixedBy[names[0]!];
const minShare = (n: string, share: number): void => {
  const t = throughputBy[n];
  if (!t || !base) return;
  const ratio = t.okPerSec / base.okPerSec;
  const note = t.non2xx || t.errors ? `${t.non2xx} non-2xx, ${t.errors} errors` : null;
  goals.push({ goal: `${n}: requests/s at ${connections} connections`, value: t.okPerSec, baseline: base.okPerSec, ratio: round(ratio, 3), limit: `≥ ${share}`, pass: ratio >= share && !note, note });
};
/** Why the open-loop figures of `n` against the baseline's cannot be taken as those of the offered load, if they cannot. */
const fixedNote = (n: string): string | null => {
  for (const [who, f] of [[n, fixedBy[n]!], [names[0]!, baseFixed!]] as const) {
    if (!f.achieved) return `${rate}/s not achieved (${who} answered ${f.achievedRate.toFixed(0)}/s): the p99 is that of a saturated server`;
    if (f.non2xx || f.errors) return `${who}: ${f.non2xx} non-2xx, ${f.errors} errors`;
    if (f.queued) return `${who}: ${f.queued} requests waited for a connection (a stall longer than --rate-connections / rate)`;
  }
  return null;
};
const maxP99 = (n: string, factor: number): void => {
  const f = fixedBy[n];
  if (!f || !baseFixed) return;
  const ratio = f.p99Ms / baseFixed.p99Ms;
  goals.push({ goal: `${n}: p99 at ${rate}/s`, value: f.p99Ms, baseline: baseFixed.p99Ms, ratio: round(ratio, 2), limit: `≤ ${factor}`, pass: ratio <= factor && !fixedNote(n), note: fixedNote(n) });
};
if (baselineOnly && base && baseFixed) {
  // The generator's check: the same server measured twice should agree, both ways, within the noise.
  const b = 'baseline B';
  const within = (ratio: number, tolerance: number): boolean => ratio >= 1 / tolerance && ratio <= tolerance;
  const tr = throughputBy[b]!.okPerSec / base.okPerSec;
  goals.push({ goal: `${b}: requests/s at ${connections} connections`, value: throughputBy[b]!.okPerSec, baseline: base.okPerSec, ratio: round(tr, 3), limit: 'within 1.1x either way', pass: within(tr, 1.1), note: null });
  const lr = fixedBy[b]!.p99Ms / baseFixed.p99Ms;
  goals.push({ goal: `${b}: p99 at ${rate}/s`, value: fixedBy[b]!.p99Ms, baseline: baseFixed.p99Ms, ratio: round(lr, 2), limit: 'within 1.5x either way', pass: within(lr, 1.5) && !fixedNote(b), note: fixedNote(b) });
} else if (!baselineOnly) {
  minShare('quote', 0.25);
  minShare('commit', 0.15);
  maxP99('quote', 3);
  maxP99('commit', 5);
}

const loadEnd = loadavg();
log('');
log(`closed loop, ${connections} connections, ${durationSec} s (medians of ${reps}; CPU per request of the last run)`);
log('target       ok/s    p50 ms  p99 ms  non-2xx  other cores  CPU ms/request: server + postgres + generator');
for (const [n, t] of Object.entries(throughputBy)) {
  log(
    `${n.padEnd(10)} ${t.okPerSec.toFixed(0).padStart(7)} ${String(t.p50Ms).padStart(8)} ${String(t.p99Ms).padStart(7)} ${String(t.non2xx).padStart(8)} ${t.otherCores.toFixed(2).padStart(12)}  ` +
      `${t.cpuPerRequestMs.server} + ${t.cpuPerRequestMs.postgres} + ${t.cpuPerRequestMs.generator}`,
  );
}
log('');
log(`open loop at ${rate} requests/s, up to ${rateConnections} connections, ${durationSec} s (medians of ${reps})`);
log('target       ok/s    p50 ms  p90 ms  p99 ms  max ms  p99 from schedule  in flight  queued  non-2xx  other cores');
for (const [n, f] of Object.entries(fixedBy)) {
  log(
    `${n.padEnd(10)} ${f.achievedRate.toFixed(0).padStart(7)} ${f.p50Ms.toFixed(2).padStart(8)} ${f.p90Ms.toFixed(2).padStart(7)} ${f.p99Ms.toFixed(2).padStart(7)} ` +
      `${f.maxMs.toFixed(1).padStart(7)} ${f.p99FromScheduleMs.toFixed(2).padStart(18)} ${String(f.maxInFlight).padStart(10)} ${String(f.queued).padStart(7)} ${String(f.non2xx).padStart(8)} ${f.otherCores.toFixed(2).padStart(12)}`,
  );
}
log('');
for (const g of goals) {
  log(`${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.value} against the baseline's ${g.baseline}, ratio ${g.ratio} (goal ${g.limit})${g.note ? `; ${g.note}` : ''}`);
}
log(`load average at the start ${loadStart.map((x) => x.toFixed(2)).join(' ')}, at the end ${loadEnd.map((x) => x.toFixed(2)).join(' ')}`);

const notAchieved = fixedRuns.filter((r) => !r.achieved);
if (notAchieved.length) {
  console.error(`\nNOT ACHIEVED: the offered ${rate}/s in ${notAchieved.length} open-loop run(s) (${[...new Set(notAchieved.map((r) => r.target))].join(', ')}); their latencies are not those of that load.`);
  process.exitCode = 1;
}

if (args.json) {
  console.log(
    JSON.stringify({
      bench: 'till',
      started: started.toISOString(),
      machine: { ...machine, loadAverageStart: loadStart.map((x) => round(x, 2)), loadAverageEnd: loadEnd.map((x) => round(x, 2)) },
      patron: patronCommit(),
      options: { durationSec, warmupSec, reps, customers: customerCount, connections, rate, rateConnections, only: args.only ?? null, targets: measured, phases, poolMax: POOL_MAX },
      seed: seed ? { ...seed, seconds: round(seed.seconds, 1) } : null,
      basket: BASKET,
      throughput: throughputBy,
      fixedRate: fixedBy,
      goals,
      probes,
      runs: {
        throughput: throughputRuns.map(({ errorSamples, ...r }) => ({ ...r, errorSamples: errorSamples.slice(0, 1) })),
        fixedRate: fixedRuns.map(({ errorSamples, ...r }) => ({ ...r, errorSamples: errorSamples.slice(0, 1) })),
      },
    }),
  );
}
