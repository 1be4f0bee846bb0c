import { describe, expect, it } from 'vitest';
import { PROGRAM } from '../../../test/loyalty.ts';
import { tillFixture } from '../../../test/till.ts';
import { issueQuoteToken } from './quote-token.ts';
import { QuoteBody } from './till.contract.ts';

// A commit by a quote's token, on both databases: the quoted basket and customer, priced at the quote's time and
// booked at the sale's; retries, and tokens that are altered, expired, for another store, or sent with a basket.

const t = tillFixture();
const { call, basket, issue, points, expectLedgerConsistent } = t;

const LINES = [
  { sku: 'TEA', category: 'tea', quantity: '2', unitPrice: '150.00', taxRate: '10' },
  { sku: 'MUG', category: 'kitchen', quantity: '1', unitPrice: '400.00', taxRate: '20' },
];
/** The offer on tea ends half an hour after the quote (AT); the sale is paid an hour after it. */
const OFFER_ENDS = '2026-03-02T10:30:00Z';
const PAID = '2026-03-02T11:00:00Z';

const byQuote = (body: Record<string, unknown>) => call('till', 'POST', '/api/v1/till/receipts', body);
const stored = async (number: string) =>
  t.database.query<{ occurred_at: Date }>(`SELECT occurred_at FROM sales.receipts WHERE store_code = 'S1' AND number = $1`, [number]);

describe('a commit by a quote', () => {
  it('books the quoted basket for the quoted customer, priced at the quote’s time, once', async () => {
    expect((await call('admin', 'PUT', '/api/v1/loyalty/program', { config: PROGRAM })).status).toBe(200);
    const offer = await call('admin', 'POST', '/api/v1/offers', {
      name: 'Tea −10% until half past ten',
      rule: { kind: 'volume', minQuantity: 1, discount: { kind: 'percent', percent: 10 } },
      group: 'promo',
      categories: ['tea'],
      validTo: OFFER_ENDS,
    });
    expect(offer.status, JSON.stringify(offer.body)).toBe(201);
    const id = await issue('C-QUOTE');

    const before = Date.now();
    const q = await call('till', 'POST', '/api/v1/till/quote', basket('C-QUOTE', LINES));
    expect(q.status, JSON.stringify(q.body)).toBe(200);
    expect(q.body.applied.map((a: { offerId: string }) => a.offerId)).toEqual([offer.body.id]);
    expect(q.body.totals).toMatchObject({ amount: '700.00', discount: '30.00', total: '670.00' });
    // Valid for PATRON_QUOTE_TTL_MINUTES (30 by default) from the quote.
    const expires = Date.parse(q.body.quote.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 30 * 60_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 30 * 60_000);
    // Sealed: the customer's card is not readable in the token.
    expect(Buffer.from(q.body.quote.token, 'base64url').toString('latin1')).not.toContain('C-QUOTE');

    const sale = await byQuote({ quote: q.body.quote.token, number: 'Q-1', occurredAt: PAID, ladderStep: 'none' });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    // Priced as quoted, although the offer had ended by the time the sale was paid.
    expect(sale.body.applied).toEqual(q.body.applied);
    expect(sale.body.lines).toEqual(q.body.lines);
    expect(sale.body.totals).toEqual(q.body.totals);
    expect(sale.body.points.earn).toBe(q.body.points.earn);
    expect(sale.body.customer.id).toBe(id);
    expect(sale.body.ladder.accepted).toBe('none');
    // Booked when it was paid, with its points.
    expect((await stored('Q-1'))[0]!.occurred_at.toISOString()).toBe(new Date(PAID).toISOString());
    // 5% of 670.00 = 33.5 → 33 points, active at once (no pending period in this program).
    expect(sale.body.points.earn).toBe(33);
    expect(await points(id)).toEqual({ active: 33, pending: 0 });

    // The same basket sent whole, priced when it is paid: the offer has ended.
    const later = await call('till', 'POST', '/api/v1/till/receipts', {
      ...basket('C-QUOTE', LINES),
      at: undefined,
      number: 'Q-2',
      occurredAt: PAID,
    });
    expect(later.status, JSON.stringify(later.body)).toBe(201);
    expect(later.body.applied).toEqual([]);
    expect(later.body.totals.discount).toBe('0.00');

    // A retry of the commit by the token gets the first answer; nothing is booked twice.
    const again = await byQuote({ quote: q.body.quote.token, number: 'Q-1', occurredAt: PAID, ladderStep: 'none' });
    expect(again.status).toBe(200);
    expect({ ...again.body, replayed: false }).toEqual(sale.body);
    expect(await points(id)).toEqual({ active: 68, pending: 0 });
    await expectLedgerConsistent();
  });

  it('takes the points to pay with at the commit, and refuses more than the balance with nothing written', async () => {
    const q = await call(
      'till',
      'POST',
      '/api/v1/till/quote',
      basket('C-QUOTE', [{ sku: 'CUP', category: 'kitchen', unitPrice: '100.00' }]),
    );
    expect(q.body.points.redeem).toBe(0);
    const over = await byQuote({ quote: q.body.quote.token, number: 'Q-OVER', redeemPoints: 69 });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('LOYALTY_INSUFFICIENT_POINTS');
    expect(over.body.fields[0].field).toBe('redeemPoints');
    expect(await stored('Q-OVER')).toHaveLength(0);
    const paid = await byQuote({ quote: q.body.quote.token, number: 'Q-PTS', redeemPoints: 40 });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(paid.body.totals).toMatchObject({ paidWithPoints: '40.00', due: '60.00' });
    // Without occurredAt, the sale happens now.
    const at = (await stored('Q-PTS'))[0]!.occurred_at.getTime();
    expect(Math.abs(at - Date.now())).toBeLessThan(60_000);
    await expectLedgerConsistent();
  });

  it('refuses an altered, expired or other store’s token, and a token sent with a basket, naming the field', async () => {
    const q = await call('till', 'POST', '/api/v1/till/quote', basket('C-QUOTE', LINES));
    const token: string = q.body.quote.token;
    const i = Math.floor(token.length / 2);
    const altered = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    const cases: [Record<string, unknown>, number, string, string][] = [
      [{ quote: altered, number: 'Q-BAD-1' }, 400, 'LOYALTY_QUOTE_INVALID', 'quote'],
      [{ quote: 'not a token', number: 'Q-BAD-2' }, 400, 'LOYALTY_QUOTE_INVALID', 'quote'],
      [{ quote: token, store: 'S2', number: 'Q-BAD-3' }, 400, 'LOYALTY_QUOTE_INVALID', 'store'],
      [{ quote: token, number: 'Q-BAD-4', lines: LINES }, 400, 'VALIDATION_FAILED', 'body.lines'],
      [{ number: 'Q-BAD-5', currency: 'RUB', lines: LINES }, 400, 'VALIDATION_FAILED', 'body.store'],
    ];
    // A token issued 31 minutes ago has expired.
    const old = issueQuoteToken(QuoteBody.parse(basket('C-QUOTE', LINES)) as QuoteBody & { at: string }, Date.now() - 31 * 60_000);
    cases.push([{ quote: old.token, number: 'Q-BAD-6' }, 422, 'LOYALTY_QUOTE_EXPIRED', 'quote']);
    for (const [body, status, code, field] of cases) {
      const r = await byQuote(body);
      expect([r.status, r.body.code], JSON.stringify(body)).toEqual([status, code]);
      expect(r.body.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(await stored(body.number as string)).toHaveLength(0);
    }
  });
});
