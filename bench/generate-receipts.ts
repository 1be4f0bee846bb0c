// Generates N customers and M receipts (heavy-tailed, two years, returns, anonymous sales) into a fresh migrated PostgreSQL database, in SQL.
//
// Usage: npx tsx bench/generate-receipts.ts [--customers N] [--receipts M] [--seed S] [--database NAME] [--keep]
//   BENCH_DATABASE_URL  PostgreSQL server (default postgres://root@127.0.0.1:5432/test). A fresh database
//                       patron_bench_seg_<random> (or --database NAME) is created, migrated and filled; it is dropped at
//                       the end unless --keep is given.
//
// Everything is generated inside the server with INSERT … SELECT FROM generate_series: nothing row by row from Node.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openPostgres } from '../src/platform/db/client.ts';
import { migrate } from '../src/platform/db/migrate.ts';

export type GenerateOptions = { customers: number; receipts: number; seed: number };
export type GenerateSummary = {
  customers: number;
  receipts: number;
  customerReceipts: number;
  anonymousReceipts: number;
  returns: number;
  buyers: number;
  seconds: number;
};

/** Two years of receipts, ending the day before this date; the as-of date of the segments benchmark. */
export const GENERATED_UNTIL = '2026-01-01';
const DAYS = 730;
const STORES = 50;
/** Pareto shape of the per-customer purchase weight: about half the buyers buy once, a few buy hundreds of times. */
const PARETO_ALPHA = 1.2;
/** Share of registered customers who never buy (a loyalty card signed up for and never used). */
const NEVER_BUY = 0.1;
/** Share of receipts without a customer: walk-in sales under the store's `anon:<store>` id. */
const ANONYMOUS = 0.005;
const RETURN_SHARE = 0.05;
const MAX_LINES = 5;

export const DB_NAME_RE = /^[a-z0-9_]+$/;

/** The URL of database `name` on the server at `serverUrl`; the name is checked, since it is spliced into DDL. */
export function databaseUrl(serverUrl: string, name: string): string {
  if (!DB_NAME_RE.test(name)) throw new Error(`database name '${name}' must match ${DB_NAME_RE}`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export function freshDatabaseName(): string {
  return `patron_bench_seg_${randomBytes(5).toString('hex')}`;
}

export async function withAdmin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createDatabase(serverUrl: string, name: string): Promise<void> {
  if (!DB_NAME_RE.test(name)) throw new Error(`database name '${name}' must match ${DB_NAME_RE}`);
  await withAdmin(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  if (!DB_NAME_RE.test(name)) throw new Error(`database name '${name}' must match ${DB_NAME_RE}`);
  await withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Line j (1-based) of a receipt exists when j ≤ k; these build the parallel arrays and the total from columns p1…, q1…. */
const lineIdx = Array.from({ length: MAX_LINES }, (_, i) => i + 1);
const linesArray = (col: (j: number) => string, type: string) => `(ARRAY[${lineIdx.map(col).join(', ')}]::${type}[])[1:k]`;
const totalExpr = lineIdx.map((j) => `CASE WHEN k >= ${j} THEN q${j} * p${j} ELSE 0 END`).join(' + ');

/**
 * Fills the migrated, empty database at `url`. Indexes of the two big tables are dropped during the load and built
 * again after it (same definitions, read from the catalog), because building a b-tree once is several times cheaper
 * than 5 million random inserts into it.
 */
export async function generateReceipts(url: string, opts: GenerateOptions, log: (msg: string) => void = (m) => console.error(m)): Promise<GenerateSummary> {
  const started = process.hrtime.bigint();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const step = async (what: string, text: string, params: unknown[] = []) => {
    const t = process.hrtime.bigint();
    const r = await c.query(text, params);
    log(`  ${what}: ${r.rowCount ?? 0} rows, ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(1)} s`);
    return r;
  };
  try {
    await c.query(`SET work_mem = '256MB'`);
    await c.query(`SET maintenance_work_mem = '1GB'`);
    await c.query(`SET synchronous_commit = off`);
    // setseed() makes random() repeatable within this session, so a seed gives the same data set every time.
    await c.query(`SELECT setseed($1::float8)`, [opts.seed]);
    const anonymous = Math.round(opts.receipts * ANONYMOUS);
    const customerReceipts = opts.receipts - anonymous;
    log(`generating ${opts.customers} customers, ${opts.receipts} receipts (${anonymous} anonymous)`);

    // Each customer gets a Pareto weight (0 for those who never buy) and an acquisition day; the receipts are then
    // dealt out in proportion to the weights by integer arithmetic on the running sum, so they add up to exactly
    // customerReceipts.
    await step(
      'customer plan',
      `CREATE UNLOGGED TABLE bench_gen_customers AS
       SELECT i, id, first_day,
              ((cum * $2::bigint) / tot - ((cum - w) * $2::bigint) / tot)::int AS n
       FROM (
         SELECT i, id, first_day, w, sum(w) OVER (ORDER BY i)::bigint AS cum, sum(w) OVER ()::bigint AS tot
         FROM (
           SELECT i, 'cus_' || substr(md5('c' || i), 1, 26) AS id, floor(random() * $3::int)::int AS first_day,
                  CASE WHEN random() < $4::float8 THEN 0
                       ELSE least(round(1000 * power(1 - random(), -1 / $5::float8)), 2000000)::bigint END AS w
           FROM generate_series(1, $1::int) i
         ) b
       ) a`,
      [opts.customers, customerReceipts, DAYS, NEVER_BUY, PARETO_ALPHA],
    );
    const start = (param: string) => `(${param}::date - ${DAYS})::timestamptz`;
    await withoutIndexes(c, 'customers', 'customers', log, async () => {
      await step(
        'customers.customers',
        `INSERT INTO customers.customers (id, full_name, country, created_at, updated_at)
         SELECT id, 'Customer ' || i, 'DE', ${start('$1')} + first_day * interval '1 day', ${start('$1')} + first_day * interval '1 day'
         FROM bench_gen_customers`,
        [GENERATED_UNTIL],
      );
    });
    await withoutIndexes(c, 'customers', 'identities', log, async () => {
      await step(
        'customers.identities',
        `INSERT INTO customers.identities (kind, value, customer_id) SELECT 'external', 'EXT' || lpad(i::text, 9, '0'), id FROM bench_gen_customers`,
      );
    });

    await withoutIndexes(c, 'sales', 'receipts', log, async () => {
      // Rows go in in time order, as a till would write them, so a customer's receipts are spread over the table.
      await step(
        'sales.receipts (customers)',
        `INSERT INTO sales.receipts (customer_id, id, store_code, number, kind, occurred_at, currency, total_minor, line_count,
                                     line_skus, line_quantities, line_unit_price_minor, line_amount_minor, source)
         SELECT customer_id, id, store_code, number, kind, occurred_at, 'EUR', ${totalExpr}, k,
                ${linesArray((j) => `s${j}`, 'text')}, ${linesArray((j) => `q${j}`, 'numeric')}, ${linesArray((j) => `p${j}`, 'bigint')},
                ${linesArray((j) => `q${j} * p${j}`, 'bigint')}, 'bench'
         FROM (
           -- A return's lines have negative quantities (and amounts) at the positive unit price.
           SELECT *, ${lineIdx.map((j) => `CASE WHEN kind = 'return' THEN -q${j}_ ELSE q${j}_ END AS q${j}`).join(', ')}
           FROM (
             SELECT c.id AS customer_id, 'rcp_' || substr(md5('r' || c.i || '-' || g), 1, 26) AS id,
                    'S' || lpad((1 + floor(random() * $1::int))::text, 3, '0') AS store_code, 'T' || c.i || '-' || g AS number,
                    CASE WHEN random() < $2::float8 THEN 'return' ELSE 'sale' END AS kind,
                    ${start('$4')} + (c.first_day + random() * ($3::int - c.first_day)) * interval '1 day' AS occurred_at,
                    -- Mostly small baskets: 1 + ⌊5u²⌋ lines.
                    1 + floor(power(random(), 2) * ${MAX_LINES})::int AS k,
                    ${lineIdx.map((j) => `'SKU' || (10000 + floor(random() * random() * 20000)::int) AS s${j}`).join(', ')},
                    ${lineIdx.map((j) => `(1 + floor(power(random(), 3) * 4))::int AS q${j}_`).join(', ')},
                    ${lineIdx.map((j) => `(49 + round(exp(random() * 6) * 20))::bigint AS p${j}`).join(', ')}
             FROM bench_gen_customers c CROSS JOIN LATERAL generate_series(1, c.n) g
             WHERE c.n > 0
           ) r0
         ) r
         ORDER BY occurred_at`,
        [STORES, RETURN_SHARE, DAYS, GENERATED_UNTIL],
      );
      await step(
        'sales.receipts (anonymous)',
        `INSERT INTO sales.receipts (customer_id, id, store_code, number, kind, occurred_at, currency, total_minor, line_count,
                                     line_skus, line_quantities, line_unit_price_minor, line_amount_minor, source)
         SELECT 'anon:' || store_code, 'rcp_' || substr(md5('a' || g), 1, 26), store_code, 'A' || g, 'sale',
                ($4::date - $3::int)::timestamptz + random() * $3::int * interval '1 day', 'EUR', p, 1, ARRAY['SKU10000'], ARRAY[1]::numeric[],
                ARRAY[p], ARRAY[p], 'bench'
         FROM (SELECT g, 'S' || lpad((1 + floor(random() * $2::int))::text, 3, '0') AS store_code, (49 + round(exp(random() * 6) * 20))::bigint AS p
               FROM generate_series(1, $1::int) g) a`,
        [anonymous, STORES, DAYS, GENERATED_UNTIL],
      );
    });
    await withoutIndexes(c, 'sales', 'receipt_keys', log, async () => {
      await step(
        'sales.receipt_keys',
        `INSERT INTO sales.receipt_keys (store_code, number, customer_id, receipt_id, content_hash)
         SELECT store_code, number, customer_id, id, substr(md5(id), 1, 32) FROM sales.receipts`,
      );
    });
    await c.query(`DROP TABLE bench_gen_customers`);
    const t = process.hrtime.bigint();
    await c.query(`ANALYZE`);
    log(`  ANALYZE: ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(1)} s`);
    const counts = (
      await c.query<{ returns: number; buyers: number }>(
        `SELECT count(*) FILTER (WHERE kind = 'return')::int AS returns,
                count(DISTINCT customer_id) FILTER (WHERE kind = 'sale' AND customer_id NOT LIKE 'anon:%')::int AS buyers
         FROM sales.receipts`,
      )
    ).rows[0]!;
    return {
      customers: opts.customers,
      receipts: opts.receipts,
      customerReceipts,
      anonymousReceipts: anonymous,
      returns: counts.returns,
      buyers: counts.buyers,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  } finally {
    await c.end();
  }
}

/** Runs `fn` with the table's indexes and primary key dropped, then builds them again from their catalog definitions. */
async function withoutIndexes(c: pg.Client, schema: string, table: string, log: (msg: string) => void, fn: () => Promise<void>): Promise<void> {
  const { rows: pk } = await c.query<{ name: string; def: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = ($1 || '.' || $2)::regclass AND contype = 'p'`,
    [schema, table],
  );
  const { rows: indexes } = await c.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes
     WHERE schemaname = $1 AND tablename = $2 AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = ($1 || '.' || $2)::regclass)`,
    [schema, table],
  );
  // Identifiers come from the catalog of a database this script created; quote them anyway.
  const qualified = `"${schema}"."${table}"`;
  for (const i of indexes) await c.query(`DROP INDEX "${schema}"."${i.name}"`);
  for (const p of pk) await c.query(`ALTER TABLE ${qualified} DROP CONSTRAINT "${p.name}"`);
  await fn();
  const t = process.hrtime.bigint();
  for (const p of pk) await c.query(`ALTER TABLE ${qualified} ADD CONSTRAINT "${p.name}" ${p.def}`);
  for (const i of indexes) await c.query(i.def);
  log(`  ${schema}.${table}: ${pk.length + indexes.length} indexes built in ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(1)} s`);
}

export function positiveInt(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${value}'`);
  return n;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values: args } = parseArgs({
    options: {
      customers: { type: 'string' },
      receipts: { type: 'string' },
      seed: { type: 'string' },
      database: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
  const opts = {
    customers: positiveInt(args.customers, 1_000_000, 'customers'),
    receipts: positiveInt(args.receipts, 5_000_000, 'receipts'),
    seed: Number(args.seed ?? 0.42),
  };
  if (!(opts.seed >= -1 && opts.seed <= 1)) throw new Error(`--seed must be between -1 and 1, got '${args.seed}'`);
  const name = args.database ?? freshDatabaseName();
  const url = databaseUrl(serverUrl, name);
  await createDatabase(serverUrl, name);
  try {
    const database = openPostgres(url, { max: 1 });
    try {
      await migrate(database);
    } finally {
      await database.close();
    }
    const s = await generateReceipts(url, opts);
    console.error(
      `done in ${s.seconds.toFixed(1)} s: ${s.customers} customers (${s.buyers} with purchases), ${s.receipts} receipts ` +
        `(${s.returns} returns, ${s.anonymousReceipts} anonymous) in database ${name}`,
    );
  } finally {
    if (!args.keep) await dropDatabase(serverUrl, name);
    else console.error(`kept database ${name}`);
  }
}
