import type { Queryable } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import { HILLSTROM_SPEC, type ExperimentSpec } from './domain/experiment-file.ts';
import { segmentEffects, type OutcomeKind, type SegmentEffect } from './domain/heterogeneity.ts';
import { bootstrapMean, meanInterval, newcombeDifference, summarize, welchDifference, wilsonInterval } from './domain/stats.ts';
import * as repo from './experiments.repository.ts';

export { HILLSTROM_SPEC, type ExperimentSpec };

/** Experiment files the import knows by name. */
export const EXPERIMENT_SOURCES: Record<string, ExperimentSpec> = { hillstrom: HILLSTROM_SPEC };

/** An experiment as the API and CLI show it. */
export type ExperimentDto = {
  id: string;
  name: string;
  source: string;
  arms: string[];
  controlArm: string;
  outcomes: { name: string; kind: 'binary' | 'continuous' }[];
  features: { name: string; kind: 'numeric' | 'categorical' }[];
  modelFeatures: string[];
  subjects: number;
  createdAt: string;
};

export function dto(e: repo.ExperimentRow): ExperimentDto {
  return { ...e, createdAt: new Date(e.createdAt).toISOString() };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

export async function listExperiments(q: Queryable): Promise<ExperimentDto[]> {
  return (await repo.listExperiments(q)).map(dto);
}

export async function getExperiment(q: Queryable, name: string): Promise<ExperimentDto> {
  const e = await repo.findExperimentByName(q, name);
  if (!e)
    throw new AppError(
      'EXPERIMENTS_NOT_FOUND',
      `No experiment is named '${name}'; import one with \`patron experiments import hillstrom FILE --name ${name}\`.`,
      { name },
    );
  return dto(e);
}

type Loaded = { experiment: ExperimentDto; subjects: repo.SubjectRow[] };

export async function load(q: Queryable, name: string): Promise<Loaded> {
  const experiment = await getExperiment(q, name);
  return { experiment, subjects: await repo.readSubjects(q, experiment.id) };
}

/** `spend` → `spendPerCustomer`, `visit` → `visitRate`, `add_to_cart` → `addToCartRate`. */
export function outcomeKey(o: { name: string; kind: OutcomeKind }): string {
  const camel = o.name
    .toLowerCase()
    .replace(/[^a-z0-9]+([a-z0-9])/g, (_, c: string) => c.toUpperCase())
    .replace(/[^a-zA-Z0-9]/g, '');
  return `${camel}${o.kind === 'binary' ? 'Rate' : 'PerCustomer'}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The report

export type ReportOptions = { confidence?: number; bootstrapSeed?: number; bootstrapReps?: number };

export type CiDto = { low: number; high: number; method: string };
export type ArmOutcomeDto =
  | { kind: 'binary'; successes: number; rate: number; ci: CiDto }
  | { kind: 'continuous'; total: number; mean: number; sd: number; ci: CiDto; bootstrapCi: CiDto & { reps: number; seed: number } };
export type ArmDto = { name: string; control: boolean; n: number; outcomes: Record<string, ArmOutcomeDto> } & Record<string, unknown>;
export type EffectDto = {
  arm: string;
  against: string;
  outcome: string;
  kind: OutcomeKind;
  key: string;
  effect: number;
  ciLow: number;
  ciHigh: number;
  relative: number | null;
  method: string;
};
export type ExperimentReport = {
  experiment: ExperimentDto;
  confidence: number;
  methods: Record<string, string>;
  overall: { n: number } & Record<string, number>;
  arms: ArmDto[];
  effects: EffectDto[];
};

const DEFAULT_BOOTSTRAP = { seed: 2008, reps: 2000 };

function checkConfidenceOption(c: number): number {
  if (!(c > 0 && c < 1))
    throw new AppError('VALIDATION_FAILED', `confidence: must be strictly between 0 and 1, got ${c}.`, {
      fields: [{ field: 'confidence', message: 'out of range' }],
    });
  return c;
}

/**
 * Per arm: n, each outcome's rate (0/1 outcomes, Wilson interval) or mean per customer (numeric outcomes, Student t
 * interval and a seeded percentile bootstrap); and each treatment arm against the control, in absolute terms, with
 * Newcombe's interval for rates and Welch's for means. Every interval says its method.
 */
export async function experimentReport(q: Queryable, name: string, opts: ReportOptions = {}): Promise<ExperimentReport> {
  const confidence = checkConfidenceOption(opts.confidence ?? 0.95);
  const seed = opts.bootstrapSeed ?? DEFAULT_BOOTSTRAP.seed;
  const reps = opts.bootstrapReps ?? DEFAULT_BOOTSTRAP.reps;
  if (!Number.isSafeInteger(seed))
    throw new AppError('VALIDATION_FAILED', `bootstrapSeed: must be a whole number, got ${seed}.`, {
      fields: [{ field: 'bootstrapSeed', message: 'not an integer' }],
    });
  if (!Number.isInteger(reps) || reps < 100 || reps > 100_000) {
    throw new AppError('VALIDATION_FAILED', `bootstrapReps: must be a whole number from 100 to 100000, got ${reps}.`, {
      fields: [{ field: 'bootstrapReps', message: 'out of range' }],
    });
  }
  const { experiment: e, subjects } = await load(q, name);
  const pct = Math.round(confidence * 1000) / 10;
  const byArm = new Map(e.arms.map((a) => [a, [] as repo.SubjectRow[]]));
  for (const s of subjects) byArm.get(s.arm)?.push(s);
  const column = (rows: readonly repo.SubjectRow[], k: number) => Float64Array.from(rows, (r) => r.outcomes[k] as number);

  const arms: ArmDto[] = e.arms.map((arm) => {
    const rows = byArm.get(arm) ?? [];
    const outcomes: Record<string, ArmOutcomeDto> = {};
    const flat: Record<string, number> = {};
    e.outcomes.forEach((o, k) => {
      const values = column(rows, k);
      if (o.kind === 'binary') {
        const successes = values.reduce((sum, v) => sum + v, 0);
        const ci = wilsonInterval(successes, rows.length, confidence);
        outcomes[o.name] = { kind: 'binary', successes, rate: ci.estimate, ci: { low: ci.low, high: ci.high, method: 'wilson' } };
        flat[outcomeKey(o)] = ci.estimate;
      } else {
        const summary = summarize(values);
        const t = meanInterval(summary, confidence);
        const b = bootstrapMean(values, { seed, reps, confidence });
        outcomes[o.name] = {
          kind: 'continuous',
          total: values.reduce((sum, v) => sum + v, 0),
          mean: summary.mean,
          sd: Math.sqrt(summary.variance),
          ci: { low: t.low, high: t.high, method: 't' },
          bootstrapCi: { low: b.low, high: b.high, method: 'percentile bootstrap', reps, seed },
        };
        flat[outcomeKey(o)] = summary.mean;
      }
    });
    return { name: arm, control: arm === e.controlArm, n: rows.length, ...flat, outcomes };
  });

  const overall: { n: number } & Record<string, number> = { n: subjects.length };
  e.outcomes.forEach((o, k) => {
    overall[outcomeKey(o)] = column(subjects, k).reduce((sum, v) => sum + v, 0) / subjects.length;
  });

  const control = byArm.get(e.controlArm) ?? [];
  const effects: EffectDto[] = [];
  for (const arm of e.arms) {
    if (arm === e.controlArm) continue;
    const treated = byArm.get(arm) ?? [];
    e.outcomes.forEach((o, k) => {
      const base = { arm, against: e.controlArm, outcome: o.name, kind: o.kind, key: outcomeKey(o) };
      const t = column(treated, k);
      const c = column(control, k);
      const interval =
        o.kind === 'binary'
          ? newcombeDifference(
              t.reduce((x, v) => x + v, 0),
              t.length,
              c.reduce((x, v) => x + v, 0),
              c.length,
              confidence,
            )
          : welchDifference(summarize(t), summarize(c), confidence);
      const controlMean = c.reduce((x, v) => x + v, 0) / c.length;
      effects.push({
        ...base,
        effect: interval.estimate,
        ciLow: interval.low,
        ciHigh: interval.high,
        relative: controlMean !== 0 ? interval.estimate / controlMean : null,
        method: o.kind === 'binary' ? 'newcombe' : 'welch',
      });
    });
  }

  return {
    experiment: e,
    confidence,
    methods: {
      armRate: `Wilson score interval (${pct}%)`,
      armMean: `Student t interval (${pct}%); also a percentile bootstrap (${reps} resamples, seed ${seed}, xoroshiro128+, type-7 quantiles)`,
      effectRate: `difference of proportions, treatment − control, Newcombe's hybrid score interval (${pct}%)`,
      effectMean: `difference of means, treatment − control, Welch's t interval (${pct}%)`,
    },
    overall,
    arms,
    effects,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Effects per segment

export type SegmentOptions = { by: string; treatment?: string | undefined; outcome?: string | undefined; confidence?: number };
/** How the CLI and the API name the options in messages (`--by` or `by`). */
export type OptionNames = { by: string; treatment: string; outcome: string };
export const API_NAMES: OptionNames = { by: 'by', treatment: 'treatment', outcome: 'outcome' };

export type SegmentReport = {
  experiment: string;
  by: string;
  binned: boolean;
  treatment: string;
  control: string;
  outcome: string;
  kind: OutcomeKind;
  confidence: number;
  method: string;
  segments: SegmentEffect[];
};

function unknownOption(flag: string, what: string, given: string | undefined, allowed: readonly string[]): AppError {
  const list = allowed.map((a) => `'${a}'`).join(', ');
  return new AppError(
    'VALIDATION_FAILED',
    given === undefined ? `${flag}: missing; give one of ${list}.` : `${flag}: unknown ${what} '${given}'; use one of ${list}.`,
    {
      fields: [{ field: flag, message: given === undefined ? 'missing' : `unknown ${what}` }],
      allowed,
    },
  );
}

/** The treatment arm and outcome options, checked against the experiment; one treatment arm is the default. */
export function pickArmAndOutcome(
  e: ExperimentDto,
  treatment: string | undefined,
  outcome: string | undefined,
  names: OptionNames,
  binaryOnly = false,
) {
  const treatments = e.arms.filter((a) => a !== e.controlArm);
  const arm = treatment ?? (treatments.length === 1 ? treatments[0] : undefined);
  if (arm === undefined || !treatments.includes(arm)) throw unknownOption(names.treatment, 'treatment arm', treatment, treatments);
  const allowed = e.outcomes.filter((o) => !binaryOnly || o.kind === 'binary');
  const o = outcome === undefined && allowed.length === 1 ? allowed[0] : allowed.find((x) => x.name === outcome);
  if (!o) {
    const other = e.outcomes.find((x) => x.name === outcome);
    if (other && binaryOnly) {
      throw new AppError(
        'EXPERIMENTS_CANNOT_EVALUATE',
        `${names.outcome}: '${other.name}' is not a 0/1 outcome; uplift models need one of ${allowed.map((x) => `'${x.name}'`).join(', ')}.`,
        {
          fields: [{ field: names.outcome, message: 'not a 0/1 outcome' }],
          allowed: allowed.map((x) => x.name),
        },
      );
    }
    throw unknownOption(
      names.outcome,
      'outcome',
      outcome,
      allowed.map((x) => x.name),
    );
  }
  return { arm, outcome: o, outcomeIndex: e.outcomes.indexOf(o) };
}

const MAX_LEVELS = 20;
const BINS = 10;

function formatEdge(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/**
 * The segment label of each subject for one attribute. Categories and numbers with at most 20 distinct values are
 * their own segments; a numeric attribute with more (Hillstrom's history, in dollars) is cut at its deciles.
 */
function segmentLabels(values: readonly string[], numeric: boolean): { labels: string[]; order: string[]; binned: boolean } {
  const distinct = [...new Set(values)];
  if (!numeric) return { labels: [...values], order: distinct.sort(), binned: false };
  const nums = values.map(Number);
  if (distinct.length <= MAX_LEVELS) {
    return { labels: [...values], order: distinct.sort((a, b) => Number(a) - Number(b)), binned: false };
  }
  const sorted = Float64Array.from(nums).sort();
  const uppers = [
    ...new Set(Array.from({ length: BINS - 1 }, (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / BINS) - 1] as number)),
  ];
  const lows = [sorted[0] as number];
  const bounds: { low: number; high: number; label: string }[] = [];
  const max = sorted[sorted.length - 1] as number;
  for (const u of [...uppers, max]) {
    if (bounds.length > 0 && u <= (bounds[bounds.length - 1] as { high: number }).high) continue;
    const low = bounds.length === 0 ? (lows[0] as number) : (bounds[bounds.length - 1] as { high: number }).high;
    bounds.push({ low, high: u, label: `${bounds.length === 0 ? '[' : '('}${formatEdge(low)}, ${formatEdge(u)}]` });
  }
  const labels = nums.map((v) => (bounds.find((b) => v <= b.high) ?? (bounds[bounds.length - 1] as { label: string })).label);
  return { labels, order: bounds.map((b) => b.label), binned: true };
}

/**
 * The effect of one treatment arm against the control in each segment of an attribute, with its interval (Newcombe
 * for 0/1 outcomes, Welch for numeric ones); `harmed` only when the whole interval lies below zero.
 */
export async function segmentReport(
  q: Queryable,
  name: string,
  opts: SegmentOptions,
  names: OptionNames = API_NAMES,
): Promise<SegmentReport> {
  const confidence = checkConfidenceOption(opts.confidence ?? 0.95);
  const e = await getExperiment(q, name);
  const featureIndex = e.features.findIndex((f) => f.name === opts.by);
  if (featureIndex < 0)
    throw unknownOption(
      names.by,
      'attribute',
      opts.by,
      e.features.map((f) => f.name),
    );
  const { arm, outcome, outcomeIndex } = pickArmAndOutcome(e, opts.treatment, opts.outcome, names);
  const subjects = (await repo.readSubjects(q, e.id)).filter((s) => s.arm === arm || s.arm === e.controlArm);
  const feature = e.features[featureIndex] as { kind: string };
  const { labels, order, binned } = segmentLabels(
    subjects.map((s) => s.features[featureIndex] as string),
    feature.kind === 'numeric',
  );
  const effects = segmentEffects(
    subjects.map((s, i) => ({ segment: labels[i] as string, treated: s.arm === arm, outcome: s.outcomes[outcomeIndex] as number })),
    outcome.kind,
    { confidence },
  );
  const rank = new Map(order.map((v, i) => [v, i]));
  effects.sort((a, b) => (rank.get(a.value) ?? 0) - (rank.get(b.value) ?? 0));
  return {
    experiment: e.name,
    by: opts.by,
    binned,
    treatment: arm,
    control: e.controlArm,
    outcome: outcome.name,
    kind: outcome.kind,
    confidence,
    method:
      outcome.kind === 'binary' ? "difference of proportions, Newcombe's hybrid score interval" : "difference of means, Welch's t interval",
    segments: effects,
  };
}
