import { describe, expect, it } from 'vitest';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import {
  auc,
  descendingOrder,
  perfectQiniCurve,
  perfectUpliftCurve,
  qiniAucScore,
  qiniCurve,
  responseRateByPercentile,
  treatmentBalanceCurve,
  upliftAtK,
  upliftAucScore,
  upliftByPercentile,
  upliftCurve,
  weightedAverageUplift,
} from './uplift-metrics.ts';

function expectClose(actual: readonly number[], expected: readonly number[], digits = 9): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, digits));
}

// scikit-uplift's own tests (sklift/tests/test_metrics.py) fit a decision tree on three rows and score three more; the
// tree predicts the same uplift for all three, so the vectors below are what those tests assert for tied scores.
const sk = { y: [0, 1, 0], t: [0, 1, 1], u: [0.25, 0.25, 0.25] };

describe('vectors asserted by scikit-uplift 0.5 tests', () => {
  it('uplift_curve and qini_curve group tied scores into one point', () => {
    const uc = upliftCurve(sk.y, sk.u, sk.t);
    expectClose(uc.x, [0, 3]);
    expectClose(uc.y, [0, 1.5]);
    const qc = qiniCurve(sk.y, sk.u, sk.t);
    expectClose(qc.x, [0, 3]);
    expectClose(qc.y, [0, 1]);
  });

  it('perfect curves', () => {
    const puc = perfectUpliftCurve(sk.y, sk.t);
    expectClose(puc.x, [0, 1, 2, 3]);
    expectClose(puc.y, [0, 1, 2, 1.5]);
    for (const negativeEffect of [true, false]) {
      const pqc = perfectQiniCurve(sk.y, sk.t, negativeEffect);
      expectClose(pqc.x, [0, 1, 3]);
      expectClose(pqc.y, [0, 1, 1]);
    }
    expectClose(perfectQiniCurve(sk.y, sk.t).x, [0, 1, 3]);
  });

  it('uplift_auc_score and qini_auc_score on two rows', () => {
    expect(qiniAucScore([0, 1], [0.1, 0.3], [1, 0])).toBeCloseTo(1, 9);
    expect(upliftAucScore([0, 1], [0.1, 0.3], [1, 0])).toBeCloseTo(0, 9);
    expect(upliftAucScore([1, 0], [0.1, 0.3], [0, 1])).toBeCloseTo(1, 9);
    expect(qiniAucScore([1, 0], [0.1, 0.3], [0, 1])).toBeCloseTo(1, 9);
  });

  it('uplift_at_k by_group, k=1: tied scores come out in reverse input order', () => {
    // With a stable descending sort the first treated row would be row 1 (y=1) and the answer 1; sklift's reversed
    // ascending sort puts row 2 (y=0) first.
    expect(upliftAtK(sk.y, sk.u, sk.t, { strategy: 'by_group', k: 1 })).toBe(0);
  });

  it('uplift_at_k rejects what sklift rejects', () => {
    expect(() => upliftAtK(sk.y, sk.u, sk.t, { strategy: 'new_strategy' as 'overall', k: 1 })).toThrow(RangeError);
    expect(() => upliftAtK(sk.y, sk.u, sk.t, { strategy: 'by_group', k: -0.5 })).toThrow(RangeError);
    expect(() => upliftAtK(sk.y, sk.u, sk.t, { strategy: 'by_group', k: 2 })).toThrow(/control group/);
    expect(() => upliftAtK(sk.y, sk.u, sk.t, { strategy: 'overall', k: 3 })).toThrow(RangeError);
    expect(() => upliftAtK(sk.y, sk.u, sk.t, { strategy: 'overall', k: 1.5 })).toThrow(RangeError);
  });

  it('response_rate_by_percentile, weighted_average_uplift, uplift_by_percentile with one bin', () => {
    for (const strategy of ['overall', 'by_group'] as const) {
      const trmnt = responseRateByPercentile(sk.y, sk.u, sk.t, 'treatment', { strategy, bins: 1 });
      expect(trmnt).toEqual({ responseRate: [0.5], variance: [0.125], size: [2] });
      const ctrl = responseRateByPercentile(sk.y, sk.u, sk.t, 'control', { strategy, bins: 1 });
      expect(ctrl).toEqual({ responseRate: [0], variance: [0], size: [1] });
      expect(weightedAverageUplift(sk.y, sk.u, sk.t, { strategy, bins: 1 })).toBeCloseTo(0.5, 9);
      const plain = upliftByPercentile(sk.y, sk.u, sk.t, { strategy, bins: 1 });
      expect(plain).toEqual([
        { percentile: '0-100', nTreatment: 2, nControl: 1, responseRateTreatment: 0.5, responseRateControl: 0, uplift: 0.5 },
      ]);
      const full = upliftByPercentile(sk.y, sk.u, sk.t, { strategy, bins: 1, std: true, total: true });
      expect(full.map((r) => r.percentile)).toEqual(['0-100', 'total']);
      for (const row of full) {
        expectClose([row.nTreatment, row.nControl, row.responseRateTreatment, row.responseRateControl, row.uplift], [2, 1, 0.5, 0, 0.5]);
        expectClose([row.stdTreatment ?? NaN, row.stdControl ?? NaN, row.stdUplift ?? NaN], [0.353553, 0, 0.353553], 6);
      }
    }
  });

  it('percentile functions reject bad bins and groups', () => {
    expect(() => responseRateByPercentile(sk.y, sk.u, sk.t, 'ctrl' as 'control', { bins: 1 })).toThrow(RangeError);
    expect(() => responseRateByPercentile(sk.y, sk.u, sk.t, 'control', { bins: 0.5 })).toThrow(RangeError);
    expect(() => responseRateByPercentile(sk.y, sk.u, sk.t, 'control', { bins: 9999 })).toThrow(RangeError);
    expect(() => weightedAverageUplift(sk.y, sk.u, sk.t, { strategy: 'new_strategy' as 'overall', bins: 1 })).toThrow(RangeError);
    expect(() => upliftByPercentile(sk.y, sk.u, sk.t, { bins: 9999 })).toThrow(RangeError);
  });

  it('treatment_balance_curve', () => {
    const c = treatmentBalanceCurve(sk.u, sk.t, 2);
    expectClose(c.x, [1, 100]);
    expectClose(c.y, [1, 0.5]);
  });

  it('non-binary or one-valued outcomes and treatments are rejected', () => {
    expect(() => upliftCurve([0, 1, 2], [0.1, 0.3, 0.9], [0, 1, 0])).toThrow(RangeError);
    expect(() => upliftCurve([0, 0, 0], sk.u, sk.t)).toThrow(RangeError);
    expect(() => qiniCurve([1, 1, 1], sk.u, sk.t)).toThrow(RangeError);
    expect(() => qiniAucScore([1, 1], [0.1, 0.3], [0, 1])).toThrow(RangeError);
    expect(() => perfectQiniCurve(sk.y, [1, 1, 1])).toThrow(RangeError);
    expect(() => upliftCurve(sk.y, [0.1, 0.2], sk.t)).toThrow(/same length/);
    expect(() => upliftCurve(sk.y, [0.1, Number.NaN, 0.3], sk.t)).toThrow(/finite/);
  });
});

// Twelve rows with ties, fed to the real sklift 0.5.1 metrics.py (numpy 2.4; sklearn's auc and stable_cumsum are a
// trapezoid and a float64 cumsum), and the printed results copied here.
describe('a tied, twelve-row case against sklift 0.5.1 output', () => {
  const y = [1, 1, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1];
  const t = [1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0];
  const u = [0.9, 0.3, 0.3, 0.7, -0.2, 0.3, 0.1, 0.5, 0.5, -0.4, 0.0, 0.7];

  it('curves', () => {
    const uc = upliftCurve(y, u, t);
    expectClose(uc.x, [0, 1, 3, 5, 8, 9, 10, 11, 12]);
    expectClose(uc.y, [0, 1, 0, 0.8333333333333331, -0.5333333333333332, -1.35, 0, 1.0999999999999996, 1.9999999999999996]);
    const qc = qiniCurve(y, u, t);
    expectClose(qc.x, uc.x);
    expectClose(qc.y, [0, 1, 0, 0.5, -0.3333333333333335, -0.75, 0, 0.5, 1]);
    const puc = perfectUpliftCurve(y, t);
    expectClose(puc.x, [0, 4, 7, 10, 12]);
    expectClose(puc.y, [0, 4, 7, 5, 1.9999999999999996]);
    const pqc = perfectQiniCurve(y, t);
    expectClose(pqc.x, [0, 4, 9, 12]);
    expectClose(pqc.y, [0, 4, 4, 1]);
    const flat = perfectQiniCurve(y, t, false);
    expectClose(flat.x, [0, 1, 12]);
    expectClose(flat.y, [0, 1, 1]);
  });

  it('scores', () => {
    expect(upliftAucScore(y, u, t)).toBeCloseTo(-0.2328888888888888, 12);
    expect(qiniAucScore(y, u, t)).toBeCloseTo(-0.12429378531073447, 12);
    expect(qiniAucScore(y, u, t, false)).toBeCloseTo(-0.6666666666666667, 12);
    expect(upliftAtK(y, u, t, { strategy: 'overall', k: 0.3 })).toBeCloseTo(0, 12);
    expect(upliftAtK(y, u, t, { strategy: 'overall' })).toBeCloseTo(0, 12);
    expect(upliftAtK(y, u, t, { strategy: 'overall', k: 4 })).toBeCloseTo(-0.33333333333333337, 12);
    expect(upliftAtK(y, u, t, { strategy: 'by_group', k: 4 })).toBeCloseTo(-0.25, 12);
    expect(weightedAverageUplift(y, u, t, { strategy: 'overall', bins: 3 })).toBeCloseTo(-0.055555555555555546, 12);
    expect(weightedAverageUplift(y, u, t, { strategy: 'by_group', bins: 3 })).toBeCloseTo(0.16666666666666666, 12);
  });

  it("bin labels use Python's round-half-even, as sklift's do", () => {
    const rows = upliftByPercentile(y, u, t, { bins: 8 });
    expect(rows.map((r) => r.percentile)).toEqual(['0-12', '12-25', '25-38', '38-50', '50-62', '62-75', '75-88', '88-100']);
  });
});

describe('auc', () => {
  it('integrates by trapezoids in either direction and refuses a zigzag x', () => {
    expect(auc([0, 1, 2], [0, 1, 0])).toBe(1);
    expect(auc([2, 1, 0], [0, 1, 0])).toBe(1);
    expect(() => auc([0, 2, 1], [0, 1, 0])).toThrow(/neither increasing nor decreasing/);
    expect(() => auc([0], [0])).toThrow(RangeError);
  });
});

// A separate, deliberately naive computation: a row is in the top n when fewer than n rows rank above it, where a row
// ranks above another with a higher score or, at equal scores, a later position (numpy's reversed stable argsort).
function naiveTop(u: readonly number[], n: number): Set<number> {
  const top = new Set<number>();
  u.forEach((ui, i) => {
    let above = 0;
    u.forEach((uj, j) => {
      if (uj > ui || (uj === ui && j > i)) above++;
    });
    if (above < n) top.add(i);
  });
  return top;
}

function naiveRate(rows: Iterable<number>, y: readonly number[], t: readonly number[], arm: number): number {
  let n = 0;
  let s = 0;
  for (const i of rows) {
    if (t[i] === arm) {
      n++;
      s += y[i] as number;
    }
  }
  return s / n;
}

function randomCase(seed: number) {
  const rng = xoroshiro128plus(seed);
  const n = uniformInt(rng, 20, 120);
  const levels = uniformInt(rng, 2, 15); // few levels, so many ties
  const t = Array.from({ length: n }, () => uniformInt(rng, 0, 1));
  const u = Array.from({ length: n }, () => uniformInt(rng, 0, levels) / levels - 0.5);
  // the outcome leans on the score for treated rows, so the metrics are not all near zero
  const y = u.map((ui, i) => (uniformInt(rng, 0, 99) < 30 + (t[i] === 1 ? 40 * ui : 0) ? 1 : 0));
  t[0] = 0;
  t[1] = 1;
  y[0] = 0;
  y[1] = 1;
  return { y, t, u, n };
}

describe('against naive recomputation on random tied data', () => {
  it('uplift@k overall and by_group, shares and counts', () => {
    for (let seed = 0; seed < 60; seed++) {
      const { y, t, u, n } = randomCase(seed);
      for (const k of [0.1, 0.3, 0.5, 0.9, 7]) {
        const size = Number.isInteger(k) ? k : Math.trunc(n * k);
        const top = naiveTop(u, size);
        const expected = naiveRate(top, y, t, 1) - naiveRate(top, y, t, 0);
        const got = upliftAtK(y, u, t, { strategy: 'overall', k });
        if (Number.isNaN(expected)) expect(got).toBeNaN();
        else expect(got).toBeCloseTo(expected, 12);

        const arm = (a: number) => u.map((ui, i) => (t[i] === a ? ui : Number.NEGATIVE_INFINITY));
        const armSize = (a: number) => (Number.isInteger(k) ? k : Math.trunc(t.filter((v) => v === a).length * k));
        if (armSize(0) > t.filter((v) => v === 0).length || armSize(1) > t.filter((v) => v === 1).length) continue;
        // Each arm's own top: push the other arm below every score, then take the arm's first rows.
        const topT = [...naiveTop(arm(1), armSize(1))].filter((i) => t[i] === 1);
        const topC = [...naiveTop(arm(0), armSize(0))].filter((i) => t[i] === 0);
        const byGroup = naiveRate(topT, y, t, 1) - naiveRate(topC, y, t, 0);
        const gotByGroup = upliftAtK(y, u, t, { strategy: 'by_group', k });
        if (Number.isNaN(byGroup)) expect(gotByGroup).toBeNaN();
        else expect(gotByGroup).toBeCloseTo(byGroup, 12);
      }
    }
  });

  it('the Qini and uplift curves, point by point at each distinct score', () => {
    for (let seed = 100; seed < 140; seed++) {
      const { y, t, u } = randomCase(seed);
      const thresholds = [...new Set(u)].sort((a, b) => b - a);
      const qini = [0];
      const up = [0];
      const xs = [0];
      for (const th of thresholds) {
        const rows = u.flatMap((ui, i) => (ui >= th ? [i] : []));
        const nt = rows.filter((i) => t[i] === 1).length;
        const nc = rows.length - nt;
        const yt = rows.filter((i) => t[i] === 1 && y[i] === 1).length;
        const yc = rows.filter((i) => t[i] === 0 && y[i] === 1).length;
        xs.push(rows.length);
        qini.push(yt - (nc > 0 ? (yc * nt) / nc : 0));
        up.push(((nt > 0 ? yt / nt : 0) - (nc > 0 ? yc / nc : 0)) * rows.length);
      }
      const qc = qiniCurve(y, u, t);
      expectClose(qc.x, xs);
      expectClose(qc.y, qini);
      const uc = upliftCurve(y, u, t);
      expectClose(uc.x, xs);
      expectClose(uc.y, up);
    }
  });

  it('a score that ranks like the perfect curve scores 1, its reverse scores below random', () => {
    for (let seed = 200; seed < 220; seed++) {
      const { y, t } = randomCase(seed);
      const perfect = y.map((yi, i) => yi * (t[i] as number) - yi * (1 - (t[i] as number)));
      expect(qiniAucScore(y, perfect, t)).toBeCloseTo(1, 12);
      expect(
        qiniAucScore(
          y,
          perfect.map((p) => -p),
          t,
        ),
      ).toBeLessThan(0);
    }
  });

  it('descendingOrder is a reversed stable ascending sort', () => {
    expect(descendingOrder([1, 3, 1, 3, 2])).toEqual([3, 1, 4, 2, 0]);
  });
});
