import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DATA, openTestDatabase } from '../../../test/db.ts';
import { doubledReceipts } from '../../../test/import-source.ts';
import type { Database } from '../../platform/db/client.ts';
import { IMPORT_FORMATS, runImport } from './index.ts';

/** Published in ../shared/data/cdnow/README.md. */
const SAMPLE = { file: 'CDNOW_sample.txt', rows: 6_919, customers: 2_357, dollarsCents: 24_409_194 };
const MASTER = { file: 'CDNOW_master.txt', rows: 69_659, customers: 23_570, dollarsCents: 250_031_563 };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'patron-cdnow-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function importInto(database: Database, file: string) {
  return runImport(database, IMPORT_FORMATS.cdnow!, join(SHARED_DATA, 'cdnow', file), { rejectsFile: join(dir, `${file}.rejects.csv`) });
}

async function totals(database: Database) {
  const [t] = await database.query<{ receipts: number; lines: number; cents: number; customers: number; identities: number }>(
    `SELECT (SELECT count(*)::int FROM sales.receipts WHERE store_code = 'cdnow') AS receipts,
            (SELECT count(*)::int FROM sales.receipt_lines WHERE store_code = 'cdnow') AS lines,
            (SELECT sum(amount_minor)::int8 FROM sales.receipt_lines WHERE store_code = 'cdnow') AS cents,
            (SELECT count(*)::int FROM customers.customers) AS customers,
            (SELECT count(*)::int FROM customers.identities WHERE kind = 'external') AS identities`,
  );
  return t!;
}

describe('CDNOW import', () => {
  it('imports the sample: every row, every customer, the published dollar total, customer 1516 by its own id', async () => {
    const database = await openTestDatabase();
    try {
      const s = await importInto(database, SAMPLE.file);
      expect(s.linesRead).toBe(SAMPLE.rows);
      expect(s.linesImported).toBe(SAMPLE.rows);
      expect(s.linesRejected).toBe(0);
      expect(s.rejectsFile).toBeNull();
      expect(s.customersCreated).toBe(SAMPLE.customers);
      expect(await totals(database)).toEqual({
        receipts: SAMPLE.rows,
        lines: SAMPLE.rows,
        cents: SAMPLE.dollarsCents,
        customers: SAMPLE.customers,
        identities: SAMPLE.customers,
      });
      expect(await doubledReceipts(database)).toEqual([]);

      const ident = await database.query<{ customer_id: string }>(
        `SELECT customer_id FROM customers.identities WHERE kind = 'external' AND value = '1516'`,
      );
      expect(ident).toHaveLength(1);
      // Customer 1516 of the BG/NBD papers: x = 26 repeat purchase days in the calibration weeks (to 1997-09-30),
      // same-day purchases merged.
      const [days] = await database.query<{ n: number }>(
        `SELECT count(DISTINCT (occurred_at AT TIME ZONE 'UTC')::date)::int AS n FROM sales.receipts
         WHERE customer_id = $1 AND occurred_at < '1997-10-01T00:00:00Z'`,
        [ident[0]!.customer_id],
      );
      expect(days!.n - 1).toBe(26);
      // Its rows in the file, counted here.
      const rows1516 = readFileSync(join(SHARED_DATA, 'cdnow', SAMPLE.file), 'utf8')
        .split(/\r?\n/)
        .filter((l) => l.trim().split(/\s+/)[1] === '1516').length;
      const [n] = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales.receipts WHERE customer_id = $1`, [ident[0]!.customer_id]);
      expect(n!.n).toBe(rows1516);

      const again = await importInto(database, SAMPLE.file);
      expect(again).toMatchObject({ receiptsCreated: 0, linesCreated: 0, customersCreated: 0, receiptsSkipped: SAMPLE.rows });
    } finally {
      await database.close();
    }
  });

  it('imports the master file: every row, every customer, the published dollar total', async () => {
    const database = await openTestDatabase();
    try {
      const s = await importInto(database, MASTER.file);
      expect(s.linesRead).toBe(MASTER.rows);
      expect(s.linesImported).toBe(MASTER.rows);
      expect(s.linesRejected).toBe(0);
      expect(s.customersCreated).toBe(MASTER.customers);
      expect(await totals(database)).toEqual({
        receipts: MASTER.rows,
        lines: MASTER.rows,
        cents: MASTER.dollarsCents,
        customers: MASTER.customers,
        identities: MASTER.customers,
      });
      expect(await doubledReceipts(database)).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
