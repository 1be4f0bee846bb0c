import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMPORT_FORMATS, runImport, type ImportSummary } from '../flows/import/index.ts';
import * as analytics from '../modules/analytics/index.ts';
import * as loyalty from '../modules/loyalty/index.ts';
import * as offers from '../modules/offers/index.ts';
import * as segments from '../modules/segments/index.ts';
import type { Database } from '../platform/db/client.ts';
import { ROOT } from '../platform/paths.ts';
import { createProgress } from '../platform/progress.ts';

/** The Online Retail demo that ships in the repository (see demo/README.md). */
export const DEMO_FILE = join(ROOT, 'demo', 'online_retail.csv.gz');

/** The demo's loyalty program, in GBP like the Online Retail receipts (see demo/README.md). */
export const DEMO_PROGRAM_FILE = join(ROOT, 'demo', 'program.json');

/**
 * The demo's offers, one of each common shape: a volume offer and a 3-for-2 bundle compete in the exclusive `promo`
 * group (the better one applies), and a personal offer for the R×F grid's VIP cell stacks on top in `loyalty`.
 */
const DEMO_OFFERS: unknown[] = [
  { name: 'From 24 items −5%', rule: { kind: 'volume', minQuantity: 24, discount: { kind: 'percent', percent: 5 } }, group: 'promo', priority: 20, budget: '5000.00' },
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
 * Loads the demo into an empty database so that every page and endpoint has real data: the receipts, then the R×F
 * grid and clusters as of the day after the last purchase, and BG/NBD + Gamma-Gamma values over the next 52 weeks.
 * Each step is idempotent, so an interrupted demo load finishes on the next start.
 */
export async function loadDemo(database: Database, opts: { rejectsFile: string; progress: boolean; log: (line: string) => void }): Promise<ImportSummary> {
  let bar: ReturnType<typeof createProgress> | undefined;
  let summary: ImportSummary;
  try {
    summary = await runImport(database, IMPORT_FORMATS['online-retail']!, DEMO_FILE, {
      rejectsFile: opts.rejectsFile,
      onProgress: (p) => {
        bar ??= createProgress('Loading the Online Retail demo', p.totalBytes, { enabled: opts.progress });
        bar.update(p.bytesRead, { detail: `${p.linesRead.toLocaleString('en')} lines, ${p.receiptsCreated.toLocaleString('en')} receipts` });
      },
    });
  } finally {
    bar?.stop();
  }
  opts.log(`Demo receipts: ${summary.receiptsCreated.toLocaleString('en')} created, ${summary.receiptsSkipped.toLocaleString('en')} already there; ${summary.customersCreated.toLocaleString('en')} customers.`);
  const seg = await segments.refreshSegments(database, { asOf: DEMO_AS_OF });
  opts.log(`Demo segments as of ${DEMO_AS_OF}: ${seg.customers.toLocaleString('en')} customers on the R×F grid.`);
  const clusters = await segments.runClustering(database, { asOf: DEMO_AS_OF });
  opts.log(`Demo clusters: k = ${clusters.k} (${clusters.criterion.method}).`);
  await analytics.fitModel(database, { model: 'bgnbd', calibrationEnd: DEMO_CALIBRATION_END, unit: 'week' });
  await analytics.fitModel(database, { model: 'gamma-gamma', calibrationEnd: DEMO_CALIBRATION_END, unit: 'week' });
  const values = await analytics.refreshValues(database, { model: 'bgnbd', unit: 'week', horizon: 52 });
  opts.log(`Demo customer values: ${values.customers.toLocaleString('en')} customers, 52-week CLV.`);
  await loadDemoLoyalty(database, opts);
  return summary;
}

/**
 * The demo's loyalty program and offers, when no program exists yet: the program of demo/program.json and three
 * offers in one transaction, then every customer's tier from the spend of the year up to the demo's last day. Well
 * under a second; the till (`POST /api/v1/till/quote`) then prices baskets of the demo's customers.
 */
export async function loadDemoLoyalty(database: Database, opts: { log: (line: string) => void }): Promise<{ programVersion: number; offers: number; tiers: number } | undefined> {
  if (await loyalty.findProgramVersion(database)) return undefined;
  const config: unknown = JSON.parse(readFileSync(DEMO_PROGRAM_FILE, 'utf8'));
  const bodies = DEMO_OFFERS.map((o) => offers.offerContracts.CreateOfferBody.parse(o));
  const { version, added } = await database.transaction(async (s) => {
    const p = await loyalty.putProgram(s, config, 'The Online Retail demo (demo/program.json)');
    const groups = p.config.stacking.groups.map((g) => g.key);
    for (const b of bodies) await offers.createOffer(s, b, p.config.currency, groups);
    return { version: p.version, added: bodies.length };
  });
  // Tiers as of the end of the demo's last day, so that its customers hold the tiers their spend earned.
  const tiers = await loyalty.evaluateTiers(database, new Date(Date.parse(`${DEMO_AS_OF}T00:00:00Z`) + 86_400_000));
  opts.log(`Demo loyalty: program v${version} (GBP, demo/program.json), ${added} offers, tiers of ${tiers.customers.toLocaleString('en')} customers as of ${DEMO_AS_OF}.`);
  return { programVersion: version, offers: added, tiers: tiers.customers };
}
