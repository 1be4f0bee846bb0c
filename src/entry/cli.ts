import { Command, InvalidArgumentError, Option } from 'commander';
import { IMPORT_FORMATS, runImport, type ImportSummary } from '../flows/import/index.ts';
import * as analytics from '../modules/analytics/index.ts';
import * as campaigns from '../modules/campaigns/index.ts';
import * as customers from '../modules/customers/index.ts';
import * as sales from '../modules/sales/index.ts';
import * as segments from '../modules/segments/index.ts';
import { loadConfig, type Config } from '../platform/config.ts';
import { openDatabase, type Database } from '../platform/db/client.ts';
import { migrate } from '../platform/db/migrate.ts';
import { AppError, isAppError } from '../platform/errors.ts';
import { ROLES, countActiveAdminKeys, createApiKey, listApiKeys, revokeApiKey, type Role } from '../platform/http/auth.ts';
import { createLogger } from '../platform/logger.ts';
import { createProgress } from '../platform/progress.ts';
import { ensureSecretKey, useDataFolder } from '../platform/secrets.ts';
import { DEMO_FILE, loadDemo, loadDemoLoyalty } from './demo.ts';
import { ensureConsoleBuilt } from '../platform/http/console.ts';
import { buildServer } from './server.ts';
import { registerJobCommands } from './jobs-cli.ts';
import { registerLoyaltyCommands } from './loyalty-cli.ts';
import { registerExperimentCommands } from './experiments-cli.ts';
import { registerCampaignCommands } from './campaigns-cli.ts';
import { registerProgramCommands } from './program-cli.ts';
import { consoleAdminBanner, firstConsoleAdmin, registerUserCommands } from './users-cli.ts';
import { startServeJobs } from './worker.ts';
import { VERSION } from '../platform/paths.ts';


type GlobalOpts = { dataDir?: string; json?: boolean; progress?: boolean };

/** `--json` prints exactly one JSON object, as the last line of stdout; everything else goes to stderr. */
function emit(json: boolean | undefined, obj: unknown, human: string): void {
  if (json) process.stdout.write(`${JSON.stringify(obj)}\n`);
  else if (human) process.stdout.write(`${human}\n`);
}

function globals(cmd: Command): GlobalOpts {
  return cmd.optsWithGlobals<GlobalOpts>();
}

function configFor(opts: GlobalOpts): Config {
  const cfg = loadConfig();
  if (!opts.dataDir) return cfg;
  // Sealed secrets' key file (when PATRON_SECRET_KEY is unset) lives in the data folder in use.
  useDataFolder(opts.dataDir);
  return { ...cfg, dataDir: opts.dataDir };
}

/** Opens and migrates the database, runs `fn`, and always closes it (an open PGlite would keep the process alive). */
async function withDatabase<T>(opts: GlobalOpts, fn: (db: Database, cfg: Config) => Promise<T>): Promise<T> {
  const cfg = configFor(opts);
  const database = await openDatabase(cfg);
  try {
    await migrate(database);
    return await fn(database, cfg);
  } finally {
    await database.close();
  }
}

function formatSummary(s: ImportSummary): string {
  const lines = [
    `Read ${s.linesRead.toLocaleString('en')} lines in ${s.seconds.toFixed(1)} s: ${s.linesImported.toLocaleString('en')} imported, ${s.linesRejected.toLocaleString('en')} rejected.`,
    `Receipts: ${s.receiptsCreated.toLocaleString('en')} created, ${s.receiptsSkipped.toLocaleString('en')} already present, ${s.receiptsRejected.toLocaleString('en')} rejected. Customers created: ${s.customersCreated.toLocaleString('en')}.`,
  ];
  if (s.rejectsFile) lines.push(`Rejected rows, with line numbers and reasons: ${s.rejectsFile}`);
  return lines.join('\n');
}

async function importWithProgress(database: Database, format: string, file: string, opts: { store?: string; currency?: string; rejects?: string; progress: boolean }): Promise<ImportSummary> {
  const fmt = IMPORT_FORMATS[format];
  if (!fmt) throw new AppError('VALIDATION_FAILED', `Unknown import format '${format}'; use one of ${Object.keys(IMPORT_FORMATS).join(', ')}.`, { fields: [{ field: 'format', message: 'unknown' }] });
  let bar: ReturnType<typeof createProgress> | undefined;
  try {
    return await runImport(database, fmt, file, {
      store: opts.store,
      currency: opts.currency,
      rejectsFile: opts.rejects,
      onProgress: (p) => {
        bar ??= createProgress(`Importing ${format}`, p.totalBytes, { enabled: opts.progress });
        bar.update(p.bytesRead, { detail: `${p.linesRead.toLocaleString('en')} lines, ${p.receiptsCreated.toLocaleString('en')} receipts` });
      },
    });
  } finally {
    bar?.stop();
  }
}

function parseRole(v: string): Role {
  if (!(ROLES as readonly string[]).includes(v)) throw new InvalidArgumentError(`use one of ${ROLES.join(', ')}`);
  return v as Role;
}

function parseCurrency(v: string): string {
  if (!/^[A-Z]{3}$/.test(v)) throw new InvalidArgumentError('a three-letter ISO 4217 code such as GBP');
  return v;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number 0-65535');
  return n;
}

function parsePositiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number ≥ 1');
  return n;
}

function parseEdges(v: string): number[] {
  const parts = v.split(',').map((x) => Number(x.trim()));
  if (parts.length !== 2 || !parts.every((x) => Number.isInteger(x) && x >= 0)) throw new InvalidArgumentError('two whole numbers, e.g. 30,90');
  return parts;
}

function pad(s: string | number, n: number): string {
  return String(s).padStart(n);
}

function formatRfm(r: segments.RfmReport): string {
  const out = [
    `As of ${r.asOf}: ${r.customers.toLocaleString('en')} customers with purchases (${r.currency}${r.net ? ', returns netted' : ''}).`,
    `  R (days)   mean ${r.recency.mean.toFixed(2)}  median ${r.recency.median}`,
    `  F          mean ${r.frequency.mean.toFixed(3)}  median ${r.frequency.median}`,
    `  M          mean ${r.monetary.mean.toFixed(2)}  median ${r.monetary.median.toFixed(2)}   (returns ${r.returns} beside)`,
    '',
    `R×F grid v${r.grid.version} (${r.grid.method}): recency ≤${r.grid.recencyEdges[0]} / ≤${r.grid.recencyEdges[1]} / more days; frequency ≤${r.grid.frequencyEdges[0]} / ≤${r.grid.frequencyEdges[1]} / more purchases`,
  ];
  for (const c of r.grid.cells) {
    out.push(`  ${c.name.padEnd(16)} ${pad(c.customers.toLocaleString('en'), 7)} customers ${pad((c.share * 100).toFixed(1), 5)}%  revenue ${pad((c.revenueShare * 100).toFixed(1), 5)}%  ${c.action}`);
  }
  return out.join('\n');
}

function formatMigration(r: segments.MigrationReport): string {
  const out = [`From ${r.from} (${r.customers.from.toLocaleString('en')} customers) to ${r.to} (${r.customers.to.toLocaleString('en')}): ${r.moved.toLocaleString('en')} changed cell.`];
  for (const m of r.matrix.filter((x) => x.from !== x.to).sort((a, b) => b.customers - a.customers).slice(0, 20)) {
    out.push(`  ${m.from.padEnd(16)} → ${m.to.padEnd(16)} ${pad(m.customers.toLocaleString('en'), 7)}`);
  }
  return out.join('\n');
}

/**
 * The demo loads into a database that holds no data of the user's own: no finished import of another file. It runs
 * again when an earlier demo load did not get to its customer values, since every step is idempotent. A database that
 * holds the whole demo but no loyalty program (loaded before the loyalty engine, or stopped just before its last
 * step) gets the demo's program and offers only.
 */
async function demoNeeded(database: Database): Promise<'all' | 'loyalty' | 'none'> {
  const own = await database.query(`SELECT 1 FROM platform.import_runs WHERE status = 'done' AND file <> $1 LIMIT 1`, [DEMO_FILE]);
  if (own.length > 0) return 'none';
  const values = await database.query(`SELECT 1 FROM analytics.customer_values LIMIT 1`);
  if (values.length === 0) return 'all';
  const demo = await database.query(`SELECT 1 FROM platform.import_runs WHERE status = 'done' AND file = $1 LIMIT 1`, [DEMO_FILE]);
  return demo.length > 0 ? 'loyalty' : 'none';
}

export function buildCli(): Command {
  const program = new Command('patron')
    .description('Patron: customer loyalty and CRM for retailers')
    .version(VERSION)
    .option('--data-dir <dir>', 'embedded database folder, when DATABASE_URL is unset (default ./.data, or PATRON_DATA_DIR)')
    .option('--json', 'print one JSON object as the last line of stdout')
    .option('--no-progress', 'no progress bar on stderr')
    .showHelpAfterError();

  program
    .command('serve')
    .description('run the HTTP API (and load the demo data into an empty database)')
    .option('--port <port>', 'port to listen on (default PORT or 3000)', parsePort)
    .option('--host <host>', 'interface to listen on (default HOST or 127.0.0.1)')
    .option('--no-demo', 'do not import the Online Retail demo into an empty database')
    .action(async (o: { port?: number; host?: string; demo: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const cfg = configFor(g);
      const logger = createLogger(cfg.logLevel);
      const database = await openDatabase(cfg);
      await migrate(database);
      // Quotes' tokens and webhook secrets are sealed with this key: a server that has none stops here.
      ensureSecretKey();
      // Webhook secrets stored before they were sealed (secrets.ts) are sealed now.
      const sealed = await campaigns.sealWebhookSecrets(database);
      if (sealed > 0) process.stderr.write(`Sealed ${sealed} campaign webhook secret(s) stored in plain text.\n`);
      const demo = o.demo ? await demoNeeded(database) : 'none';
      const log = (l: string) => process.stderr.write(`${l}\n`);
      if (demo === 'all') {
        process.stderr.write(`Empty database: loading the Online Retail demo (541,909 receipt lines). Skip with --no-demo.\n`);
        await loadDemo(database, { progress: g.progress !== false, rejectsFile: `${cfg.dataDir}/demo.rejects.csv`, log });
      } else if (demo === 'loyalty') {
        await loadDemoLoyalty(database, { log });
      }
      let adminKey: string | undefined;
      if ((await countActiveAdminKeys(database)) === 0) {
        adminKey = (await createApiKey(database, 'admin', 'first admin (printed at first start)')).secret;
      }
      const consoleAdmin = await firstConsoleAdmin(database);
      // A fresh clone has no web/dist: build the console once, so that `/` serves it.
      await ensureConsoleBuilt();
      const app = await buildServer(database, { logger, rateLimitPerMinute: cfg.rateLimitPerMinute });
      // Jobs: in this process on PGlite; on PostgreSQL, `patron worker` runs them (see worker.ts).
      const jobs = await startServeJobs(database, logger);
      const port = o.port ?? cfg.port;
      const host = o.host ?? cfg.host;
      const address = await app.listen({ port, host });
      const storage = cfg.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${cfg.dataDir}`;
      process.stderr.write(`Patron ${VERSION} listening on ${address} (${storage}). API under /api/v1, OpenAPI at /api/openapi.json.\n`);
      if (adminKey) {
        process.stderr.write(
          `\nAn admin API key was created. It is shown once; store it now:\n\n  ${adminKey}\n\nTry:\n  curl -H 'Authorization: Bearer ${adminKey}' '${address}/api/v1/customers/lookup?kind=external&value=12347'\n\n`,
        );
      }
      if (consoleAdmin) process.stderr.write(consoleAdminBanner(consoleAdmin, address));
      emit(g.json, { listening: address, adminKey: adminKey ?? null, consoleAdmin: consoleAdmin ?? null }, '');
      const stop = async () => {
        await jobs?.stop();
        await app.close();
        await database.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  program
    .command('migrate')
    .description('apply the database migrations')
    .action(async (_o, cmd: Command) => {
      const g = globals(cmd);
      await withDatabase(g, async (database, cfg) => {
        const sealed = await campaigns.sealWebhookSecrets(database);
        emit(
          g.json,
          { migrated: true, database: database.kind, sealedSecrets: sealed },
          `Migrations applied (${cfg.databaseUrl ? 'PostgreSQL' : `PGlite in ${cfg.dataDir}`}).${sealed > 0 ? ` Sealed ${sealed} campaign webhook secret(s) stored in plain text.` : ''}`,
        );
      });
    });

  const imp = program.command('import').description('bulk-import receipts from a file');
  for (const [format, desc] of [
    ['online-retail', 'the UCI Online Retail CSV (plain or .gz); "C" invoices are returns'],
    ['cdnow', 'a CDNOW master or sample file (whitespace-separated)'],
    ['receipts', 'the canonical receipts CSV: customer_id,date,amount [,receipt_id,store_id,currency,sku,quantity,unit_price]'],
  ] as const) {
    imp
      .command(format)
      .description(desc)
      .argument('<file>', 'the file to import (gzip is detected)')
      .option('--store <code>', 'store code for rows that name none')
      .addOption(new Option('--currency <code>', 'currency for rows that name none').argParser(parseCurrency))
      .option('--rejects <file>', 'where to write rejected rows (default: beside the input, or the working directory)')
      .action(async (file: string, o: { store?: string; currency?: string; rejects?: string }, cmd: Command) => {
        const g = globals(cmd);
        await withDatabase(g, async (database) => {
          const s = await importWithProgress(database, format, file, { ...o, progress: g.progress !== false });
          emit(g.json, s, formatSummary(s));
        });
      });
  }

  const keys = program.command('keys').description('API keys');
  keys
    .command('create')
    .description('create an API key; the secret is printed once')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, parseRole)
    .option('--name <name>', 'a label for the key', 'cli')
    .action(async (o: { role: Role; name: string }, cmd: Command) => {
      const g = globals(cmd);
      await withDatabase(g, async (database) => {
        const k = await createApiKey(database, o.role, o.name);
        emit(g.json, k, `Created ${k.role} key ${k.id}. Secret (shown once):\n${k.secret}`);
      });
    });
  keys
    .command('list')
    .description('list API keys (never their secrets)')
    .action(async (_o, cmd: Command) => {
      const g = globals(cmd);
      await withDatabase(g, async (database) => {
        const list = await listApiKeys(database);
        emit(g.json, { keys: list }, list.map((k) => `${k.id}  ${k.role.padEnd(8)} ${k.displayPrefix}…  ${k.name}${k.revokedAt ? '  (revoked)' : ''}`).join('\n') || 'No keys.');
      });
    });
  keys
    .command('revoke')
    .argument('<id>', 'key id (key_…)')
    .description('revoke an API key')
    .action(async (id: string, _o, cmd: Command) => {
      const g = globals(cmd);
      await withDatabase(g, async (database) => {
        if (!(await revokeApiKey(database, id))) throw new AppError('NOT_FOUND', `No active key ${id}.`);
        emit(g.json, { revoked: id }, `Revoked ${id}.`);
      });
    });

  program
    .command('rfm')
    .description('R, F and M as of a date, with the R×F grid (counts and revenue per cell) and RFM segments')
    .requiredOption('--as-of <date>', 'the date (YYYY-MM-DD); R is whole days from the last purchase date to it')
    .addOption(new Option('--currency <code>', 'count monetary value in this currency (default: the most used)').argParser(parseCurrency))
    .option('--net', 'net returns out of monetary value (by default they are reported beside it)')
    .option('--refresh', 'recompute even if this date was refreshed before')
    .action(async (o: { asOf: string; currency?: string; net?: boolean; refresh?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      await withDatabase(g, async (database) => {
        const r = await segments.rfmReport(database, o.asOf, { currency: o.currency, net: o.net ?? false, refresh: o.refresh });
        emit(g.json, r, formatRfm(r));
      });
    });

  const seg = program.command('segments').description('the R×F grid: refresh, migration between dates, thresholds');
  seg
    .command('refresh')
    .description('place every customer on the grid as of a date (replaces that date’s results)')
    .requiredOption('--as-of <date>', 'YYYY-MM-DD')
    .addOption(new Option('--currency <code>', 'monetary currency (default: the most used)').argParser(parseCurrency))
    .option('--net', 'net returns out of monetary value')
    .option('--grid-version <n>', 'use this grid version (default: the latest)', parsePositiveInt)
    .action(async (o: { asOf: string; currency?: string; net?: boolean; gridVersion?: number }, cmd: Command) => {
      const g = globals(cmd);
      await withDatabase(g, async (database) => {
        const r = await segments.refreshSegments(database, { asOf: o.asOf, currency: o.currency, net: o.net, gridVersion: o.gridVersion });
        emit(
          g.json,
          r,
          `Refreshed ${r.customers.toLocaleString('en')} customers as of ${r.asOf} in ${r.seconds.toFixed(2)} s (grid v${r.grid.version}: recency ≤${r.grid.recencyEdges.join('/≤')} days, frequency ≤${r.grid.frequencyEdges.join('/≤')}).`,
        );
      });
    });
  seg
    .command('migration')
    .description('customers moving between cells from one date to another')
    .requiredOption('--from <date>', 'YYYY-MM-DD')
    .requiredOption('--to <date>', 'YYYY-MM-DD')
    .action(async (o: { from: string; to: string }, cmd: Command) => {
      const g = globals(cmd);
      await withDatabase(g, async (database) => {
        const r = await segments.migrationReport(database, o.from, o.to);
        emit(g.json, r, formatMigration(r));
      });
    });
  seg
    .command('grid')
    .description('show the grid thresholds, or set new ones (a new version)')
    .option('--recency <a,b>', 'recency edges in days, e.g. 30,90 (≤30, 31–90, >90)', parseEdges)
    .option('--frequency <a,b>', 'frequency edges in purchases, e.g. 1,4 (1, 2–4, ≥5)', parseEdges)
    .option('--note <text>', 'why the thresholds changed')
    .action(async (o: { recency?: number[]; frequency?: number[]; note?: string }, cmd: Command) => {
      const g = globals(cmd);
      await withDatabase(g, async (database) => {
        if (!o.recency && !o.frequency) {
          const cur = await segments.currentGrid(database);
          emit(g.json, { grid: cur ?? null }, cur ? `Grid v${cur.version} (${cur.method}): recency ${cur.recencyEdges.join(', ')} days; frequency ${cur.frequencyEdges.join(', ')}.` : 'No grid yet: the first refresh derives one from the data.');
          return;
        }
        const cur = await segments.currentGrid(database);
        const recency = o.recency ?? cur?.recencyEdges;
        const frequency = o.frequency ?? cur?.frequencyEdges;
        if (!recency || !frequency) throw new AppError('VALIDATION_FAILED', 'Give both --recency and --frequency for the first grid.', { fields: [{ field: o.recency ? '--frequency' : '--recency', message: 'missing' }] });
        const v = await segments.setGrid(database, { recencyEdges: recency, frequencyEdges: frequency }, o.note);
        emit(g.json, { grid: v }, `Grid v${v.version}: recency ${v.recencyEdges.join(', ')} days; frequency ${v.frequencyEdges.join(', ')}. Refresh to apply it.`);
      });
    });

  program
    .command('clusters')
    .description('behavioural clusters as of a date, each described in words (k by silhouette unless given)')
    .requiredOption('--as-of <date>', 'YYYY-MM-DD')
    .option('--k <k>', 'number of clusters (2–20); default: chosen by mean silhouette over 2–8', parsePositiveInt)
    .option('--seed <n>', 'random seed (default 42); the same seed gives the same clusters', parsePositiveInt)
    .action(async (o: { asOf: string; k?: number; seed?: number }, cmd: Command) => {
      const g = globals(cmd);
      await withDatabase(g, async (database) => {
        const r = await segments.runClustering(database, o);
        const lines = [`${r.customers.toLocaleString('en')} customers as of ${r.asOf} in ${r.k} clusters (${r.criterion.text}):`];
        for (const c of r.clusters) lines.push(`  ${String(c.id).padStart(2)}. ${c.label.padEnd(34)} ${pad(c.size.toLocaleString('en'), 7)} (${(c.share * 100).toFixed(1)}%)  ${c.description}`);
        emit(g.json, r, lines.join('\n'));
      });
    });

  const clv = program.command('clv').description('customer value: BG/NBD, Pareto/NBD and Gamma-Gamma');
  const unitOption = () => new Option('--unit <unit>', 'time unit of the model').choices(['day', 'week']).default('week');
  clv
    .command('fit')
    .description('fit a model by maximum likelihood on everything up to the calibration end')
    .addOption(new Option('--model <model>', 'the model').choices([...analytics.MODELS]).makeOptionMandatory())
    .requiredOption('--calibration-end <date>', 'last day of the calibration period (YYYY-MM-DD)')
    .addOption(unitOption())
    .addOption(new Option('--currency <code>', 'purchases in this currency (default: the most used)').argParser(parseCurrency))
    .action(async (o: { model: string; calibrationEnd: string; unit: 'day' | 'week'; currency?: string }, cmd: Command) => {
      const g = globals(cmd);
      await withDatabase(g, async (database) => {
        const r = await analytics.fitModel(database, o);
        const params = Object.entries(r.params).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ');
        emit(g.json, r, `${r.model} on ${r.customers.toLocaleString('en')} customers (${r.patterns} patterns), calibration to ${r.calibrationEnd}, in ${r.unit}s: ${params}, log-likelihood ${r.logLikelihood.toFixed(2)} (${r.iterations} iterations, ${r.seconds.toFixed(2)} s).`);
      });
    });
  clv
    .command('predict')
    .description("one customer's expected purchases, P(alive), expected spend and CLV over a horizon")
    .addOption(new Option('--model <model>', 'the purchase model').choices(['bgnbd', 'pareto-nbd']).default('bgnbd'))
    .requiredOption('--customer <id>', "the customer's own id (external identity), or a cus_… id")
    .requiredOption('--horizon <n>', 'horizon in units', parsePositiveInt)
    .addOption(unitOption())
    .option('--calibration-end <date>', 'use (or make) the fit with this calibration end; default: the latest fit')
    .option('--margin <share>', 'share of spend that is profit, 0–1 (default 1)', parseFloat)
    .option('--discount-rate <rate>', 'discount rate per unit (default 0)', parseFloat)
    .action(async (o: { model: string; customer: string; horizon: number; unit: 'day' | 'week'; calibrationEnd?: string; margin?: number; discountRate?: number }, cmd: Command) => {
      const g = globals(cmd);
      await withDatabase(g, async (database) => {
        const customerId = o.customer.startsWith('cus_') ? o.customer : await customers.findCustomerIdByIdentity(database, 'external', o.customer);
        if (!customerId) throw new AppError('CUSTOMERS_NOT_FOUND', `--customer: no customer with the id ${o.customer}.`, { fields: [{ field: '--customer', message: 'unknown customer' }] });
        const r = await analytics.predictCustomer(database, { ...o, customerId });
        emit(
          g.json,
          r,
          `Customer ${o.customer} (${r.model}, calibration to ${r.calibrationEnd}): ${r.expectedPurchases.toFixed(3)} expected purchases in the next ${r.horizon} ${r.unit}s; P(alive) ${r.pAlive.toFixed(3)}; expected spend ${r.expectedSpend?.toFixed(2) ?? 'n/a'} ${r.currency} per purchase; CLV ${r.clv?.toFixed(2) ?? 'n/a'} ${r.currency}.`,
        );
      });
    });
  clv
    .command('report')
    .description('fit quality on a calibration/holdout split: by calibration frequency, and weekly tracking')
    .requiredOption('--calibration-end <date>', 'YYYY-MM-DD')
    .requiredOption('--holdout-end <date>', 'YYYY-MM-DD')
    .addOption(unitOption())
    .action(async (o: { calibrationEnd: string; holdoutEnd: string; unit: 'day' | 'week' }, cmd: Command) => {
      const g = globals(cmd);
      await withDatabase(g, async (database) => {
        const r = await analytics.fitReport(database, o);
        const lines = [`Holdout ${r.calibrationEnd} → ${r.holdoutEnd} (${r.holdoutLength.toFixed(2)} ${r.unit}s). Mean holdout repeat purchases by calibration frequency:`, '   x  customers   actual   BG/NBD  Pareto/NBD'];
        for (const b of r.byFrequency) lines.push(`  ${b.x.padStart(2)} ${pad(b.customers, 10)} ${b.actual.toFixed(4).padStart(8)} ${b.bgnbd.toFixed(4).padStart(8)} ${b.paretoNbd.toFixed(4).padStart(10)}`);
        const last = r.tracking[r.tracking.length - 1];
        if (last) lines.push(`Cumulative repeat purchases by ${r.unit} ${last.period}: actual ${last.cumulativeActual}, BG/NBD ${last.cumulativeExpected.toFixed(1)}.`);
        emit(g.json, r, lines.join('\n'));
      });
    });
  clv
    .command('refresh')
    .description("compute and store every customer's values (expected purchases, P(alive), spend, CLV)")
    .addOption(new Option('--model <model>', 'the purchase model').choices(['bgnbd', 'pareto-nbd']).default('bgnbd'))
    .requiredOption('--horizon <n>', 'horizon in units', parsePositiveInt)
    .addOption(unitOption())
    .option('--calibration-end <date>', 'use (or make) the fit with this calibration end; default: the latest fit')
    .option('--margin <share>', 'share of spend that is profit, 0–1 (default 1)', parseFloat)
    .option('--discount-rate <rate>', 'discount rate per unit (default 0)', parseFloat)
    .action(async (o: { model: string; horizon: number; unit: 'day' | 'week'; calibrationEnd?: string; margin?: number; discountRate?: number }, cmd: Command) => {
      const g = globals(cmd);
      await withDatabase(g, async (database) => {
        const r = await analytics.refreshValues(database, o);
        emit(g.json, r, `Stored values of ${r.customers.toLocaleString('en')} customers (fit ${r.fitId}) in ${r.seconds.toFixed(2)} s; total CLV ${r.totalClv?.toFixed(2) ?? 'n/a'} ${r.currency}.`);
      });
    });

  program
    .command('status')
    .description('what the database holds')
    .action(async (_o, cmd: Command) => {
      const g = globals(cmd);
      await withDatabase(g, async (database) => {
        const [c, r] = await Promise.all([customers.countCustomers(database), sales.countReceipts(database)]);
        const out = { database: database.kind, customers: c, ...r };
        emit(g.json, out, `${database.kind}: ${c.toLocaleString('en')} customers, ${r.receipts.toLocaleString('en')} receipts, ${r.returns.toLocaleString('en')} returns, ${r.lines.toLocaleString('en')} lines.`);
      });
    });

  // Jobs: `patron jobs list|run` and `patron worker` (src/entry/jobs-cli.ts).
  registerJobCommands(program, { globals, withDatabase, emit });
  // Console accounts: `patron users create|list` (src/entry/users-cli.ts).
  registerUserCommands(program, { globals, withDatabase, emit });
  // Loyalty and offers: `patron loyalty …`, `patron offers list|add` (src/entry/loyalty-cli.ts).
  registerLoyaltyCommands(program, { globals, withDatabase, emit });
  registerExperimentCommands(program, { globals, withDatabase, emit });
  // Campaigns: `patron campaigns create|list|preview|launch|report` (src/entry/campaigns-cli.ts).
  registerCampaignCommands(program, { globals, withDatabase, emit });
  // The program P&L: `patron program pnl` (src/entry/program-cli.ts).
  registerProgramCommands(program, { globals, withDatabase, emit });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildCli();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const json = argv.includes('--json');
    if (e && typeof e === 'object' && 'exitCode' in e && 'code' in e && String((e as { code: string }).code).startsWith('commander.')) {
      // Commander already printed its message (bad flag, missing argument, --help).
      const code = (e as { exitCode: number }).exitCode;
      process.exitCode = code === 0 ? 0 : 1;
      if (json && code !== 0) process.stdout.write(`${JSON.stringify({ error: { code: 'VALIDATION_FAILED', message: String((e as { message?: unknown }).message) } })}\n`);
      return;
    }
    if (isAppError(e)) {
      process.stderr.write(`Error: ${e.message}\n`);
      if (json) process.stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message, ...e.details } })}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`Unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'INTERNAL', message: (e as Error)?.message ?? String(e) } })}\n`);
    process.exitCode = 2;
  }
}

await main(process.argv);
