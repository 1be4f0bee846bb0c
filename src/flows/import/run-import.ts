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
};

/** A receipt being assembled from its rows. */
type Group = {
  storeCode: string;
  number: string;
  rows: ImportRow[];
  lines: number[];
  records: string[][];
  lastLine: number;
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
  const runId = newId('importRun');
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

  const rejectGroup = (g: Group, reason: (line: number) => { field: string; reason: string }) => {
    summary.receiptsRejected++;
    g.lines.forEach((line, i) => {
      const r = reason(line);
      reject(line, r.field, r.reason, g.records[i] ?? []);
    });
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
      const first = g.rows[0]!;
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
    for (const g of groups) for (const r of g.rows) if (r.sku && !knownSkus.has(r.sku) && !products.has(r.sku)) products.set(r.sku, r.productName ?? null);
    summary.productsCreated += await catalog.insertProductsIfMissing(s, [...products].map(([sku, name]) => ({ sku, name })));
    const people = new Map<string, { externalId: string; country?: string | null; attributes?: Record<string, unknown> }>();
    for (const g of groups) {
      const r = g.rows[0]!;
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
    const first = g.rows[0]!;
    const lines = g.rows.map((r) => ({ sku: r.sku, quantity: r.quantity, unitPriceMinor: r.unitPriceMinor, amountMinor: r.amountMinor }));
    let occurredAt = first.occurredAt;
    for (const r of g.rows) if (r.occurredAt < occurredAt) occurredAt = r.occurredAt;
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

  const addRow = (line: number, record: string[], row: ImportRow | undefined, error: RowError | undefined) => {
    const key = row ? { storeCode: row.storeCode, number: row.number } : error?.receiptKey;
    if (!key) {
      reject(line, error!.field, `${error!.field} ${error!.message}`, record);
      summary.receiptsRejected++;
      return;
    }
    const k = `${key.storeCode}\u0000${key.number}`;
    let g = open.get(k);
    if (!g) {
      g = { storeCode: key.storeCode, number: key.number, rows: [], lines: [], records: [], lastLine: line };
      open.set(k, g);
    }
    g.lines.push(line);
    g.records.push(record);
    g.lastLine = line;
    openLines++;
    if (error) {
      g.error ??= { line, field: error.field, message: error.message };
      return;
    }
    const first = g.rows[0];
    if (first && !g.error) {
      if (first.customerExternalId !== row!.customerExternalId) {
        g.error = { line, field: 'customer', message: `differs from line ${g.lines[0]} of the same receipt (${first.customerExternalId ?? 'none'} vs ${row!.customerExternalId ?? 'none'})` };
      } else if (first.currency !== row!.currency) {
        g.error = { line, field: 'currency', message: `differs from line ${g.lines[0]} of the same receipt (${first.currency} vs ${row!.currency})` };
      }
    }
    g.rows.push(row!);
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
    status = 'done';
  } finally {
    // A failure (truncated file, lost connection) leaves the receipts of committed batches whole; the open ones are dropped.
    if (inFlight) await (inFlight as Promise<void>).catch(() => undefined);
    await rejects?.close();
    summary.rejectsFile = rejects && rejects.count > 0 ? rejects.path : null;
    summary.seconds = (Date.now() - started) / 1000;
    await database
      .query(`UPDATE platform.import_runs SET status = $2, finished_at = now(), summary = $3 WHERE id = $1`, [runId, status, JSON.stringify(summary)])
      .catch(() => undefined);
  }
  return summary;
}
