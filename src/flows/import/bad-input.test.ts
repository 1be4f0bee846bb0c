import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DATA, openTestDatabase } from '../../../test/db.ts';
import { doubledReceipts, lineAmountPence, partialReceipts, readCsvRecords, readRejects, storedReceipts } from '../../../test/import-source.ts';
import type { Database } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import { IMPORT_FORMATS, runImport } from './index.ts';

const ONLINE_RETAIL = join(SHARED_DATA, 'online-retail/online_retail.csv.gz');
/** Online Retail invoices minus the two bad-debt adjustments with a negative UnitPrice (README: "2 of them negative"). */
const CLEAN_RECEIPTS = 25_900 - 2;

let database: Database & { url?: string };
let dir: string;
/** The whole Online Retail file, header first: `all[i]` is line i + 1. */
let all: string[][];
let linesPerInvoice: Map<string, number>;

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const csvText = (rows: readonly (readonly string[])[]) => `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
const penceText = (p: bigint) => `${p < 0n ? '-' : ''}${(p < 0n ? -p : p) / 100n}.${String((p < 0n ? -p : p) % 100n).padStart(2, '0')}`;

function fixture(name: string, rows: readonly (readonly string[])[]): string {
  const path = join(dir, name);
  writeFileSync(path, csvText(rows));
  return path;
}

/**
 * The first `n` data rows of Online Retail as a canonical receipts CSV (`patron import receipts`), in store `store`:
 * the same receipts, lines and amounts, in the other format.
 */
function receiptsFixture(store: string, n = 200): string[][] {
  const [h, ...rows] = all.slice(0, n + 1);
  const c = (name: string) => h!.indexOf(name);
  return [
    ['receipt_id', 'store_id', 'customer_id', 'date', 'amount', 'currency', 'sku', 'quantity', 'unit_price'],
    ...rows.map((r) => [
      r[c('InvoiceNo')]!,
      store,
      r[c('CustomerID')]!,
      r[c('InvoiceDate')]!,
      penceText(lineAmountPence(r[c('Quantity')]!, r[c('UnitPrice')]!)),
      'GBP',
      r[c('StockCode')]!,
      r[c('Quantity')]!,
      r[c('UnitPrice')]!,
    ]),
  ];
}

const countOf = <T>(keys: Iterable<T>) => {
  const m = new Map<T, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
};

async function countCustomers(q: Database): Promise<number> {
  const [r] = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers.customers`);
  return r!.n;
}

async function expectAppError(p: Promise<unknown>, code: string): Promise<AppError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  expect((e as AppError).code).toBe(code);
  return e as AppError;
}

beforeAll(async () => {
  database = await openTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'patron-bad-'));
  all = readCsvRecords(ONLINE_RETAIL);
  linesPerInvoice = countOf(all.slice(1).map((r) => r[0]!));
});

afterAll(async () => {
  await database?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a missing column', () => {
  it('fails on line 1 naming the column, and stores nothing (receipts CSV)', async () => {
    const rows = receiptsFixture('no-amount');
    const at = rows[0]!.indexOf('amount');
    const path = fixture('no-amount.csv', rows.map((r) => r.filter((_, i) => i !== at)));
    const customersBefore = await countCustomers(database);
    const e = await expectAppError(runImport(database, IMPORT_FORMATS.receipts!, path, { rejectsFile: join(dir, 'no-amount.rejects.csv') }), 'IMPORT_MISSING_COLUMN');
    expect(e.message).toMatch(/^Line 1: .*\bamount\b/);
    expect(e.details).toMatchObject({ line: 1, fields: [{ field: 'amount' }] });
    expect(await storedReceipts(database, 'no-amount')).toEqual([]);
    expect(await countCustomers(database)).toBe(customersBefore);
    const [store] = await database.query(`SELECT 1 FROM catalog.stores WHERE code = 'no-amount'`);
    expect(store).toBeUndefined();
  });

  it('fails on line 1 naming the column, and stores nothing (Online Retail)', async () => {
    const at = all[0]!.indexOf('CustomerID');
    const path = fixture('no-customer.csv', all.slice(0, 201).map((r) => r.filter((_, i) => i !== at)));
    const customersBefore = await countCustomers(database);
    const e = await expectAppError(
      runImport(database, IMPORT_FORMATS['online-retail']!, path, { store: 'no-customer', rejectsFile: join(dir, 'no-customer.rejects.csv') }),
      'IMPORT_MISSING_COLUMN',
    );
    expect(e.message).toMatch(/^Line 1: .*\bCustomerID\b/);
    expect(e.details).toMatchObject({ line: 1 });
    expect(await storedReceipts(database, 'no-customer')).toEqual([]);
    expect(await countCustomers(database)).toBe(customersBefore);
  });
});

describe('a bad field rejects its whole receipt, names the line and the field, and the rest is imported', () => {
  // Line 15 of the fixture is in the middle of invoice 536367 (lines 11-22).
  const cases = [
    { name: 'bad-date', format: 'receipts', field: 'date', value: '2010-12-01 25:61:00' },
    { name: 'bad-date-2', format: 'receipts', field: 'date', value: '2010-02-30 08:34:00' },
    { name: 'bad-amount', format: 'receipts', field: 'amount', value: '12,50' },
    { name: 'bad-currency', format: 'receipts', field: 'currency', value: 'XYZ' },
    { name: 'bad-quantity', format: 'online-retail', field: 'Quantity', value: 'six' },
    { name: 'bad-invoice-date', format: 'online-retail', field: 'InvoiceDate', value: '2010-12-01T8:34' },
  ] as const;

  it.each(cases)('$name: $field = $value', async ({ name, format, field, value }) => {
    const line = 15;
    const rows = format === 'receipts' ? receiptsFixture(name) : all.slice(0, 201).map((r) => [...r]);
    const col = rows[0]!.indexOf(field);
    const invCol = rows[0]!.indexOf(format === 'receipts' ? 'receipt_id' : 'InvoiceNo');
    rows[line - 1]![col] = value;
    const invoice = rows[line - 1]![invCol]!;
    const sameReceipt = rows.flatMap((r, i) => (i > 0 && r[invCol] === invoice ? [i + 1] : []));
    expect(sameReceipt.length).toBeGreaterThan(1);
    const path = fixture(`${name}.csv`, rows);
    const rejectsFile = join(dir, `${name}.rejects.csv`);

    const s = await runImport(database, IMPORT_FORMATS[format]!, path, { store: name, rejectsFile });
    expect(s.linesRead).toBe(200);
    expect(s.linesRejected).toBe(sameReceipt.length);
    expect(s.linesImported).toBe(200 - sameReceipt.length);
    expect(s.receiptsRejected).toBe(1);

    const rejects = readRejects(rejectsFile);
    expect(rejects.map((r) => Number(r.line))).toEqual(sameReceipt);
    for (const r of rejects) {
      expect(r.field).toBe(field);
      // The rejects file repeats the row as it was read on that line.
      expect(rows[0]!.map((h) => r[h])).toEqual(rows[Number(r.line) - 1]);
      if (Number(r.line) === line) {
        expect(r.reason).toContain(field);
        expect(r.reason).toContain(value);
      } else {
        expect(r.reason).toContain(`receipt ${invoice}`);
        expect(r.reason).toContain(`line ${line}`);
        expect(r.reason).toContain(field);
      }
    }

    const fileLines = countOf(rows.slice(1).map((r) => r[invCol]!));
    const stored = await storedReceipts(database, name);
    expect(stored.map((r) => r.number).sort()).toEqual([...fileLines.keys()].filter((k) => k !== invoice).sort());
    expect(partialReceipts(stored, fileLines)).toEqual([]);
  });
});

describe('a receipt sent again with different content', () => {
  it('is rejected naming the receipt, and the stored one is unchanged', async () => {
    const store = 'dup';
    const rows = receiptsFixture(store);
    await runImport(database, IMPORT_FORMATS.receipts!, fixture('dup-1.csv', rows), { rejectsFile: join(dir, 'dup-1.rejects.csv') });
    const [before] = await database.query(
      `SELECT total_minor, line_amount_minor, line_quantities::text[] AS q FROM sales.receipts WHERE store_code = $1 AND number = '536367'`,
      [store],
    );
    expect(before).toBeDefined();

    // Invoice 536367 again with every amount one penny higher, plus a new receipt that must still go in.
    const changed = rows.filter((r, i) => i === 0 || r[0] === '536367').map((r, i) => (i === 0 ? r : [...r.slice(0, 4), penceText(BigInt(Math.round(Number(r[4]) * 100)) + 1n), ...r.slice(5)]));
    const extra = [...rows[1]!];
    extra[0] = 'NEW-1';
    const path = fixture('dup-2.csv', [...changed, extra]);
    const rejectsFile = join(dir, 'dup-2.rejects.csv');
    const s = await runImport(database, IMPORT_FORMATS.receipts!, path, { rejectsFile });
    expect(s).toMatchObject({ receiptsCreated: 1, receiptsRejected: 1, linesRejected: changed.length - 1, linesImported: 1 });
    const rejects = readRejects(rejectsFile);
    expect(rejects.map((r) => Number(r.line))).toEqual(changed.slice(1).map((_, i) => i + 2));
    for (const r of rejects) {
      expect(r.field).toBe('receipt');
      expect(r.reason).toContain('536367');
      expect(r.reason).toContain(store);
      expect(r.reason).toMatch(/different content/);
    }
    const [after] = await database.query(
      `SELECT total_minor, line_amount_minor, line_quantities::text[] AS q FROM sales.receipts WHERE store_code = $1 AND number = '536367'`,
      [store],
    );
    expect(after).toEqual(before);
    expect((await storedReceipts(database, store)).map((r) => r.number)).toContain('NEW-1');
  });
});

describe('a truncated gzip', () => {
  it('fails naming the file and the line, keeps committed receipts whole, and a rerun completes without doubles', async () => {
    const store = 'truncated';
    const gz = readFileSync(ONLINE_RETAIL);
    const half = join(dir, 'online_retail.half.csv.gz');
    writeFileSync(half, gz.subarray(0, Math.floor(gz.length / 2)));
    const e = await expectAppError(
      runImport(database, IMPORT_FORMATS['online-retail']!, half, { store, rejectsFile: join(dir, 'half.rejects.csv') }),
      'IMPORT_FILE_UNREADABLE',
    );
    expect(e.message).toContain(half);
    expect(e.message).toMatch(/truncated or corrupt gzip/);
    const line = (e.details as { line: number }).line;
    expect(e.message).toContain(`line ${line}`);
    expect(line).toBeGreaterThan(1);
    expect(line).toBeLessThan(all.length);

    const partial = await storedReceipts(database, store);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(CLEAN_RECEIPTS);
    expect(partialReceipts(partial, linesPerInvoice)).toEqual([]);
    // The failed run's own record agrees with what it stored, and nothing is written after it has failed.
    await new Promise((r) => setTimeout(r, 500));
    const [run] = await database.query<{ status: string; created: number; stored: number }>(
      `SELECT status, (summary->>'receiptsCreated')::int AS created,
              (SELECT count(*)::int FROM sales.receipts r WHERE r.import_run_id = i.id) AS stored
       FROM platform.import_runs i WHERE file = $1`,
      [half],
    );
    expect(run).toEqual({ status: 'failed', created: partial.length, stored: partial.length });

    const s = await runImport(database, IMPORT_FORMATS['online-retail']!, ONLINE_RETAIL, { store, rejectsFile: join(dir, 'full.rejects.csv') });
    expect(s.receiptsSkipped).toBe(partial.length);
    expect(s.receiptsCreated + s.receiptsSkipped).toBe(CLEAN_RECEIPTS);
    const stored = await storedReceipts(database, store);
    expect(stored.length).toBe(CLEAN_RECEIPTS);
    expect(partialReceipts(stored, linesPerInvoice)).toEqual([]);
    expect(await doubledReceipts(database)).toEqual([]);
  });
});
