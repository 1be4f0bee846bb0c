import type { Queryable } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import { sampleSizeForMeans, sampleSizeForProportions, type Alternative } from './domain/sample-size.ts';
import { perfectQiniCurve, qiniCurve, upliftCurve, type Curve } from './domain/uplift-metrics.ts';
import { evaluateUplift, type UpliftEvaluation, type UpliftModelKind, type UpliftRow } from './domain/uplift-models.ts';
import { API_NAMES, load, pickArmAndOutcome, type OptionNames } from './experiments.service.ts';

// Planning and targeting on top of a stored experiment: uplift models scored on held-out customers, and sample sizes.

export type UpliftOptions = {
  treatment?: string | undefined;
  outcome?: string | undefined;
  split?: number;
  seed?: number;
  model?: UpliftModelKind;
  curvePoints?: number;
};

export type UpliftResult = Omit<UpliftEvaluation, 'model' | 'seed'> & {
  experiment: string;
  treatment: string;
  control: string;
  outcome: string;
  model: UpliftModelKind;
  split: number;
  seed: number;
  features: string[];
  curves: { qini: Curve; perfectQini: Curve; uplift: Curve };
};

/** At most `max` points of a curve, evenly spaced along it, always keeping the first and the last. */
export function downsampleCurve(curve: Curve, max: number): Curve {
  const n = curve.x.length;
  if (n <= max) return { x: [...curve.x], y: [...curve.y] };
  const idx = Array.from({ length: max }, (_, i) => Math.round((i * (n - 1)) / (max - 1)));
  return { x: idx.map((i) => curve.x[i] as number), y: idx.map((i) => curve.y[i] as number) };
}

/**
 * Fits an uplift model on a seeded, stratified share of the treatment and control arms and scores it on the rest:
 * the Qini coefficient, the normalised AUUC and uplift@30% as scikit-uplift 0.5 defines them, and the test set's
 * Qini and uplift curves (at most `curvePoints` points each, 200 by default) for plotting.
 */
export async function evaluateExperimentUplift(
  q: Queryable,
  name: string,
  opts: UpliftOptions,
  names: OptionNames = API_NAMES,
): Promise<UpliftResult> {
  const split = opts.split ?? 0.5;
  const seed = opts.seed ?? 0;
  const model = opts.model ?? 'two-model';
  const curvePoints = opts.curvePoints ?? 200;
  if (!(split > 0 && split < 1))
    throw new AppError('VALIDATION_FAILED', `split: the share held out for testing must be strictly between 0 and 1, got ${split}.`, {
      fields: [{ field: 'split', message: 'out of range' }],
    });
  if (!Number.isSafeInteger(seed))
    throw new AppError('VALIDATION_FAILED', `seed: must be a whole number, got ${seed}.`, {
      fields: [{ field: 'seed', message: 'not an integer' }],
    });
  if (model !== 'two-model' && model !== 'class-transformation') {
    throw new AppError('VALIDATION_FAILED', `model: unknown model '${String(model)}'; use 'two-model' or 'class-transformation'.`, {
      fields: [{ field: 'model', message: 'unknown' }],
    });
  }
  if (!Number.isInteger(curvePoints) || curvePoints < 2)
    throw new AppError('VALIDATION_FAILED', `curvePoints: must be a whole number of at least 2.`, {
      fields: [{ field: 'curvePoints', message: 'too small' }],
    });
  const { experiment: e, subjects } = await load(q, name);
  const { arm, outcome } = pickArmAndOutcome(e, opts.treatment, opts.outcome, names, true);
  const numeric = e.features.map((f) => f.kind === 'numeric');
  const rows: UpliftRow[] = [];
  for (const s of subjects) {
    if (s.arm !== arm && s.arm !== e.controlArm) continue;
    const outcomes: Record<string, number> = {};
    e.outcomes.forEach((o, k) => (outcomes[o.name] = s.outcomes[k] as number));
    const features: Record<string, number | string> = {};
    e.features.forEach((f, k) => (features[f.name] = numeric[k] ? Number(s.features[k]) : (s.features[k] as string)));
    rows.push({ arm: s.arm, outcomes, features });
  }
  let r;
  try {
    r = evaluateUplift(rows, {
      treatmentArm: arm,
      controlArm: e.controlArm,
      outcome: outcome.name,
      split,
      seed,
      model,
      features: e.modelFeatures,
      keepScores: true,
    });
  } catch (err) {
    if (err instanceof RangeError)
      throw new AppError('EXPERIMENTS_CANNOT_EVALUATE', `The uplift model cannot be evaluated: ${err.message}.`, {
        treatment: arm,
        outcome: outcome.name,
        split,
      });
    throw err;
  }
  const sc = r.scores as { y: number[]; treatment: number[]; uplift: number[] };
  return {
    experiment: e.name,
    treatment: arm,
    control: e.controlArm,
    outcome: outcome.name,
    model: r.model,
    split,
    seed,
    qini: r.qini,
    auuc: r.auuc,
    upliftAt30: r.upliftAt30,
    testUplift: r.testUplift,
    n: r.n,
    features: e.modelFeatures,
    columns: r.columns,
    curves: {
      qini: downsampleCurve(qiniCurve(sc.y, sc.uplift, sc.treatment), curvePoints),
      perfectQini: downsampleCurve(perfectQiniCurve(sc.y, sc.treatment), curvePoints),
      uplift: downsampleCurve(upliftCurve(sc.y, sc.uplift, sc.treatment), curvePoints),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Sample size

export type SampleSizeOptions =
  | { baseline: number; lift: number; liftType?: 'absolute' | 'relative'; alpha?: number; power?: number; alternative?: Alternative }
  | { delta: number; sd: number; alpha?: number; power?: number; alternative?: Alternative };

export type SampleSizeResult = {
  design: 'proportions' | 'means';
  perArm: number;
  total: number;
  alpha: number;
  power: number;
  alternative: Alternative;
  method: string;
} & Record<string, unknown>;

/**
 * Customers per arm to detect a lift in a rate (R's power.prop.test) or a difference in a mean (power.t.test).
 * Throws VALIDATION_FAILED with the domain's message on values out of range.
 */
export function planSampleSize(opts: SampleSizeOptions): SampleSizeResult {
  const alpha = opts.alpha ?? 0.05;
  const power = opts.power ?? 0.8;
  const alternative = opts.alternative ?? 'two-sided';
  try {
    if ('baseline' in opts) {
      const liftType = opts.liftType ?? 'absolute';
      const r = sampleSizeForProportions({ baseline: opts.baseline, lift: opts.lift, liftType, alpha, power, alternative });
      return {
        design: 'proportions',
        perArm: r.perArm,
        total: 2 * r.perArm,
        alpha,
        power,
        alternative,
        baseline: r.p1,
        target: r.p2,
        liftType,
        method: "two proportions, normal approximation (R's power.prop.test)",
      };
    }
    const r = sampleSizeForMeans({ delta: opts.delta, sd: opts.sd, alpha, power, alternative });
    return {
      design: 'means',
      perArm: r.perArm,
      total: 2 * r.perArm,
      alpha,
      power,
      alternative,
      delta: opts.delta,
      sd: opts.sd,
      method: "two-sample t-test, noncentral t (R's power.t.test)",
    };
  } catch (e) {
    if (e instanceof RangeError) {
      const field = /^(\w+)/.exec(e.message)?.[1] ?? 'query';
      throw new AppError('VALIDATION_FAILED', `${e.message}.`, { fields: [{ field, message: e.message }] });
    }
    throw e;
  }
}
