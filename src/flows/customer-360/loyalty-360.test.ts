import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/db.ts';
import { buildServer } from '../../entry/server.ts';
import type { Database } from '../../platform/db/client.ts';
import { createApiKey } from '../../platform/http/auth.ts';
import { createLogger } from '../../platform/logger.ts';
import type { Customer360, Loyalty360 } from './customer-360.contract.ts';
import { customer360 } from './customer-360.ts';
import { PROGRAM } from '../../../test/loyalty.ts';

// The loyalty section of the 360 view through the HTTP API, on both databases: null without a program; with one,
// the wallet equals the points endpoint's, the tier, cards, household and targeted offers are the customer's, and the
// sensitivity model has one row per ladder step with the customer's own counts.


let database: Database;
let app: FastifyInstance;
const keys: Record<string, string> = {};
const AT = '2026-03-02T10:00:00Z';

beforeAll(async () => {
  database = await openTestDatabase();
  app = await buildServer(database, { logger: createLogger('silent'), rateLimitPerMinute: 100_000 });
  for (const role of ['admin', 'till', 'agent', 'analyst'] as const)
    keys[role] = (await createApiKey(database, role, `test ${role}`)).secret;
});

afterAll(async () => {
  await app?.close();
  await database?.close();
});

async function call<T>(
  role: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${keys[role]}` },
    ...(body !== undefined ? { payload: body as object } : {}),
  });
  return { status: res.statusCode, body: res.json() as T };
}

async function view(role: string, id: string, query = ''): Promise<Customer360> {
  const r = await call<Customer360>(role, 'GET', `/api/v1/customers/${id}/360${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

function loyaltyOf(v: Customer360): Loyalty360 {
  expect(v.loyalty).not.toBeNull();
  return v.loyalty!;
}

let seq = 0;
async function commit(card: string, extra: Record<string, unknown> = {}) {
  const r = await call<{ receiptId: string }>('till', 'POST', '/api/v1/till/receipts', {
    store: 'S1',
    currency: 'RUB',
    at: AT,
    customer: { kind: 'card', value: card },
    lines: [{ sku: 'COAT', category: 'apparel', unitPrice: '1000.00' }],
    number: `L360-${++seq}`,
    occurredAt: AT,
    ...extra,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

async function issue(number: string): Promise<string> {
  const r = await call<{ customerId: string }>('admin', 'POST', '/api/v1/loyalty/cards', { number });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.customerId;
}

async function offer(body: Record<string, unknown>): Promise<string> {
  const r = await call<{ id: string }>('admin', 'POST', '/api/v1/offers', { group: 'promo', ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

/** A birth date whose birthday is today (UTC), in a year that is not a leap year unless today is Feb 29. */
function birthDateToday(year: number): string {
  const today = new Date().toISOString().slice(5, 10);
  return `${today === '02-29' ? 1988 : year}-${today}`;
}

type Points = { customerId: string; walletOwnerId: string; active: number; pending: number; expiring: unknown[]; entries: unknown[] };

describe('the loyalty section of the 360 view', () => {
  it('is null while no program is configured, and the rest of the view still answers', async () => {
    const created = await call<{ id: string }>('admin', 'POST', '/api/v1/customers', { identities: [{ kind: 'card', value: 'NOPROG-1' }] });
    expect(created.status).toBe(201);
    const v = await view('agent', created.body.id);
    expect(v.customer.id).toBe(created.body.id);
    expect(v.totals).toEqual([]);
    expect(v.loyalty).toBeNull();
  });

  it('shows an empty wallet and the prior alone for a customer with a card and no purchases yet', async () => {
    const put = await call<{ version: number }>('admin', 'PUT', '/api/v1/loyalty/program', { config: PROGRAM, note: 'loyalty 360 test' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const id = await issue('L360-EMPTY');
    const l = loyaltyOf(await view('agent', id));
    expect(l.programVersion).toBe(put.body.version);
    expect(l.currency).toBe('RUB');
    expect(l.points).toEqual({ walletOwnerId: id, active: 0, pending: 0, expiring: [] });
    expect(l.entries).toEqual([]);
    expect(l.tier).toBeNull();
    expect(l.cards).toEqual([expect.objectContaining({ number: 'L360-EMPTY', customerId: id, status: 'active' })]);
    expect(l.household).toEqual({ owner: id, members: [] });
    // No receipts: no typical basket, so no recommendation; with no cell and no counts every step is Beta(1, 1).
    expect(l.sensitivity).toMatchObject({ cell: null, basket: null, recommended: null, marginPercent: 30 });
    expect(l.sensitivity.steps.map((s) => [s.key, s.pBuy])).toEqual([
      ['none', 0.5],
      ['s3', 0.5],
      ['s5', 0.5],
      ['s10', 0.5],
    ]);
  });

  it('shows the points, tier, card, household, targeted offers and sensitivity after two sales', async () => {
    const id = await issue('L360-A');
    await commit('L360-A');
    await commit('L360-A', { ladderStep: 's5' });

    const v = await view('agent', id);
    const l = loyaltyOf(v);
    const points = await call<Points>('agent', 'GET', `/api/v1/loyalty/customers/${id}/points?limit=20`);
    expect(points.status).toBe(200);
    const { customerId, entries, ...balance } = points.body;
    expect(customerId).toBe(id);
    expect(l.points).toEqual(balance);
    expect(l.points.active).toBeGreaterThan(0);
    expect(l.entries).toEqual(entries);
    expect(l.entries.length).toBeGreaterThanOrEqual(2);

    expect(l.tier).toMatchObject({ tier: 'silver', name: 'Silver', purchases: 2, spend: '1950.00', extraDiscountPercent: 0 });
    expect(l.cards).toEqual([{ number: 'L360-A', customerId: id, status: 'active', replacedBy: null, issuedAt: expect.any(String) }]);

    // One row per step, 'none' first. Bought at s5: none and s3 failed, s5 and s10 would have sold.
    const s = l.sensitivity;
    expect(s.steps.map((x) => x.key)).toEqual(['none', 's3', 's5', 's10']);
    expect(s.steps.map((x) => [x.key, x.successes, x.failures])).toEqual([
      ['none', 0, 1],
      ['s3', 0, 1],
      ['s5', 1, 0],
      ['s10', 1, 0],
    ]);
    const p = s.steps.map((x) => x.pBuy);
    for (const x of p) expect(x >= 0 && x <= 1).toBe(true);
    for (let i = 1; i < p.length; i++) expect(p[i]!).toBeGreaterThanOrEqual(p[i - 1]!);
    // No cell yet, so the prior is Beta(1, 1): one failure gives 1/3, one success 2/3.
    expect(p[0]).toBeCloseTo(1 / 3, 12);
    expect(p[2]).toBeCloseTo(2 / 3, 12);
    // The typical basket is the average receipt: (1000.00 + 950.00) / 2. Margin 30% = 292.50; s5 costs 48.75, and
    // 2/3 × (292.50 − 48.75) = 162.50 beats none's 1/3 × 292.50 and s10's 2/3 × 195.00.
    expect(s.basket).toBe('975.00');
    expect(s.steps.find((x) => x.key === 's5')).toMatchObject({ percent: 5, cost: '48.75', expectedMargin: '162.50' });
    expect(s.recommended).toBe('s5');
  });

  it('lists the personal, tier and birthday offers that target the customer now, and a store’s with ?store=', async () => {
    const id = await issue('L360-OFFERS');
    await commit('L360-OFFERS');
    expect((await call('agent', 'PATCH', `/api/v1/customers/${id}`, { birthDate: birthDateToday(1990) })).status).toBe(200);
    const mine = await offer({
      name: 'Just for you',
      rule: { kind: 'personal', customerIds: [id], discount: { kind: 'percent', percent: 7 } },
      validTo: '2099-01-01T00:00:00Z',
    });
    const atS9 = await offer({
      name: 'Yours at S9',
      rule: { kind: 'personal', customerIds: [id], discount: { kind: 'amount', amount: '50.00' } },
      stores: ['S9'],
      perCustomerLimit: 2,
    });
    await offer({
      name: 'Someone else',
      rule: { kind: 'personal', customerIds: ['cus_somebodyelse'], discount: { kind: 'percent', percent: 9 } },
    });
    const silver = await offer({
      name: 'Silver week',
      rule: { kind: 'tier', tiers: ['silver'], discount: { kind: 'percent', percent: 3 } },
    });
    await offer({ name: 'Gold week', rule: { kind: 'tier', tiers: ['gold'], discount: { kind: 'percent', percent: 6 } } });
    const birthday = await offer({
      name: 'Happy birthday',
      rule: { kind: 'birthday', daysBefore: 3, daysAfter: 3, discount: { kind: 'percent', percent: 10 } },
    });
    await offer({ name: 'Volume for all', rule: { kind: 'volume', minQuantity: 3, discount: { kind: 'percent', percent: 5 } } });
    await offer({
      name: 'Expired',
      rule: { kind: 'personal', customerIds: [id], discount: { kind: 'percent', percent: 5 } },
      validFrom: '2020-01-01T00:00:00Z',
      validTo: '2020-02-01T00:00:00Z',
    });

    const everywhere = loyaltyOf(await view('agent', id)).offers;
    expect(everywhere.map((o) => o.id).sort()).toEqual([mine, silver, birthday].sort());
    expect(everywhere.find((o) => o.id === mine)).toEqual({
      id: mine,
      name: 'Just for you',
      kind: 'personal',
      group: 'promo',
      validFrom: null,
      validTo: '2099-01-01T00:00:00.000Z',
      stores: null,
      discount: { kind: 'percent', percent: 7 },
      usesLeft: null,
    });
    const atStore = loyaltyOf(await view('agent', id, '?store=S9')).offers;
    expect(atStore.map((o) => o.id).sort()).toEqual([mine, atS9, silver, birthday].sort());
    expect(atStore.find((o) => o.id === atS9)).toMatchObject({
      stores: ['S9'],
      discount: { kind: 'amount', amount: '50.00' },
      usesLeft: 2,
    });
  });

  it('masks card numbers and leaves out birthday offers for a role without personal data', async () => {
    const id = await issue('L360-MASK');
    await commit('L360-MASK');
    await offer({
      name: 'Birthday treat',
      rule: { kind: 'birthday', daysBefore: 1, daysAfter: 1, discount: { kind: 'percent', percent: 1 } },
    });
    expect((await call('agent', 'PATCH', `/api/v1/customers/${id}`, { birthDate: birthDateToday(1985) })).status).toBe(200);
    const full = loyaltyOf(await view('agent', id));
    const masked = loyaltyOf(await view('analyst', id));
    expect(full.cards[0]!.number).toBe('L360-MASK');
    expect(masked.cards[0]!.number).toBe('•••••MASK');
    expect(full.offers.some((o) => o.kind === 'birthday')).toBe(true);
    expect(masked.offers.some((o) => o.kind === 'birthday')).toBe(false);
    // Points are not personal data: the analyst sees the same wallet.
    expect(masked.points).toEqual(full.points);
  });

  it('shows a household member the owner’s pooled wallet and the household', async () => {
    const owner = await issue('L360-OWNER');
    const member = await issue('L360-MEMBER');
    await commit('L360-OWNER');
    const joined = await call('admin', 'POST', '/api/v1/loyalty/households', {
      owner: { kind: 'card', value: 'L360-OWNER' },
      member: { kind: 'card', value: 'L360-MEMBER' },
    });
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
    const l = loyaltyOf(await view('agent', member));
    expect(l.household).toEqual({ owner, members: [member] });
    const ownersPoints = await call<Points>('agent', 'GET', `/api/v1/loyalty/customers/${owner}/points`);
    expect(l.points).toMatchObject({ walletOwnerId: owner, active: ownersPoints.body.active, pending: ownersPoints.body.pending });
    expect(l.cards.map((c) => c.number)).toEqual(['L360-MEMBER']);
  });

  it('reads the database the same number of times whatever the customer’s history', async () => {
    const small = await issue('L360-SMALL');
    await commit('L360-SMALL');
    const big = await issue('L360-BIG');
    for (let i = 0; i < 6; i++) await commit('L360-BIG', i % 2 ? { ladderStep: 's3' } : {});
    let statements = 0;
    const counting: Database = {
      kind: database.kind,
      db: database.db,
      query: (text, params) => {
        statements++;
        return database.query(text, params);
      },
      batch: (fn) => fn(counting),
      transaction: (fn) => database.transaction(fn),
      close: () => database.close(),
    };
    const count = async (id: string) => {
      statements = 0;
      const v = await customer360(counting, id, 20);
      expect(v.loyalty).not.toBeNull();
      return statements;
    };
    await count(small); // loads the program and the cell priors into this handle's cache
    const forSmall = await count(small);
    const forBig = await count(big);
    expect(forBig).toBe(forSmall);
    expect(forSmall).toBeLessThanOrEqual(20);
  });
});
