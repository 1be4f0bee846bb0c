import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, openTestDatabase } from '../../../test/db.ts';
import type { Database } from '../../platform/db/client.ts';
import { postReceipt } from './post-receipt.ts';

// PGlite is a single connection, so nothing runs concurrently there; these races need real PostgreSQL.
describe.skipIf(!onPostgres)('receipts under concurrent retries (PostgreSQL only: PGlite has one connection)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  const body = (number: string, card: string) => ({
    store: 'S-RACE',
    number,
    customer: { kind: 'card' as const, value: card },
    occurredAt: '2024-06-01T12:00:00Z',
    currency: 'GBP',
    kind: 'sale' as const,
    lines: [{ sku: 'A', quantity: '1', unitPrice: '9.99' }],
  });

  it('stores a receipt once when 100 retries of it arrive at the same time', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, () => postReceipt(database, body('R-1', 'RACE-1'))));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.receipt.id)).size).toBe(1);
    const rows = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales.receipts WHERE store_code = 'S-RACE' AND number = 'R-1'`);
    expect(rows[0]!.n).toBe(1);
  });

  it('registers a new card once when 30 different receipts with it arrive at the same time', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => postReceipt(database, body(`N-${i}`, 'RACE-NEW'))));
    expect(results.every((r) => !r.replayed)).toBe(true);
    expect(new Set(results.map((r) => r.receipt.customerId)).size).toBe(1);
    const owners = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers.identities WHERE kind = 'card' AND value = 'RACE-NEW'`);
    expect(owners[0]!.n).toBe(1);
    const orphans = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM customers.customers c WHERE NOT EXISTS (SELECT 1 FROM customers.identities i WHERE i.customer_id = c.id)`,
    );
    expect(orphans[0]!.n).toBe(0);
  });
});
