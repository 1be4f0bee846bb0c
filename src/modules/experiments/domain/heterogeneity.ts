// Treatment effects per segment: does the campaign help some customers and hurt others? Each segment gets the
// difference treated − control with its own confidence interval, and is flagged as harmed or helped only when the
// whole interval says so. Pure functions, no I/O.
import type { BinarySummary, Interval, MeanSummary } from './stats.ts';
import { checkConfidence, mergeSummaries, newcombeDifference, welchDifference } from './stats.ts';

/** How the outcome is measured: 0/1 (visit, conversion) or a number (spend). */
export type OutcomeKind = 'binary' | 'continuous';

/** One customer of the experiment: their segment's value, whether they were treated, and their outcome. */
export type SegmentRow = { segment: string; treated: boolean; outcome: number };

/** Pre-aggregated counts of a 0/1 outcome for one segment. */
export type BinarySegmentArms = { value: string; treated: BinarySummary; control: BinarySummary };

/** Pre-aggregated summaries of a numeric outcome for one segment. */
export type ContinuousSegmentArms = { value: string; treated: MeanSummary; control: MeanSummary };

/**
 * `confidence` of each segment's interval (default 0.95). It is per segment, not adjusted for the number of segments:
 * with k null segments about k × (1 − confidence) / 2 are flagged harmed by chance, so a caller scanning many
 * segments may pass e.g. 1 − 0.05 / k (Bonferroni). `lowerIsBetter` (default false) is for outcomes such as churn or
 * returns, where an increase is the harm.
 */
export type HeterogeneityOptions = { confidence?: number; lowerIsBetter?: boolean };

/**
 * The treatment effect in one segment. `effect` is treated − control (difference of proportions for a binary
 * outcome, with Newcombe's interval; of means for a continuous one, with Welch's), null with its interval when an arm
 * has fewer than {@link MIN_ARM_SIZE} customers. `harmed` is true only when the whole interval lies on the harmful
 * side of zero, `helped` only when it lies on the good side; a point estimate alone never flags a segment.
 */
export type SegmentEffect = {
  value: string;
  n: number;
  nTreated: number;
  nControl: number;
  effect: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  harmed: boolean;
  helped: boolean;
};

/**
 * The fewest customers an arm of a segment needs for an estimate. With one customer an arm has no variance, so Welch
 * has no standard error at all, and a proportion's interval from one customer spans nearly all of [0, 1]: there is
 * no evidence either way, and one rule for both outcome kinds keeps the table consistent.
 */
export const MIN_ARM_SIZE = 2;

function effectOf(
  value: string,
  nTreated: number,
  nControl: number,
  interval: () => Interval,
  options: HeterogeneityOptions,
): SegmentEffect {
  const base = { value, n: nTreated + nControl, nTreated, nControl };
  if (nTreated < MIN_ARM_SIZE || nControl < MIN_ARM_SIZE)
    return { ...base, effect: null, ciLow: null, ciHigh: null, harmed: false, helped: false };
  const ci = interval();
  const below = ci.high < 0;
  const above = ci.low > 0;
  return {
    ...base,
    effect: ci.estimate,
    ciLow: ci.low,
    ciHigh: ci.high,
    harmed: options.lowerIsBetter ? above : below,
    helped: options.lowerIsBetter ? below : above,
  };
}

function checkUnique(values: readonly string[]): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new RangeError(`segment '${v}' appears more than once`);
    seen.add(v);
  }
}

/** Counts are checked even in arms too small to estimate, so a corrupt aggregate never passes as merely small. */
function checkCounts(c: BinarySummary, name: string): void {
  if (!(Number.isInteger(c.n) && c.n >= 0 && Number.isInteger(c.successes) && c.successes >= 0 && c.successes <= c.n)) {
    throw new RangeError(`${name}: counts must be integers with 0 ≤ successes ≤ n, got ${c.successes} of ${c.n}`);
  }
}

/**
 * Per-segment effects of a 0/1 outcome from counts, in input order, with Newcombe's hybrid score interval. Throws
 * RangeError on a repeated segment value, invalid counts (naming them), or a confidence outside (0, 1).
 */
export function binarySegmentEffects(segments: readonly BinarySegmentArms[], options: HeterogeneityOptions = {}): SegmentEffect[] {
  const confidence = options.confidence ?? 0.95;
  checkConfidence(confidence);
  checkUnique(segments.map((s) => s.value));
  for (const s of segments) {
    checkCounts(s.treated, `segment '${s.value}' treated`);
    checkCounts(s.control, `segment '${s.value}' control`);
  }
  return segments.map((s) =>
    effectOf(
      s.value,
      s.treated.n,
      s.control.n,
      () => newcombeDifference(s.treated.successes, s.treated.n, s.control.successes, s.control.n, confidence),
      options,
    ),
  );
}

/**
 * Per-segment effects of a numeric outcome from summaries, in input order, with Welch's interval. An arm whose
 * values are all equal has variance 0; when both arms are constant the interval has zero width. Throws RangeError on
 * a repeated segment value, an invalid summary, or a confidence outside (0, 1).
 */
export function continuousSegmentEffects(segments: readonly ContinuousSegmentArms[], options: HeterogeneityOptions = {}): SegmentEffect[] {
  const confidence = options.confidence ?? 0.95;
  checkConfidence(confidence);
  checkUnique(segments.map((s) => s.value));
  return segments.map((s) => effectOf(s.value, s.treated.n, s.control.n, () => welchDifference(s.treated, s.control, confidence), options));
}

const EMPTY: MeanSummary = { n: 0, mean: Number.NaN, variance: Number.NaN };

/**
 * Per-segment effects from customer rows, segments in order of first appearance. Rows are folded into per-arm
 * summaries in one pass (counts for binary outcomes, Welford moments for continuous ones), so memory grows with the
 * number of segments, not of customers. Throws RangeError naming the row when a binary outcome is not 0 or 1 or a
 * continuous one is not finite.
 */
export function segmentEffects(rows: Iterable<SegmentRow>, kind: OutcomeKind, options: HeterogeneityOptions = {}): SegmentEffect[] {
  if (kind !== 'binary' && kind !== 'continuous') throw new RangeError(`kind must be 'binary' or 'continuous'`);
  const arms = new Map<string, { treated: MeanSummary; control: MeanSummary; successesT: number; successesC: number }>();
  let index = 0;
  for (const row of rows) {
    const x = row.outcome;
    if (kind === 'binary' ? x !== 0 && x !== 1 : !Number.isFinite(x)) {
      throw new RangeError(
        `row ${index} (segment '${row.segment}'): outcome must be ${kind === 'binary' ? '0 or 1' : 'a finite number'}, got ${x}`,
      );
    }
    let a = arms.get(row.segment);
    if (!a) {
      a = { treated: EMPTY, control: EMPTY, successesT: 0, successesC: 0 };
      arms.set(row.segment, a);
    }
    // Merging a one-value summary is exactly Welford's update.
    const one: MeanSummary = { n: 1, mean: x, variance: Number.NaN };
    if (row.treated) {
      a.treated = mergeSummaries(a.treated, one);
      a.successesT += x === 1 ? 1 : 0;
    } else {
      a.control = mergeSummaries(a.control, one);
      a.successesC += x === 1 ? 1 : 0;
    }
    index += 1;
  }
  const entries = [...arms.entries()];
  if (kind === 'binary') {
    return binarySegmentEffects(
      entries.map(([value, a]) => ({
        value,
        treated: { n: a.treated.n, successes: a.successesT },
        control: { n: a.control.n, successes: a.successesC },
      })),
      options,
    );
  }
  return continuousSegmentEffects(
    entries.map(([value, a]) => ({ value, treated: a.treated, control: a.control })),
    options,
  );
}
