import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DATA, openTestDatabase } from '../../../test/db.ts';
import { doubledReceipts, lineAmountPence, partialReceipts, readCsvRecords, readRejects, storedReceipts } from '../../../test/import-source.ts';
import type { Database } from '../../platform/db/client.ts';
import { IMPORT_FORMATS, runImport, type ImportSummary } from './index.ts';

const FILE = join(SHARED_DATA, 'online-retail/online_retail.csv.gz');

/** Published in ../shared/data/online-retail/README.md. */
const PUBLISHED = {
  rows: 541_909,
  invoices: 25_900,
  cInvoices: 3_836,
  cRows: 9_288,
  customers: 4_372,
  exactDuplicateRows: 5_268,
  negativePriceRows: 2,
  sumPence: 974_774_793n,
};

let database: Database;
let dir: string;
let header: string[];
/** records[i] is at line i + 2 (line 1 is the header). */
let records: string[][];
let col: (name: string) => number;

beforeAll(async () => {
  database = await openTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'patron-or-'));
  const all = readCsvRecords(FILE);
  header = all[0]!;
  records = all.slice(1);
  col = (name) => header.indexOf(name);
});

afterAll(async () => {
  await database?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Online Retail import', () => {
  let first: ImportSummary;
  let rejects: Record<string, string>[];
  let rejectedInvoices: Set<string>;

  it('reads the file as the README describes it (guards this test\'s own reader)', () => {
    const inv = col('InvoiceNo');
    expect(records.length).toBe(PUBLISHED.rows);
    expect(new Set(records.map((r) => r[inv])).size).toBe(PUBLISHED.invoices);
    const cRows = records.filter((r) => r[inv]!.startsWith('C'));
    expect(cRows.length).toBe(PUBLISHED.cRows);
    expect(new Set(cRows.map((r) => r[inv])).size).toBe(PUBLISHED.cInvoices);
    const seen = new Set<string>();
    let dups = 0;
    for (const r of records) {
      const k = r.join('\u0001');
      if (seen.has(k)) dups++;
      else seen.add(k);
    }
    expect(dups).toBe(PUBLISHED.exactDuplicateRows);
    const sum = records.reduce((s, r) => s + lineAmountPence(r[col('Quantity')]!, r[col('UnitPrice')]!), 0n);
    expect(sum).toBe(PUBLISHED.sumPence);
  });

  it('imports every line, or rejects it with its line, field and reason', async () => {
    const rejectsFile = join(dir, 'first.rejects.csv');
    first = await runImport(database, IMPORT_FORMATS['online-retail']!, FILE, { rejectsFile });
    expect(first.linesRead).toBe(PUBLISHED.rows);
    expect(first.linesImported + first.linesRejected).toBe(PUBLISHED.rows);
    expect(first.linesCreated).toBe(first.linesImported);
    expect(first.customersCreated).toBe(PUBLISHED.customers);
    expect(first.rejectsFile).toBe(rejectsFile);

    rejects = readRejects(rejectsFile);
    expect(rejects.length).toBe(first.linesRejected);
    for (const r of rejects) {
      const line = Number(r.line);
      const source = records[line - 2];
      // The rejects file repeats the source row of that line, so the line number is the file's own.
      expect(source, `line ${r.line}`).toBeDefined();
      expect(header.map((h) => r[h])).toEqual(source);
      expect(header).toContain(r.field);
      expect(r.reason).toContain(r.field!);
    }
    // The only rows the README calls invalid are the bad-debt adjustments with a negative UnitPrice.
    const negative = records.flatMap((r, i) => (r[col('UnitPrice')]!.startsWith('-') ? [i + 2] : []));
    expect(negative.length).toBe(PUBLISHED.negativePriceRows);
    expect(rejects.filter((r) => r.field === 'UnitPrice').map((r) => Number(r.line))).toEqual(negative);
    for (const r of rejects.filter((x) => x.field === 'UnitPrice')) expect(r.reason).toContain(r.UnitPrice!);
    rejectedInvoices = new Set(rejects.map((r) => r.InvoiceNo!));
    expect(first.receiptsRejected).toBe(rejectedInvoices.size);
    // A receipt is rejected whole: every source line of a rejected invoice is in the rejects file.
    const inv = col('InvoiceNo');
    const sourceLinesOfRejected = records.filter((r) => rejectedInvoices.has(r[inv]!)).length;
    expect(first.linesRejected).toBe(sourceLinesOfRejected);
  });

  it('stores every invoice not rejected, whole, once, with its duplicate lines', async () => {
    const inv = col('InvoiceNo');
    const sourceLines = new Map<string, number>();
    for (const r of records) sourceLines.set(r[inv]!, (sourceLines.get(r[inv]!) ?? 0) + 1);

    const stored = await storedReceipts(database, 'online-retail');
    expect(stored.length).toBe(PUBLISHED.invoices - rejectedInvoices.size);
    expect(first.receiptsCreated).toBe(stored.length);
    expect(partialReceipts(stored, sourceLines)).toEqual([]);
    expect(await doubledReceipts(database)).toEqual([]);

    const rejectedC = [...rejectedInvoices].filter((i) => i.startsWith('C'));
    const returns = stored.filter((r) => r.kind === 'return');
    expect(returns.length).toBe(PUBLISHED.cInvoices - rejectedC.length);
    expect(returns.every((r) => r.number.startsWith('C'))).toBe(true);
    expect(returns.reduce((s, r) => s + r.lineCount, 0)).toBe(
      PUBLISHED.cRows - rejects.filter((r) => r.InvoiceNo!.startsWith('C')).length,
    );

    const [lines] = await database.query<{ n: number; sum: string }>(
      `SELECT count(*)::int AS n, sum(amount_minor)::text AS sum FROM sales.receipt_lines WHERE store_code = 'online-retail'`,
    );
    expect(lines!.n).toBe(PUBLISHED.rows - first.linesRejected);
    const rejectedPence = rejects.reduce((s, r) => s + lineAmountPence(r.Quantity!, r.UnitPrice!), 0n);
    expect(BigInt(lines!.sum)).toBe(PUBLISHED.sumPence - rejectedPence);

    // Identical lines of one invoice are two scans: both stored. Count, per receipt, the lines that repeat an
    // earlier line's product, quantity and price, in the file and in the database.
    const seen = new Set<string>();
    let sourceRepeats = 0;
    for (const r of records) {
      if (rejectedInvoices.has(r[inv]!)) continue;
      const k = [r[inv], r[col('StockCode')], r[col('Quantity')], lineAmountPence('1', r[col('UnitPrice')]!)].join('\u0001');
      if (seen.has(k)) sourceRepeats++;
      else seen.add(k);
    }
    expect(sourceRepeats).toBeGreaterThanOrEqual(PUBLISHED.exactDuplicateRows - rejects.length);
    const [dup] = await database.query<{ n: number }>(
      `SELECT COALESCE(sum(n - 1), 0)::int AS n FROM (
         SELECT count(*) AS n FROM sales.receipt_lines WHERE store_code = 'online-retail'
         GROUP BY receipt_id, sku, quantity, unit_price_minor) g`,
    );
    expect(dup!.n).toBe(sourceRepeats);

    const [people] = await database.query<{ customers: number; identities: number }>(
      `SELECT (SELECT count(*)::int FROM customers.customers) AS customers,
              (SELECT count(*)::int FROM customers.identities WHERE kind = 'external') AS identities`,
    );
    expect(people).toEqual({ customers: PUBLISHED.customers, identities: PUBLISHED.customers });
  });

  it('creates nothing on a second run of the same file', async () => {
    const before = await storedReceipts(database, 'online-retail');
    const again = await runImport(database, IMPORT_FORMATS['online-retail']!, FILE, { rejectsFile: join(dir, 'second.rejects.csv') });
    expect(again.receiptsCreated).toBe(0);
    expect(again.linesCreated).toBe(0);
    expect(again.customersCreated).toBe(0);
    expect(again.productsCreated).toBe(0);
    expect(again.receiptsSkipped).toBe(before.length);
    expect(again.linesRejected).toBe(first.linesRejected);
    expect(again.linesImported).toBe(first.linesImported);
    expect(await storedReceipts(database, 'online-retail')).toEqual(before);
    const [c] = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers.customers`);
    expect(c!.n).toBe(PUBLISHED.customers);
  });
});
