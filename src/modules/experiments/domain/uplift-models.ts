// Uplift models: who gains from a treatment, learnt from a randomised experiment's treated and control arms.
//
// Base learner: ridge-penalised logistic regression fitted by Newton's method, written here (with ml-matrix for the
// linear solves). scikit-uplift's Hillstrom example boosts trees with XGBoost; the alternatives available in Node
// were measured on that data (Womens E-Mail vs No E-Mail, target visit, 21,346 training rows, seeds 0..9):
// - ml-cart (which ml-random-forest also uses for its trees) tries every label change of every feature as a split
//   and re-scans all rows for each, so a node costs O(n²): a depth-3 regression tree takes 0.3 s on 1,000 rows and
//   1.1 s on 2,000, so about half a minute on one arm of the training half (10,700 rows). Only subsamples are
//   practical, and they rank worse. A two-model learner of ml-random-forest classifiers (20 trees, depth 5, 2,000
//   shuffled rows per arm: its maxSamples takes the first rows) gave uplift@30% 0.041 and a Qini coefficient of
//   about 0 on seeds 0..2, 10 s a split. Gradient boosting on ml-cart regression trees (logistic loss, 30 untuned
//   rounds of depth 3 on 1,500-row subsamples) gave 0.065 and 0.037 on the same seeds, 86 s a split.
// - Logistic regression on the plain features (numbers standardised, categories one-hot) reaches a mean uplift@30%
//   of 0.074 and a Qini coefficient of 0.068 over seeds 0..9 as a two-model learner (0.074, 0.071, 0.075 on seeds
//   0..2), and 0.074 and 0.064 by class transformation, against 0.066 for sklift's XGBoost example; about 0.5 s a
//   split. The two-model learner is the default: the same uplift@30%, a higher Qini. Adding squares, recency dummies
//   and interactions lowered both figures (overfitting of the difference), so the features stay plain.
// Training has no randomness: the same rows give the same model. The seed only draws the train/test split.

import { Matrix, solve } from 'ml-matrix';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { qiniAucScore, upliftAtK, upliftAucScore } from './uplift-metrics.ts';

/** One customer of an experiment: the arm they were in, their outcomes by name, and their features. */
export type UpliftRow = { arm: string; outcomes: Record<string, number>; features: Record<string, number | string> };

/** How feature values become model columns: numeric features as they are, categorical ones one-hot. */
export type FeatureEncoding = {
  numeric: string[];
  categorical: { name: string; levels: string[] }[];
  /** Column names, in the order encode() writes them: numeric features, then `name=level` per categorical level. */
  columns: string[];
};

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Decide the columns from the training rows. A feature is numeric when every row has a finite number for it, and
 * categorical when any row has a string; levels are the distinct strings (numbers among them are written as strings),
 * sorted by code units so the encoding does not depend on the locale or the row order. Throws RangeError when a
 * feature is missing from a row or a number is not finite.
 */
export function fitFeatureEncoding(rows: readonly Record<string, number | string>[], names?: readonly string[]): FeatureEncoding {
  const features = [...(names ?? Object.keys(rows[0] ?? {}))].sort(byCodeUnits);
  const numeric: string[] = [];
  const categorical: { name: string; levels: string[] }[] = [];
  for (const name of features) {
    const levels = new Set<string>();
    let isCategorical = false;
    rows.forEach((row, i) => {
      const v = Object.hasOwn(row, name) ? row[name] : undefined;
      if (v === undefined) throw new RangeError(`row ${i} has no value for feature '${name}'`);
      if (typeof v === 'string') isCategorical = true;
      else if (!Number.isFinite(v)) throw new RangeError(`row ${i}: feature '${name}' is ${v}, not a finite number`);
      levels.add(String(v));
    });
    if (isCategorical) categorical.push({ name, levels: [...levels].sort(byCodeUnits) });
    else numeric.push(name);
  }
  const columns = [...numeric, ...categorical.flatMap((c) => c.levels.map((l) => `${c.name}=${l}`))];
  return { numeric, categorical, columns };
}

/**
 * One row's model columns. A categorical level not seen in training encodes as all zeros, so none of that feature's
 * level coefficients applies to it; a missing or non-finite numeric value throws RangeError.
 */
export function encodeFeatures(encoding: FeatureEncoding, features: Record<string, number | string>): number[] {
  const out: number[] = [];
  for (const name of encoding.numeric) {
    const v = Object.hasOwn(features, name) ? features[name] : undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`feature '${name}' must be a finite number, got ${String(v)}`);
    out.push(v);
  }
  for (const { name, levels } of encoding.categorical) {
    const v = Object.hasOwn(features, name) ? features[name] : undefined;
    if (v === undefined) throw new RangeError(`feature '${name}' is missing`);
    const level = String(v);
    for (const l of levels) out.push(l === level ? 1 : 0);
  }
  return out;
}

/** Options of the logistic base learner. */
export type LogisticOptions = {
  /** Ridge penalty per row on the standardised coefficients (not the intercept); default 1e-4. */
  l2?: number;
  /** Newton iterations at most; default 50. */
  maxIterations?: number;
};

/** A fitted logistic regression on standardised columns. */
export type LogisticModel = { mean: number[]; scale: number[]; intercept: number; coefficients: number[] };

function standardisation(X: readonly (readonly number[])[], weights: readonly number[]): { mean: number[]; scale: number[] } {
  const p = X[0]?.length ?? 0;
  const mean = new Array<number>(p).fill(0);
  const scale = new Array<number>(p).fill(0);
  const total = weights.reduce((s, w) => s + w, 0);
  X.forEach((x, i) => x.forEach((v, j) => (mean[j] = (mean[j] as number) + ((weights[i] as number) * v) / total)));
  X.forEach((x, i) =>
    x.forEach((v, j) => (scale[j] = (scale[j] as number) + ((weights[i] as number) * (v - (mean[j] as number)) ** 2) / total)),
  );
  // A constant column gets scale 1: it then carries nothing, and the ridge keeps its coefficient at 0.
  return { mean, scale: scale.map((s) => (s > 0 ? Math.sqrt(s) : 1)) };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Weighted ridge logistic regression by Newton's method (iteratively reweighted least squares). Deterministic; the
 * penalty keeps the fit finite even when a column separates the classes. Throws RangeError on mismatched lengths,
 * labels other than 0/1, or negative weights.
 */
export function fitLogistic(
  X: readonly (readonly number[])[],
  y: readonly number[],
  options: LogisticOptions & { weights?: readonly number[] } = {},
): LogisticModel {
  const { l2 = 1e-4, maxIterations = 50 } = options;
  const n = X.length;
  const weights = options.weights ?? new Array<number>(n).fill(1);
  if (y.length !== n || weights.length !== n) throw new RangeError('X, y and weights must have the same length');
  if (n === 0) throw new RangeError('cannot fit a model on no rows');
  if (y.some((v) => v !== 0 && v !== 1)) throw new RangeError('labels must be 0 or 1');
  if (weights.some((w) => !(w >= 0))) throw new RangeError('weights must be non-negative');
  const { mean, scale } = standardisation(X, weights);
  const p = mean.length + 1; // intercept first
  const Z = X.map((x) => [1, ...x.map((v, j) => (v - (mean[j] as number)) / (scale[j] as number))]);
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  const w = new Array<number>(p).fill(0);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const hessian = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    const gradient = new Array<number>(p).fill(0);
    Z.forEach((z, i) => {
      let eta = 0;
      for (let j = 0; j < p; j++) eta += (w[j] as number) * (z[j] as number);
      const mu = sigmoid(eta);
      const wi = weights[i] as number;
      const r = wi * (mu - (y[i] as number));
      const s = wi * mu * (1 - mu);
      for (let a = 0; a < p; a++) {
        const za = z[a] as number;
        gradient[a] = (gradient[a] as number) + r * za;
        const row = hessian[a] as number[];
        for (let b = a; b < p; b++) row[b] = (row[b] as number) + s * za * (z[b] as number);
      }
    });
    for (let a = 0; a < p; a++) {
      const row = hessian[a] as number[];
      for (let b = 0; b < a; b++) row[b] = (hessian[b] as number[])[a] as number;
      if (a > 0) {
        row[a] = (row[a] as number) + l2 * totalWeight;
        gradient[a] = (gradient[a] as number) + l2 * totalWeight * (w[a] as number);
      }
    }
    const step = solve(new Matrix(hessian), Matrix.columnVector(gradient)).to1DArray();
    let largest = 0;
    step.forEach((d, j) => {
      w[j] = (w[j] as number) - d;
      largest = Math.max(largest, Math.abs(d));
    });
    if (largest < 1e-10) break;
  }
  return { mean, scale, intercept: w[0] as number, coefficients: w.slice(1) };
}

/** Probability of the positive class for each row. */
export function predictLogistic(model: LogisticModel, X: readonly (readonly number[])[]): number[] {
  return X.map((x) => {
    let eta = model.intercept;
    x.forEach((v, j) => (eta += ((model.coefficients[j] as number) * (v - (model.mean[j] as number))) / (model.scale[j] as number)));
    return sigmoid(eta);
  });
}

/** The uplift learners offered. */
export type UpliftModelKind = 'two-model' | 'class-transformation';

/** A fitted uplift model: predicted uplift (treated minus control probability of the outcome) per row. */
export type UpliftModel = { kind: UpliftModelKind; predictUplift(X: readonly (readonly number[])[]): number[] };

function checkTreatment(y: readonly number[], treatment: readonly number[]): void {
  if (treatment.length !== y.length) throw new RangeError('y and treatment must have the same length');
  if (treatment.some((t) => t !== 0 && t !== 1)) throw new RangeError('treatment must be 0 or 1');
  if (!treatment.includes(0) || !treatment.includes(1)) throw new RangeError('both the treated and the control arm need rows');
}

/**
 * Two-model (T-) learner: one classifier on the treated, one on the controls; the uplift is the difference of their
 * predicted probabilities. Makes no assumption on the treated share.
 */
export function fitTwoModel(
  X: readonly (readonly number[])[],
  y: readonly number[],
  treatment: readonly number[],
  options: LogisticOptions = {},
): UpliftModel {
  checkTreatment(y, treatment);
  const arm = (t: number) => {
    const rows = treatment.flatMap((ti, i) => (ti === t ? [i] : []));
    return fitLogistic(
      rows.map((i) => X[i] as number[]),
      rows.map((i) => y[i] as number),
      options,
    );
  };
  const treated = arm(1);
  const control = arm(0);
  return {
    kind: 'two-model',
    predictUplift(rows) {
      const p1 = predictLogistic(treated, rows);
      const p0 = predictLogistic(control, rows);
      return p1.map((p, i) => p - (p0[i] as number));
    },
  };
}

/**
 * Class-transformation learner: one classifier for Z = Y·T + (1 − Y)(1 − T), and uplift = 2·P(Z = 1) − 1. That
 * identity needs a treated share of one half, independent of the features (a randomised test); with another share
 * the rows are weighted (treated 0.5/share, controls 0.5/(1 − share)) so that it holds for the weighted sample.
 */
export function fitClassTransformation(
  X: readonly (readonly number[])[],
  y: readonly number[],
  treatment: readonly number[],
  options: LogisticOptions = {},
): UpliftModel {
  checkTreatment(y, treatment);
  const share = treatment.reduce((s, t) => s + t, 0) / treatment.length;
  const weights = treatment.map((t) => (t === 1 ? 0.5 / share : 0.5 / (1 - share)));
  const z = y.map((yi, i) => (yi === treatment[i] ? 1 : 0));
  const model = fitLogistic(X, z, { ...options, weights });
  return { kind: 'class-transformation', predictUplift: (rows) => predictLogistic(model, rows).map((p) => 2 * p - 1) };
}

/**
 * Split row indices into train and test, each stratum (e.g. treatment × outcome) in the same proportion, as
 * sklearn's train_test_split(stratify=...) does (the draws differ: this uses xoroshiro128+ seeded with `seed`).
 * A stratum of m rows gives round(m · testShare) rows to the test set. Both lists come back in ascending order.
 */
export function stratifiedSplit(strata: readonly number[], testShare: number, seed: number): { train: number[]; test: number[] } {
  if (!(testShare > 0 && testShare < 1)) throw new RangeError(`the test share must be strictly between 0 and 1, got ${testShare}`);
  if (!Number.isInteger(seed)) throw new RangeError(`the seed must be an integer, got ${seed}`);
  const rng = xoroshiro128plus(seed);
  const groups = new Map<number, number[]>();
  strata.forEach((s, i) => {
    const group = groups.get(s);
    if (group) group.push(i);
    else groups.set(s, [i]);
  });
  const train: number[] = [];
  const test: number[] = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const rows = groups.get(key) as number[];
    for (let i = rows.length - 1; i > 0; i--) {
      const j = uniformInt(rng, 0, i);
      [rows[i], rows[j]] = [rows[j] as number, rows[i] as number];
    }
    const nTest = Math.round(rows.length * testShare);
    test.push(...rows.slice(0, nTest));
    train.push(...rows.slice(nTest));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

/** What evaluateUplift needs to know. */
export type EvaluateUpliftOptions = {
  treatmentArm: string;
  controlArm: string;
  /** Name of a 0/1 outcome in each row's `outcomes`. */
  outcome: string;
  /** Share of the rows held out for testing, e.g. 0.5. */
  split: number;
  seed: number;
  /** Default 'two-model'. */
  model?: UpliftModelKind;
  /** Features to use; default every feature of the first row of the two arms. */
  features?: readonly string[];
  logistic?: LogisticOptions;
  /** Also return the test set's outcomes, treatment flags and predicted uplift, for plotting the curves. */
  keepScores?: boolean;
};

/** The test set as scored: outcome, treatment flag (1 treated) and predicted uplift per row. */
export type TestScores = { y: number[]; treatment: number[]; uplift: number[] };

/** The test-set figures of one evaluation, as sklift computes them. */
export type UpliftEvaluation = {
  model: UpliftModelKind;
  seed: number;
  /** Qini coefficient (sklift qini_auc_score). */
  qini: number;
  /** Normalised area under the uplift curve (sklift uplift_auc_score). */
  auuc: number;
  /** Uplift among the 30% of the test set with the highest predicted uplift (sklift uplift_at_k, 'overall', 0.3). */
  upliftAt30: number;
  /** Treated minus control response rate on the whole test set: what targeting everyone would give. */
  testUplift: number;
  n: { train: number; test: number; testTreated: number; testControl: number };
  columns: string[];
  /** Only with `keepScores`. */
  scores?: TestScores;
};

/**
 * Fit an uplift model on a stratified (arm × outcome) share of an experiment's rows and score it on the rest. Rows
 * of other arms are ignored. Throws RangeError when an arm has no rows, the outcome is missing or not 0/1, or the
 * options are out of range.
 */
export function evaluateUplift(rows: readonly UpliftRow[], options: EvaluateUpliftOptions): UpliftEvaluation {
  const { treatmentArm, controlArm, outcome, split, seed, model = 'two-model' } = options;
  if (treatmentArm === controlArm) throw new RangeError('the treatment and control arms must differ');
  const kept = rows.filter((r) => r.arm === treatmentArm || r.arm === controlArm);
  const t = kept.map((r) => (r.arm === treatmentArm ? 1 : 0));
  if (!t.includes(1)) throw new RangeError(`no rows in the treatment arm '${treatmentArm}'`);
  if (!t.includes(0)) throw new RangeError(`no rows in the control arm '${controlArm}'`);
  const y = kept.map((r, i): number => {
    const v = Object.hasOwn(r.outcomes, outcome) ? r.outcomes[outcome] : undefined;
    if (v !== 0 && v !== 1) throw new RangeError(`row ${i}: outcome '${outcome}' must be 0 or 1, got ${String(v)}`);
    return v;
  });
  const { train, test } = stratifiedSplit(
    t.map((ti, i) => 2 * ti + (y[i] as number)),
    split,
    seed,
  );
  const encoding = fitFeatureEncoding(
    train.map((i) => (kept[i] as UpliftRow).features),
    options.features ?? Object.keys(kept[0]?.features ?? {}),
  );
  const X = kept.map((r) => encodeFeatures(encoding, r.features));
  const pick = <T>(values: readonly T[], idx: readonly number[]) => idx.map((i) => values[i] as T);
  const fit = model === 'two-model' ? fitTwoModel : fitClassTransformation;
  const fitted = fit(pick(X, train), pick(y, train), pick(t, train), options.logistic);
  const yTest = pick(y, test);
  const tTest = pick(t, test);
  const uplift = fitted.predictUplift(pick(X, test));
  const rate = (arm: number) => {
    const ys = yTest.filter((_, i) => tTest[i] === arm);
    return ys.reduce((s, v) => s + v, 0) / ys.length;
  };
  const testTreated = tTest.filter((v) => v === 1).length;
  return {
    model,
    seed,
    qini: qiniAucScore(yTest, uplift, tTest),
    auuc: upliftAucScore(yTest, uplift, tTest),
    upliftAt30: upliftAtK(yTest, uplift, tTest, { strategy: 'overall', k: 0.3 }),
    testUplift: rate(1) - rate(0),
    n: { train: train.length, test: test.length, testTreated, testControl: test.length - testTreated },
    columns: encoding.columns,
    ...(options.keepScores ? { scores: { y: yTest, treatment: tTest, uplift } } : {}),
  };
}
