/** Experiments: A/B/n effects with confidence intervals, per-segment effects, uplift metrics and models. */
export {
  /** Wilson score interval for a proportion (successes of n); the per-arm interval of a 0/1 outcome. */
  wilsonInterval,
  /** Newcombe's hybrid score interval for the difference of two proportions, p1 − p2 (x1 of n1 against x2 of n2). */
  newcombeDifference,
  /** Welch's t interval for the difference of two means, a − b, from their summaries (n, mean, variance). */
  welchDifference,
  /** Student's t interval for one mean, from its summary (n, mean, variance). */
  meanInterval,
  /** n, mean and sample variance (n − 1) of a set of numbers, in one pass. */
  summarize,
  /** Successes and n of a 0/1 outcome. */
  summarizeBinary,
  /** Combines two summaries into the summary of their union. */
  mergeSummaries,
  /** Seeded percentile bootstrap interval of a mean. */
  bootstrapMean,
  /** Seeded percentile bootstrap interval of a difference of means, a − b. */
  bootstrapDifference,
} from './domain/stats.ts';
export type { Interval, WelchInterval, MeanInterval, MeanSummary, BinarySummary, BootstrapOptions } from './domain/stats.ts';
export {
  /**
   * Treatment − control effect per segment value, with Newcombe (binary) or Welch (continuous) intervals; a segment is
   * `harmed` or `helped` only when its whole interval is on one side of zero.
   */
  segmentEffects,
  /** The same from pre-aggregated 0/1 counts per segment. */
  binarySegmentEffects,
  /** The same from pre-aggregated mean summaries per segment. */
  continuousSegmentEffects,
  /** The fewest customers an arm of a segment needs for an estimate. */
  MIN_ARM_SIZE,
} from './domain/heterogeneity.ts';
export type {
  OutcomeKind,
  SegmentRow,
  SegmentEffect,
  HeterogeneityOptions,
  BinarySegmentArms,
  ContinuousSegmentArms,
} from './domain/heterogeneity.ts';
export {
  /** scikit-uplift's uplift curve (one point per distinct score, starting at (0, 0)). */
  upliftCurve,
  /** scikit-uplift's Qini curve. */
  qiniCurve,
  /** The uplift curve of the perfect ranking. */
  perfectUpliftCurve,
  /** The Qini curve of the perfect ranking. */
  perfectQiniCurve,
  /** Area under the uplift curve, normalised to the perfect model (scikit-uplift's uplift_auc_score, AUUC). */
  upliftAucScore,
  /** Qini coefficient, normalised to the perfect model (scikit-uplift's qini_auc_score). */
  qiniAucScore,
  /** Uplift among the top k (share or count) of the ranking, 'overall' or 'by_group' (scikit-uplift's uplift_at_k). */
  upliftAtK,
  /** Response rates, uplift and their spread per percentile of the ranking. */
  upliftByPercentile,
} from './domain/uplift-metrics.ts';
export type { Curve, UpliftStrategy, PercentileRow } from './domain/uplift-metrics.ts';
export {
  /** Fits and evaluates an uplift model (two-model or class transformation) on a seeded stratified split. */
  evaluateUplift,
} from './domain/uplift-models.ts';
export type { UpliftRow, UpliftModelKind, EvaluateUpliftOptions, UpliftEvaluation } from './domain/uplift-models.ts';
export {
  /** Customers needed per arm to detect a lift of a proportion. */
  sampleSizeForProportions,
  /** Customers needed per arm to detect a difference of means. */
  sampleSizeForMeans,
} from './domain/sample-size.ts';
export type { ProportionDesign, MeanDesign, SampleSize } from './domain/sample-size.ts';
export {
  /** Starts an always-valid (mixture SPRT) sequential test. */
  startSequentialTest,
  /** Adds a look to a sequential test. */
  updateSequentialTest,
  /** The estimate and variance of a difference of proportions, as a sequential look. */
  proportionLook,
  /** The estimate and variance of a difference of means, as a sequential look. */
  meanLook,
} from './domain/sequential.ts';
export type { SequentialLook, SequentialOptions, SequentialState } from './domain/sequential.ts';
/** Loads an experiment file (CSV) as a finished experiment, all or nothing; names each bad line and field. */
export { importExperiment } from './experiments.import.ts';
export type { ImportOptions, ImportProgress, ImportResult } from './experiments.import.ts';
export {
  /** Every experiment. */
  listExperiments,
  /** An experiment by name, or EXPERIMENTS_NOT_FOUND. */
  getExperiment,
  /** Per arm rates and means per customer with intervals; each treatment against control with its interval. */
  experimentReport,
  /** The effect of one treatment arm per segment of an attribute, flagged harmed only when its interval says so. */
  segmentReport,
  /** The flat name of an outcome's per-arm figure: visit → visitRate, spend → spendPerCustomer. */
  outcomeKey,
  /** The experiment files the import knows (hillstrom). */
  EXPERIMENT_SOURCES,
  /** Kevin Hillstrom's e-mail experiment: arms, control, outcomes and attributes. */
  HILLSTROM_SPEC,
} from './experiments.service.ts';
export type { ExperimentSpec, ExperimentReport, ReportOptions, SegmentReport, SegmentOptions, OptionNames } from './experiments.service.ts';
export {
  /** Fits and scores an uplift model on a stored experiment: Qini, AUUC, uplift@30% and the curves. */
  evaluateExperimentUplift,
  /** Customers per arm to detect a lift in a rate or a difference in a mean. */
  planSampleSize,
  /** At most n points of a curve, evenly spaced, first and last kept. */
  downsampleCurve,
} from './experiments.uplift.ts';
export type { UpliftOptions, UpliftResult, SampleSizeOptions, SampleSizeResult } from './experiments.uplift.ts';
/** HTTP routes of the module. */
export { registerExperimentRoutes } from './experiments.routes.ts';
/** Request and response schemas, shared with the console. */
export * as experimentContracts from './experiments.contract.ts';
