// The R×F segments refresh on generated receipts (1M customers, 5M receipts), timed against one plain GROUP BY in the same run.
//
// Usage: npx tsx bench/segments.ts [--customers N] [--receipts M] [--reps R] [--database NAME] [--keep] [--json]
//   BENCH_DATABASE_URL  PostgreSQL server (default postgres://root@127.0.0.1:5432/test). Without --database, a fresh
//                       database patron_bench_seg_<random> is created and filled by bench/generate-receipts.ts, and
//                       dropped at the end unless --keep is given. With --database NAME, that database is created and
//                       filled if it does not exist, reused as it is if it does, and never dropped.
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { openPostgres, type Database } from '../src/platform/db/client.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { refreshSegments } from '../src/modules/segments/index.ts';
import {
  GENERATED_UNTIL,
  createDatabase,
  databaseUrl,
  dropDatabase,
  freshDatabaseName,
  generateReceipts,
  positiveInt,
  withAdmin,
  type GenerateSummary,
} from './generate-receipts.ts';
import { logger, median, round, seconds } from './lib/stats.ts';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string' },
    receipts: { type: 'string' },
    reps: { type: 'string', short: 'n' },
    seed: { type: 'string' },
    database: { type: 'string' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const customers = positiveInt(args.customers, 1_000_000, 'customers');
const receipts = positiveInt(args.receipts, 5_000_000, 'receipts');
const reps = positiveInt(args.reps, 5, 'reps');
const seed = Number(args.seed ?? 0.42);
if (!(seed >= -1 && seed <= 1)) throw new Error(`--seed must be between -1 and 1, got '${args.seed}'`);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const asOf = GENERATED_UNTIL;
const log = logger(args.json);


/**
 * The baseline: the one aggregate any per-customer refresh must at least do, materialised the way buildStats
 * materialises its own (a temporary table dropped at commit, in one transaction), so both pay for writing their result.
 * `tuned` gives it the refresh's own session settings (work_mem 256MB, JIT off: see tuneRefresh in
 * segments.repository.ts), so that the refresh does not win by tuning only itself; untuned, it runs on the server's
 * defaults.
 */
async function timeGroupBy(database: Database, tuned: boolean): Promise<{ s: number; groups: number }> {
  const t = process.hrtime.bigint();
  const groups = await database.transaction(async (s) => {
    if (tuned) await s.query(`SELECT set_config('work_mem', '256MB', true), set_config('jit', 'off', true)`);
    await s.query(
      `CREATE TEMP TABLE bench_baseline ON COMMIT DROP AS
       SELECT customer_id, max(occurred_at) AS last_at, count(*) AS receipts, sum(total_minor) AS total_minor
       FROM sales.receipts GROUP BY customer_id`,
    );
    // Inside the timing, as refreshSegments counts its customers too; a 1M-row temp table scan is a few ms.
    return (await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM bench_baseline`))[0]!.n;
  });
  return { s: seconds(t), groups };
}

async function timeRefresh(database: Database): Promise<{ s: number; customers: number; gridVersion: number }> {
  const t = process.hrtime.bigint();
  const r = await refreshSegments(database, { asOf });
  return { s: seconds(t), customers: r.customers, gridVersion: r.grid.version };
}

/** A checkpoint before each timed step, so that neither pays for flushing what the other (or the load) wrote. */
async function settle(database: Database): Promise<void> {
  await database.query('CHECKPOINT');
}

const reuse = args.database !== undefined && (await withAdmin(serverUrl, (c) => c.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [args.database]))).rowCount! > 0;
const dbName = args.database ?? freshDatabaseName();
const dbUrl = databaseUrl(serverUrl, dbName);
const dropAtEnd = args.database === undefined && !args.keep;

let generated: GenerateSummary | undefined;
let pgVersion = '';
let settings: Record<string, string> = {};
let data: { customers: number; receipts: number; buyers: number; tableMiB: number } | undefined;
const groupByTimes: number[] = [];
const defaultGroupByTimes: number[] = [];
const refreshTimes: number[] = [];
let first: { s: number; customers: number; gridVersion: number } | undefined;
let replace: { s: number } | undefined;
let groups = 0;

if (!reuse) await createDatabase(serverUrl, dbName);
try {
  const database = openPostgres(dbUrl, { max: 2 });
  try {
    if (!reuse) {
      await migrate(database);
      log(`database ${dbName}: generating ${customers} customers and ${receipts} receipts`);
      generated = await generateReceipts(dbUrl, { customers, receipts, seed }, (m) => console.error(m));
      log(`generated in ${generated.seconds.toFixed(1)} s`);
    } else {
      log(`database ${dbName}: reusing its data (--customers/--receipts ignored)`);
      await migrate(database);
    }
    pgVersion = ((await database.query<{ server_version: string }>('SHOW server_version'))[0]?.server_version ?? '').split(' ')[0]!;
    const rows = await database.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings
       WHERE name IN ('work_mem', 'shared_buffers', 'max_parallel_workers_per_gather', 'max_wal_size', 'synchronous_commit', 'jit')`,
    );
    settings = Object.fromEntries(rows.map((r) => [r.name, r.setting]));
    data = (
      await database.query<{ customers: number; receipts: number; buyers: number; tableMiB: number }>(
        `SELECT (SELECT count(*)::int FROM customers.customers) AS customers, (SELECT count(*)::int FROM sales.receipts) AS receipts,
                (SELECT count(DISTINCT customer_id)::int FROM sales.purchases) AS buyers,
                round(pg_relation_size('sales.receipts') / 1048576.0)::int AS "tableMiB"`,
      )
    )[0]!;
    log(`PostgreSQL ${pgVersion}; ${data.customers} customers (${data.buyers} with purchases), ${data.receipts} receipts (${data.tableMiB} MiB); as of ${asOf}`);
    await database.query(`TRUNCATE segments.customer_segments, segments.refresh_runs, segments.grid_versions RESTART IDENTITY`);

    // Warm the cache once for both, so that the first timed step does not pay for reading the table from disk.
    await timeGroupBy(database, true);
    await settle(database);
    first = await timeRefresh(database);
    log(`  first refresh (grid derived from quantiles, version ${first.gridVersion}): ${first.s.toFixed(3)} s, ${first.customers} customers`);
    await settle(database);
    replace = await timeRefresh(database);
    log(`  refresh of the same date again (replaces ${first.customers} rows): ${replace.s.toFixed(3)} s`);

    for (let i = 0; i < reps; i++) {
      // Alternate which goes first, so that neither always runs on a warmer (or busier) server.
      for (const what of i % 2 === 0 ? ['groupBy', 'refresh'] : ['refresh', 'groupBy']) {
        if (what === 'groupBy') {
          await settle(database);
          const r = await timeGroupBy(database, true);
          groups = r.groups;
          groupByTimes.push(r.s);
          await settle(database);
          const d = await timeGroupBy(database, false);
          defaultGroupByTimes.push(d.s);
          log(`  rep ${i + 1}: GROUP BY ${r.s.toFixed(3)} s (${r.groups} groups); on the server's defaults ${d.s.toFixed(3)} s`);
        } else {
          // The usual refresh: a new date with the grid already present. Emptying the table (untimed) keeps every
          // repetition on the same table size.
          await database.query(`TRUNCATE segments.customer_segments, segments.refresh_runs`);
          await settle(database);
          const r = await timeRefresh(database);
          refreshTimes.push(r.s);
          log(`  rep ${i + 1}: refresh  ${r.s.toFixed(3)} s (${r.customers} customers, grid version ${r.gridVersion})`);
        }
      }
    }
  } finally {
    await database.close();
  }
} finally {
  if (dropAtEnd) await dropDatabase(serverUrl, dbName);
  else log(`kept database ${dbName}`);
}

const groupByMedian = median(groupByTimes);
const refreshMedian = median(refreshTimes);
const result = {
  bench: 'segments',
  asOf,
  reps,
  data,
  generatedSeconds: generated ? round(generated.seconds, 1) : null,
  machine: { nproc: cpus().length, memGiB: round(totalmem() / 2 ** 30, 1), cpu: cpus()[0]?.model ?? '', node: process.version, postgres: pgVersion, settings },
  groupBySeconds: round(groupByMedian),
  refreshSeconds: round(refreshMedian),
  ratio: round(refreshMedian / groupByMedian, 2),
  defaultGroupBySeconds: round(median(defaultGroupByTimes)),
  ratioToDefaultGroupBy: round(refreshMedian / median(defaultGroupByTimes), 2),
  firstRefreshSeconds: first ? round(first.s) : null,
  replaceSeconds: replace ? round(replace.s) : null,
  groups,
  segmentedCustomers: first?.customers ?? null,
  groupByRuns: groupByTimes.map((x) => round(x)),
  defaultGroupByRuns: defaultGroupByTimes.map((x) => round(x)),
  refreshRuns: refreshTimes.map((x) => round(x)),
};
log(
  `median GROUP BY ${result.groupBySeconds} s, refresh ${result.refreshSeconds} s, ratio ${result.ratio}x; ` +
    `GROUP BY on the server's defaults ${result.defaultGroupBySeconds} s (ratio ${result.ratioToDefaultGroupBy}x); ` +
    `first refresh (grid derived) ${result.firstRefreshSeconds} s; same date again ${result.replaceSeconds} s`,
);
if (args.json) console.log(JSON.stringify(result));
