import { describe, expect, it } from 'vitest';
import { CALIBRATION_END, HOLDOUT_END, readCdnowSample } from '../../../../../test/cdnow.ts';
import { AppError } from '../../../../platform/errors.ts';
import {
  bgNbdConditionalExpectedTransactions,
  bgNbdExpectedCohortTransactions,
  bgNbdExpectedTransactions,
  bgNbdGradient,
  bgNbdLogLikelihood,
  bgNbdProbabilityAlive,
  fitBgNbd,
  type BgNbdParams,
} from './bg-nbd.ts';
import { summarize, toPatterns, type PatternLike } from './summary.ts';

/** Published in shared/data/cdnow/README.md. */
const PAPER = { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 };
const BTYD: BgNbdParams = { r: 0.2425982, alpha: 4.4136842, a: 0.7929899, b: 2.4261667 };

const summaries = summarize(readCdnowSample(), { calibrationEnd: CALIBRATION_END, holdoutEnd: HOLDOUT_END, unit: 'week' });
const patterns = toPatterns(summaries);
const fit = fitBgNbd(patterns);

function thrown(f: () => unknown): AppError {
  try {
    f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('BG/NBD fit on the CDNOW sample, weeks 1-39', () => {
  it('finds the published estimates r, α, a, b = 0.2426, 4.4135, 0.7929, 2.4258 (1e-3 relative)', () => {
    for (const k of ['r', 'alpha', 'a', 'b'] as const) expect(Math.abs(fit.params[k] / PAPER[k] - 1)).toBeLessThan(1e-3);
  });

  it('reaches the published log-likelihood −9582.43 (BTYD −9582.429)', () => {
    expect(Math.abs(fit.logLikelihood - -9582.429)).toBeLessThan(0.01);
  });

  it('gives the same log-likelihood on patterns as on one row per customer', () => {
    expect(bgNbdLogLikelihood(fit.params, summaries)).toBeCloseTo(fit.logLikelihood, 6);
  });

  it('has an analytic gradient equal to central differences, and ≈ 0 at the optimum', () => {
    const p = { r: 0.3, alpha: 5, a: 0.9, b: 2 };
    const g = bgNbdGradient(p, patterns);
    for (const k of ['r', 'alpha', 'a', 'b'] as const) {
      const h = 1e-6 * p[k];
      const num = (bgNbdLogLikelihood({ ...p, [k]: p[k] + h }, patterns) - bgNbdLogLikelihood({ ...p, [k]: p[k] - h }, patterns)) / (2 * h);
      expect(Math.abs(g[k] - num)).toBeLessThan(1e-4 * Math.max(1, Math.abs(num)));
    }
    const g0 = bgNbdGradient(fit.params, patterns);
    for (const k of ['r', 'alpha', 'a', 'b'] as const) expect(Math.abs(g0[k] * fit.params[k])).toBeLessThan(1e-3);
  });

  it('converges in a few dozen iterations', () => {
    expect(fit.iterations).toBeLessThan(60);
  });
});

describe('BG/NBD expectations against the published figures', () => {
  it("reproduces Hardie's unconditional E[X(t)] table (lifetimes asserts decimal = 3)", () => {
    const table: [number, number][] = [
      [0.1429, 0.0078],
      [1, 0.0532],
      [3, 0.1506],
      [31.8571, 1.0405],
      [32, 1.0437],
      [78, 1.8576],
    ];
    for (const [t, e] of table) expect(Math.abs(bgNbdExpectedTransactions(fit.params, t) - e)).toBeLessThan(1.5e-3);
    // To the sheet's 4 decimals up to t = 32. At t = 78 the sheet's 1.8576 is 4e-4 below the converged series (1.8580,
    // also with BTYD's and lifetimes' parameters): the sheet's own summation of ₂F₁ at z = 0.95, presumably.
    for (const [t, e] of table.slice(0, 5)) expect(Math.abs(bgNbdExpectedTransactions(fit.params, t) - e)).toBeLessThan(5e-5);
  });

  it('gives E[X(52)] = 1.444004 with the BTYD parameters', () => {
    expect(bgNbdExpectedTransactions(BTYD, 52)).toBeCloseTo(1.444004, 5);
  });

  it('gives customer 1 (x=2, t_x=30.43, T=38.86) 1.226 purchases in the next 39 weeks', () => {
    expect(Math.abs(bgNbdConditionalExpectedTransactions(fit.params, 39, { x: 2, tx: 30.43, T: 38.86 }) - 1.226)).toBeLessThan(1e-3);
  });

  it('gives customer 1516 E[Y(52)] = 25.757 and P(alive) = 0.969', () => {
    const c = { x: 26, tx: 30.85714, T: 31 };
    expect(Math.abs(bgNbdConditionalExpectedTransactions(fit.params, 52, c) - 25.757)).toBeLessThan(5e-3);
    expect(Math.abs(bgNbdProbabilityAlive(fit.params, c) - 0.969)).toBeLessThan(5e-4);
    // With BTYD's own parameters, to the walkthrough's printed digits.
    expect(bgNbdConditionalExpectedTransactions(BTYD, 52, c)).toBeCloseTo(25.75659, 3);
    expect(bgNbdProbabilityAlive(BTYD, c)).toBeCloseTo(0.9688523, 5);
  });

  it('reproduces the increasing-frequency paradox (t_x = 20, T = 39, T* = 52)', () => {
    const published: [number, number][] = [
      [10, 0.3474606],
      [15, 0.04283391],
      [20, 0.004158973],
      [25, 0.0003583685],
    ];
    for (const [x, e] of published) {
      expect(Math.abs(bgNbdConditionalExpectedTransactions(BTYD, 52, { x, tx: 20, T: 39 }) / e - 1)).toBeLessThan(1e-5);
      expect(Math.abs(bgNbdConditionalExpectedTransactions(fit.params, 52, { x, tx: 20, T: 39 }) / e - 1)).toBeLessThan(2e-3);
    }
    expect(bgNbdProbabilityAlive(BTYD, { x: 25, tx: 20, T: 39 })).toBeLessThan(bgNbdProbabilityAlive(BTYD, { x: 10, tx: 20, T: 39 }));
  });

  it('reproduces the holdout table by calibration frequency 0..7+ (BTYD walkthrough)', () => {
    const counts = [1411, 439, 214, 100, 62, 38, 29, 64];
    const actual = [0.2367116, 0.6970387, 1.392523, 1.56, 2.532258, 2.947368, 3.862069, 6.359375];
    const expected = [0.2250893, 0.5231364, 1.044126, 1.520256, 2.163824, 2.653789, 3.503957, 6.157036];
    const holdout = 39;
    for (let bin = 0; bin <= 7; bin++) {
      const members = summaries.filter((s) => Math.min(s.x, 7) === bin);
      expect(members).toHaveLength(counts[bin]!);
      const mean = (f: (s: (typeof members)[number]) => number) => members.reduce((a, s) => a + f(s), 0) / members.length;
      expect(mean((s) => s.holdoutX!)).toBeCloseTo(actual[bin]!, 6);
      expect(Math.abs(mean((s) => bgNbdConditionalExpectedTransactions(fit.params, holdout, s)) - expected[bin]!)).toBeLessThan(1e-3);
    }
  });

  it('reproduces the weekly tracking, weeks 20-25: expected incremental and cumulative repeat purchases', () => {
    const incremental = [76.86531, 74.88843, 73.04554, 71.32166, 69.70412, 68.18213];
    const cumulative = [1312.458, 1387.346, 1460.392, 1531.713, 1601.418, 1669.6];
    const btyd = bgNbdExpectedCohortTransactions(BTYD, patterns, { periods: 78 });
    const ours = bgNbdExpectedCohortTransactions(fit.params, patterns, { periods: 78 });
    for (let i = 0; i < 6; i++) {
      expect(btyd.incremental[19 + i]).toBeCloseTo(incremental[i]!, 4);
      expect(btyd.cumulative[19 + i]).toBeCloseTo(cumulative[i]!, 2);
      expect(Math.abs(ours.incremental[19 + i]! / incremental[i]! - 1)).toBeLessThan(1e-4);
    }
    // The actual weekly counts of the same table, from the same transactions (merged per day, week k = days [7(k−1), 7k)).
    const weekOf = (d: Date) => Math.floor((d.getTime() - Date.UTC(1997, 0, 1)) / (7 * 86_400_000)) + 1;
    const firstDay = new Map<string, number>();
    const repeatDays = new Set<string>();
    const rows = readCdnowSample().sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const t of rows) {
      const key = `${t.customerId}|${t.at.getTime()}`;
      if (!firstDay.has(t.customerId)) firstDay.set(t.customerId, t.at.getTime());
      else if (firstDay.get(t.customerId) !== t.at.getTime()) repeatDays.add(key);
    }
    const perWeek = new Array<number>(79).fill(0);
    for (const k of repeatDays) perWeek[weekOf(new Date(Number(k.split('|')[1])))]!++;
    expect(perWeek.slice(20, 26)).toEqual([73, 55, 70, 33, 56, 99]);
  });
});

describe('BG/NBD on degenerate data', () => {
  it('refuses data without repeat buyers', () => {
    const e = thrown(() => fitBgNbd([{ x: 0, tx: 0, T: 30, count: 100 }]));
    expect([e.code, e.status, e.details.customers]).toEqual(['ANALYTICS_NO_REPEAT_BUYERS', 422, 100]);
  });

  it('refuses a single customer', () => {
    expect(thrown(() => fitBgNbd([{ x: 3, tx: 10, T: 20 }])).code).toBe('ANALYTICS_TOO_FEW_CUSTOMERS');
  });

  it('refuses an empty calibration period: no customers, or every T = 0', () => {
    expect(thrown(() => fitBgNbd([])).code).toBe('ANALYTICS_EMPTY_CALIBRATION');
    const none = summarize(readCdnowSample(), { calibrationEnd: new Date(Date.UTC(1996, 11, 31)), unit: 'week' });
    expect(none).toEqual([]);
    expect(thrown(() => fitBgNbd(toPatterns(none))).code).toBe('ANALYTICS_EMPTY_CALIBRATION');
    expect(thrown(() => fitBgNbd([{ x: 0, tx: 0, T: 0, count: 5 }])).code).toBe('ANALYTICS_EMPTY_CALIBRATION');
  });

  it('refuses malformed patterns, naming the pattern', () => {
    const e = thrown(() => fitBgNbd([{ x: 1, tx: 40, T: 30 }] as PatternLike[]));
    expect([e.code, e.details.fields?.[0]?.field]).toEqual(['ANALYTICS_INVALID_INPUT', 'patterns[0]']);
  });

  it('reports a capped optimizer as not converged, with diagnostics and no NaN', () => {
    const e = thrown(() => fitBgNbd(patterns, { maxIterations: 1 }));
    expect(e.code).toBe('ANALYTICS_FIT_NOT_CONVERGED');
    expect(e.details).toMatchObject({ model: 'BG/NBD', reason: 'max-iterations', iterations: 1 });
    const params = e.details.params as Record<string, number>;
    expect(Object.values(params).every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(e.details.logLikelihood)).toBe(true);
  });

  it('reports pathological data (every repeat buyer buys on every day of the period) as a failed fit, not NaN', () => {
    // Two customers, both buying every day: the likelihood grows as the dropout probability goes to 0 (b → ∞).
    const e = thrown(() => fitBgNbd([{ x: 30, tx: 30, T: 30, count: 2 }], { maxIterations: 500 }));
    expect(e.code).toBe('ANALYTICS_FIT_NOT_CONVERGED');
    expect(Object.values(e.details.params as Record<string, number>).every((v) => !Number.isNaN(v))).toBe(true);
  });
});
