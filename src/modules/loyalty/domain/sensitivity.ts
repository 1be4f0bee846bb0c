// Discount sensitivity: for each step of the discount ladder, how likely this customer is to buy when offered it.
// Each step is a Beta–Bernoulli model: the customer's segment gives the prior, the customer's own sales the evidence.

export type StepCounts = { successes: number; failures: number };

/** How many pseudo-observations the segment may contribute per step, unless the caller says otherwise. */
export const DEFAULT_PRIOR_STRENGTH = 10;

/** Expectations closer than this (relative) are ties: float products such as 0.5 × 200 and 1 × 100 must compare equal. */
const TIE_TOLERANCE = 1e-9;

function checkKeys(stepKeys: readonly string[]): void {
  if (new Set(stepKeys).size !== stepKeys.length) throw new RangeError('ladder step keys must be unique');
}

/** Own-property lookup, so a step named 'constructor' does not find Object.prototype. */
function countsOf(table: Record<string, StepCounts>, key: string): StepCounts {
  const c = Object.hasOwn(table, key) ? table[key] : undefined;
  if (c === undefined) return { successes: 0, failures: 0 };
  if (!(c.successes >= 0 && c.failures >= 0 && Number.isFinite(c.successes) && Number.isFinite(c.failures))) {
    throw new RangeError(`counts for step '${key}' must be non-negative numbers`);
  }
  return c;
}

/**
 * What one sale tells. The cashier offers the steps smallest first (`stepKeys` in ladder order) and the customer
 * bought at `acceptedKey` ('none' = without an extra discount). Every step at or above the accepted one is a success
 * (the customer would have bought with it), every step below a failure. Throws RangeError when `acceptedKey` is not
 * on the ladder or a key repeats.
 */
export function observe(stepKeys: readonly string[], acceptedKey: string): Record<string, StepCounts> {
  checkKeys(stepKeys);
  const accepted = stepKeys.indexOf(acceptedKey);
  if (accepted < 0) throw new RangeError(`'${acceptedKey}' is not a step of the ladder`);
  return Object.fromEntries(stepKeys.map((key, i) => [key, i >= accepted ? { successes: 1, failures: 0 } : { successes: 0, failures: 1 }]));
}

/**
 * Pool-adjacent-violators: the non-decreasing sequence closest to `values` in weighted least squares. Adjacent
 * blocks that break the order are merged into their weighted mean.
 */
function isotonic(values: readonly number[], weights: readonly number[]): number[] {
  const blocks: { mean: number; weight: number; size: number }[] = [];
  values.forEach((v, i) => {
    blocks.push({ mean: v, weight: weights[i] ?? 0, size: 1 });
    for (;;) {
      const last = blocks[blocks.length - 1];
      const prev = blocks[blocks.length - 2];
      if (!last || !prev || prev.mean <= last.mean) break;
      const weight = prev.weight + last.weight;
      blocks.splice(-2, 2, { mean: (prev.mean * prev.weight + last.mean * last.weight) / weight, weight, size: prev.size + last.size });
    }
  });
  return blocks.flatMap((b) => Array.from({ length: b.size }, () => b.mean));
}

/**
 * Buy probability per ladder step. Prior: the segment's pooled counts for the step, scaled down (keeping their
 * ratio) to at most `priorStrength` pseudo-observations so a large segment cannot drown the customer's own history,
 * plus Beta(1, 1). Posterior: the prior plus the customer's own counts; `alpha`, `beta` are its parameters and the raw
 * pBuy its mean. A deeper discount cannot make a sale less likely, so pBuy is then made non-decreasing along the
 * ladder by pool-adjacent-violators, weighted by alpha + beta (the better-known step moves less).
 */
export function buyProbabilities(
  stepKeys: readonly string[],
  segment: Record<string, StepCounts>,
  own: Record<string, StepCounts>,
  priorStrength: number = DEFAULT_PRIOR_STRENGTH,
): { key: string; pBuy: number; alpha: number; beta: number }[] {
  checkKeys(stepKeys);
  if (!(priorStrength >= 0) || !Number.isFinite(priorStrength)) throw new RangeError('prior strength must be a non-negative number');
  const posteriors = stepKeys.map((key) => {
    const seg = countsOf(segment, key);
    const mine = countsOf(own, key);
    const n = seg.successes + seg.failures;
    const scale = n > priorStrength ? priorStrength / n : 1;
    return { key, alpha: 1 + seg.successes * scale + mine.successes, beta: 1 + seg.failures * scale + mine.failures };
  });
  const pBuy = isotonic(
    posteriors.map((p) => p.alpha / (p.alpha + p.beta)),
    posteriors.map((p) => p.alpha + p.beta),
  );
  return posteriors.map((p, i) => ({ key: p.key, pBuy: pBuy[i] ?? 0, alpha: p.alpha, beta: p.beta }));
}

/**
 * The step to offer: the one with the largest expected margin pBuy × (marginMinor − costMinor). Ties (within float
 * noise) go to the cheaper step, then to the earlier option. `expectedMarginMinor` is that expectation rounded to
 * whole minor units, for display and storage; the choice is made on the unrounded values. Throws RangeError when
 * there are no options.
 */
export function recommend(
  options: readonly { key: string; costMinor: number; pBuy: number }[],
  marginMinor: number,
): { key: string; expectedMarginMinor: number } {
  let best: { key: string; costMinor: number; expected: number } | null = null;
  for (const o of options) {
    const expected = o.pBuy * (marginMinor - o.costMinor);
    const tolerance = TIE_TOLERANCE * Math.max(1, Math.abs(expected), Math.abs(best?.expected ?? 0));
    const better =
      best === null ||
      expected > best.expected + tolerance ||
      (Math.abs(expected - best.expected) <= tolerance && o.costMinor < best.costMinor);
    if (better) best = { key: o.key, costMinor: o.costMinor, expected };
  }
  if (best === null) throw new RangeError('no ladder steps to choose from');
  return { key: best.key, expectedMarginMinor: Math.round(best.expected) };
}
