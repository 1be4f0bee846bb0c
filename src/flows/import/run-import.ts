import { resolve } from 'node:path';
import * as catalog from '../../modules/catalog/index.ts';
import * as customers from '../../modules/customers/index.ts';
import * as sales from '../../modules/sales/index.ts';
import type { Database, Session } from '../../platform/db/client.ts';
import { newId } from '../../platform/ids.ts';
import type { ImportFormat, ImportRow, RowError } from './formats/types.ts';
import { RejectsWriter, rejectsPathFor } from './rejects.ts';
import { openInput, streamCsv, streamWhitespace, type RecordBatch } from './source.ts';

export type ImportSummary = {
  format: string;
  file: string;
  importRunId: string;
  linesRead: number;
  linesImported: number;
  linesRejected: number;
  /** Lines written by this run (0 on a re-run of the same file). */
  linesCreated: number;
  receiptsCreated: number;
  receiptsSkipped: number;
  receiptsRejected: number;
  customersCreated: number;
  productsCreated: number;
  rejectsFile: string | null;
  seconds: number;
};

export type ImportProgress = { bytesRead: number; totalBytes: number; linesRead: number; receiptsCreated: number };

export type ImportOptions = {
  store?: string | undefined;
  currency?: string | undefined;
  rejectsFile?: string | undefined;
  /** Lines per database transaction. */
  batchLines?: number;
  onProgress?: (p: ImportProgress) => void;
  /** The run's id, when the caller must know it before the run starts (the console answers with it at once). */
  importRunId?: string;
};

/**
 * A receipt being assembled from its rows. Only what the receipt needs is kept per line (its receipt line, not the
 * whole mapped row nor the raw record): open receipts outlive several parse chunks, and whatever they hold is
 * promoted to the old generation and marked again and again, which was a third of the import's CPU time.
 */
type Group = {
  storeCode: string;
  number: string;
  /** The first row: customer, currency and kind are the receipt's. */
  first: ImportRow | undefined;
  occurredAt: Date | undefined;
  receiptLines: sales.ReceiptLineInput[];
  lines: number[];
  /** Raw records, kept only once the receipt is known to be rejected (lines before that are read again at the end). */
  records?: (string[] | undefined)[];
  /** Products of this receipt not yet known to be in the catalog, with the name of their first line. */
  products?: Map<string, string | null>;
  lastLine: number;
  /** Sent to the database: a later line with the same key starts a new group (and is rejected as a conflict or skipped). */
  flushed: boolean;
  error?: { line: number; field: string; message: string };
};

/** Lines of one receipt may be this far apart in the file and still be joined (Online Retail interleaves a few). */
const REORDER_WINDOW = 2_000;

/**
 * Imports a receipts file: streams it, assembles receipts from rows, and stores each batch of whole receipts in one
 * transaction, so an interrupted import leaves only whole receipts and a re-run skips them. Parsing the next batch
 * overlaps writing the previous one; at most two batches are in memory.
 */
export async function runImport(database: Database, format: ImportFormat, file: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const started = Date.now();
  const input = await openInput(file);
  const batchLines = opts.batchLines ?? 20_000;
  const runId = opts.importRunId ?? newId('importRun');
  const summary: ImportSummary = {
    format: format.name,
    file: resolve(file),
    importRunId: runId,
    linesRead: 0,
    linesImported: 0,
    linesRejected: 0,
    linesCreated: 0,
    receiptsCreated: 0,
    receiptsSkipped: 0,
    receiptsRejected: 0,
    customersCreated: 0,
    productsCreated: 0,
    rejectsFile: null,
    seconds: 0,
  };
  await database.query(`INSERT INTO platform.import_runs (id, format, file, status) VALUES ($1, $2, $3, 'running')`, [runId, format.name, summary.file]);

  let mapper: ReturnType<ImportFormat['begin']> | undefined;
  let rejects: RejectsWriter | undefined;
  const rejectsPath = await rejectsPathFor(file, opts.rejectsFile);
  const open = new Map<string, Group>();
  let openLines = 0;
  let inFlight: Promise<void> | undefined;
  const knownStores = new Set<string>();
  const knownSkus = new Set<string>();

  const reject = (line: number, field: string, reason: string, record: readonly string[]) => {
    rejects!.write(line, field, reason, record);
    summary.linesRejected++;
  };

  /** Rejected lines whose raw record was not kept: written at the end, from a second read of the file. */
  const pending: { line: number; field: string; reason: string }[] = [];

  const rejectGroup = (g: Group, reason: (line: number) => { field: string; reason: string }) => {
    summary.receiptsRejected++;
    // A receipt's lines go to the rejects file together and in order: all now, or all from the second read.
    const complete = g.records !== undefined && g.lines.every((_, i) => g.records![i] !== undefined);
    g.lines.forEach((line, i) => {
      const r = reason(line);
      if (complete) reject(line, r.field, r.reason, g.records![i]!);
      else {
        pending.push({ line, field: r.field, reason: r.reason });
        summary.linesRejected++;
      }
    });
  };

  /** Reads the file again up to the last pending line, and writes those lines' rejects with their records. */
  const writePending = async () => {
    if (pending.length === 0) return;
    pending.sort((a, b) => a.line - b.line);
    const last = pending[pending.length - 1]!.line;
    const again = await openInput(file);
    let next = 0;
    const onAgain = (b: RecordBatch) => {
      let line = b.firstLine;
      for (const record of b.records) {
        while (next < pending.length && pending[next]!.line === line) {
          const p = pending[next++]!;
          rejects!.write(p.line, p.field, p.reason, record);
        }
        line++;
      }
      return line <= last;
    };
    try {
      if (format.records === 'csv') await streamCsv(again, onAgain);
      else await streamWhitespace(again, onAgain);
    } finally {
      again.text.destroy();
    }
  };

  const flush = async (groups: Group[]) => {
    const valid: Group[] = [];
    for (const g of groups) {
      if (g.error) {
        const e = g.error;
        rejectGroup(g, (line) =>
          line === e.line
            ? { field: e.field, reason: `${e.field} ${e.message}` }
            : { field: e.field, reason: `receipt ${g.number} rejected whole: line ${e.line}, ${e.field} ${e.message}` },
        );
      } else valid.push(g);
    }
    if (valid.length === 0) return;
    const result = await database.transaction((s) => storeBatch(s, valid));
    summary.receiptsCreated += result.created.length;
    for (const c of result.created) summary.linesCreated += c.lineCount;
    summary.receiptsSkipped += result.skipped.length;
    const conflicted = new Set(result.conflicts.map((c) => c.index));
    valid.forEach((g, i) => {
      if (conflicted.has(i)) {
        rejectGroup(g, () => ({
          field: 'receipt',
          reason: `receipt ${g.number} of store ${g.storeCode} is already stored with different content`,
        }));
      } else summary.linesImported += g.lines.length;
    });
  };

  const storeBatch = async (s: Session, groups: Group[]) => {
    for (const g of groups) {
      const first = g.first!;
      if (!knownStores.has(g.storeCode)) {
        await catalog.insertStoreIfMissing(s, {
          code: g.storeCode,
          name: g.storeCode === format.defaultStore.code ? format.defaultStore.name : g.storeCode,
          currency: first.currency,
        });
        knownStores.add(g.storeCode);
      }
    }
    const products = new Map<string, string | null>();
    for (const g of groups) {
      for (const [sku, name] of g.products ?? []) if (!knownSkus.has(sku) && !products.has(sku)) products.set(sku, name);
    }
    summary.productsCreated += await catalog.insertProductsIfMissing(s, [...products].map(([sku, name]) => ({ sku, name })));
    const people = new Map<string, { externalId: string; country?: string | null; attributes?: Record<string, unknown> }>();
    for (const g of groups) {
      const r = g.first!;
      if (r.customerExternalId && !people.has(r.customerExternalId)) {
        people.set(r.customerExternalId, { externalId: r.customerExternalId, country: r.customerCountry ?? null, attributes: r.customerAttributes });
      }
    }
    const { ids, created } = await customers.resolveExternalIds(s, [...people.values()]);
    summary.customersCreated += created;
    const result = await sales.storeReceipts(s, groups.map((g) => toReceipt(g, ids)));
    for (const sku of products.keys()) knownSkus.add(sku);
    return result;
  };

  const toReceipt = (g: Group, ids: Map<string, string>): sales.ReceiptInput => {
    const first = g.first!;
    const lines = g.receiptLines;
    const occurredAt = g.occurredAt!;
    return {
      storeCode: g.storeCode,
      number: g.number,
      customerId: first.customerExternalId ? ids.get(first.customerExternalId)! : customers.anonymousCustomerId(g.storeCode),
      kind: first.kind ?? (sales.receiptTotal(lines) < 0 ? 'return' : 'sale'),
      occurredAt,
      currency: first.currency,
      lines,
      source: `import:${format.name}`,
      importRunId: runId,
    };
  };

  /** Sends the groups whose last line is far enough behind; waits for the previous batch first (backpressure). */
  const maybeFlush = async (currentLine: number, all = false) => {
    if (!all && openLines < batchLines) return;
    const ready: Group[] = [];
    for (const [k, g] of open) {
      if (all || g.lastLine < currentLine - REORDER_WINDOW) {
        ready.push(g);
        g.flushed = true;
        open.delete(k);
        openLines -= g.lines.length;
      }
    }
    if (inFlight) await inFlight;
    inFlight = undefined;
    if (ready.length === 0) return;
    const p = flush(ready);
    // Keep the rejection observed; it is re-thrown when awaited.
    p.catch(() => undefined);
    inFlight = p;
    if (all) await p;
  };

  // Lines of one receipt are mostly consecutive: the last group is found without building its map key.
  let last: Group | undefined;

  const addRow = (line: number, record: string[], row: ImportRow | undefined, error: RowError | undefined) => {
    const key = row ?? error?.receiptKey;
    if (!key) {
      reject(line, error!.field, `${error!.field} ${error!.message}`, record);
      summary.receiptsRejected++;
      return;
    }
    let g = last;
    if (!g || g.number !== key.number || g.storeCode !== key.storeCode || g.flushed) {
      const k = `${key.storeCode}\u0000${key.number}`;
      g = open.get(k);
      if (!g) {
        g = { storeCode: key.storeCode, number: key.number, first: undefined, occurredAt: undefined, receiptLines: [], lines: [], lastLine: line, flushed: false };
        open.set(k, g);
      }
      last = g;
    }
    g.lines.push(line);
    g.lastLine = line;
    openLines++;
    if (error || g.error) {
      g.error ??= { line, field: error!.field, message: error!.message };
      // From now on the receipt is rejected: keep its raw records for the rejects file.
      g.records ??= [];
      g.records[g.lines.length - 1] = record;
      return;
    }
    const r = row!;
    const first = g.first;
    if (!first) g.first = r;
    else if (first.customerExternalId !== r.customerExternalId) {
      g.error = { line, field: 'customer', message: `differs from line ${g.lines[0]} of the same receipt (${first.customerExternalId ?? 'none'} vs ${r.customerExternalId ?? 'none'})` };
    } else if (first.currency !== r.currency) {
      g.error = { line, field: 'currency', message: `differs from line ${g.lines[0]} of the same receipt (${first.currency} vs ${r.currency})` };
    }
    if (g.error) {
      g.records ??= [];
      g.records[g.lines.length - 1] = record;
      return;
    }
    if (g.occurredAt === undefined || r.occurredAt < g.occurredAt) g.occurredAt = r.occurredAt;
    g.receiptLines.push({ sku: r.sku, quantity: r.quantity, unitPriceMinor: r.unitPriceMinor, amountMinor: r.amountMinor });
    if (r.sku !== null && !knownSkus.has(r.sku)) {
      g.products ??= new Map();
      if (!g.products.has(r.sku)) g.products.set(r.sku, r.productName ?? null);
    }
  };

  const onChunk = async (b: RecordBatch) => {
    let line = b.firstLine;
    for (const record of b.records) {
      const thisLine = line++;
      if (record.length === 0 || (record.length === 1 && record[0]!.trim() === '')) continue;
      if (!mapper) {
        mapper = format.begin(record, { store: opts.store, currency: opts.currency });
        rejects = new RejectsWriter(rejectsPath, mapper.header);
        if (mapper.firstIsHeader) continue;
      }
      summary.linesRead++;
      const res = mapper.map(record, thisLine);
      if ('skip' in res) {
        summary.linesRead--;
        continue;
      }
      addRow(thisLine, record, 'row' in res ? res.row : undefined, 'error' in res ? res.error : undefined);
    }
    opts.onProgress?.({ bytesRead: input.bytesRead(), totalBytes: input.size, linesRead: summary.linesRead, receiptsCreated: summary.receiptsCreated });
    await maybeFlush(line - 1);
  };

  let status = 'failed';
  try {
    if (format.records === 'csv') await streamCsv(input, onChunk);
    else await streamWhitespace(input, onChunk);
    await maybeFlush(Number.MAX_SAFE_INTEGER, true);
    await writePending();
    // Fresh planner statistics after a bulk load: PGlite has no autovacuum, and on PostgreSQL it would come late. Only
    // when this run wrote something, so a re-run of the same file stays cheap.
    if (summary.receiptsCreated > 0) await database.query('ANALYZE sales.receipts, sales.receipt_keys, customers.identities, customers.customers');
    status = 'done';
  } finally {
    // A failure (truncated file, lost connection) leaves the receipts of committed batches whole; the open ones are dropped.
    if (inFlight) await (inFlight as Promise<void>).catch(() => undefined);
    // After a failure, the rejects found so far are still worth writing, as far as the file can be read.
    if (status !== 'done') await writePending().catch(() => undefined);
    await rejects?.close();
    summary.rejectsFile = rejects && rejects.count > 0 ? rejects.path : null;
    summary.seconds = (Date.now() - started) / 1000;
    await database
      .query(`UPDATE platform.import_runs SET status = $2, finished_at = now(), summary = $3 WHERE id = $1`, [runId, status, JSON.stringify(summary)])
      .catch(() => undefined);
  }
  return summary;
}
