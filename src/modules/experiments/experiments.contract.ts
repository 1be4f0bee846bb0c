import { z } from 'zod';

/** Path parameter: the experiment's name. */
export const ExperimentParams = z.object({ name: z.string().min(1).max(63) });

export const Experiment = z.object({
  id: z.string(),
  name: z.string(),
  source: z.string(),
  arms: z.array(z.string()),
  controlArm: z.string(),
  outcomes: z.array(z.object({ name: z.string(), kind: z.enum(['binary', 'continuous']) })),
  features: z.array(z.object({ name: z.string(), kind: z.enum(['numeric', 'categorical']) })),
  modelFeatures: z.array(z.string()),
  subjects: z.number().int(),
  createdAt: z.string(),
});
export type ExperimentDto = z.infer<typeof Experiment>;

export const ExperimentList = z.object({ experiments: z.array(Experiment) });

/** POST /api/v1/experiments: the file is the raw body (text/csv); its shape is the source's. */
export const ImportQuery = z.object({
  name: z.string().min(1).max(63),
  source: z.enum(['hillstrom']).default('hillstrom'),
});

export const ImportResult = z.object({
  experiment: Experiment,
  arms: z.array(z.object({ name: z.string(), n: z.number().int() })),
  seconds: z.number(),
});

const Ci = z.object({ low: z.number(), high: z.number(), method: z.string() });

const ArmOutcome = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('binary'), successes: z.number().int(), rate: z.number(), ci: Ci }),
  z.object({
    kind: z.literal('continuous'),
    total: z.number(),
    mean: z.number(),
    sd: z.number(),
    ci: Ci,
    bootstrapCi: Ci.extend({ reps: z.number().int(), seed: z.number().int() }),
  }),
]);

/**
 * One arm. Besides the fixed fields, each outcome has a flat figure named after it: `<outcome>Rate` for a 0/1
 * outcome, `<outcome>PerCustomer` for a numeric one (Hillstrom: visitRate, conversionRate, spendPerCustomer).
 */
export const Arm = z
  .object({ name: z.string(), control: z.boolean(), n: z.number().int(), outcomes: z.record(z.string(), ArmOutcome) })
  .catchall(z.unknown());

export const Effect = z.object({
  arm: z.string(),
  against: z.string(),
  outcome: z.string(),
  kind: z.enum(['binary', 'continuous']),
  key: z.string(),
  /** Treatment − control, in absolute terms (a difference of rates, or of means per customer). */
  effect: z.number(),
  ciLow: z.number(),
  ciHigh: z.number(),
  /** effect / control's rate or mean; null when the control's is 0. */
  relative: z.number().nullable(),
  method: z.string(),
});

export const Segment = z.object({
  value: z.string(),
  n: z.number().int(),
  nTreated: z.number().int(),
  nControl: z.number().int(),
  effect: z.number().nullable(),
  ciLow: z.number().nullable(),
  ciHigh: z.number().nullable(),
  harmed: z.boolean(),
  helped: z.boolean(),
});

export const SegmentReport = z.object({
  experiment: z.string(),
  by: z.string(),
  /** True when a numeric attribute with many values was cut at its deciles. */
  binned: z.boolean(),
  treatment: z.string(),
  control: z.string(),
  outcome: z.string(),
  kind: z.enum(['binary', 'continuous']),
  confidence: z.number(),
  method: z.string(),
  segments: z.array(Segment),
});

export const Report = z.object({
  experiment: Experiment,
  confidence: z.number(),
  methods: z.record(z.string(), z.string()),
  overall: z.object({ n: z.number().int() }).catchall(z.number()),
  arms: z.array(Arm),
  effects: z.array(Effect),
});

/** GET …/report answers the arms and effects, or with `by` the effects per segment of that attribute. */
export const ReportOrSegments = z.union([Report, SegmentReport]);

export const ReportQuery = z.object({
  /** An attribute column: adds the per-segment effects of `treatment` on `outcome`. */
  by: z.string().min(1).optional(),
  treatment: z.string().min(1).optional(),
  outcome: z.string().min(1).optional(),
  confidence: z.coerce.number().gt(0).lt(1).default(0.95),
  bootstrapReps: z.coerce.number().int().min(100).max(100_000).default(2000),
  bootstrapSeed: z.coerce.number().int().default(2008),
});

const Curve = z.object({ x: z.array(z.number()), y: z.array(z.number()) });

export const UpliftBody = z
  .object({
    treatment: z.string().min(1).optional(),
    outcome: z.string().min(1).optional(),
    split: z.number().gt(0).lt(1).default(0.5),
    seed: z.number().int().default(0),
    model: z.enum(['two-model', 'class-transformation']).default('two-model'),
    /** The most points each curve keeps (evenly spaced along it). */
    curvePoints: z.number().int().min(2).max(200).default(200),
  })
  .strict();

export const UpliftResult = z.object({
  experiment: z.string(),
  treatment: z.string(),
  control: z.string(),
  outcome: z.string(),
  model: z.enum(['two-model', 'class-transformation']),
  split: z.number(),
  seed: z.number().int(),
  /** Qini coefficient (scikit-uplift's qini_auc_score). */
  qini: z.number(),
  /** Normalised area under the uplift curve (scikit-uplift's uplift_auc_score). */
  auuc: z.number(),
  /** Uplift among the 30% of the test set ranked highest (scikit-uplift's uplift_at_k, overall). */
  upliftAt30: z.number(),
  testUplift: z.number(),
  n: z.object({ train: z.number().int(), test: z.number().int(), testTreated: z.number().int(), testControl: z.number().int() }),
  features: z.array(z.string()),
  columns: z.array(z.string()),
  curves: z.object({ qini: Curve, perfectQini: Curve, uplift: Curve }),
});

export const SampleSizeQuery = z
  .object({
    baseline: z.coerce.number().optional(),
    lift: z.coerce.number().optional(),
    liftType: z.enum(['absolute', 'relative']).default('absolute'),
    delta: z.coerce.number().optional(),
    sd: z.coerce.number().optional(),
    alpha: z.coerce.number().gt(0).lt(1).default(0.05),
    power: z.coerce.number().gt(0).lt(1).default(0.8),
    alternative: z.enum(['two-sided', 'one-sided']).default('two-sided'),
  })
  .refine((q) => (q.baseline !== undefined && q.lift !== undefined) !== (q.delta !== undefined && q.sd !== undefined), {
    message: 'give either baseline and lift (a rate) or delta and sd (a mean)',
    path: ['baseline'],
  });

export const SampleSize = z
  .object({
    design: z.enum(['proportions', 'means']),
    perArm: z.number().int(),
    total: z.number().int(),
    alpha: z.number(),
    power: z.number(),
    alternative: z.enum(['two-sided', 'one-sided']),
    method: z.string(),
  })
  .catchall(z.unknown());
