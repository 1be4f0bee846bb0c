import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DATA, openTestDatabase } from '../../../test/db.ts';
import { IMPORT_FORMATS, runImport } from '../../flows/import/index.ts';
import type { Database } from '../../platform/db/client.ts';
import { CELLS, band, cellCaseSql, cellOf, deriveEdges, validateEdges } from './domain/grid.ts';
import { quintileScore, quintileSql, rfmCaseSql, rfmSegment } from './domain/rfm.ts';
import { migrationReport, refreshSegments, rfmReport, setGrid } from './segments.service.ts';
import { customerHistory } from './segments.repository.ts';
import { findClustering, runClustering, customerClusterHistory } from './clusters.service.ts';

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('grid and RFM rules (pure)', () => {
  it('puts values into bands at inclusive upper edges', () => {
    expect([0, 30, 31, 90, 91].map((v) => band(v, [30, 90]))).toEqual([0, 0, 1, 1, 2]);
    expect(cellOf(10, 1, { recencyEdges: [30, 90], frequencyEdges: [1, 4] }).key).toBe('new');
    expect(cellOf(10, 3, { recencyEdges: [30, 90], frequencyEdges: [1, 4] }).key).toBe('promising');
    expect(cellOf(10, 5, { recencyEdges: [30, 90], frequencyEdges: [1, 4] }).key).toBe('vip');
    expect(cellOf(200, 1, { recencyEdges: [30, 90], frequencyEdges: [1, 4] }).key).toBe('lost');
    expect(CELLS.filter((c) => c.payback === 'high').map((c) => c.key)).toEqual(expect.arrayContaining(['promising', 'vip']));
    expect(CELLS.find((c) => c.key === 'occasional')!.payback).toBe('low');
  });

  it('derives sane default edges and rejects bad ones', () => {
    expect(deriveEdges({ recencyP33: 25.6, recencyP67: 92.2, repeatFrequencyP80: 7 })).toEqual({ recencyEdges: [26, 92], frequencyEdges: [1, 6] });
    expect(deriveEdges({ recencyP33: 0, recencyP67: 0, repeatFrequencyP80: 2 })).toEqual({ recencyEdges: [1, 2], frequencyEdges: [1, 2] });
    expect(validateEdges({ recencyEdges: [30, 90], frequencyEdges: [1, 4] })).toBeUndefined();
    expect(validateEdges({ recencyEdges: [90, 30], frequencyEdges: [1, 4] })).toMatch(/recency edges must increase/);
    expect(validateEdges({ recencyEdges: [30], frequencyEdges: [1, 4] })).toMatch(/recency needs two edges/);
    expect(validateEdges({ recencyEdges: [30, 90], frequencyEdges: [0, 4] })).toMatch(/frequency edges/);
  });

  it('scores quintiles with ties together, and names the usual RFM segments', () => {
    const cuts = [10, 20, 30, 40];
    expect([5, 10, 11, 40, 41].map((v) => quintileScore(v, cuts))).toEqual([1, 1, 2, 4, 5]);
    expect([5, 10, 11, 40, 41].map((v) => quintileScore(v, cuts, true))).toEqual([5, 5, 4, 2, 1]);
    expect(rfmSegment(5, 5, 5)).toBe('champions');
    expect(rfmSegment(5, 1, 1)).toBe('new_customers');
    expect(rfmSegment(1, 5, 5)).toBe('cannot_lose');
    expect(rfmSegment(1, 1, 1)).toBe('lost');
    expect(rfmSegment(2, 4, 3)).toBe('at_risk');
  });

  it('the generated SQL agrees with the TypeScript rules on every combination', async () => {
    const rows = await database.query<{ r: number; f: number; m: number; seg: string; cell: string; sq: number }>(
      `SELECT r, f, m, ${rfmCaseSql('r', 'f', 'm')} AS seg,
              ${cellCaseSql('(r - 1) % 3', '(f - 1) % 3')} AS cell,
              ${quintileSql('m * 10', 'ARRAY[10, 20, 30, 40]::float8[]')} AS sq
       FROM generate_series(1, 5) r, generate_series(1, 5) f, generate_series(1, 5) m`,
    );
    expect(rows).toHaveLength(125);
    for (const x of rows) {
      expect(x.seg, `${x.r}${x.f}${x.m}`).toBe(rfmSegment(x.r, x.f, x.m));
      expect(x.cell).toBe(CELLS.find((c) => c.recencyBand === (x.r - 1) % 3 && c.frequencyBand === (x.f - 1) % 3)!.key);
      expect(x.sq).toBe(quintileScore(x.m * 10, [10, 20, 30, 40]));
    }
  });
});

describe('refresh on Online Retail', () => {
  beforeAll(async () => {
    await runImport(database, IMPORT_FORMATS['online-retail']!, join(SHARED_DATA, 'online-retail/online_retail.csv.gz'), {
      rejectsFile: join(tmpdir(), `seg-or-${process.pid}.rejects.csv`),
    });
  });

  it('reproduces the published RFM figures as of 2011-12-10', async () => {
    const r = await rfmReport(database, '2011-12-10');
    // ../shared/data/online-retail/README.md, "RFM on the UnitPrice > 0 set, with snapshot date 2011-12-10".
    expect(r.customers).toBe(4338);
    expect(r.recency.mean).toBeCloseTo(93.06, 2);
    expect(r.recency.median).toBe(51);
    expect(r.frequency.mean).toBeCloseTo(4.272, 3);
    expect(r.frequency.median).toBe(2);
    expect(r.monetary.mean).toBeCloseTo(2054.27, 2);
    expect(Math.abs(r.monetary.median - 674.48)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(r.currency).toBe('GBP');
    // Every customer is in exactly one cell, and the cells' revenue adds up to the total monetary value.
    expect(r.grid.cells.reduce((s, c) => s + c.customers, 0)).toBe(4338);
    const revenue = r.grid.cells.reduce((s, c) => s + Number(c.revenue), 0);
    expect(revenue).toBeCloseTo(r.monetary.mean * 4338, 0);
    expect(r.rfmSegments.reduce((s, c) => s + c.customers, 0)).toBe(4338);
    // Returns are reported beside monetary value, not netted.
    expect(Number(r.returns)).toBeGreaterThan(0);
  });

  it('nets returns only when asked', async () => {
    const gross = await rfmReport(database, '2011-12-10');
    const net = await rfmReport(database, '2011-12-10', { net: true, refresh: true });
    expect(net.net).toBe(true);
    expect(net.monetary.mean).toBeLessThan(gross.monetary.mean);
    await rfmReport(database, '2011-12-10', { net: false, refresh: true });
  });

  it('answers reports asked at the same time for a date not yet refreshed, all alike', async () => {
    // Two console tabs (or the overview and the segments page) opening a new date at once. On PostgreSQL each runs on
    // its own connection; both used to refresh, and the later one failed on the earlier one's rows.
    const asOf = '2011-09-30';
    const reports = await Promise.all([1, 2, 3, 4].map(() => rfmReport(database, asOf)));
    for (const r of reports) expect(r).toEqual(reports[0]);
    // Explicit refreshes of one date at the same time both succeed, one after the other, and leave one set of rows.
    const [a, b] = await Promise.all([refreshSegments(database, { asOf }), refreshSegments(database, { asOf })]);
    expect(a.customers).toBe(reports[0]!.customers);
    expect(b.customers).toBe(reports[0]!.customers);
    const rows = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM segments.customer_segments WHERE as_of = $1`, [asOf]);
    expect(rows[0]!.n).toBe(reports[0]!.customers);
  });

  it('reports migration between dates consistently with each date on its own', async () => {
    const m = await migrationReport(database, '2011-06-01', '2011-12-10');
    const from = await rfmReport(database, '2011-06-01');
    const to = await rfmReport(database, '2011-12-10');
    expect(m.customers).toEqual({ from: from.customers, to: to.customers });
    // Rows of the matrix add up to each date's cell counts; customers new since `from` start in 'none'.
    for (const c of to.grid.cells) expect(m.matrix.filter((x) => x.to === c.key).reduce((s, x) => s + x.customers, 0)).toBe(c.customers);
    for (const c of from.grid.cells) expect(m.matrix.filter((x) => x.from === c.key).reduce((s, x) => s + x.customers, 0)).toBe(c.customers);
    expect(m.matrix.filter((x) => x.from === 'none').reduce((s, x) => s + x.customers, 0)).toBe(to.customers - from.customers);
    expect(m.moved).toBeGreaterThan(0);
  });

  it('uses a new grid version after thresholds are set, and keeps the history per date', async () => {
    const v = await setGrid(database, { recencyEdges: [30, 90], frequencyEdges: [1, 4] }, 'test');
    const r = await refreshSegments(database, { asOf: '2011-12-10' });
    expect(r.grid.version).toBe(v.version);
    const rep = await rfmReport(database, '2011-12-10');
    expect(rep.grid.recencyEdges).toEqual([30, 90]);
    const newOnes = rep.grid.cells.find((c) => c.key === 'new')!;
    const check = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM segments.customer_segments WHERE as_of = '2011-12-10' AND recency_days <= 30 AND frequency = 1`,
    );
    expect(newOnes.customers).toBe(check[0]!.n);
    const someone = await database.query<{ id: string }>(`SELECT customer_id AS id FROM segments.customer_segments WHERE as_of = '2011-06-01' LIMIT 1`);
    const history = await customerHistory(database, someone[0]!.id);
    // Every date refreshed above: the migration's two and the concurrent reports' one.
    expect(history.map((h) => h.asOf)).toEqual(['2011-06-01', '2011-09-30', '2011-12-10']);
  });
});

describe('behavioural clusters from the database', () => {
  it('clusters every customer with purchases, repeatably, and stores the result per date', async () => {
    const a = await runClustering(database, { asOf: '2011-12-10', k: 3 });
    expect(a.customers).toBe(4338);
    expect(a.k).toBe(3);
    expect(a.clusters.reduce((s, c) => s + c.size, 0)).toBe(4338);
    for (const c of a.clusters) expect(c.description.length).toBeGreaterThan(3);
    const stored = await database.query<{ cluster: number; n: number }>(
      `SELECT cluster, count(*)::int AS n FROM segments.customer_clusters WHERE as_of = '2011-12-10' GROUP BY cluster ORDER BY cluster`,
    );
    expect(stored.map((r) => r.n).sort()).toEqual(a.clusters.map((c) => c.size).sort());
    // Run again, twice at the same time (two admins): both finish, and the date keeps one row per customer.
    const [b, c] = await Promise.all([1, 2].map(() => runClustering(database, { asOf: '2011-12-10', k: 3 })));
    expect(b!.clusters).toEqual(a.clusters);
    expect(c!.clusters).toEqual(a.clusters);
    const again = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM segments.customer_clusters WHERE as_of = '2011-12-10'`);
    expect(again[0]!.n).toBe(4338);
    const found = await findClustering(database, '2011-12-10');
    expect(found?.k).toBe(3);
    const someone = await database.query<{ id: string }>(`SELECT customer_id AS id FROM segments.customer_clusters LIMIT 1`);
    expect((await customerClusterHistory(database, someone[0]!.id)).map((h) => h.asOf)).toEqual(['2011-12-10']);
    await expect(runClustering(database, { asOf: '2009-01-01' })).rejects.toMatchObject({ code: 'SEGMENTS_NO_PURCHASES' });
  });
});

describe('degenerate input', () => {
  it('an as-of date before any purchase is a clear error, not an empty grid', async () => {
    await expect(refreshSegments(database, { asOf: '2009-01-01' })).rejects.toMatchObject({ code: 'SEGMENTS_NO_PURCHASES' });
    await expect(rfmReport(database, '2009-01-01')).rejects.toThrow(/No purchases on or before 2009-01-01/);
  });

  it('bad dates and bad grids name the field', async () => {
    await expect(refreshSegments(database, { asOf: '2011-02-30' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'asOf' }] } });
    await expect(migrationReport(database, '2011-12-10', '2011-06-01')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(setGrid(database, { recencyEdges: [90, 30], frequencyEdges: [1, 4] })).rejects.toMatchObject({ code: 'SEGMENTS_INVALID_GRID' });
    await expect(refreshSegments(database, { asOf: '2011-12-10', gridVersion: 999 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
