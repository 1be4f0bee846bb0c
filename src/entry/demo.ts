import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMPORT_FORMATS, runImport, type ImportFormat, type ImportSummary } from '../flows/import/index.ts';
import * as analytics from '../modules/analytics/index.ts';
import * as loyalty from '../modules/loyalty/index.ts';
import * as offers from '../modules/offers/index.ts';
import * as segments from '../modules/segments/index.ts';
import type { Database } from '../platform/db/client.ts';
import { ROOT } from '../platform/paths.ts';
import { createProgress } from '../platform/progress.ts';
import { DEMO_TILL_FROM, sellAtTill, tillSales } from './demo-till.ts';

/** The Online Retail demo that ships in the repository (see demo/README.md). */
export const DEMO_FILE = join(ROOT, 'demo', 'online_retail.csv.gz');

/** The demo's loyalty program, in GBP like the Online Retail receipts (see demo/README.md). */
export const DEMO_PROGRAM_FILE = join(ROOT, 'demo', 'program.json');

/**
 * The demo's offers, one of each common shape: a volume offer and a 3-for-2 bundle compete in the exclusive `promo`
 * group (the better one applies), and a personal offer for the R×F grid's VIP cell stacks on top in `loyalty`.
 */
const DEMO_OFFERS: unknown[] = [
  { name: 'From 24 items −5%', rule: { kind: 'volume', minQuantity: 24, discount: { kind: 'percent', percent: 5 } }, group: 'promo', priority: 20, budget: '100000.00' },
  { name: '3 for 2 on bags', rule: { kind: 'bundle', buy: 3, free: 1 }, group: 'promo', priority: 10, categories: ['bags'] },
  { name: 'VIP thank-you −5%', rule: { kind: 'personal', cells: ['vip'], discount: { kind: 'percent', percent: 5 } }, group: 'loyalty', priority: 10, maxDiscount: '50.00', perCustomerLimit: 3 },
];

/**
 * The demo's last purchase is on 2011-12-09. Segments and clusters are taken as of that day, the console's default
 * date (the latest purchase), so its first pages need no recomputation; the models are fitted up to it.
 */
const DEMO_AS_OF = '2011-12-09';
const DEMO_CALIBRATION_END = '2011-12-09';

/**
 * Loads the demo into an empty database so that every page and endpoint has real data: the receipts up to
 * DEMO_TILL_FROM as history (and every return), the loyalty program and its offers, the sales from DEMO_TILL_FROM on
 * through the till (demo-till.ts), then the R×F grid and clusters as of the last purchase, and BG/NBD + Gamma-Gamma
 * values over the next 52 weeks. Each step is idempotent, so an interrupted demo load finishes on the next start.
 */
export async function loadDemo(database: Database, opts: { rejectsFile: string; progress: boolean; log: (line: string) => void }): Promise<ImportSummary> {
  const summary = await loadDemoReceipts(database, {
    ...opts,
    file: DEMO_FILE,
    tillFrom: new Date(`${DEMO_TILL_FROM}T00:00:00Z`),
    until: new Date(Date.parse(`${DEMO_AS_OF}T00:00:00Z`) + 86_400_000),
  });
  // The demo's points were earned in 2011: those still pending on its last day are spendable by now. The activation
  // job would make them so within 15 minutes; done here, the demo starts in the state it will be in.
  await loyalty.activateDue(database);
  const seg = await segments.refreshSegments(database, { asOf: DEMO_AS_OF });
  opts.log(`Demo segments as of ${DEMO_AS_OF}: ${seg.customers.toLocaleString('en')} customers on the R×F grid.`);
  // The discount ladder's answers pooled by cell, the prior of each customer's model (the nightly loyalty.ladder-priors).
  const priors = await loyalty.refreshCellPriors(database, DEMO_AS_OF, await segments.latestCells(database));
  opts.log(`Demo ladder priors: ${priors.toLocaleString('en')} cell and step counts.`);
  const clusters = await segments.runClustering(database, { asOf: DEMO_AS_OF });
  opts.log(`Demo clusters: k = ${clusters.k} (${clusters.criterion.method}).`);
  await analytics.fitModel(database, { model: 'bgnbd', calibrationEnd: DEMO_CALIBRATION_END, unit: 'week' });
  await analytics.fitModel(database, { model: 'gamma-gamma', calibrationEnd: DEMO_CALIBRATION_END, unit: 'week' });
  const values = await analytics.refreshValues(database, { model: 'bgnbd', unit: 'week', horizon: 52 });
  opts.log(`Demo customer values: ${values.customers.toLocaleString('en')} customers, 52-week CLV.`);
  return summary;
}

/**
 * The receipts of an Online Retail file: those before `tillFrom`, and every return, through the bulk import; then the
 * demo's program and offers (with the tiers earned by then); then the sales from `tillFrom` on through the till. A sale
 * the till refuses is imported instead, so none is lost. Last, the points and tiers as of `until`.
 */
export async function loadDemoReceipts(
  database: Database,
  opts: { file: string; tillFrom: Date; until: Date; rejectsFile: string; progress: boolean; log: (line: string) => void },
): Promise<ImportSummary> {
  const atTill = await tillSales(opts.file, opts.tillFrom);
  const numbers = new Set(atTill.map((s) => s.number));
  const summary = await importDemo(database, opts, (n) => n === undefined || !numbers.has(n), 'Loading the Online Retail demo');
  opts.log(`Demo receipts: ${summary.receiptsCreated.toLocaleString('en')} created, ${summary.receiptsSkipped.toLocaleString('en')} already there; ${summary.customersCreated.toLocaleString('en')} customers.`);
  // The program starts with the tiers that the year's spend up to its first day earned; the till upgrades them.
  await loadDemoLoyalty(database, { log: opts.log, tiersAt: opts.tillFrom });
  const sold = await sellAtTill(database, atTill, opts);
  const from = opts.tillFrom.toISOString().slice(0, 10);
  opts.log(
    `Demo till from ${from}: ${sold.sales.toLocaleString('en')} sales (${sold.replayed.toLocaleString('en')} already committed), ` +
      `${sold.pointsEarned.toLocaleString('en')} points earned, ${sold.pointsRedeemed.toLocaleString('en')} redeemed, ${sold.discounted.toLocaleString('en')} with a discount.`,
  );
  if (sold.failed.length > 0) {
    // Not lost: a sale the till refused is imported as history, as it would have been without the program.
    const refused = new Set(sold.failed.map((s) => s.number));
    opts.log(`Demo till: ${refused.size} sale(s) refused (first: ${sold.firstError}); imported as history instead.`);
    // Rejects of this pass (there should be none) go to a file of their own, not over the first pass's.
    const rejectsFile = opts.rejectsFile.replace(/(\.csv)?$/, '.refused.csv');
    await importDemo(database, { ...opts, rejectsFile }, (n) => n !== undefined && refused.has(n), 'Importing the refused sales');
  }
  await loyalty.activateDue(database, opts.until);
  const tiers = await loyalty.evaluateTiers(database, opts.until);
  opts.log(`Demo tiers of ${tiers.customers.toLocaleString('en')} customers as of ${opts.until.toISOString().slice(0, 10)}.`);
  return summary;
}

/**
 * The demo file's receipts whose number `keep` accepts, through the bulk import, with a progress bar. A line without
 * a receipt number (rejected by the import) is read when `keep(undefined)`.
 */
async function importDemo(
  database: Database,
  opts: { file: string; rejectsFile: string; progress: boolean },
  keep: (number: string | undefined) => boolean,
  label: string,
): Promise<ImportSummary> {
  let bar: ReturnType<typeof createProgress> | undefined;
  try {
    return await runImport(database, only(IMPORT_FORMATS['online-retail']!, keep), opts.file, {
      rejectsFile: opts.rejectsFile,
      onProgress: (p) => {
        bar ??= createProgress(label, p.totalBytes, { enabled: opts.progress });
        bar.update(p.bytesRead, { detail: `${p.linesRead.toLocaleString('en')} lines, ${p.receiptsCreated.toLocaleString('en')} receipts` });
      },
    });
  } finally {
    bar?.stop();
  }
}

/** The format, reading only the rows of receipts whose number `keep` accepts (the others are skipped, not rejected). */
function only(format: ImportFormat, keep: (number: string | undefined) => boolean): ImportFormat {
  return {
    ...format,
    begin(first, o) {
      const m = format.begin(first, o);
      return {
        ...m,
        map(record, line) {
          const res = m.map(record, line);
          const number = 'row' in res ? res.row.number : 'error' in res ? res.error.receiptKey?.number : undefined;
          return keep(number) ? res : { skip: true };
        },
      };
    },
  };
}

/**
 * The demo's loyalty program and offers, when no program exists yet: the program of demo/program.json and three
 * offers in one transaction, then every customer's tier from the spend of the year up to `tiersAt` (by default the
 * demo's last day). Well under a second; the till (`POST /api/v1/till/quote`) then prices baskets of the demo's
 * customers.
 */
export async function loadDemoLoyalty(
  database: Database,
  opts: { log: (line: string) => void; tiersAt?: Date },
): Promise<{ programVersion: number; offers: number; tiers: number } | undefined> {
  if (await loyalty.findProgramVersion(database)) return undefined;
  const config: unknown = JSON.parse(readFileSync(DEMO_PROGRAM_FILE, 'utf8'));
  const bodies = DEMO_OFFERS.map((o) => offers.offerContracts.CreateOfferBody.parse(o));
  const { version, added } = await database.transaction(async (s) => {
    const p = await loyalty.putProgram(s, config, 'The Online Retail demo (demo/program.json)');
    const groups = p.config.stacking.groups.map((g) => g.key);
    for (const b of bodies) await offers.createOffer(s, b, p.config.currency, groups);
    return { version: p.version, added: bodies.length };
  });
  // Tiers as of `tiersAt` (by default the end of the demo's last day), so that customers hold the tiers their spend earned.
  const at = opts.tiersAt ?? new Date(Date.parse(`${DEMO_AS_OF}T00:00:00Z`) + 86_400_000);
  const tiers = await loyalty.evaluateTiers(database, at);
  opts.log(`Demo loyalty: program v${version} (GBP, demo/program.json), ${added} offers, tiers of ${tiers.customers.toLocaleString('en')} customers as of ${at.toISOString().slice(0, 10)}.`);
  return { programVersion: version, offers: added, tiers: tiers.customers };
}
