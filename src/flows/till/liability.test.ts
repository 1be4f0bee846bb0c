import { beforeAll, describe, expect, it } from 'vitest';
import { PROGRAM } from '../../../test/loyalty.ts';
import { tillFixture } from '../../../test/till.ts';
import * as loyalty from '../../modules/loyalty/index.ts';

// The points liability (GET /api/v1/loyalty/liability) after sales at the till: what it says was issued and spent is
// what the till answered, what is outstanding is what the wallets hold, and the program P&L shows the same figures.
// On both databases.

const t = tillFixture();
const { call, commit, issue, points } = t;

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  const put = await call('admin', 'PUT', '/api/v1/loyalty/program', { config: PROGRAM, note: 'liability tests' });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
});

describe('the points liability', () => {
  it('adds up to the till answers and the wallets, at the point value, and agrees with the program P&L', async () => {
    const a = await issue('C-LIAB-A');
    const b = await issue('C-LIAB-B');
    const answers = [
      await commit('C-LIAB-A', [{ sku: 'TV', category: 'electronics', unitPrice: '1000.00' }]),
      await commit('C-LIAB-B', [{ sku: 'DESK', category: 'furniture', unitPrice: '640.00' }]),
      await commit('C-LIAB-A', [{ sku: 'TEA', category: 'grocery', quantity: '3', unitPrice: '40.00' }], { redeemPoints: 30 }),
    ];
    for (const r of answers) expect(r.status, JSON.stringify(r.body)).toBe(201);
    const earned = answers.reduce((s, r) => s + (r.body.points.earn as number), 0);
    const redeemed = answers.reduce((s, r) => s + (r.body.points.redeem as number), 0);
    expect(redeemed).toBe(30);
    const held = [await points(a), await points(b)].reduce((s, p) => s + p.active + p.pending, 0);

    // The ledger's transfers carry the time they were written: today.
    const r = await call('admin', 'GET', `/api/v1/loyalty/liability?from=${day(0)}&to=${day(1)}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.currency).toBe('RUB');
    expect(r.body.issued).toEqual({ points: earned, valueMinor: earned * 100, value: `${earned}.00` });
    expect(r.body.spent.points).toBe(redeemed);
    expect(r.body.outstandingStart.points).toBe(0);
    expect(r.body.outstandingEnd.points).toBe(held);
    expect(r.body.outstandingEnd.points).toBe(earned - redeemed);
    expect(r.body.breakage.rate).toBeNull(); // no lot has expired yet

    const before = await call('admin', 'GET', `/api/v1/loyalty/liability?from=${day(-1)}&to=${day(0)}`);
    expect(before.body.issued.points).toBe(0);
    expect(before.body.outstandingEnd.points).toBe(0);
    // Nothing moved: zeros, and not negative zeros, which JSON hides but the CLI would print as "-0 pts".
    const none = await loyalty.liability(t.database, new Date(`${day(-1)}T00:00:00Z`), new Date(`${day(0)}T00:00:00Z`));
    for (const k of ['issued', 'spent', 'expired', 'adjustments'] as const) expect(Object.is(none[k].points, 0), k).toBe(true);

    const pnl = await call('admin', 'GET', `/api/v1/program/pnl?from=${day(0)}&to=${day(1)}`);
    expect(pnl.status, JSON.stringify(pnl.body)).toBe(200);
    const { from: _f, to: _t, currency: _c, pointValue: _p, ...movements } = r.body;
    expect(pnl.body.points).toEqual(movements);
  });

  it('is for the admin and analyst roles, and names the field of a bad period', async () => {
    const agent = await call('agent', 'GET', `/api/v1/loyalty/liability?from=${day(0)}&to=${day(1)}`);
    expect(agent.status).toBe(403);
    const backwards = await call('admin', 'GET', `/api/v1/loyalty/liability?from=${day(1)}&to=${day(0)}`);
    expect(backwards.status).toBe(400);
    expect(backwards.body.fields).toEqual([expect.objectContaining({ field: 'querystring.to' })]);
    const notADate = await call('admin', 'GET', `/api/v1/loyalty/liability?from=yesterday&to=${day(0)}`);
    expect(notADate.status).toBe(400);
    expect(notADate.body.fields).toContainEqual(expect.objectContaining({ field: 'querystring.from' }));
  });
});
