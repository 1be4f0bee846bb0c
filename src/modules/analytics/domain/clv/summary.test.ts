import { describe, expect, it } from 'vitest';
import { CALIBRATION_END, HOLDOUT_END, readCdnowCsv, readCdnowSample } from '../../../../../test/cdnow.ts';
import { isAppError } from '../../../../platform/errors.ts';
import { summarize, toPatterns, type Transaction } from './summary.ts';

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe('summarize on the CDNOW sample (README figures)', () => {
  const summaries = summarize(readCdnowSample(), { calibrationEnd: CALIBRATION_END, holdoutEnd: HOLDOUT_END, unit: 'week' });
  const byId = new Map(summaries.map((s) => [s.customerId, s]));

  it('has the published counts: 2,357 customers, sum x = 2,457, 1,411 with x = 0, 946 with x > 0', () => {
    expect(summaries).toHaveLength(2357);
    expect(summaries.reduce((a, s) => a + s.x, 0)).toBe(2457);
    expect(summaries.filter((s) => s.x === 0)).toHaveLength(1411);
    expect(summaries.filter((s) => s.x > 0)).toHaveLength(946);
  });

  it('has the published holdout count with same-day merging: 1,882 repeat purchases in weeks 40-78', () => {
    expect(summaries.reduce((a, s) => a + s.holdoutX!, 0)).toBe(1882);
  });

  it('reproduces customer 1 (T = 38.86, t_x = 30.43) and customer 1516 (x = 26, t_x = 30.86, T = 31)', () => {
    expect(byId.get('1')).toMatchObject({ x: 2 });
    expect(byId.get('1')!.T).toBeCloseTo(38.86, 2);
    expect(byId.get('1')!.tx).toBeCloseTo(30.43, 2);
    expect(byId.get('1516')!.x).toBe(26);
    expect(byId.get('1516')!.tx).toBeCloseTo(30.85714, 5);
    expect(byId.get('1516')!.T).toBe(31);
  });

  it('equals lifetimes cdnow_customers_summary.csv (x, t_x, T to its 2 decimals) for every customer', () => {
    const rows = readCdnowCsv('cdnow_customers_summary.csv');
    expect(rows).toHaveLength(2357);
    for (const r of rows) {
      const s = byId.get(String(r.ID))!;
      expect([s.x, Math.abs(s.tx - r.recency!) <= 0.005 + 1e-9, Math.abs(s.T - r.T!) <= 0.005 + 1e-9]).toEqual([r.frequency, true, true]);
    }
  });

  it('equals cdnow_customers_summary_with_transactions.csv zbar to the cent; the mean of those cents is 35.0786', () => {
    const rows = readCdnowCsv('cdnow_customers_summary_with_transactions.csv');
    let sumRounded = 0;
    for (const r of rows) {
      const s = byId.get(String(r.ID))!;
      expect(s.x).toBe(r.x);
      expect(Math.abs(s.zbar - r.zbar!)).toBeLessThanOrEqual(0.005 + 1e-9);
      if (s.x > 0) sumRounded += r.zbar!;
    }
    expect(sumRounded / 946).toBeCloseTo(35.0786, 4);
    // Unrounded, the mean is a little lower: the file rounds half-cents (x = 2 splits odd cents) upwards.
    const exact = summaries.filter((s) => s.x > 0).reduce((a, s) => a + s.zbar, 0) / 946;
    expect(exact).toBeCloseTo(35.0778, 4);
  });

  it('groups 2,357 customers into far fewer patterns, whose counts add up', () => {
    const patterns = toPatterns(summaries);
    expect(patterns.length).toBeLessThan(1100);
    expect(patterns.reduce((a, p) => a + p.count, 0)).toBe(2357);
    expect(patterns.find((p) => p.x === 26)).toMatchObject({ count: 1, T: 31 });
  });
});

describe('summarize conventions', () => {
  const tx = (customerId: string, iso: string, amount: number): Transaction => ({ customerId, at: day(iso), amount });

  it('merges same-day purchases, sums their amounts, and accepts unsorted input', () => {
    const s = summarize([tx('a', '2024-01-15', 5), tx('a', '2024-01-01', 10), tx('a', '2024-01-15', 7), tx('a', '2024-01-08', 3)], {
      calibrationEnd: day('2024-01-29'),
      unit: 'week',
    });
    expect(s).toEqual([{ customerId: 'a', x: 2, tx: 2, T: 4, zbar: (3 + 12) / 2 }]);
  });

  it('counts the calibration end day in calibration, later days in holdout, and drops customers born after it', () => {
    const s = summarize(
      [
        tx('a', '2024-01-01', 1),
        tx('a', '2024-01-11', 1),
        tx('a', '2024-01-12', 1),
        tx('a', '2024-01-20', 1),
        tx('a', '2024-01-21', 1),
        tx('b', '2024-01-12', 1),
      ],
      { calibrationEnd: day('2024-01-11'), holdoutEnd: day('2024-01-20'), unit: 'day' },
    );
    expect(s).toEqual([{ customerId: 'a', x: 1, tx: 10, T: 10, zbar: 1, holdoutX: 2 }]);
  });

  it('rejects an invalid date, a non-finite amount and a holdout end before the calibration end, naming the field', () => {
    const opts = { calibrationEnd: day('2024-01-11'), unit: 'day' as const };
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isAppError(e) ? [e.code, e.details.fields?.[0]?.field] : e;
      }
      return 'no error';
    };
    expect(codeOf(() => summarize([tx('a', '2024-01-01', 1), { customerId: 'a', at: new Date('x'), amount: 1 }], opts))).toEqual([
      'ANALYTICS_INVALID_INPUT',
      'transactions[1].at',
    ]);
    expect(codeOf(() => summarize([tx('a', '2024-01-01', Number.NaN)], opts))).toEqual([
      'ANALYTICS_INVALID_INPUT',
      'transactions[0].amount',
    ]);
    expect(codeOf(() => summarize([], { ...opts, holdoutEnd: day('2024-01-01') }))).toEqual(['ANALYTICS_INVALID_INPUT', 'holdoutEnd']);
  });
});
