// The discount ladder: extra discounts the cashier may offer after the offers have been applied, smallest first.
// Each step is priced on the basket as the offers left it, so its cost is what the retailer would really give up.

import { allocate, divideHalfEven, toExactRatio } from '../../../platform/allocate.ts';
import { sortInPlace } from '../../../platform/order.ts';
import type { BasketLine, LadderStep, LadderStepConfig, PricingResult } from './types.ts';

export type { LadderStep, LadderStepConfig } from './types.ts';

/** The step that gives nothing: always first on the ladder. */
export const NO_EXTRA_DISCOUNT = 'none';

function checkSteps(steps: readonly LadderStepConfig[]): void {
  const keys = new Set<string>([NO_EXTRA_DISCOUNT]);
  for (const s of steps) {
    if (keys.has(s.key)) throw new RangeError(`ladder step '${s.key}': the key is reserved or repeated`);
    keys.add(s.key);
    if (!Number.isFinite(s.percent) || s.percent < 0 || s.percent > 100)
      throw new RangeError(`ladder step '${s.key}': percent must be within 0–100`);
  }
}

/** Ladder order: 'none' first, then by cost, then percent, then key (code-unit order, not locale). */
function compareSteps(a: LadderStep, b: LadderStep): number {
  if (a.key === NO_EXTRA_DISCOUNT || b.key === NO_EXTRA_DISCOUNT) return a.key === NO_EXTRA_DISCOUNT ? -1 : 1;
  return a.costMinor - b.costMinor || a.percent - b.percent || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Prices the ladder's steps on a priced basket. A step costs round(Σ eligible line totals × percent / 100), half to
 * even, spread over the eligible lines in proportion to their totals and never above them. A line is eligible when
 * its category is not excluded (a line without a category is eligible) and it appears in both `priced` and `lines`
 * (a priced line whose category is unknown is left out rather than guessed).
 *
 * The first step is always { key: 'none', percent: 0, costMinor: 0 }; the others follow by cost, then percent, then
 * key. Throws RangeError on a repeated key, the reserved key 'none', or a percent outside 0–100.
 */
export function buildLadder(
  priced: PricingResult,
  lines: readonly BasketLine[],
  steps: readonly LadderStepConfig[],
  excludedCategories: readonly string[],
): LadderStep[] {
  checkSteps(steps);
  const categoryOf = new Map(lines.map((l) => [l.lineNo, l.category]));
  const eligible = sortInPlace(
    priced.lines.filter((l) => {
      if (!categoryOf.has(l.lineNo)) return false;
      const category = categoryOf.get(l.lineNo) ?? null;
      return category === null || !excludedCategories.includes(category);
    }),
    (a, b) => a.lineNo - b.lineNo,
  );
  const totals = eligible.map((l) => l.totalMinor);
  const base = BigInt(totals.reduce((s, t) => s + t, 0));
  const priceStep = (s: LadderStepConfig): LadderStep => {
    const p = toExactRatio(s.percent);
    const costMinor = Number(divideHalfEven(base * p.num, p.den * 100n));
    const shares = allocate(costMinor, totals, totals);
    const allocations = eligible.flatMap((l, i) => ((shares[i] ?? 0) > 0 ? [{ lineNo: l.lineNo, discountMinor: shares[i] ?? 0 }] : []));
    return { key: s.key, percent: s.percent, costMinor, allocations };
  };
  const none: LadderStep = { key: NO_EXTRA_DISCOUNT, percent: 0, costMinor: 0, allocations: [] };
  return sortInPlace([none, ...steps.map(priceStep)], compareSteps);
}
