import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DATA, openTestDatabase } from '../../../test/db.ts';
import { IMPORT_FORMATS, runImport } from '../../flows/import/index.ts';
import type { Database } from '../../platform/db/client.ts';
import { writeValues, type ValueRow } from './analytics.repository.ts';
import { fitModel, fitReport, predictCustomer, refreshValues, customerValues } from './analytics.service.ts';

let database: Database;

async function customerOf(externalId: string): Promise<string> {
  const rows = await database.query<{ id: string }>(`SELECT customer_id AS id FROM customers.identities WHERE kind = 'external' AND value = $1`, [externalId]);
  return rows[0]!.id;
}

beforeAll(async () => {
  database = await openTestDatabase();
  await runImport(database, IMPORT_FORMATS.cdnow!, join(SHARED_DATA, 'cdnow/CDNOW_sample.txt'), { rejectsFile: join(tmpdir(), `clv-${process.pid}.rejects.csv`) });
});
afterAll(async () => {
  await database?.close();
});

// Published figures: ../shared/data/cdnow/README.md (FHL 2005, the BTYD walkthrough, lifetimes' tests).
describe('customer value on the CDNOW sample, calibration weeks 1–39, from the database', () => {
  const calibrationEnd = '1997-09-30';

  it('fits BG/NBD to the published estimates', async () => {
    const f = await fitModel(database, { model: 'bgnbd', calibrationEnd, unit: 'week' });
    expect(f.customers).toBe(2357);
    expect(f.params.r).toBeCloseTo(0.2426, 3);
    expect(f.params.alpha).toBeCloseTo(4.4135, 2);
    expect(f.params.a).toBeCloseTo(0.7929, 3);
    expect(f.params.b).toBeCloseTo(2.4258, 2);
    expect(f.logLikelihood).toBeCloseTo(-9582.43, 1);
  });

  it('fits Pareto/NBD and Gamma-Gamma to the published estimates', async () => {
    const p = await fitModel(database, { model: 'pareto-nbd', calibrationEnd, unit: 'week' });
    expect(p.params.r).toBeCloseTo(0.553, 2);
    expect(p.params.alpha).toBeCloseTo(10.58, 1);
    expect(p.params.s).toBeCloseTo(0.606, 2);
    expect(p.params.beta).toBeCloseTo(11.66, 1);
    expect(p.logLikelihood).toBeCloseTo(-9594.98, 1);
    const g = await fitModel(database, { model: 'gamma-gamma', calibrationEnd, unit: 'week' });
    expect(g.customers).toBe(946);
    expect(g.params.p).toBeCloseTo(6.25, 1);
    expect(g.params.q).toBeCloseTo(3.74, 1);
    expect(g.params.v).toBeCloseTo(15.44, 1);
  });

  it('predicts customers 1516 and 1 as published', async () => {
    const c1516 = await predictCustomer(database, { model: 'bgnbd', customerId: await customerOf('1516'), horizon: 52, unit: 'week' });
    expect(c1516.history).toMatchObject({ x: 26, T: 31 });
    expect(c1516.history.tx).toBeCloseTo(30.85714, 4);
    expect(c1516.expectedPurchases).toBeCloseTo(25.757, 2);
    expect(c1516.pAlive).toBeCloseTo(0.969, 3);
    expect(c1516.expectedSpend).toBeGreaterThan(0);
    expect(c1516.clv).toBeGreaterThan(0);
    const c1 = await predictCustomer(database, { model: 'bgnbd', customerId: await customerOf('1'), horizon: 39, unit: 'week' });
    expect(c1.history.x).toBe(2);
    expect(c1.expectedPurchases).toBeCloseTo(1.226, 3);
    // A margin and a discount rate lower the value; CLV = Σ expected purchases per week × spend × margin, discounted.
    const lower = await predictCustomer(database, { model: 'bgnbd', customerId: await customerOf('1516'), horizon: 52, unit: 'week', margin: 0.3, discountRate: 0.01 });
    expect(lower.clv!).toBeLessThan(c1516.clv! * 0.3);
  });

  it('reproduces the holdout table by calibration frequency and the weekly tracking', async () => {
    const r = await fitReport(database, { calibrationEnd, holdoutEnd: '1998-06-30', unit: 'week' });
    expect(r.holdoutLength).toBeCloseTo(39, 6);
    const customers = [1411, 439, 214, 100, 62, 38, 29, 64];
    const actual = [0.2367116, 0.6970387, 1.392523, 1.56, 2.532258, 2.947368, 3.862069, 6.359375];
    const bgnbd = [0.2250893, 0.5231364, 1.044126, 1.520256, 2.163824, 2.653789, 3.503957, 6.157036];
    const pnbd = [0.138, 0.6, 1.196, 1.714, 2.399, 2.907, 3.819, 6.403];
    expect(r.byFrequency.map((b) => b.x)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
    r.byFrequency.forEach((b, i) => {
      expect(b.customers).toBe(customers[i]);
      expect(Math.abs(b.actual - actual[i]!)).toBeLessThan(1e-6);
      expect(Math.abs(b.bgnbd - bgnbd[i]!), `BG/NBD x=${b.x}`).toBeLessThan(1e-3);
      expect(Math.abs(b.paretoNbd - pnbd[i]!), `Pareto/NBD x=${b.x}`).toBeLessThan(6e-3);
    });
    const weeks = r.tracking.slice(19, 25);
    expect(weeks.map((w) => w.period)).toEqual([20, 21, 22, 23, 24, 25]);
    expect(weeks.map((w) => w.actual)).toEqual([73, 55, 70, 33, 56, 99]);
    expect(weeks.map((w) => w.cumulativeActual)).toEqual([1359, 1414, 1484, 1517, 1573, 1672]);
    [76.86531, 74.88843, 73.04554, 71.32166, 69.70412, 68.18213].forEach((e, i) => expect(weeks[i]!.expected).toBeCloseTo(e, 2));
  });

  it("stores every customer's values and shows them with the customer", async () => {
    const r = await refreshValues(database, { model: 'bgnbd', unit: 'week', horizon: 52 });
    expect(r.customers).toBe(2357);
    const v = await customerValues(database, await customerOf('1516'));
    expect(v).toHaveLength(1);
    expect(v[0]!.expectedPurchases).toBeCloseTo(25.757, 2);
    expect(v[0]!.pAlive).toBeCloseTo(0.969, 3);
    const nan = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM analytics.customer_values WHERE expected_purchases = 'NaN' OR p_alive = 'NaN' OR p_alive > 1 OR p_alive < 0`,
    );
    expect(nan[0]!.n).toBe(0);
    // The values of one fit written twice at once (the job and an operator): both finish, one after the other, and
    // the fit keeps one row per customer. Written through the repository, so that the two transactions overlap.
    const stored = await database.query<{ row: ValueRow }>(
      `SELECT json_build_array(customer_id, fit_id, spend_fit_id, horizon, unit, x, tx, t, expected_purchases, p_alive,
              expected_spend_minor, clv_minor, currency) AS row
       FROM analytics.customer_values WHERE fit_id = $1`,
      [r.fitId],
    );
    await Promise.all([1, 2].map(() => database.transaction((s) => writeValues(s, r.fitId, stored.map((x) => x.row)))));
    const rows = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM analytics.customer_values WHERE fit_id = $1`, [r.fitId]);
    expect(rows[0]!.n).toBe(2357);
  });
});

describe('degenerate input', () => {
  it('an empty calibration period is a clear error', async () => {
    await expect(fitModel(database, { model: 'bgnbd', calibrationEnd: '1990-01-01', unit: 'week' })).rejects.toMatchObject({ code: 'ANALYTICS_EMPTY_CALIBRATION' });
  });

  it('a customer with one purchase gets finite values; no repeat buyers at all is a clear error', async () => {
    // Customer 3 of the sample made one purchase only in calibration.
    const rows = await database.query<{ value: string }>(
      `SELECT i.value FROM customers.identities i JOIN sales.receipts r ON r.customer_id = i.customer_id
       WHERE r.occurred_at < '1997-10-01' GROUP BY i.value HAVING count(*) = 1 LIMIT 1`,
    );
    const one = await predictCustomer(database, { model: 'pareto-nbd', customerId: await customerOf(rows[0]!.value), horizon: 52, unit: 'week', calibrationEnd: '1997-09-30' });
    expect(one.history.x).toBe(0);
    expect(Number.isFinite(one.expectedPurchases) && one.expectedPurchases > 0).toBe(true);
    // Pareto/NBD lets a one-time buyer die before T; BG/NBD only dies at a purchase, so x = 0 means alive.
    expect(one.pAlive > 0 && one.pAlive < 1).toBe(true);
    const bg = await predictCustomer(database, { model: 'bgnbd', customerId: one.customerId, horizon: 52, unit: 'week', calibrationEnd: '1997-09-30' });
    expect(bg.pAlive).toBe(1);

    const file = join(tmpdir(), `one-each-${process.pid}.csv`);
    writeFileSync(file, ['customer_id,date,amount,currency', 'a,2020-01-01,5,EUR', 'b,2020-01-02,6,EUR', 'c,2020-01-03,7,EUR'].join('\n'));
    await runImport(database, IMPORT_FORMATS.receipts!, file, { store: 'eu', rejectsFile: `${file}.rejects` });
    await expect(fitModel(database, { model: 'bgnbd', calibrationEnd: '2020-02-01', unit: 'week', currency: 'EUR' })).rejects.toMatchObject({ code: 'ANALYTICS_NO_REPEAT_BUYERS' });
    await expect(fitModel(database, { model: 'gamma-gamma', calibrationEnd: '2020-02-01', unit: 'week', currency: 'EUR' })).rejects.toMatchObject({ code: expect.stringMatching(/^ANALYTICS_/) });
  });

  it('bad arguments name the field', async () => {
    await expect(fitModel(database, { model: 'bgnbd', calibrationEnd: '1997-02-30', unit: 'week' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'calibrationEnd' }] } });
    await expect(fitModel(database, { model: 'magic', calibrationEnd: '1997-09-30', unit: 'week' })).rejects.toMatchObject({ details: { fields: [{ field: 'model' }] } });
    await expect(fitReport(database, { calibrationEnd: '1997-09-30', holdoutEnd: '1997-01-01', unit: 'week' })).rejects.toMatchObject({ details: { fields: [{ field: 'holdoutEnd' }] } });
    await expect(predictCustomer(database, { model: 'bgnbd', customerId: await customerOf('1'), horizon: 0, unit: 'week' })).rejects.toMatchObject({ details: { fields: [{ field: 'horizon' }] } });
  });
});
