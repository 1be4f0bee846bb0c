import { Transform, type Readable } from 'node:stream';
import Papa from 'papaparse';
import type { Database, Queryable } from '../../platform/db/client.ts';
import { AppError, pgCode } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import {
  HILLSTROM_SPEC,
  checkSpec,
  formatProblem,
  indexHeader,
  parseRow,
  type ExperimentSpec,
  type RowProblem,
} from './domain/experiment-file.ts';
import { segmentEffects, type OutcomeKind, type SegmentEffect } from './domain/heterogeneity.ts';
import { sampleSizeForMeans, sampleSizeForProportions, type Alternative } from './domain/sample-size.ts';
import { bootstrapMean, meanInterval, newcombeDifference, summarize, welchDifference, wilsonInterval } from './domain/stats.ts';
import { perfectQiniCurve, qiniCurve, upliftCurve, type Curve } from './domain/uplift-metrics.ts';
import { evaluateUplift, type UpliftEvaluation, type UpliftModelKind, type UpliftRow } from './domain/uplift-models.ts';
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

function dto(e: repo.ExperimentRow): ExperimentDto {
  return { ...e, createdAt: new Date(e.createdAt).toISOString() };
}

// ---------------------------------------------------------------------------------------------------------------
// Import

export type ImportProgress = { bytesRead: number; rows: number };
export type ImportResult = { experiment: ExperimentDto; arms: { name: string; n: number }[]; seconds: number };
export type ImportOptions = {
  name: string;
  spec?: ExperimentSpec;
  /** How the file is named in messages (its path for the CLI). */
  label?: string;
  onProgress?: (p: ImportProgress) => void;
};

const BATCH = 8000;
const PROBLEMS_SHOWN = 20;

/** The experiment names accepted: what a URL path segment and a shell argument carry without quoting. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function checkName(name: string, field = 'name'): string {
  if (!NAME.test(name)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${field}: '${name}' is not a valid experiment name (letters, digits, '.', '_' and '-', at most 63, starting with a letter or digit).`,
      {
        fields: [{ field, message: 'invalid name' }],
      },
    );
  }
  return name;
}

function rowError(problems: readonly RowProblem[], total: number, label: string): AppError {
  const first = problems[0] as RowProblem;
  const more =
    total > 1
      ? ` (and ${total - 1} more problem${total > 2 ? 's' : ''}${total > problems.length ? `; the first ${problems.length} are in the details` : ''})`
      : '';
  return new AppError(
    first.kind === 'not-binary' ? 'EXPERIMENTS_OUTCOME_NOT_BINARY' : 'EXPERIMENTS_INVALID_ROW',
    `${label}: ${formatProblem(first)}${more}. Nothing was stored.`,
    {
      file: label,
      problems: total,
      fields: problems.map((p) => ({ field: p.field, line: p.line, message: formatProblem(p) })),
    },
  );
}

/**
 * Loads an experiment file (CSV with a header) as a finished experiment, in one transaction: the file is streamed
 * through Papa Parse, every row is checked against the spec, and subjects are written with COPY in batches of 8,000.
 * Any problem (a missing column, a bad value on a line, an unknown arm, an expected arm without customers, a name
 * already taken) rolls everything back, so nothing is half-created. Problems are collected over the whole file, and
 * the first 20 are named with their line and field.
 */
export async function importExperiment(database: Database, input: Readable, opts: ImportOptions): Promise<ImportResult> {
  const started = Date.now();
  const spec = opts.spec ?? HILLSTROM_SPEC;
  const label = opts.label ?? 'the file';
  const name = checkName(opts.name);
  const specProblems = checkSpec(spec);
  if (specProblems.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The experiment's description is inconsistent: ${specProblems.map((p) => `${p.field}: ${p.message}`).join('; ')}.`,
      { fields: specProblems },
    );
  }
  if (await repo.findExperimentByName(database, name)) throw nameTaken(name);
  const id = newId('experiment');
  try {
    return await database.transaction(async (s) => {
      await repo.insertExperiment(s, {
        id,
        name,
        source: spec.source,
        arms: spec.arms,
        controlArm: spec.controlArm,
        outcomes: spec.outcomes,
        features: spec.features,
        modelFeatures: spec.modelFeatures,
      });
      let bytesRead = 0;
      const counter = new Transform({
        transform(chunk: Buffer | string, _enc, done) {
          bytesRead += chunk.length;
          done(null, chunk);
        },
      });
      const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { header: false, skipEmptyLines: false }) as NodeJS.ReadWriteStream;
      input.on('error', (e) => parser.emit('error', e));
      input.pipe(counter).pipe(parser);

      let line = 0;
      let index: ReturnType<typeof indexHeader> | undefined;
      const problems: RowProblem[] = [];
      let problemCount = 0;
      const counts = new Map(spec.arms.map((a) => [a, 0]));
      let batch: repo.NewSubject[] = [];
      let rows = 0;
      try {
        for await (const cells of parser as AsyncIterable<string[]>) {
          line += 1;
          if (line === 1) {
            index = indexHeader(cells, spec);
            if ('missing' in index) {
              throw new AppError(
                'EXPERIMENTS_INVALID_ROW',
                `${label}: line 1: the header lacks the column${index.missing.length > 1 ? 's' : ''} ${index.missing.join(', ')} (the header is: ${cells.join(',')}).`,
                {
                  file: label,
                  fields: index.missing.map((c) => ({ field: c, line: 1, message: 'missing column' })),
                },
              );
            }
            continue;
          }
          if (cells.length === 1 && cells[0] === '') continue;
          const parsed = parseRow(cells, line, spec, (index as { index: Parameters<typeof parseRow>[3] }).index);
          if ('problems' in parsed) {
            problemCount += parsed.problems.length;
            for (const p of parsed.problems) if (problems.length < PROBLEMS_SHOWN) problems.push(p);
            continue;
          }
          rows += 1;
          counts.set(parsed.row.arm, (counts.get(parsed.row.arm) ?? 0) + 1);
          if (problemCount > 0) continue;
          batch.push({ rowNo: line - 1, ...parsed.row });
          if (batch.length >= BATCH) {
            await repo.copySubjects(s, id, batch);
            batch = [];
            opts.onProgress?.({ bytesRead, rows });
          }
        }
      } finally {
        input.unpipe();
        input.destroy();
      }
      if (line === 0)
        throw new AppError('EXPERIMENTS_INVALID_ROW', `${label}: the file is empty (a header and one row per customer are expected).`, {
          file: label,
        });
      if (problemCount > 0) throw rowError(problems, problemCount, label);
      const empty = spec.arms.filter((a) => counts.get(a) === 0);
      if (empty.length > 0) {
        throw new AppError(
          'EXPERIMENTS_EMPTY_ARM',
          `${label}: the arm${empty.length > 1 ? 's' : ''} ${empty.map((a) => `'${a}'`).join(', ')} ha${empty.length > 1 ? 've' : 's'} no customers (column ${spec.armColumn}); every arm of ${spec.arms.map((a) => `'${a}'`).join(', ')} needs some. Nothing was stored.`,
          { file: label, fields: empty.map((a) => ({ field: spec.armColumn, message: `no customers in arm '${a}'` })) },
        );
      }
      await repo.copySubjects(s, id, batch);
      opts.onProgress?.({ bytesRead, rows });
      await repo.finishExperiment(s, id, rows);
      const stored = (await repo.findExperimentByName(s, name)) as repo.ExperimentRow;
      return {
        experiment: dto(stored),
        arms: spec.arms.map((a) => ({ name: a, n: counts.get(a) ?? 0 })),
        seconds: (Date.now() - started) / 1000,
      };
    });
  } catch (e) {
    if (pgCode(e) === '23505') throw nameTaken(name);
    throw e;
  }
}

function nameTaken(name: string): AppError {
  return new AppError('EXPERIMENTS_NAME_TAKEN', `An experiment named '${name}' exists already; import under another name (--name).`, {
    fields: [{ field: 'name', message: 'taken' }],
    name,
  });
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

async function load(q: Queryable, name: string): Promise<Loaded> {
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
const API_NAMES: OptionNames = { by: 'by', treatment: 'treatment', outcome: 'outcome' };

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
function pickArmAndOutcome(
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

// ---------------------------------------------------------------------------------------------------------------
// Uplift models

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
