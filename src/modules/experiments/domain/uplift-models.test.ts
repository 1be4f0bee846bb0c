import { describe, expect, it } from 'vitest';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { qiniAucScore } from './uplift-metrics.ts';
import {
  encodeFeatures,
  evaluateUplift,
  fitClassTransformation,
  fitFeatureEncoding,
  fitLogistic,
  fitTwoModel,
  predictLogistic,
  stratifiedSplit,
  type UpliftRow,
} from './uplift-models.ts';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * A synthetic randomised experiment: x1 uniform on [−1, 1], x2 standard-ish noise, c a category. The treatment raises
 * the log-odds by 2·x1 (so it helps where x1 > 0 and harms where x1 < 0); category 'b' raises the base rate.
 */
function experiment(n: number, seed: number, treatedShare = 0.5) {
  const rng = xoroshiro128plus(seed);
  const u = () => uniformFloat64(rng);
  const rows: UpliftRow[] = [];
  const trueUplift: number[] = [];
  for (let i = 0; i < n; i++) {
    const x1 = 2 * u() - 1;
    const x2 = u() + u() + u() - 1.5;
    const c = u() < 0.3 ? 'b' : u() < 0.5 ? 'a' : 'c';
    const treated = u() < treatedShare;
    const base = -0.5 + 0.8 * x2 + (c === 'b' ? 0.7 : 0);
    const p1 = sigmoid(base + 2 * x1);
    const p0 = sigmoid(base);
    trueUplift.push(p1 - p0);
    rows.push({
      arm: treated ? 'mail' : 'none',
      outcomes: { bought: u() < (treated ? p1 : p0) ? 1 : 0 },
      features: { x1, x2, c },
    });
  }
  return { rows, trueUplift };
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  a.forEach((v, i) => {
    const w = (b[i] as number) - mb;
    sab += (v - ma) * w;
    saa += (v - ma) ** 2;
    sbb += w * w;
  });
  return sab / Math.sqrt(saa * sbb);
}

describe('feature encoding', () => {
  const rows = [
    { zip: 'Urban', recency: 3, web: 1 },
    { zip: 'Rural', recency: 10, web: 0 },
    { zip: 'Surburban', recency: 1, web: 1 },
  ];

  it('numbers as they are, strings one-hot, in an order that does not depend on the rows', () => {
    const enc = fitFeatureEncoding(rows);
    expect(enc.columns).toEqual(['recency', 'web', 'zip=Rural', 'zip=Surburban', 'zip=Urban']);
    expect(fitFeatureEncoding([...rows].reverse())).toEqual(enc);
    expect(encodeFeatures(enc, { zip: 'Urban', recency: 3, web: 1 })).toEqual([3, 1, 0, 0, 1]);
  });

  it('an unseen level encodes as zeros; missing or non-finite values are refused', () => {
    const enc = fitFeatureEncoding(rows);
    expect(encodeFeatures(enc, { zip: 'Coastal', recency: 2, web: 0 })).toEqual([2, 0, 0, 0, 0]);
    expect(() => encodeFeatures(enc, { zip: 'Urban', web: 0 })).toThrow(/recency/);
    expect(() => encodeFeatures(enc, { zip: 'Urban', recency: Number.NaN, web: 0 })).toThrow(/recency/);
    expect(() => fitFeatureEncoding([{ a: 1 }, { b: 2 }], ['a'])).toThrow(/row 1/);
    expect(() => fitFeatureEncoding([{ a: Number.POSITIVE_INFINITY }])).toThrow(RangeError);
  });

  it('a feature with any string value is categorical, its numbers become levels', () => {
    const enc = fitFeatureEncoding([{ size: 'L' }, { size: 2 }]);
    expect(enc.columns).toEqual(['size=2', 'size=L']);
    expect(encodeFeatures(enc, { size: 2 })).toEqual([1, 0]);
  });
});

describe('logistic regression', () => {
  it('recovers the coefficients that generated the data', () => {
    const rng = xoroshiro128plus(11);
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const x = [uniformFloat64(rng) * 4 - 2, uniformFloat64(rng) * 10];
      X.push(x);
      y.push(uniformFloat64(rng) < sigmoid(0.5 + 1.5 * (x[0] as number) - 0.3 * (x[1] as number)) ? 1 : 0);
    }
    const model = fitLogistic(X, y, { l2: 0 });
    // back to the original scale of the columns
    const b = model.coefficients.map((c, j) => c / (model.scale[j] as number));
    expect(b[0]).toBeCloseTo(1.5, 1);
    expect(b[1]).toBeCloseTo(-0.3, 1);
    const intercept = model.intercept - b.reduce((s, bj, j) => s + bj * (model.mean[j] as number), 0);
    expect(intercept).toBeCloseTo(0.5, 1);
    const [p] = predictLogistic(model, [[1, 2]]);
    expect(p).toBeCloseTo(sigmoid(0.5 + 1.5 - 0.6), 1);
  });

  it('stays finite on separable data and ignores a constant column', () => {
    const X = [
      [0, 5],
      [1, 5],
      [2, 5],
      [3, 5],
    ];
    const model = fitLogistic(X, [0, 0, 1, 1], { l2: 1e-3 });
    expect(model.coefficients.every(Number.isFinite)).toBe(true);
    expect(model.coefficients[1]).toBe(0);
    const p = predictLogistic(model, X);
    expect(p[0]).toBeLessThan(0.5);
    expect(p[3]).toBeGreaterThan(0.5);
  });

  it('rejects labels other than 0/1 and mismatched lengths', () => {
    expect(() => fitLogistic([[1], [2]], [0, 2])).toThrow(RangeError);
    expect(() => fitLogistic([[1], [2]], [0])).toThrow(RangeError);
    expect(() => fitLogistic([], [])).toThrow(RangeError);
  });
});

describe('uplift learners on a synthetic experiment', () => {
  const train = experiment(8_000, 1);
  const test = experiment(4_000, 2);
  const encoding = fitFeatureEncoding(train.rows.map((r) => r.features));
  const encode = (rows: UpliftRow[]) => rows.map((r) => encodeFeatures(encoding, r.features));
  const y = (rows: UpliftRow[]) => rows.map((r) => r.outcomes.bought as number);
  const t = (rows: UpliftRow[]) => rows.map((r) => (r.arm === 'mail' ? 1 : 0));

  for (const fit of [fitTwoModel, fitClassTransformation]) {
    it(`${fit.name} ranks customers by their true uplift`, () => {
      const model = fit(encode(train.rows), y(train.rows), t(train.rows));
      const predicted = model.predictUplift(encode(test.rows));
      expect(pearson(predicted, test.trueUplift)).toBeGreaterThan(0.8);
      // against the Qini coefficient of the true uplift, the best any model can rank on this sample
      const oracle = qiniAucScore(y(test.rows), test.trueUplift, t(test.rows));
      expect(qiniAucScore(y(test.rows), predicted, t(test.rows))).toBeGreaterThan(0.8 * oracle);
      // a score that ignores the features ranks at random
      expect(
        qiniAucScore(
          y(test.rows),
          predicted.map(() => 0),
          t(test.rows),
        ),
      ).toBeCloseTo(0, 9);
    });
  }

  it('class transformation reweights an unequal treated share, so the average uplift is not biased', () => {
    const skewed = experiment(20_000, 3, 0.8);
    const X = encode(skewed.rows);
    const model = fitClassTransformation(X, y(skewed.rows), t(skewed.rows));
    const mean = (a: readonly number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const truth = mean(skewed.trueUplift);
    expect(mean(model.predictUplift(X))).toBeCloseTo(truth, 1);
    // Without the weights, 2·P(Z=1) − 1 is off by about (2·share − 1)·(2·base rate − 1) ≈ 0.6·(−0.2), far beyond 0.05.
    const treatment = t(skewed.rows);
    const z = y(skewed.rows).map((yi, i) => (yi === treatment[i] ? 1 : 0));
    const naive = predictLogistic(fitLogistic(X, z), X).map((p) => 2 * p - 1);
    expect(Math.abs(mean(naive) - truth)).toBeGreaterThan(0.05);
  });

  it('refuses a treatment without both arms', () => {
    expect(() => fitTwoModel([[1], [2]], [0, 1], [1, 1])).toThrow(/both/);
    expect(() => fitClassTransformation([[1], [2]], [0, 1], [0, 2])).toThrow(RangeError);
  });
});

describe('stratified split', () => {
  const strata = Array.from({ length: 1_000 }, (_, i) => (i % 10 === 0 ? 3 : i % 3));

  it('keeps each stratum in proportion, covers every row once, and repeats for a seed', () => {
    const a = stratifiedSplit(strata, 0.5, 7);
    expect([...a.train, ...a.test].sort((x, y) => x - y)).toEqual(strata.map((_, i) => i));
    for (const s of [0, 1, 2, 3]) {
      const size = strata.filter((v) => v === s).length;
      expect(a.test.filter((i) => strata[i] === s)).toHaveLength(Math.round(size / 2));
    }
    expect(stratifiedSplit(strata, 0.5, 7)).toEqual(a);
    expect(stratifiedSplit(strata, 0.5, 8).test).not.toEqual(a.test);
  });

  it('refuses shares outside (0, 1)', () => {
    expect(() => stratifiedSplit(strata, 1, 0)).toThrow(RangeError);
    expect(() => stratifiedSplit(strata, 0, 0)).toThrow(RangeError);
  });
});

describe('evaluateUplift', () => {
  const { rows } = experiment(6_000, 5);
  const options = { treatmentArm: 'mail', controlArm: 'none', outcome: 'bought', split: 0.5, seed: 3 };

  it('scores both learners on the held-out half, the same way for the same seed', () => {
    for (const model of ['two-model', 'class-transformation'] as const) {
      const result = evaluateUplift(rows, { ...options, model });
      expect(result.model).toBe(model);
      expect(result.n.train + result.n.test).toBe(6_000);
      expect(result.n.testTreated + result.n.testControl).toBe(result.n.test);
      expect(result.columns).toEqual(['x1', 'x2', 'c=a', 'c=b', 'c=c']);
      expect(result.qini).toBeGreaterThan(0.1);
      expect(result.upliftAt30).toBeGreaterThan(result.testUplift);
      expect(evaluateUplift(rows, { ...options, model })).toEqual(result);
    }
  });

  it('ignores rows of other arms and uses only the features asked for', () => {
    const extra: UpliftRow[] = [...rows, { arm: 'sms', outcomes: { bought: 7 }, features: {} }];
    const result = evaluateUplift(extra, { ...options, features: ['x1'] });
    expect(result.columns).toEqual(['x1']);
    expect(result.n.train + result.n.test).toBe(6_000);
  });

  it('says what is wrong with its input', () => {
    expect(() => evaluateUplift(rows, { ...options, treatmentArm: 'push' })).toThrow(/no rows in the treatment arm 'push'/);
    expect(() => evaluateUplift(rows, { ...options, controlArm: 'mail' })).toThrow(/must differ/);
    expect(() => evaluateUplift(rows, { ...options, outcome: 'visit' })).toThrow(/outcome 'visit' must be 0 or 1/);
    expect(() => evaluateUplift(rows, { ...options, split: 1.5 })).toThrow(/test share/);
  });
});
