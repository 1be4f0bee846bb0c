// Online Retail import into PostgreSQL, timed against a plain COPY of the same file in the same run; PGlite once.
//
// Usage: npx tsx bench/import.ts [--reps N] [--no-pglite] [--json]
//   BENCH_DATABASE_URL  PostgreSQL server (default postgres://root@127.0.0.1:5432/test); a fresh database is created
//                       on it and dropped at the end.
//   BENCH_FILE          the gzipped Online Retail CSV (default /work/shared/data/online-retail/online_retail.csv.gz)
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { IMPORT_FORMATS, runImport, type ImportSummary } from '../src/flows/import/index.ts';
import { openPglite, openPostgres, type Database } from '../src/platform/db/client.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { logger, median, round, seconds } from './lib/stats.ts';

const { values: args, positionals } = parseArgs({
  options: {
    reps: { type: 'string', short: 'n' },
    json: { type: 'boolean', default: false },
    'no-pglite': { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const reps = Number(args.reps ?? positionals[0] ?? 3);
if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer, got ${args.reps ?? positionals[0]}`);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const file = process.env.BENCH_FILE ?? '/work/shared/data/online-retail/online_retail.csv.gz';
if (!existsSync(file)) throw new Error(`${file} not found (set BENCH_FILE)`);
const format = IMPORT_FORMATS['online-retail']!;
const log = logger(args.json);


async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * CPU seconds (user + system) used so far by the server processes of the bench database, read from /proc when the
 * server runs on this machine (else 0). On a shared, busy machine wall time swings with the load; CPU time much less.
 */
async function serverCpu(admin: pg.Client): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const rows = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName]);
  for (const { pid } of rows.rows) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // Not on this machine, or the process has just ended.
    }
  }
  return out;
}
const cpuDelta = (a: Map<number, number>, b: Map<number, number>) => [...b].reduce((s, [pid, t]) => s + t - (a.get(pid) ?? 0), 0);
const clientCpu = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
};

type Timing = { s: number; clientCpu: number; serverCpu: number };

/** The baseline: the decompressed file streamed by COPY into one unindexed, logged table of text columns. */
async function timeCopy(url: string, admin: pg.Client): Promise<Timing> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('TRUNCATE bench_staging');
    const cpu0 = await serverCpu(admin);
    const u = process.cpuUsage();
    const t = process.hrtime.bigint();
    await pipeline(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      createGunzip(),
      c.query(copyFrom('COPY bench_staging FROM STDIN WITH (FORMAT csv, HEADER true)')),
    );
    const s = seconds(t);
    return { s, clientCpu: clientCpu(u), serverCpu: cpuDelta(cpu0, await serverCpu(admin)) };
  } finally {
    await c.end();
  }
}

const IMPORTED_TABLES = [
  'sales.receipts',
  'sales.receipt_keys',
  'customers.identities',
  'customers.customers',
  'catalog.products',
  'catalog.stores',
  'platform.import_runs',
];

async function timeImport(database: Database, rejectsFile: string, admin?: pg.Client): Promise<Timing & { summary: ImportSummary }> {
  const cpu0 = admin ? await serverCpu(admin) : new Map<number, number>();
  const u = process.cpuUsage();
  const t = process.hrtime.bigint();
  const summary = await runImport(database, format, file, { rejectsFile });
  const s = seconds(t);
  const client = clientCpu(u);
  return { s, clientCpu: client, serverCpu: admin ? cpuDelta(cpu0, await serverCpu(admin)) : 0, summary };
}
const cpuText = (t: Timing) => `CPU: client ${t.clientCpu.toFixed(2)} s, server ${t.serverCpu.toFixed(2)} s`;

const brief = (x: ImportSummary) =>
  `${x.linesRead} lines read, ${x.linesImported} imported, ${x.linesRejected} rejected, ${x.receiptsCreated} receipts created, ` +
  `${x.receiptsSkipped} skipped, ${x.customersCreated} customers, ${x.productsCreated} products`;

const dbName = `patron_bench_${randomBytes(5).toString('hex')}`;
const dbUrl = (() => {
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const work = mkdtempSync(join(tmpdir(), 'patron-bench-'));
const rejectsFile = join(work, 'rejects.csv');

// The machine may be shared: the load average before and after tells how far the figures can be trusted.
const loadBefore = loadavg()[0]!;
const copies: Timing[] = [];
const imports: Timing[] = [];
let rerun: (Timing & { summary: ImportSummary }) | undefined;
let first: ImportSummary | undefined;
let pgVersion = '';
await withAdmin((c) => c.query(`CREATE DATABASE ${dbName}`));
try {
  const database = openPostgres(dbUrl);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await migrate(database);
    pgVersion = ((await database.query<{ server_version: string }>('SHOW server_version'))[0]?.server_version ?? '').split(' ')[0]!;
    await database.query(
      `CREATE TABLE bench_staging (invoice_no text, stock_code text, description text, quantity text, invoice_date text,
         unit_price text, customer_id text, country text)`,
    );
    log(`PostgreSQL ${pgVersion}, database ${dbName}, ${reps} repetitions`);
    for (let i = 0; i < reps; i++) {
      // Alternate which goes first, so that neither always runs on a warmer (or busier) server.
      const order = i % 2 === 0 ? ['copy', 'import'] : ['import', 'copy'];
      for (const what of order) {
        if (what === 'copy') {
          const c = await timeCopy(dbUrl, admin);
          copies.push(c);
          log(`  rep ${i + 1}: COPY   ${c.s.toFixed(3)} s (${cpuText(c)})`);
        } else {
          await database.query(`TRUNCATE ${IMPORTED_TABLES.join(', ')}`);
          const r = await timeImport(database, rejectsFile, admin);
          imports.push(r);
          first ??= r.summary;
          log(`  rep ${i + 1}: import ${r.s.toFixed(3)} s (${cpuText(r)}; ${brief(r.summary)})`);
        }
      }
    }
    rerun = await timeImport(database, rejectsFile, admin);
    log(`  re-run (nothing new): ${rerun.s.toFixed(3)} s (${cpuText(rerun)}; ${brief(rerun.summary)})`);
    if (rerun.summary.receiptsCreated !== 0 || rerun.summary.linesCreated !== 0) throw new Error('the re-run created receipts: not idempotent');
  } finally {
    await admin.end();
    await database.close();
  }
} finally {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
}

let pglite: { s: number; summary: ImportSummary } | undefined;
if (!args['no-pglite']) {
  const lite = await openPglite(undefined);
  try {
    await migrate(lite);
    pglite = await timeImport(lite, rejectsFile);
    log(`  PGlite (in memory) import: ${pglite.s.toFixed(3)} s (${brief(pglite.summary)})`);
  } finally {
    await lite.close();
  }
}
rmSync(work, { recursive: true, force: true });

const copyMedian = median(copies.map((c) => c.s));
const importMedian = median(imports.map((c) => c.s));
const cpuOf = (ts: Timing[]) => ({ client: round(median(ts.map((t) => t.clientCpu)), 2), server: round(median(ts.map((t) => t.serverCpu)), 2) });
const result = {
  bench: 'import',
  file,
  reps,
  machine: { nproc: cpus().length, memGiB: round(totalmem() / 2 ** 30, 1), cpu: cpus()[0]?.model ?? '', node: process.version, postgres: pgVersion },
  loadAverage: { before: round(loadBefore, 2), after: round(loadavg()[0]!, 2) },
  copySeconds: round(copyMedian),
  importSeconds: round(importMedian),
  ratio: round(importMedian / copyMedian, 2),
  rerunSeconds: rerun ? round(rerun.s) : null,
  pgliteSeconds: pglite ? round(pglite.s) : null,
  // Median CPU seconds of this process (client) and of the server's processes for the bench database (server).
  copyCpu: cpuOf(copies),
  importCpu: cpuOf(imports),
  rerunCpu: rerun ? cpuOf([rerun]) : null,
  copyRuns: copies.map((x) => round(x.s)),
  importRuns: imports.map((x) => round(x.s)),
  imported: first && { linesRead: first.linesRead, linesImported: first.linesImported, linesRejected: first.linesRejected, receipts: first.receiptsCreated },
};
log(
  `median COPY ${result.copySeconds} s, import ${result.importSeconds} s, ratio ${result.ratio}x; re-run ${result.rerunSeconds} s; ` +
    `PGlite ${result.pgliteSeconds ?? '-'} s; median CPU (client + server): COPY ${result.copyCpu.client} + ${result.copyCpu.server} s, ` +
    `import ${result.importCpu.client} + ${result.importCpu.server} s; load average ${result.loadAverage.before} → ${result.loadAverage.after}`,
);
if (args.json) console.log(JSON.stringify(result));
