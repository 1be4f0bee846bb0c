import { beforeAll, describe, expect, it } from 'vitest';
import { PROGRAM } from '../../../test/loyalty.ts';
import { tillFixture } from '../../../test/till.ts';

// Editing an offer (PATCH /api/v1/offers/{id}) as the till sees it: the next quote and sale take the edit, receipts
// committed before keep what they were given, budgets and limits stay exact, and a refused edit changes nothing.
// On both databases.

const t = tillFixture();
const { call, basket, commit, issue } = t;

beforeAll(async () => {
  const put = await call('admin', 'PUT', '/api/v1/loyalty/program', { config: PROGRAM, note: 'offer edit tests' });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
});

const tenPercent = (category: string, extra: Record<string, unknown> = {}) => ({
  name: `${category} −10%`,
  rule: { kind: 'volume', minQuantity: 1, discount: { kind: 'percent', percent: 10 } },
  group: 'promo',
  categories: [category],
  ...extra,
});

async function create(body: Record<string, unknown>): Promise<string> {
  const r = await call('admin', 'POST', '/api/v1/offers', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

const edit = (id: string, patch: unknown) => call('admin', 'PATCH', `/api/v1/offers/${id}`, patch);
const discountOf = async (category: string) =>
  (await call('till', 'POST', '/api/v1/till/quote', basket(null, [{ sku: 'X', category, unitPrice: '100.00' }]))).body.totals.discount;

describe('editing an offer', () => {
  it('prices the next quote and sale with the edit, and returns an earlier receipt as it was sold', async () => {
    await issue('C-EDIT');
    const id = await create(tenPercent('edit-tea'));
    const before = await commit('C-EDIT', [{ sku: 'TEA', category: 'edit-tea', unitPrice: '100.00' }], { number: 'ED-1' });
    expect(before.body.totals.discount).toBe('10.00');

    const r = await edit(id, {
      name: 'Tea −25%',
      rule: { kind: 'volume', minQuantity: 1, discount: { kind: 'percent', percent: 25 } },
      priority: 7,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ id, name: 'Tea −25%', priority: 7, categories: ['edit-tea'], group: 'promo', status: 'active' });
    expect(r.body.rule).toEqual({ kind: 'volume', minQuantity: 1, discount: { kind: 'percent', percent: 25 } });
    expect(await discountOf('edit-tea')).toBe('25.00');
    const after = await commit('C-EDIT', [{ sku: 'TEA', category: 'edit-tea', unitPrice: '100.00' }], { number: 'ED-2' });
    expect(after.body.totals.discount).toBe('25.00');

    // The edit is in the offer's history: the fields it changed, before and after, and the key that made it; under it,
    // the offer's making, every field it was given from nothing.
    const changes = await call('analyst', 'GET', `/api/v1/offers/${id}/changes`);
    expect(changes.status, JSON.stringify(changes.body)).toBe(200);
    expect(changes.body.changes).toEqual([
      {
        at: expect.any(String),
        actor: expect.stringMatching(/^key_/),
        actorName: 'test admin',
        change: {
          name: { from: 'edit-tea −10%', to: 'Tea −25%' },
          rule: {
            from: { kind: 'volume', minQuantity: 1, discount: { kind: 'percent', percent: 10 } },
            to: { kind: 'volume', minQuantity: 1, discount: { kind: 'percent', percent: 25 } },
          },
          priority: { from: 100, to: 7 },
        },
      },
      {
        at: expect.any(String),
        actor: expect.stringMatching(/^key_/),
        actorName: 'test admin',
        change: {
          status: { from: null, to: 'active' },
          name: { from: null, to: 'edit-tea −10%' },
          rule: { from: null, to: { kind: 'volume', minQuantity: 1, discount: { kind: 'percent', percent: 10 } } },
          group: { from: null, to: 'promo' },
          priority: { from: null, to: 100 },
          categories: { from: null, to: ['edit-tea'] },
        },
      },
    ]);
    expect((await call('till', 'GET', `/api/v1/offers/${id}/changes`)).status).toBe(403);
    expect((await call('admin', 'GET', '/api/v1/offers/offer_nothing/changes')).status).toBe(404);

    // The receipt sold at −10% is refunded what was paid for it, 90.00, not 75.00.
    const ret = await call('till', 'POST', '/api/v1/till/returns', {
      store: 'S1',
      number: 'ED-R1',
      originalReceipt: { store: 'S1', number: 'ED-1' },
    });
    expect(ret.status, JSON.stringify(ret.body)).toBe(201);
    expect(ret.body.refund).toBe('90.00');
    await t.expectLedgerConsistent();
  });

  it('refuses a bad edit naming the field, and changes nothing', async () => {
    const id = await create(tenPercent('edit-refused', { validFrom: '2026-03-01T00:00:00Z', validTo: '2026-04-01T00:00:00Z' }));
    const stored = (await call('admin', 'GET', `/api/v1/offers/${id}`)).body;
    const refused: [unknown, number, string, string | undefined][] = [
      [{ rule: { kind: 'bundle', buy: 3, free: 1 } }, 400, 'VALIDATION_FAILED', 'rule.kind'],
      [{ group: 'nowhere' }, 400, 'VALIDATION_FAILED', 'group'],
      // The validity as a whole: an end before the stored start.
      [{ validTo: '2026-02-01T00:00:00Z' }, 400, 'VALIDATION_FAILED', 'validTo'],
      [{ validFrom: '2026-05-01T00:00:00Z' }, 400, 'VALIDATION_FAILED', 'validFrom'],
      // With no limit, the offer has not counted who used it.
      [{ perCustomerLimit: 1 }, 400, 'VALIDATION_FAILED', 'perCustomerLimit'],
      [{ budget: '10.005' }, 400, 'VALIDATION_FAILED', 'budget'],
      [{ budget: '99999999999999999999' }, 400, 'VALIDATION_FAILED', 'budget'],
      [{ priority: -1 }, 400, 'VALIDATION_FAILED', 'body.priority'],
      [{ kind: 'bundle' }, 400, 'VALIDATION_FAILED', undefined],
      [{}, 400, 'VALIDATION_FAILED', undefined],
    ];
    for (const [patch, status, code, field] of refused) {
      const r = await edit(id, patch);
      expect([r.status, r.body.code], JSON.stringify(patch)).toEqual([status, code]);
      if (field)
        expect(
          r.body.fields.map((f: { field: string }) => f.field),
          JSON.stringify(patch),
        ).toContain(field);
    }
    expect((await call('till', 'PATCH', `/api/v1/offers/${id}`, { name: 'x' })).status).toBe(403);
    expect((await edit('offer_nothing', { name: 'x' })).status).toBe(404);
    expect((await call('admin', 'GET', `/api/v1/offers/${id}`)).body).toEqual(stored);
    // An edit that changes nothing is no change either: the offer's making is all its history.
    const kinds = async () =>
      (await call('admin', 'GET', `/api/v1/offers/${id}/changes`)).body.changes.map(
        (c: { change: { status?: unknown } }) => c.change.status ?? 'edit',
      );
    expect((await edit(id, { name: stored.name, priority: stored.priority })).status).toBe(200);
    expect(await kinds()).toEqual([{ from: null, to: 'active' }]);

    await call('admin', 'POST', `/api/v1/offers/${id}/archive`);
    await call('admin', 'POST', `/api/v1/offers/${id}/archive`);
    const archived = await edit(id, { name: 'back again' });
    expect([archived.status, archived.body.code]).toEqual([409, 'OFFERS_ARCHIVED']);
    expect((await call('admin', 'GET', `/api/v1/offers/${id}`)).body.name).toBe(stored.name);
    // Archived once, recorded once.
    expect(await kinds()).toEqual([
      { from: 'active', to: 'archived' },
      { from: null, to: 'active' },
    ]);
  });

  it('takes instants with offsets as instants: an end after the start in UTC is in order', async () => {
    // 12:00 at +05:00 is 07:00 UTC, before 09:00 UTC, although the text sorts after it.
    const r = await call(
      'admin',
      'POST',
      '/api/v1/offers',
      tenPercent('edit-offset', { validFrom: '2026-03-02T12:00:00+05:00', validTo: '2026-03-02T09:00:00Z' }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect([r.body.validFrom, r.body.validTo]).toEqual(['2026-03-02T07:00:00.000Z', '2026-03-02T09:00:00.000Z']);
    const back = await edit(r.body.id, { validTo: '2026-03-02T11:00:00+05:00' });
    expect(back.status).toBe(400);
    expect(back.body.fields).toEqual([{ field: 'validTo', message: 'validTo must be after validFrom' }]);
    await call('admin', 'POST', `/api/v1/offers/${r.body.id}/archive`);
  });

  it('adds, lowers and removes a budget, counting what was spent throughout', async () => {
    await issue('C-EDIT-BUD');
    const id = await create(tenPercent('edit-budget'));
    const sale = async (n: string) =>
      (await commit('C-EDIT-BUD', [{ sku: 'COF', category: 'edit-budget', unitPrice: '100.00' }], { number: n })).body.totals.discount;
    const giveBack = (n: string) =>
      call('till', 'POST', '/api/v1/till/returns', { store: 'S1', number: `${n}-R`, originalReceipt: { store: 'S1', number: n } });
    const spent = async () => (await call('admin', 'GET', `/api/v1/offers/${id}`)).body.budgetSpent;
    expect(await sale('EB-1')).toBe('10.00');

    // A budget added: it counts from now, and the last sale gets what is left.
    expect((await edit(id, { budget: '15.00' })).body).toMatchObject({ budget: '15.00', budgetSpent: '0.00' });
    expect(await sale('EB-2')).toBe('10.00');
    expect(await sale('EB-3')).toBe('5.00');
    expect(await sale('EB-4')).toBe('0.00');
    expect(await spent()).toBe('15.00');
    // A return gives back to the budget what the budget counted: nothing for EB-1, sold before it; 10.00 for EB-2.
    expect((await giveBack('EB-1')).status).toBe(201);
    expect(await spent()).toBe('15.00');
    expect((await giveBack('EB-2')).status).toBe(201);
    expect(await spent()).toBe('5.00');

    // Removed: the offer gives again, and what it gives is still counted.
    expect((await edit(id, { budget: null })).body).toMatchObject({ budget: null, budgetSpent: '5.00' });
    expect(await sale('EB-5')).toBe('10.00');
    expect(await spent()).toBe('15.00');

    // Set below what was spent: the offer stops giving.
    expect((await edit(id, { budget: '10.00' })).status).toBe(200);
    expect(await discountOf('edit-budget')).toBe('0.00');
    expect(await sale('EB-6')).toBe('0.00');
    expect(await spent()).toBe('15.00');

    // Removed by another API process: this one still holds the offer with its spent budget in its cache, but a sale
    // reads the budget afresh, and gives the discount.
    await t.database.query(`UPDATE offers.offers SET budget_minor = NULL WHERE id = $1`, [id]);
    expect(await sale('EB-7')).toBe('10.00');
    expect(await spent()).toBe('25.00');
    await call('admin', 'POST', `/api/v1/offers/${id}/archive`);
    await t.expectLedgerConsistent();
  });

  it('raises a per-customer limit for customers who reached it, and removes it', async () => {
    await issue('C-EDIT-LIM');
    const id = await create(tenPercent('edit-limit', { perCustomerLimit: 1 }));
    const sale = async (n: string) =>
      (await commit('C-EDIT-LIM', [{ sku: 'BUN', category: 'edit-limit', unitPrice: '100.00' }], { number: n })).body.totals.discount;
    expect(await sale('EL-1')).toBe('10.00');
    expect(await sale('EL-2')).toBe('0.00');
    expect((await edit(id, { perCustomerLimit: 2 })).body.perCustomerLimit).toBe(2);
    expect(await sale('EL-3')).toBe('10.00');
    expect(await sale('EL-4')).toBe('0.00');
    expect((await edit(id, { perCustomerLimit: null })).body.perCustomerLimit).toBe(null);
    expect(await sale('EL-5')).toBe('10.00');
    await call('admin', 'POST', `/api/v1/offers/${id}/archive`);
  });
});
