import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/db.ts';
import { demoHead, doubledReceipts } from '../../test/import-source.ts';
import { expectWholeLedgerConsistent } from '../../test/till.ts';
import { IMPORT_FORMATS, runImport } from '../flows/import/index.ts';
import type { Database } from '../platform/db/client.ts';
import { loadDemoReceipts } from './demo.ts';
import { demoCategory, tillSales } from './demo-till.ts';

// The demo's weeks at the till, on the demo's first 3 weeks (1 to 23 December 2010, 42,481 lines): sales from the 3rd
// go through the till, so that points earned on the 3rd are spendable from the 17th. The same lines imported plainly
// into a second database are the reference: the till must store the same receipts, each once, less its discounts.

const LINES = 42_481;
const TILL_FROM = new Date('2010-12-03T00:00:00Z');
const UNTIL = new Date('2010-12-24T00:00:00Z');

type Receipt = { number: string; kind: string; lineCount: number; totalMinor: number };
const receipts = (q: Database) =>
  q.query<Receipt>(`SELECT number, kind, line_count AS "lineCount", total_minor::int AS "totalMinor" FROM sales.receipts ORDER BY number`);

describe('the demo sold at the till from a day on', () => {
  let file: string;
  let withTill: Database;
  let plain: Database;
  const log: string[] = [];
  const load = () =>
    loadDemoReceipts(withTill, {
      file,
      tillFrom: TILL_FROM,
      until: UNTIL,
      rejectsFile: `${file}.rejects.csv`,
      progress: false,
      log: (l) => log.push(l),
    });

  beforeAll(async () => {
    [file, withTill, plain] = await Promise.all([demoHead(LINES), openTestDatabase(), openTestDatabase()]);
    await load();
    await runImport(plain, IMPORT_FORMATS['online-retail']!, file, { rejectsFile: `${file}.plain.rejects.csv` });
  }, 300_000);
  afterAll(async () => {
    await Promise.all([withTill?.close(), plain?.close()]);
    if (file) rmSync(dirname(file), { recursive: true, force: true });
  });

  it('picks the sales from the day on that a till can take, and leaves the rest to the import', async () => {
    const sales = await tillSales(file, TILL_FROM);
    expect(sales.length).toBeGreaterThan(1000);
    expect(sales.every((s) => s.at >= TILL_FROM && s.lines.length <= 500 && s.lines.every((l) => Number(l.quantity) > 0))).toBe(true);
    expect(sales.some((s) => s.customer === null)).toBe(true);
    // In the order of time, so that a customer's points are earned before they are spent.
    expect(sales.every((s, i) => i === 0 || sales[i - 1]!.at <= s.at)).toBe(true);
    // A receipt with any line the till cannot take, wherever that line is, stays whole with the import.
    const small = join(dirname(file), 'small.csv');
    writeFileSync(
      small,
      [
        'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
        'A1,85099B,JUMBO BAG,2,2010-12-05 10:00:00,1.95,17850,United Kingdom',
        'A1,22423,CAKESTAND,1,2010-12-05 10:00:00,10.95,17850,United Kingdom',
        'B1,22423,CAKESTAND,1,2010-12-05 11:00:00,10.95,,United Kingdom',
        'B1,22423,CAKESTAND,-1,2010-12-05 11:00:00,10.95,,United Kingdom',
        'C1,22423,CAKESTAND,1,2010-12-05 12:00:00,x,17850,United Kingdom',
        'C1,22423,CAKESTAND,1,2010-12-05 12:00:00,10.95,17850,United Kingdom',
        'D1,22423,CAKESTAND,1,2010-12-01 12:00:00,10.95,17850,United Kingdom',
        'E1,22423,CAKESTAND,1,2010-12-05 13:00:00,10.95,17850,United Kingdom',
        'E1,22423,CAKESTAND,1,2010-12-05 13:00:00,10.95,12347,United Kingdom',
        'C2,22423,CAKESTAND,-1,2010-12-05 14:00:00,10.95,17850,United Kingdom',
      ].join('\n'),
    );
    expect(
      (await tillSales(small, TILL_FROM)).map((s) => [
        s.number,
        s.customer,
        s.lines.map((l) => [l.sku, l.category, l.quantity, l.unitPrice]),
      ]),
    ).toEqual([
      [
        'A1',
        '17850',
        [
          ['85099B', 'bags', '2', '1.95'],
          ['22423', null, '1', '10.95'],
        ],
      ],
    ]);
    expect(demoCategory('85099B', 'JUMBO BAG RED RETROSPOT')).toBe('bags');
    expect(demoCategory('gift_0001_20', 'Dotcomgiftshop Gift Voucher £20.00')).toBe('gift-vouchers');
    expect(demoCategory('22423', 'REGENCY CAKESTAND 3 TIER')).toBeNull();
  });

  it('stores the receipts of a plain import, each once, the till’s less the discounts it gave', async () => {
    const [a, b] = await Promise.all([receipts(withTill), receipts(plain)]);
    expect(await doubledReceipts(withTill)).toEqual([]);
    expect(a.map((r) => [r.number, r.kind, r.lineCount])).toEqual(b.map((r) => [r.number, r.kind, r.lineCount]));
    const till = new Map(
      (
        await withTill.query<{ number: string; discount: number }>(
          `SELECT number, discount_minor::int AS discount FROM loyalty.till_receipts`,
        )
      ).map((r) => [r.number, r.discount]),
    );
    expect(till.size).toBe((await tillSales(file, TILL_FROM)).length);
    let discounted = 0;
    a.forEach((r, i) => {
      const discount = till.get(r.number) ?? 0;
      if (discount > 0) discounted++;
      expect(r.totalMinor + discount, r.number).toBe(b[i]!.totalMinor);
    });
    expect(discounted).toBeGreaterThan(100);
    // Customers first seen at the till are enrolled, not sold to as walk-ins.
    const ids = (q: Database) =>
      q.query<{ value: string }>(`SELECT value FROM customers.identities WHERE kind = 'external' ORDER BY value`);
    expect(await ids(withTill)).toEqual(await ids(plain));
  });

  it('earns points at the till, spends them once they are active, and keeps the ledger whole', async () => {
    const [t] = await withTill.query<{ earned: number; redeemed: number; redeemedBefore: number; ladder: number }>(
      `SELECT coalesce(sum(points_earned), 0)::int AS earned, coalesce(sum(points_redeemed), 0)::int AS redeemed,
              coalesce(sum(points_redeemed) FILTER (WHERE occurred_at < $1), 0)::int AS "redeemedBefore",
              count(*) FILTER (WHERE ladder_step IS NOT NULL AND ladder_step <> 'none')::int AS ladder
       FROM loyalty.till_receipts`,
      [new Date(TILL_FROM.getTime() + 14 * 86_400_000)],
    );
    expect(t!.earned).toBeGreaterThan(100_000);
    expect(t!.redeemed).toBeGreaterThan(0);
    // The demo's points are pending for 14 days: none could be spent before.
    expect(t!.redeemedBefore).toBe(0);
    expect(t!.ladder).toBeGreaterThan(0);
    await expectWholeLedgerConsistent(withTill);
    // Activated as of the last day: no lot due by then is left pending.
    const [pending] = await withTill.query<{ due: number; all: number }>(
      `SELECT count(*) FILTER (WHERE l.activates_at <= $1 AND NOT EXISTS (
                SELECT 1 FROM loyalty.lot_moves m WHERE m.customer_id = l.customer_id AND m.lot_id = l.id AND m.kind = 'activate'))::int AS due,
              count(*)::int AS "all"
       FROM loyalty.lots l`,
      [UNTIL],
    );
    expect(pending!.all).toBeGreaterThan(1000);
    expect(pending!.due).toBe(0);
  });

  it('commits nothing twice when run again', async () => {
    const before = await receipts(withTill);
    const [points] = await withTill.query<{ n: number }>(`SELECT coalesce(sum(points), 0)::int AS n FROM loyalty.transfers`);
    log.length = 0;
    await load();
    expect(log.find((l) => l.startsWith('Demo till'))).toMatch(/: ([\d,]+) sales \(\1 already committed\)/);
    expect(await receipts(withTill)).toEqual(before);
    expect((await withTill.query<{ n: number }>(`SELECT coalesce(sum(points), 0)::int AS n FROM loyalty.transfers`))[0]!.n).toBe(points!.n);
  });
});
