import { beforeAll, describe, expect, it } from 'vitest';
import { PROGRAM } from '../../../test/loyalty.ts';
import { commitGroup } from './commit.ts';
import { CommitBody } from './till.contract.ts';
import { AT, tillFixture } from '../../../test/till.ts';

// The till's group commit: sales that arrive together are read, priced and committed together, and a group whose
// transaction fails goes again one sale at a time. On both databases.

const t = tillFixture();
const { call, basket, commit, issue, points, expectLedgerConsistent } = t;

beforeAll(async () => {
  const put = await call('admin', 'PUT', '/api/v1/loyalty/program', { config: PROGRAM, note: 'group commit tests' });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
});

describe('the till, in groups', () => {
  it('commits sales sent together as one group: a wallet twice in turn, a bad sale alone, a repeated number as a replay', async () => {
    const a = await issue('C-GRP-A');
    const b = await issue('C-GRP-B');
    await commit('C-GRP-A', [{ sku: 'TV', category: 'electronics', unitPrice: '1000.00' }], { number: 'GRP-0' }); // +50
    const tea = (card: string, number: string, extra: Record<string, unknown> = {}) =>
      CommitBody.parse({ ...basket(card, [{ sku: 'TEA', category: 'grocery', unitPrice: '100.00' }], extra), number, occurredAt: AT });
    const out = await commitGroup(t.database, [
      tea('C-GRP-A', 'GRP-1', { redeemPoints: 20 }), // paid 80.00: +4
      tea('C-GRP-A', 'GRP-2'), // +5, after GRP-1 in a later round (same wallet)
      tea('C-GRP-B', 'GRP-3', { redeemPoints: 30 }), // B has no points: fails alone
      tea('C-GRP-B', 'GRP-4'), // +5
      tea('C-GRP-A', 'GRP-1', { redeemPoints: 20 }), // the same receipt again
    ]);
    const [g1, g2, g3, g4, again] = out;
    for (const r of [g1, g2, g4, again]) expect(r, String(r)).not.toBeInstanceOf(Error);
    expect(g3).toBeInstanceOf(Error);
    expect((g3 as { code?: string }).code).toBe('LOYALTY_INSUFFICIENT_POINTS');
    const ok = (r: unknown) => r as { replayed: boolean; receiptId: string; points: { earn: number } };
    expect(ok(g1).replayed).toBe(false);
    expect(ok(again).replayed).toBe(true);
    expect(ok(again).receiptId).toBe(ok(g1).receiptId);
    expect([ok(g1).points.earn, ok(g2).points.earn, ok(g4).points.earn]).toEqual([4, 5, 5]);
    expect(await points(a)).toEqual({ active: 50 - 20 + 4 + 5, pending: 0 });
    expect(await points(b)).toEqual({ active: 5, pending: 0 });
    const stored = await t.database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sales.receipts WHERE store_code = 'S1' AND number IN ('GRP-1', 'GRP-2', 'GRP-3', 'GRP-4')`,
    );
    expect(stored[0]!.n).toBe(3);
    await expectLedgerConsistent();
  });

  it('commits a group whose transaction fails one by one: the first sale takes its discount, the next what the budget has left', async () => {
    await issue('C-BUD-A');
    await issue('C-BUD-B');
    const offer = await call('admin', 'POST', '/api/v1/offers', {
      name: 'Budgeted: coffee −10%',
      rule: { kind: 'volume', minQuantity: 1, discount: { kind: 'percent', percent: 10 } },
      group: 'promo',
      categories: ['coffee-budget'],
      budget: '15.00',
    });
    expect(offer.status, JSON.stringify(offer.body)).toBe(201);
    const coffee = (card: string, number: string) =>
      CommitBody.parse({ ...basket(card, [{ sku: 'COF', category: 'coffee-budget', unitPrice: '100.00' }]), number, occurredAt: AT });
    // Together the two discounts (10.00 each) are more than the budget: the group's claim fails and is rolled back,
    // then each sale goes alone, re-read and re-priced.
    const [first, second] = await commitGroup(t.database, [coffee('C-BUD-A', 'BUD-1'), coffee('C-BUD-B', 'BUD-2')]);
    for (const r of [first, second]) expect(r, String(r)).not.toBeInstanceOf(Error);
    const discount = (r: unknown) => (r as { totals: { discount: string } }).totals.discount;
    expect([discount(first), discount(second)]).toEqual(['10.00', '5.00']);
    const spent = await t.database.query<{ spent: number }>(`SELECT spent_minor AS spent FROM offers.budgets WHERE offer_id = $1`, [
      offer.body.id,
    ]);
    expect(spent[0]!.spent).toBe(1500);
    await call('admin', 'POST', `/api/v1/offers/${offer.body.id}/archive`);
    await expectLedgerConsistent();
  });

  it('prices a card for the customer it is bound to now, not the one it was last seen with', async () => {
    const a = await issue('C-MOVE');
    const b = await issue('C-STAY');
    const once = await call('admin', 'POST', '/api/v1/offers', {
      name: 'Once per customer: tea −10%',
      rule: { kind: 'volume', minQuantity: 1, discount: { kind: 'percent', percent: 10 } },
      group: 'promo',
      categories: ['tea-once'],
      perCustomerLimit: 1,
    });
    expect(once.status, JSON.stringify(once.body)).toBe(201);
    const teaBasket = (card: string) => basket(card, [{ sku: 'TEA1', category: 'tea-once', unitPrice: '100.00' }]);
    // A uses the offer up; the quote after that remembers the card as A's.
    expect((await commit('C-MOVE', [{ sku: 'TEA1', category: 'tea-once', unitPrice: '100.00' }])).body.totals.discount).toBe('10.00');
    // Uses are counted for offers with a per-customer limit only: the other offers of the earlier sales left no row.
    const counted = await t.database.query<{ offer_id: string; uses: number; lim: number | null }>(
      `SELECT u.offer_id, u.uses, o.per_customer_limit AS lim FROM offers.customer_uses u LEFT JOIN offers.offers o ON o.id = u.offer_id`,
    );
    expect(counted.filter((u) => u.lim === null)).toEqual([]);
    expect(counted.filter((u) => u.offer_id === once.body.id).map((u) => u.uses)).toEqual([1]);
    const asA = await call('till', 'POST', '/api/v1/till/quote', teaBasket('C-MOVE'));
    expect(asA.body.customer.id).toBe(a);
    expect(asA.body.applied).toEqual([]);
    // The card is bound to B now (as a merge would do): its next quote must read B's uses, not A's.
    await t.database.query(`UPDATE loyalty.cards SET customer_id = $1 WHERE number = 'C-MOVE'`, [b]);
    const asB = await call('till', 'POST', '/api/v1/till/quote', teaBasket('C-MOVE'));
    expect(asB.body.customer.id).toBe(b);
    expect(asB.body.applied.map((o: { offerId: string }) => o.offerId)).toEqual([once.body.id]);
    await call('admin', 'POST', `/api/v1/offers/${once.body.id}/archive`);
  });
});
