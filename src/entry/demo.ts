import { fileURLToPath } from 'node:url';
import { IMPORT_FORMATS, runImport, type ImportSummary } from '../flows/import/index.ts';
import * as analytics from '../modules/analytics/index.ts';
import * as segments from '../modules/segments/index.ts';
import type { Database } from '../platform/db/client.ts';
import { createProgress } from '../platform/progress.ts';

/** The Online Retail demo that ships in the repository (see demo/README.md). */
export const DEMO_FILE = fileURLToPath(new URL('../../demo/online_retail.csv.gz', import.meta.url));

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
  return summary;
}
