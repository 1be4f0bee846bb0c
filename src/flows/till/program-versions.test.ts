import { describe, expect, it } from 'vitest';
import { PROGRAM } from '../../../test/loyalty.ts';
import { tillFixture } from '../../../test/till.ts';

// The program's history (GET /api/v1/loyalty/program/versions[/N]): every version stays readable after it is
// replaced, so that a committed receipt, which names the version that priced it, can be explained. On both databases.

const t = tillFixture();
const { call, commit, issue } = t;

describe("the program's versions", () => {
  it('lists every version newest first, and reads a replaced one as it was when it priced a receipt', async () => {
    const v1 = await call('admin', 'PUT', '/api/v1/loyalty/program', { config: PROGRAM, note: 'launch' });
    expect(v1.status, JSON.stringify(v1.body)).toBe(200);
    await issue('C-VER');
    const sale = await commit('C-VER', [{ sku: 'TV', category: 'electronics', unitPrice: '1000.00' }]);
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    const doubled = { ...PROGRAM, earn: { ...PROGRAM.earn, basePercent: 10 } };
    const v2 = await call('admin', 'PUT', '/api/v1/loyalty/program', { config: doubled, note: 'double points' });
    expect(v2.body.version).toBe(v1.body.version + 1);

    const list = await call('till', 'GET', '/api/v1/loyalty/program/versions');
    expect(list.status).toBe(200);
    expect(list.body.versions.map((v: { version: number; note: string; inForce: boolean }) => [v.version, v.note, v.inForce])).toEqual([
      [v2.body.version, 'double points', true],
      [v1.body.version, 'launch', false],
    ]);

    // The sale names the version that priced it; that version still reads as it was, not as the one in force.
    expect(sale.body.programVersion).toBe(v1.body.version);
    const old = await call('agent', 'GET', `/api/v1/loyalty/program/versions/${sale.body.programVersion}`);
    expect(old.status, JSON.stringify(old.body)).toBe(200);
    expect(old.body).toEqual(v1.body);
    expect(old.body.config.earn.basePercent).toBe(5);
    // 5% of 1000.00 at 1.00 a point: what the sale earned under version 1.
    expect(sale.body.points.earn).toBe(50);
    const now = await call('agent', 'GET', '/api/v1/loyalty/program');
    expect(now.body.config.earn.basePercent).toBe(10);
  });

  it('answers a version never stored with 404, and a version that is not a number with 400, naming the field', async () => {
    const missing = await call('admin', 'GET', '/api/v1/loyalty/program/versions/999');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('LOYALTY_PROGRAM_VERSION_NOT_FOUND');
    expect(missing.body.fields).toEqual([expect.objectContaining({ field: 'version' })]);
    const bad = await call('admin', 'GET', '/api/v1/loyalty/program/versions/latest');
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toContainEqual(expect.objectContaining({ field: 'params.version' }));
  });
});
