import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, openTestDatabase } from '../../../test/db.ts';
import * as loyalty from '../../modules/loyalty/index.ts';
import type { Database } from '../../platform/db/client.ts';
import type { AppError } from '../../platform/errors.ts';
import { commitSale } from './commit.ts';
import type { CommitBody } from './till.contract.ts';

// PGlite is one connection, so nothing runs concurrently there; these races need real PostgreSQL.
describe.skipIf(!onPostgres)('the till under concurrency (PostgreSQL only: PGlite has one connection)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    await loyalty.putProgram(
      database,
      {
        currency: 'RUB',
        earn: { basePercent: 5 },
        burn: { pointValue: '1.00', maxSharePercent: 100 },
        lifecycle: { pendingDays: 0, expiryMonths: 12 },
        stacking: { groups: [{ key: 'promo', mode: 'exclusive', priority: 1 }] },
      },
      null,
    );
  });
  afterAll(async () => {
    await database?.close();
  });

  const sale = (card: string, number: string, unitPrice: string, redeemPoints = 0): CommitBody => ({
    store: 'S-RACE',
    number,
    currency: 'RUB',
    occurredAt: '2026-05-01T12:00:00Z',
    customer: { kind: 'card', value: card },
    lines: [{ sku: 'A', category: 'grocery', quantity: '1', unitPrice, taxRate: '0' }],
    redeemPoints,
    certificates: [],
  });

  it('never overdraws: 100 parallel redemptions of 30 points from a balance of 1,000', async () => {
    const card = await loyalty.issueCard(database, 'RACE-REDEEM');
    await loyalty.adjust(database, { customerId: card.customerId!, points: 1000, reason: 'test', idempotencyKey: 'race-1000' });
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => commitSale(database, sale('RACE-REDEEM', `RD-${i}`, '30.00', 30))));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // 1,000 / 30 = 33 redemptions fit; the rest are refused with LOYALTY_INSUFFICIENT_POINTS and write nothing.
    expect(ok).toHaveLength(33);
    for (const r of refused) expect((r.reason as AppError).code).toBe('LOYALTY_INSUFFICIENT_POINTS');
    const b = await loyalty.checkBalance(database, card.customerId!);
    expect(b.cached).toEqual({ active: 1000 - 33 * 30, pending: 0 });
    expect(b.ledger).toEqual(b.cached);
    const stored = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales.receipts WHERE store_code = 'S-RACE' AND number LIKE 'RD-%'`);
    expect(stored[0]!.n).toBe(33);
    // Every redemption took its points from lots: Σ lot moves of redemptions = 33 × 30.
    const moved = await database.query<{ n: number }>(`SELECT coalesce(sum(points), 0)::int AS n FROM loyalty.lot_moves WHERE customer_id = $1 AND kind = 'redeem'`, [card.customerId]);
    expect(moved[0]!.n).toBe(33 * 30);
  });

  it('stores 1,000 receipts and their points once when each is sent twice at the same time', async () => {
    const cards = await Promise.all(Array.from({ length: 20 }, (_, i) => loyalty.issueCard(database, `RACE-TWICE-${i}`)));
    // Receipt i: card i % 20, (i % 7 + 1) × 100.00 → 5% = (i % 7 + 1) × 5 points.
    const bodies = Array.from({ length: 1000 }, (_, i) => sale(`RACE-TWICE-${i % 20}`, `TW-${i}`, `${(i % 7) + 1}00.00`));
    const answers: { replayed: boolean; receiptId: string }[] = [];
    for (let from = 0; from < bodies.length; from += 50) {
      const chunk = bodies.slice(from, from + 50).flatMap((b) => [b, b]);
      answers.push(...(await Promise.all(chunk.map((b) => commitSale(database, b)))));
    }
    expect(answers.filter((a) => !a.replayed)).toHaveLength(1000);
    expect(new Set(answers.map((a) => a.receiptId)).size).toBe(1000);
    const stored = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales.receipts WHERE store_code = 'S-RACE' AND number LIKE 'TW-%'`);
    expect(stored[0]!.n).toBe(1000);
    for (const [c, card] of cards.entries()) {
      let expected = 0;
      for (let i = c; i < 1000; i += 20) expected += ((i % 7) + 1) * 5;
      const b = await loyalty.checkBalance(database, card.customerId!);
      expect(b.cached, card.number).toEqual({ active: expected, pending: 0 });
      expect(b.ledger).toEqual(b.cached);
    }
  });
});
