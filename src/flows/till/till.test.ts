import { describe, expect, it } from 'vitest';
import { PROGRAM } from '../../../test/loyalty.ts';
import * as loyalty from '../../modules/loyalty/index.ts';
import { AT, tillFixture } from '../../../test/till.ts';

// The till end to end through the HTTP API, on both databases: program, offers, cards, quotes, commits, returns,
// certificates, households, partners and the jobs. After every scenario the cached balance of every wallet touched
// must equal the sum over its transfers. The group commit's scenarios are in till-groups.test.ts.

const t = tillFixture();
const { call, basket, commit, issue, points, expectLedgerConsistent } = t;

describe('the till', () => {
  it('refuses to quote before a program exists, then stores versioned programs and validates them', async () => {
    const none = await call('till', 'POST', '/api/v1/till/quote', basket(null, [{ sku: 'A', unitPrice: '1.00' }]));
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('LOYALTY_NO_PROGRAM');
    const bad = await call('admin', 'PUT', '/api/v1/loyalty/program', {
      config: { ...PROGRAM, stacking: { groups: [{ key: 'promo', mode: 'exclusive', priority: 1, excludes: ['nope'] }] } },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.fields)).toContain('stacking.groups.0.excludes.0');
    const put = await call('admin', 'PUT', '/api/v1/loyalty/program', { config: PROGRAM, note: 'test program' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const got = await call('till', 'GET', '/api/v1/loyalty/program');
    expect(got.body.version).toBe(put.body.version);
    expect(got.body.config.burn.pointValue).toBe('1.00');
  });

  it('earns on what is paid, at the category multiplier, and answers a retry with the first answer', async () => {
    const id = await issue('C-EARN');
    const lines = [
      { sku: 'MILK', category: 'dairy', quantity: '2', unitPrice: '500.00', taxRate: '10' },
      { sku: 'WINE', category: 'alcohol', quantity: '1', unitPrice: '200.00', taxRate: '20' },
    ];
    const first = await commit('C-EARN', lines, { number: 'E-1' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // 1,000.00 of dairy at 5% = 50 points; alcohol earns ×0.
    expect(first.body.points.earn).toBe(50);
    expect(first.body.lines.map((l: { pointsEarned: number }) => l.pointsEarned)).toEqual([50, 0]);
    // Tax included: 1000 × 10/110 = 90.909… → 90.91; 200 × 20/120 = 33.33.
    expect(first.body.lines.map((l: { tax: string }) => l.tax)).toEqual(['90.91', '33.33']);
    expect(first.body.balanceAfter).toEqual({ active: 50, pending: 0 });
    const again = await commit('C-EARN', lines, { number: 'E-1' });
    expect(again.status).toBe(200);
    expect(again.body.replayed).toBe(true);
    expect(again.body.receiptId).toBe(first.body.receiptId);
    // The whole first answer, its lines (rendered again from what was stored) and its balance after included.
    expect({ ...again.body, replayed: false }).toEqual(first.body);
    expect(await points(id)).toEqual({ active: 50, pending: 0 });
    // A different basket under the same number is a conflict, and nothing changes.
    const clash = await commit('C-EARN', [lines[0]!], { number: 'E-1' });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('SALES_RECEIPT_CONFLICT');
    expect(await points(id)).toEqual({ active: 50, pending: 0 });
    // The first receipt made the customer Silver (spend ≥ 0).
    expect((await loyalty.findTier(t.database, id))?.tier).toBe('silver');
    await expectLedgerConsistent();
  });

  it('redeems within the balance and the receipt share, refuses more with nothing written, and returns partially', async () => {
    const id = await issue('C-RED');
    await commit('C-RED', [{ sku: 'TV', category: 'electronics', unitPrice: '1000.00' }], { number: 'RD-0' }); // +50
    // 2 × 50.00 = 100.00; at most 50% may be paid with points: 50 points.
    const q = await call(
      'till',
      'POST',
      '/api/v1/till/quote',
      basket('C-RED', [{ sku: 'TEA', category: 'grocery', quantity: '2', unitPrice: '50.00' }]),
    );
    expect(q.body.points.redeemable).toBe(50);
    const over = await commit('C-RED', [{ sku: 'TEA', category: 'grocery', quantity: '2', unitPrice: '50.00' }], {
      number: 'RD-X',
      redeemPoints: 51,
    });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('LOYALTY_INSUFFICIENT_POINTS');
    expect(over.body.fields[0].field).toBe('redeemPoints');
    const none = await t.database.query(`SELECT 1 FROM sales.receipts WHERE store_code = 'S1' AND number = 'RD-X'`);
    expect(none).toHaveLength(0);
    const sale = await commit('C-RED', [{ sku: 'TEA', category: 'grocery', quantity: '2', unitPrice: '50.00' }], {
      number: 'RD-1',
      redeemPoints: 50,
    });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    // Paid 50.00 in money: 5% = 2.5 → 2 points.
    expect(sale.body.totals.paidWithPoints).toBe('50.00');
    expect(sale.body.totals.due).toBe('50.00');
    expect(sale.body.points.earn).toBe(2);
    expect(await points(id)).toEqual({ active: 2, pending: 0 });

    const ret = (number: string, quantity: string) =>
      call('till', 'POST', '/api/v1/till/returns', {
        store: 'S1',
        number,
        originalReceipt: { store: 'S1', number: 'RD-1' },
        lines: [{ lineNo: 1, quantity }],
      });
    const r1 = await ret('RT-1', '1');
    expect(r1.status, JSON.stringify(r1.body)).toBe(201);
    // Half the line: 25.00 of money back, 25 of the 50 redeemed points restored, 1 of the 2 earned taken back.
    expect(r1.body.refund).toBe('25.00');
    expect(r1.body.points).toMatchObject({ reversed: 1, restored: 25, shortfall: 0 });
    expect(await points(id)).toEqual({ active: 26, pending: 0 });
    expect((await ret('RT-1', '1')).body.replayed).toBe(true);
    const r2 = await ret('RT-2', '1');
    expect(r2.body.refund).toBe('25.00');
    expect(r2.body.points).toMatchObject({ reversed: 1, restored: 25 });
    expect(await points(id)).toEqual({ active: 50, pending: 0 });
    // The same line a third time: nothing is left to return.
    const r3 = await ret('RT-3', '1');
    expect(r3.status).toBe(422);
    expect(r3.body.code).toBe('LOYALTY_RETURN_EXCEEDS');
    expect(r3.body.fields[0].field).toBe('lines.0.quantity');
    await expectLedgerConsistent();
  });

  it('takes the value of earned points already spent out of the refund', async () => {
    const id = await issue('C-SPENT');
    const big = await commit('C-SPENT', [{ sku: 'SOFA', category: 'furniture', unitPrice: '1000.00' }], { number: 'SP-1' }); // +50
    expect(big.body.points.earn).toBe(50);
    // Spend all 50 on another receipt: 200.00, 50 points, 150.00 paid → 7 points (7.5 floored).
    const spend = await commit('C-SPENT', [{ sku: 'LAMP', category: 'furniture', unitPrice: '200.00' }], {
      number: 'SP-2',
      redeemPoints: 50,
    });
    expect(spend.body.points.earn).toBe(7);
    expect(await points(id)).toEqual({ active: 7, pending: 0 });
    const ret = await call('till', 'POST', '/api/v1/till/returns', {
      store: 'S1',
      number: 'SP-R',
      originalReceipt: { store: 'S1', number: 'SP-1' },
    });
    expect(ret.status, JSON.stringify(ret.body)).toBe(201);
    // The 50 points of SP-1 were spent (soonest-expiring lot first): none can be taken back, their value is withheld.
    expect(ret.body.points).toMatchObject({ reversed: 0, shortfall: 50, shortfallValue: '50.00' });
    expect(ret.body.refund).toBe('950.00');
    expect(await points(id)).toEqual({ active: 7, pending: 0 });
    await expectLedgerConsistent();
  });

  it('applies the best offer of an exclusive group and lists every applicable one', async () => {
    const vol = await call('admin', 'POST', '/api/v1/offers', {
      name: 'From 3 items −10%',
      rule: { kind: 'volume', minQuantity: 3, discount: { kind: 'percent', percent: 10 } },
      group: 'promo',
      categories: ['snacks'],
    });
    expect(vol.status, JSON.stringify(vol.body)).toBe(201);
    const bundle = await call('admin', 'POST', '/api/v1/offers', {
      name: '3 for 2',
      rule: { kind: 'bundle', buy: 3, free: 1 },
      group: 'promo',
      categories: ['snacks'],
    });
    expect(bundle.status).toBe(201);
    const q = await call(
      'till',
      'POST',
      '/api/v1/till/quote',
      basket(null, [{ sku: 'CHIPS', category: 'snacks', quantity: '3', unitPrice: '100.00' }]),
    );
    expect(q.status, JSON.stringify(q.body)).toBe(200);
    expect(q.body.customer).toMatchObject({ known: false, reason: 'none' });
    expect(q.body.applicable.map((a: { offerId: string; discount: string }) => [a.offerId, a.discount])).toEqual([
      [bundle.body.id, '100.00'],
      [vol.body.id, '30.00'],
    ]);
    expect(q.body.applied.map((a: { offerId: string }) => a.offerId)).toEqual([bundle.body.id]);
    expect(q.body.totals).toMatchObject({ amount: '300.00', discount: '100.00', total: '200.00' });
    // An amount with more decimals than roubles have is refused, naming the field.
    const cents = await call('admin', 'POST', '/api/v1/offers', {
      name: 'Bad',
      rule: { kind: 'volume', minQuantity: 2, discount: { kind: 'percent', percent: 5 } },
      group: 'promo',
      maxDiscount: '50.005',
    });
    expect(cents.status).toBe(400);
    expect(cents.body.fields).toEqual([{ field: 'maxDiscount', message: 'too many decimals' }]);
    // Archived, the bundle no longer applies; the volume offer does.
    await call('admin', 'POST', `/api/v1/offers/${bundle.body.id}/archive`);
    const q2 = await call(
      'till',
      'POST',
      '/api/v1/till/quote',
      basket(null, [{ sku: 'CHIPS', category: 'snacks', quantity: '3', unitPrice: '100.00' }]),
    );
    expect(q2.body.totals.discount).toBe('30.00');
    await call('admin', 'POST', `/api/v1/offers/${vol.body.id}/archive`);
  });

  it('orders the ladder by cost, applies the accepted step and learns from it', async () => {
    const id = await issue('C-LADDER');
    const lines = [{ sku: 'COAT', category: 'apparel', unitPrice: '1000.00', taxRate: '20' }];
    const q = await call('till', 'POST', '/api/v1/till/quote', basket('C-LADDER', lines));
    expect(q.body.ladder.steps.map((s: { key: string; cost: string }) => [s.key, s.cost])).toEqual([
      ['none', '0.00'],
      ['s3', '30.00'],
      ['s5', '50.00'],
      ['s10', '100.00'],
    ]);
    expect(q.body.ladder.recommended).not.toBeNull();
    const sale = await commit('C-LADDER', lines, { number: 'L-1', ladderStep: 's5' });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    // VAT included in what is left: 950.00 × 20/120 = 158.333… → 158.33.
    expect(sale.body.totals).toMatchObject({ discount: '50.00', total: '950.00', tax: '158.33' });
    // Bought at s5: a failure at none and s3, a success at s5 and s10.
    const stats = await t.database.query<{ step: string; successes: number; failures: number }>(
      `SELECT step, successes, failures FROM loyalty.ladder_stats WHERE customer_id = $1 ORDER BY step`,
      [id],
    );
    expect(stats).toEqual([
      { step: 'none', successes: 0, failures: 1 },
      { step: 's10', successes: 1, failures: 0 },
      { step: 's3', successes: 0, failures: 1 },
      { step: 's5', successes: 1, failures: 0 },
    ]);
    const unknown = await commit('C-LADDER', lines, { number: 'L-2', ladderStep: 's7' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('LOYALTY_LADDER_STEP_UNKNOWN');
  });

  it('answers an unknown or blocked card as a walk-in and says so; a replaced card keeps the balance', async () => {
    const unknown = await call('till', 'POST', '/api/v1/till/quote', basket('NO-SUCH-CARD', [{ sku: 'A', unitPrice: '10.00' }]));
    expect(unknown.status).toBe(200);
    expect(unknown.body.customer).toMatchObject({ known: false, reason: 'unknown', balance: null });
    expect(unknown.body.points.earn).toBe(0);
    const redeem = await call(
      'till',
      'POST',
      '/api/v1/till/quote',
      basket('NO-SUCH-CARD', [{ sku: 'A', unitPrice: '10.00' }], { redeemPoints: 5 }),
    );
    expect(redeem.status).toBe(422);
    expect(redeem.body.code).toBe('LOYALTY_UNKNOWN_CUSTOMER');

    const id = await issue('C-OLD');
    await commit('C-OLD', [{ sku: 'B', category: 'books', unitPrice: '400.00' }]); // +20
    const replaced = await call('agent', 'POST', '/api/v1/loyalty/cards/C-OLD/replace', { newNumber: 'C-NEW' });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(201);
    const byNew = await call('till', 'POST', '/api/v1/till/quote', basket('C-NEW', [{ sku: 'A', unitPrice: '10.00' }]));
    expect(byNew.body.customer).toMatchObject({ known: true, id, balance: { active: 20, pending: 0 } });
    const byOld = await call('till', 'POST', '/api/v1/till/quote', basket('C-OLD', [{ sku: 'A', unitPrice: '10.00' }]));
    expect(byOld.body.customer).toMatchObject({ known: false, reason: 'card-replaced' });
    await call('agent', 'POST', '/api/v1/loyalty/cards/C-NEW/block');
    const blocked = await call('till', 'POST', '/api/v1/till/quote', basket('C-NEW', [{ sku: 'A', unitPrice: '10.00' }]));
    expect(blocked.body.customer).toMatchObject({ known: false, reason: 'card-blocked' });
  });

  it('lets the console (analyst) and the contact centre (agent) quote, but not commit or return', async () => {
    const id = await issue('C-ROLES');
    const lines = [{ sku: 'R', category: 'books', unitPrice: '100.00' }];
    // Priced now, as the console asks (without `at`).
    const { at: _at, ...now } = basket('C-ROLES', lines);
    const asTill = await call('till', 'POST', '/api/v1/till/quote', now);
    for (const role of ['analyst', 'agent']) {
      const q = await call(role, 'POST', '/api/v1/till/quote', now);
      expect(q.status, JSON.stringify(q.body)).toBe(200);
      expect(q.body.customer).toMatchObject({ known: true, id });
      expect(q.body.totals).toEqual(asTill.body.totals);
      const sale = await call(role, 'POST', '/api/v1/till/receipts', { ...basket('C-ROLES', lines), number: `ROLES-${role}` });
      expect(sale.status).toBe(403);
      expect(sale.body.code).toBe('AUTH_FORBIDDEN');
      const back = await call(role, 'POST', '/api/v1/till/returns', {
        store: 'S1',
        number: `ROLES-R-${role}`,
        originalReceipt: { store: 'S1', number: 'x' },
      });
      expect(back.status).toBe(403);
    }
    // At another time than now, the analyst (no personal data) is refused: its quotes would trace a birthday window.
    const then = basket('C-ROLES', lines);
    const analystThen = await call('analyst', 'POST', '/api/v1/till/quote', then);
    expect(analystThen.status).toBe(403);
    expect(analystThen.body.fields[0].field).toBe('at');
    expect((await call('agent', 'POST', '/api/v1/till/quote', then)).status).toBe(200);
    expect(await points(id)).toEqual({ active: 0, pending: 0 });
  });

  it('refuses bad input with the field named, and writes nothing', async () => {
    const before = await t.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM loyalty.till_receipts`);
    const neg = await commit(null, [{ sku: 'A', quantity: '-2', unitPrice: '10.00' }], { number: 'BAD-1' });
    expect(neg.status).toBe(400);
    expect(neg.body.fields).toEqual([{ field: 'lines.0.quantity', message: expect.stringContaining('above 0') }]);
    const nan = await commit(null, [{ sku: 'A', unitPrice: 'ten' }], { number: 'BAD-2' });
    expect(nan.status).toBe(400);
    expect(JSON.stringify(nan.body.fields)).toContain('lines.0.unitPrice');
    const eur = await call('till', 'POST', '/api/v1/till/receipts', {
      ...basket(null, [{ sku: 'A', unitPrice: '1.00' }]),
      currency: 'EUR',
      number: 'BAD-3',
    });
    expect(eur.status).toBe(400);
    expect(eur.body.code).toBe('LOYALTY_CURRENCY_MISMATCH');
    expect(eur.body.fields[0].field).toBe('currency');
    const after = await t.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM loyalty.till_receipts`);
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('pays with a multi-category certificate in part and refunds it on return', async () => {
    const cert = await call('admin', 'POST', '/api/v1/loyalty/certificates', {
      code: 'GC-0001',
      currency: 'RUB',
      face: '300.00',
      categories: ['toys', 'books'],
      expiresAt: '2027-01-01T00:00:00Z',
    });
    expect(cert.status, JSON.stringify(cert.body)).toBe(201);
    await issue('C-GIFT');
    const lines = [
      { sku: 'BEAR', category: 'toys', unitPrice: '200.00' },
      { sku: 'MILK', category: 'dairy', unitPrice: '100.00' },
    ];
    const sale = await commit('C-GIFT', lines, { number: 'G-1', certificates: ['GC-0001'] });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    // Only the toys line is covered: 200.00 of 300.00; 100.00 left on the certificate.
    expect(sale.body.certificates[0]).toMatchObject({ code: 'GC-0001', usable: true, apply: '200.00', remaining: '300.00' });
    expect(sale.body.totals.due).toBe('100.00');
    expect((await call('till', 'GET', '/api/v1/loyalty/certificates/GC-0001')).body.remaining).toBe('100.00');
    const ret = await call('till', 'POST', '/api/v1/till/returns', {
      store: 'S1',
      number: 'G-R',
      originalReceipt: { store: 'S1', number: 'G-1' },
      lines: [{ lineNo: 1, quantity: '1' }],
    });
    expect(ret.status, JSON.stringify(ret.body)).toBe(201);
    expect(ret.body.certificates).toEqual([{ code: 'GC-0001', refund: '200.00' }]);
    expect(ret.body.refund).toBe('0.00');
    expect((await call('till', 'GET', '/api/v1/loyalty/certificates/GC-0001')).body.remaining).toBe('300.00');
    const expired = await call('admin', 'POST', '/api/v1/loyalty/certificates', {
      code: 'GC-OLD1',
      currency: 'RUB',
      face: '50.00',
      categories: null,
      expiresAt: '2026-01-01T00:00:00Z',
    });
    expect(expired.status).toBe(201);
    const q = await call('till', 'POST', '/api/v1/till/quote', basket(null, lines, { certificates: ['GC-OLD1'] }));
    expect(q.body.certificates[0]).toMatchObject({ usable: false, reason: 'expired' });
    const c = await commit(null, lines, { number: 'G-2', certificates: ['GC-OLD1'] });
    expect(c.status).toBe(422);
    expect(c.body.code).toBe('LOYALTY_CERTIFICATE_INVALID');
    await expectLedgerConsistent();
  });

  it("pools a household's points in the owner's wallet", async () => {
    const owner = await issue('C-OWNER');
    const member = await issue('C-MEMBER');
    await commit('C-MEMBER', [{ sku: 'X', category: 'books', unitPrice: '200.00' }]); // +10 in the member's own wallet
    const join = await call('agent', 'POST', '/api/v1/loyalty/households', {
      owner: { kind: 'card', value: 'C-OWNER' },
      member: { kind: 'card', value: 'C-MEMBER' },
    });
    expect(join.status, JSON.stringify(join.body)).toBe(200);
    expect(join.body).toMatchObject({ owner, members: [member], moved: 10 });
    await commit('C-MEMBER', [{ sku: 'X', category: 'books', unitPrice: '400.00' }]); // +20 into the pool
    expect(await points(owner)).toEqual({ active: 30, pending: 0 });
    const q = await call('till', 'POST', '/api/v1/till/quote', basket('C-MEMBER', [{ sku: 'Y', category: 'books', unitPrice: '100.00' }]));
    expect(q.body.customer.balance).toEqual({ active: 30, pending: 0 });
    await expectLedgerConsistent();
  });

  it('earns at a partner’s rate in its stores and settles who owes whom', async () => {
    const p = await call('admin', 'POST', '/api/v1/loyalty/partners', {
      code: 'fuel',
      name: 'Fuel Co',
      earnPercent: 10,
      issueCost: '0.50',
      burnValue: '0.80',
      stores: ['P-1'],
    });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    await issue('C-PART');
    const sale = await call('till', 'POST', '/api/v1/till/receipts', {
      ...basket('C-PART', [{ sku: 'FUEL', category: 'fuel', unitPrice: '1000.00' }]),
      store: 'P-1',
      number: 'P-1',
      occurredAt: AT,
    });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    expect(sale.body.partner).toBe('fuel');
    expect(sale.body.points.earn).toBe(100);
    const burn = await call('till', 'POST', '/api/v1/till/receipts', {
      ...basket('C-PART', [{ sku: 'FUEL', category: 'fuel', unitPrice: '100.00' }]),
      store: 'P-1',
      number: 'P-2',
      occurredAt: AT,
      redeemPoints: 40,
    });
    expect(burn.status, JSON.stringify(burn.body)).toBe(201);
    const today = new Date().toISOString().slice(0, 10);
    const s = await call('admin', 'GET', `/api/v1/loyalty/partners/settlement?from=${today}&to=${today}`);
    // Issued 100 + 6 (60.00 paid at 10%), burned 40: the partner owes 106 × 0.50 = 53.00, the program owes 40 × 0.80 = 32.00.
    expect(s.body.partners).toEqual([
      { code: 'fuel', name: 'Fuel Co', pointsIssued: 106, pointsBurned: 40, partnerOwes: '53.00', programOwes: '32.00', net: '21.00' },
    ]);
    await expectLedgerConsistent();
  });

  it('keeps points pending for the pending period, activates and expires them by jobs', async () => {
    await call('admin', 'PUT', '/api/v1/loyalty/program', { config: { ...PROGRAM, lifecycle: { pendingDays: 14, expiryMonths: 12 } } });
    const id = await issue('C-LIFE');
    const sale = await commit('C-LIFE', [{ sku: 'A', category: 'books', unitPrice: '600.00' }]); // 30 pending
    expect(sale.body.balanceAfter).toEqual({ active: 0, pending: 30 });
    const q = await call(
      'till',
      'POST',
      '/api/v1/till/quote',
      basket('C-LIFE', [{ sku: 'A', category: 'books', unitPrice: '100.00' }], { redeemPoints: 1 }),
    );
    expect(q.status).toBe(409); // pending points cannot pay
    const day = (n: number) => new Date(Date.parse(AT) + n * 86_400_000);
    expect(await loyalty.activateDue(t.database, day(13))).toEqual({ lots: 0, points: 0 });
    const act = await loyalty.activateDue(t.database, day(15));
    expect(act).toEqual({ lots: 1, points: 30 });
    expect(await points(id)).toEqual({ active: 30, pending: 0 });
    expect((await loyalty.activateDue(t.database, day(15))).lots).toBe(0); // idempotent
    const exp = await loyalty.expireDue(t.database, day(400));
    expect(exp.points).toBeGreaterThanOrEqual(30);
    expect(await points(id)).toEqual({ active: 0, pending: 0 });
    const breakage = await t.database.query<{ n: number }>(
      `SELECT coalesce(sum(points), 0)::int AS n FROM loyalty.transfers WHERE credit_account = 'breakage' AND customer_id = $1`,
      [id],
    );
    expect(breakage[0]!.n).toBe(30);
    await expectLedgerConsistent();
    await call('admin', 'PUT', '/api/v1/loyalty/program', { config: PROGRAM });
  });

  it('lists the till in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/till/quote', '/api/v1/till/receipts', '/api/v1/till/returns']));
  });
});
