// Uplift metrics, defined exactly as scikit-uplift 0.5 (sklift/metrics/metrics.py) defines them, so a figure printed
// by Patron can be compared with one from a notebook. The subtle points that decide the numbers:
// - Ordering is numpy's `argsort(score, kind='mergesort')[::-1]`: a stable ascending sort, reversed. Tied scores
//   therefore come out in *reverse* input order, which changes uplift@k and the per-percentile figures.
// - The curves have one point per distinct score (as sklearn's _binary_clf_curve), not one per row, and always
//   start at (0, 0).
// - Areas are sklearn's `auc` (trapezoids; x must be monotonic), normalised as sklift does:
//   (area(model) − area(random)) / (area(perfect) − area(random)), where "random" is the straight line to the last
//   point of the perfect curve.
// - Outcome and treatment must each hold both 0 and 1 (sklift's check_is_binary), otherwise RangeError.
// Deliberate deviations: NaN or infinite scores throw (numpy would sort them somewhere and carry on), and `k` cannot
// tell Python's `1` from `1.0`, so an integer k is a count and a fractional k a share (see upliftAtK).

/** Points of a curve: x is the number of customers targeted (best scores first), y the curve's value there. */
export type Curve = { x: number[]; y: number[] };

/** sklift's two ways of reading the top of a ranking: the top of the whole sample, or the top of each arm. */
export type UpliftStrategy = 'overall' | 'by_group';

function checkSameLength(...arrays: readonly (readonly number[])[]): void {
  const n = arrays[0]?.length ?? 0;
  if (arrays.some((a) => a.length !== n)) {
    throw new RangeError(`inputs must have the same length, got ${arrays.map((a) => a.length).join(', ')}`);
  }
}

/** sklift's check_is_binary: only 0 and 1, and both of them present. */
function checkIsBinary(name: string, values: readonly number[]): void {
  let zeros = 0;
  let ones = 0;
  for (const v of values) {
    if (v === 0) zeros++;
    else if (v === 1) ones++;
    else throw new RangeError(`${name} must contain only 0 and 1, got ${v}`);
  }
  if (zeros === 0 || ones === 0) throw new RangeError(`${name} must contain both 0 and 1`);
}

function checkScores(uplift: readonly number[]): void {
  for (const u of uplift) if (!Number.isFinite(u)) throw new RangeError(`uplift scores must be finite numbers, got ${u}`);
}

function checkInputs(y: readonly number[], uplift: readonly number[], treatment: readonly number[]): void {
  checkSameLength(y, uplift, treatment);
  checkIsBinary('treatment', treatment);
  checkIsBinary('y', y);
  checkScores(uplift);
}

/** Row indices, best score first, ties in reverse input order: numpy's argsort(kind='mergesort')[::-1]. */
export function descendingOrder(uplift: readonly number[]): number[] {
  const order = uplift.map((_, i) => i);
  order.sort((a, b) => (uplift[a] as number) - (uplift[b] as number) || a - b);
  return order.reverse();
}

/** Cumulative counts at the last row of each run of equal scores, in descending score order. */
function cumulativeAtThresholds(y: readonly number[], uplift: readonly number[], treatment: readonly number[]) {
  const order = descendingOrder(uplift);
  const numAll: number[] = [];
  const numTrmnt: number[] = [];
  const yTrmnt: number[] = [];
  const yCtrl: number[] = [];
  let nt = 0;
  let yt = 0;
  let yc = 0;
  order.forEach((row, i) => {
    const t = treatment[row] as number;
    const yi = y[row] as number;
    nt += t;
    if (t === 1) yt += yi;
    else yc += yi;
    const next = order[i + 1];
    if (next === undefined || uplift[next] !== uplift[row]) {
      numAll.push(i + 1);
      numTrmnt.push(nt);
      yTrmnt.push(yt);
      yCtrl.push(yc);
    }
  });
  return { numAll, numTrmnt, yTrmnt, yCtrl };
}

/** Division that gives 0 where the denominator is 0, as sklift's np.divide(..., out=zeros, where=den != 0). */
function ratioOrZero(num: number, den: number): number {
  return den !== 0 ? num / den : 0;
}

/**
 * Uplift curve (sklift `uplift_curve`): at each distinct score, (response rate of the treated targeted so far −
 * that of the controls targeted so far) × number targeted. Throws RangeError on unequal lengths or non-binary input.
 */
export function upliftCurve(y: readonly number[], uplift: readonly number[], treatment: readonly number[]): Curve {
  checkInputs(y, uplift, treatment);
  const c = cumulativeAtThresholds(y, uplift, treatment);
  const values = c.numAll.map((n, i) => {
    const nt = c.numTrmnt[i] as number;
    return (ratioOrZero(c.yTrmnt[i] as number, nt) - ratioOrZero(c.yCtrl[i] as number, n - nt)) * n;
  });
  return { x: [0, ...c.numAll], y: [0, ...values] };
}

/**
 * The best possible uplift curve for these outcomes (sklift `perfect_uplift_curve`): the uplift curve of a score that
 * ranks treated responders and control non-responders first, ordered by whichever of control responders and treated
 * non-responders is more numerous.
 */
export function perfectUpliftCurve(y: readonly number[], treatment: readonly number[]): Curve {
  checkSameLength(y, treatment);
  checkIsBinary('treatment', treatment);
  checkIsBinary('y', y);
  let controlResponders = 0;
  let treatedNonResponders = 0;
  y.forEach((yi, i) => {
    if (yi === 1 && treatment[i] === 0) controlResponders++;
    if (yi === 0 && treatment[i] === 1) treatedNonResponders++;
  });
  const summand = controlResponders > treatedNonResponders ? y : treatment;
  const perfect = y.map((yi, i) => 2 * (yi === treatment[i] ? 1 : 0) + (summand[i] as number));
  return upliftCurve(y, perfect, treatment);
}

/**
 * Area under a curve by trapezoids, as sklearn.metrics.auc: x must be non-decreasing or non-increasing (a
 * non-increasing x gives the area with its sign restored). Throws RangeError on fewer than 2 points or a non-monotonic x.
 */
export function auc(x: readonly number[], y: readonly number[]): number {
  checkSameLength(x, y);
  if (x.length < 2) throw new RangeError(`at least 2 points are needed to compute an area, got ${x.length}`);
  let increasing = true;
  let decreasing = true;
  for (let i = 1; i < x.length; i++) {
    const dx = (x[i] as number) - (x[i - 1] as number);
    if (dx < 0) increasing = false;
    if (dx > 0) decreasing = false;
  }
  if (!increasing && !decreasing) throw new RangeError('x is neither increasing nor decreasing');
  let area = 0;
  for (let i = 1; i < x.length; i++) {
    area += (((x[i] as number) - (x[i - 1] as number)) * ((y[i] as number) + (y[i - 1] as number))) / 2;
  }
  return increasing ? area : -area;
}

/** sklift's normalisation: the share of the perfect curve's area above the random line that the model's curve reaches. */
function normalisedArea(actual: Curve, perfect: Curve): number {
  const baseline = auc([0, perfect.x[perfect.x.length - 1] as number], [0, perfect.y[perfect.y.length - 1] as number]);
  return (auc(actual.x, actual.y) - baseline) / (auc(perfect.x, perfect.y) - baseline);
}

/**
 * Normalised area under the uplift curve (sklift `uplift_auc_score`): 1 for the perfect ranking, 0 for random.
 * NaN when the perfect curve has no area above the random line.
 */
export function upliftAucScore(y: readonly number[], uplift: readonly number[], treatment: readonly number[]): number {
  checkInputs(y, uplift, treatment);
  return normalisedArea(upliftCurve(y, uplift, treatment), perfectUpliftCurve(y, treatment));
}

/**
 * Qini curve (sklift `qini_curve`): at each distinct score, treated responders so far − control responders so far ×
 * (treated so far / controls so far), the incremental responders of targeting that many customers.
 */
export function qiniCurve(y: readonly number[], uplift: readonly number[], treatment: readonly number[]): Curve {
  checkInputs(y, uplift, treatment);
  const c = cumulativeAtThresholds(y, uplift, treatment);
  const values = c.numAll.map((n, i) => {
    const nt = c.numTrmnt[i] as number;
    return (c.yTrmnt[i] as number) - (c.yCtrl[i] as number) * ratioOrZero(nt, n - nt);
  });
  return { x: [0, ...c.numAll], y: [0, ...values] };
}

/**
 * The best possible Qini curve (sklift `perfect_qini_curve`). With `negativeEffect` (the default), the Qini curve of
 * the score y·t − y·(1 − t), which can descend at the end where the campaign did harm; without it, the line rising to
 * the overall incremental responders and staying there.
 */
export function perfectQiniCurve(y: readonly number[], treatment: readonly number[], negativeEffect = true): Curve {
  checkSameLength(y, treatment);
  checkIsBinary('treatment', treatment);
  checkIsBinary('y', y);
  if (negativeEffect) {
    return qiniCurve(
      y,
      y.map((yi, i) => yi * (treatment[i] as number) - yi * (1 - (treatment[i] as number))),
      treatment,
    );
  }
  let nt = 0;
  let yt = 0;
  let yc = 0;
  y.forEach((yi, i) => {
    if (treatment[i] === 1) {
      nt++;
      yt += yi;
    } else yc += yi;
  });
  const ratioRandom = yt - (nt * yc) / (y.length - nt);
  return { x: [0, ratioRandom, y.length], y: [0, ratioRandom, ratioRandom] };
}

/**
 * Qini coefficient (sklift `qini_auc_score`): normalised area under the Qini curve, 1 for the perfect ranking (with or
 * without negative effects, see perfectQiniCurve), 0 for random.
 */
export function qiniAucScore(y: readonly number[], uplift: readonly number[], treatment: readonly number[], negativeEffect = true): number {
  checkInputs(y, uplift, treatment);
  return normalisedArea(qiniCurve(y, uplift, treatment), perfectQiniCurve(y, treatment, negativeEffect));
}

function meanOf(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length;
}

/**
 * Uplift among the top-k by score (sklift `uplift_at_k`): treated response rate − control response rate.
 * - 'overall': the top k of the whole sample, then each arm's rate within it (NaN if an arm is absent from it);
 * - 'by_group': the top k of each arm separately.
 * `k` (default 0.3, as sklift): a number strictly between 0 and 1 is a share (the count is truncated, as Python's
 * int()); an integer is a count, at least 1 and below the sample size. `strategy` is required, as in sklift 0.5.
 * Throws RangeError on a bad strategy or k, or, for 'by_group', a k larger than an arm.
 */
export function upliftAtK(
  y: readonly number[],
  uplift: readonly number[],
  treatment: readonly number[],
  options: { strategy: UpliftStrategy; k?: number },
): number {
  checkInputs(y, uplift, treatment);
  const { strategy, k = 0.3 } = options;
  if (strategy !== 'overall' && strategy !== 'by_group') {
    throw new RangeError(`strategy must be 'overall' or 'by_group', got '${String(strategy)}'`);
  }
  const n = y.length;
  const isCount = Number.isInteger(k);
  if (!Number.isFinite(k) || (isCount ? k <= 0 || k >= n : k <= 0 || k >= 1)) {
    throw new RangeError(`k=${k} must be a count from 1 to ${n - 1} or a share strictly between 0 and 1`);
  }
  const order = descendingOrder(uplift);
  if (strategy === 'overall') {
    const top = order.slice(0, isCount ? k : Math.trunc(n * k));
    const ctrl = top.filter((i) => treatment[i] === 0).map((i) => y[i] as number);
    const trmnt = top.filter((i) => treatment[i] === 1).map((i) => y[i] as number);
    return meanOf(trmnt) - meanOf(ctrl);
  }
  const ctrl = order.filter((i) => treatment[i] === 0).map((i) => y[i] as number);
  const trmnt = order.filter((i) => treatment[i] === 1).map((i) => y[i] as number);
  const nCtrl = isCount ? k : Math.trunc(ctrl.length * k);
  const nTrmnt = isCount ? k : Math.trunc(trmnt.length * k);
  if (nCtrl > ctrl.length) throw new RangeError(`k=${k} is larger than the control group (${ctrl.length})`);
  if (nTrmnt > trmnt.length) throw new RangeError(`k=${k} is larger than the treatment group (${trmnt.length})`);
  return meanOf(trmnt.slice(0, nTrmnt)) - meanOf(ctrl.slice(0, nCtrl));
}

/** numpy's array_split: `bins` consecutive chunks, the first (length mod bins) of them one longer. */
function arraySplit<T>(values: readonly T[], bins: number): T[][] {
  const base = Math.floor(values.length / bins);
  const extra = values.length % bins;
  const chunks: T[][] = [];
  let start = 0;
  for (let b = 0; b < bins; b++) {
    const size = base + (b < extra ? 1 : 0);
    chunks.push(values.slice(start, start + size));
    start += size;
  }
  return chunks;
}

function checkStrategyAndBins(strategy: string, bins: number, n: number): void {
  if (strategy !== 'overall' && strategy !== 'by_group') {
    throw new RangeError(`strategy must be 'overall' or 'by_group', got '${strategy}'`);
  }
  if (!Number.isInteger(bins) || bins <= 0) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  if (bins >= n) throw new RangeError(`bins=${bins} must be smaller than the number of samples ${n}`);
}

/** One arm's figures in each percentile bin. */
export type PercentileRates = { responseRate: number[]; variance: number[]; size: number[] };

/**
 * Response rate of one arm in each of `bins` equal slices of the ranking (sklift `response_rate_by_percentile`), with
 * the binomial variance rate·(1 − rate)/size and the arm's size in the slice. 'overall' slices the whole ranking,
 * 'by_group' slices the arm's own ranking. An arm absent from a slice has rate NaN there.
 */
export function responseRateByPercentile(
  y: readonly number[],
  uplift: readonly number[],
  treatment: readonly number[],
  group: 'treatment' | 'control',
  options: { strategy?: UpliftStrategy; bins?: number } = {},
): PercentileRates {
  checkInputs(y, uplift, treatment);
  const { strategy = 'overall', bins = 10 } = options;
  if (group !== 'treatment' && group !== 'control') throw new RangeError(`group must be 'treatment' or 'control', got '${String(group)}'`);
  checkStrategyAndBins(strategy, bins, y.length);
  const flag = group === 'treatment' ? 1 : 0;
  const order = descendingOrder(uplift);
  const slices =
    strategy === 'overall'
      ? arraySplit(order, bins).map((rows) => rows.filter((i) => treatment[i] === flag))
      : arraySplit(
          order.filter((i) => treatment[i] === flag),
          bins,
        );
  const responseRate = slices.map((rows) => meanOf(rows.map((i) => y[i] as number)));
  const size = slices.map((rows) => rows.length);
  const variance = responseRate.map((r, b) => (r * (1 - r)) / (size[b] as number));
  return { responseRate, variance, size };
}

/**
 * Average of the per-percentile uplift weighted by the treated count in each percentile (sklift
 * `weighted_average_uplift`).
 */
export function weightedAverageUplift(
  y: readonly number[],
  uplift: readonly number[],
  treatment: readonly number[],
  options: { strategy?: UpliftStrategy; bins?: number } = {},
): number {
  const trmnt = responseRateByPercentile(y, uplift, treatment, 'treatment', options);
  const ctrl = responseRateByPercentile(y, uplift, treatment, 'control', options);
  let weighted = 0;
  let total = 0;
  trmnt.size.forEach((size, b) => {
    weighted += size * ((trmnt.responseRate[b] as number) - (ctrl.responseRate[b] as number));
    total += size;
  });
  return weighted / total;
}

/** One row of upliftByPercentile; the std fields are present only when asked for. */
export type PercentileRow = {
  percentile: string;
  nTreatment: number;
  nControl: number;
  responseRateTreatment: number;
  responseRateControl: number;
  uplift: number;
  stdTreatment?: number;
  stdControl?: number;
  stdUplift?: number;
};

/** Python's round(): halves go to the even neighbour, so sklift's bin labels come out the same (12.5 → 12). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Uplift in each percentile bin of the ranking (sklift `uplift_by_percentile`, string percentile labels such as
 * '0-10', '10-20'). With `total`, a last row 'total' over the whole sample; with `std`, the standard deviations (in
 * the total row, as sklift, the sums of the per-bin ones).
 */
export function upliftByPercentile(
  y: readonly number[],
  uplift: readonly number[],
  treatment: readonly number[],
  options: { strategy?: UpliftStrategy; bins?: number; std?: boolean; total?: boolean } = {},
): PercentileRow[] {
  const { strategy = 'overall', bins = 10, std = false, total = false } = options;
  const trmnt = responseRateByPercentile(y, uplift, treatment, 'treatment', { strategy, bins });
  const ctrl = responseRateByPercentile(y, uplift, treatment, 'control', { strategy, bins });
  const bounds = Array.from({ length: bins }, (_, b) => roundHalfEven(((b + 1) * 100) / bins));
  const rows: PercentileRow[] = bounds.map((upper, b) => {
    const rt = trmnt.responseRate[b] as number;
    const rc = ctrl.responseRate[b] as number;
    const row: PercentileRow = {
      percentile: `${b === 0 ? 0 : (bounds[b - 1] as number)}-${upper}`,
      nTreatment: trmnt.size[b] as number,
      nControl: ctrl.size[b] as number,
      responseRateTreatment: rt,
      responseRateControl: rc,
      uplift: rt - rc,
    };
    if (std) {
      const vt = trmnt.variance[b] as number;
      const vc = ctrl.variance[b] as number;
      Object.assign(row, { stdTreatment: Math.sqrt(vt), stdControl: Math.sqrt(vc), stdUplift: Math.sqrt(vt + vc) });
    }
    return row;
  });
  if (total) {
    const t = responseRateByPercentile(y, uplift, treatment, 'treatment', { strategy, bins: 1 });
    const c = responseRateByPercentile(y, uplift, treatment, 'control', { strategy, bins: 1 });
    const rt = t.responseRate[0] as number;
    const rc = c.responseRate[0] as number;
    const row: PercentileRow = {
      percentile: 'total',
      nTreatment: t.size[0] as number,
      nControl: c.size[0] as number,
      responseRateTreatment: rt,
      responseRateControl: rc,
      uplift: rt - rc,
    };
    if (std) {
      const sum = (key: 'stdTreatment' | 'stdControl' | 'stdUplift') => rows.reduce((s, r) => s + (r[key] as number), 0);
      Object.assign(row, { stdTreatment: sum('stdTreatment'), stdControl: sum('stdControl'), stdUplift: sum('stdUplift') });
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Share of treated customers in a sliding window of `winsize` along the ranking (sklift `treatment_balance_curve`);
 * x runs from 1 to 100 over the windows. A well-randomised test stays near the overall treated share.
 */
export function treatmentBalanceCurve(uplift: readonly number[], treatment: readonly number[], winsize: number): Curve {
  checkSameLength(uplift, treatment);
  checkIsBinary('treatment', treatment);
  checkScores(uplift);
  if (!Number.isInteger(winsize) || winsize < 1 || winsize > uplift.length) {
    throw new RangeError(`winsize must be an integer from 1 to ${uplift.length}, got ${winsize}`);
  }
  const ordered = descendingOrder(uplift).map((i) => treatment[i] as number);
  const balance: number[] = [];
  let inWindow = 0;
  ordered.forEach((t, i) => {
    inWindow += t - (i >= winsize ? (ordered[i - winsize] as number) : 0);
    if (i >= winsize - 1) balance.push(inWindow / winsize);
  });
  const m = balance.length;
  const x = balance.map((_, i) => (m === 1 ? 1 : i === m - 1 ? 100 : 1 + i * (99 / (m - 1))));
  return { x, y: balance };
}
