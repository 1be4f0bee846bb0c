// Earning and burning points, pure. Points are whole; money is integer minor units. Rates and multipliers are read
// as the decimals they are written as (1.1 is 11/10) and every product is exact, so a 0.999999… never loses a point.

import { allocate, divideFloor, divideHalfEven, toExactRatio, type Ratio } from '../../../platform/allocate.ts';

export type EarnConfig = { basePercent: number; categoryMultipliers: Record<string, number>; brandMultipliers: Record<string, number> };
export type BurnConfig = { pointValueMinor: number; maxSharePercent: number; excludedCategories: string[] };

type EarnLine = { lineNo: number; category: string | null; brand: string | null; paidMinor: number };
type BurnLine = { lineNo: number; category: string | null; totalMinor: number };

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));

function multiply(...factors: Ratio[]): Ratio {
  return factors.reduce((acc, f) => ({ num: acc.num * f.num, den: acc.den * f.den }), { num: 1n, den: 1n });
}

function add(a: Ratio, b: Ratio): Ratio {
  const num = a.num * b.den + b.num * a.den;
  const den = a.den * b.den;
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g };
}

function nonNegative(x: number, what: string): Ratio {
  if (!Number.isFinite(x) || x < 0) throw new RangeError(`${what} must be a non-negative number, got ${x}`);
  return toExactRatio(x);
}

function checkPointValue(pointValueMinor: number): void {
  if (!Number.isSafeInteger(pointValueMinor) || pointValueMinor <= 0) {
    throw new RangeError(`point value must be a positive whole number of minor units, got ${pointValueMinor}`);
  }
}

function checkMinor(x: number, what: string): void {
  if (!Number.isSafeInteger(x) || x < 0) throw new RangeError(`${what} must be a non-negative whole number of minor units, got ${x}`);
}

/** Lines in lineNo order, so that ties in allocation go to the lower lineNo whatever order the caller used. */
function byLineNo<T extends { lineNo: number }>(lines: readonly T[]): readonly T[] {
  // Already in order (as the till sends them): the lines themselves, without a copy.
  let ordered = true;
  for (let i = 1; i < lines.length && ordered; i++) ordered = lines[i - 1]!.lineNo < lines[i]!.lineNo;
  const sorted = ordered ? lines : [...lines].sort((a, b) => a.lineNo - b.lineNo);
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i - 1]!.lineNo === sorted[i]!.lineNo) throw new RangeError(`line ${sorted[i]!.lineNo} appears twice`);
  return sorted;
}

const ONE: Ratio = Object.freeze({ num: 1n, den: 1n });

/** A multiplier looked up by key; own properties only, so a category named 'constructor' does not find a function. */
function multiplierOf(table: Record<string, number>, key: string | null, what: string): Ratio {
  if (key === null || !Object.hasOwn(table, key)) return ONE;
  return nonNegative(table[key] ?? 1, `${what} multiplier for '${key}'`);
}

/**
 * Points earned on what the customer paid in money. A line's exact value is
 * paidMinor × basePercent/100 × categoryMult × brandMult × multiplier / pointValueMinor (unlisted multipliers are 1).
 * The total is ⌊Σ exact values⌋, computed on exact fractions; it is spread over the lines by `allocate` in proportion
 * to their exact values, so Σ line points = total. Lines come back in lineNo order.
 * Throws RangeError on a negative or fractional paidMinor, a negative rate, or a point value that is not a positive
 * whole number of minor units.
 */
export function earnPoints(
  lines: readonly EarnLine[],
  earn: EarnConfig,
  multiplier: number,
  pointValueMinor: number,
): { total: number; lines: { lineNo: number; points: number }[] } {
  checkPointValue(pointValueMinor);
  const base = multiply(nonNegative(earn.basePercent, 'base percent'), { num: 1n, den: 100n });
  const perReceipt = multiply(base, nonNegative(multiplier, 'multiplier'), { num: 1n, den: BigInt(pointValueMinor) });
  const sorted = byLineNo(lines);
  // Each line's exact value num/den, and the least common denominator of them all (few distinct denominators).
  const nums: bigint[] = [];
  const dens: bigint[] = [];
  let common = 1n;
  for (const l of sorted) {
    checkMinor(l.paidMinor, `line ${l.lineNo}: paid amount`);
    const category = multiplierOf(earn.categoryMultipliers, l.category, 'category');
    const brand = multiplierOf(earn.brandMultipliers, l.brand, 'brand');
    const den = perReceipt.den * category.den * brand.den;
    nums.push(BigInt(l.paidMinor) * perReceipt.num * category.num * brand.num);
    dens.push(den);
    if (common % den !== 0n) common = (common / gcd(common, den)) * den;
  }
  // Exact values on the common denominator: integer weights in exactly the right proportions, and their sum.
  const weights = nums.map((n, i) => n * (common / dens[i]!));
  const total = Number(
    divideFloor(
      weights.reduce((a, w) => a + w, 0n),
      common,
    ),
  );
  // As numbers when they are safe, so that allocate takes its path on numbers.
  const safe = weights.every((w) => w <= MAX_SAFE);
  const shares = allocate(total, safe ? weights.map(Number) : weights);
  return { total, lines: sorted.map((l, i) => ({ lineNo: l.lineNo, points: shares[i] ?? 0 })) };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function eligibleLines(lines: readonly BurnLine[], burn: BurnConfig): BurnLine[] {
  return byLineNo(lines).filter((l) => {
    checkMinor(l.totalMinor, `line ${l.lineNo}: total`);
    return l.category === null || !burn.excludedCategories.includes(l.category);
  });
}

/**
 * How many points may pay for this basket: the eligible amount is Σ totalMinor of lines outside the excluded
 * categories (a line without a category is eligible); the cap is ⌊eligible × maxSharePercent / 100 / pointValueMinor⌋
 * (maxSharePercent clamped to 0–100); the answer is min(balance, cap), never below 0.
 */
export function maxRedeemable(lines: readonly BurnLine[], burn: BurnConfig, balance: number): number {
  checkPointValue(burn.pointValueMinor);
  const eligible = eligibleLines(lines, burn).reduce((s, l) => s + BigInt(l.totalMinor), 0n);
  const share = toExactRatio(Math.min(100, Math.max(0, burn.maxSharePercent)));
  const cap = divideFloor(eligible * share.num, share.den * 100n * BigInt(burn.pointValueMinor));
  const whole = Math.max(0, Math.floor(balance));
  return Number(cap < BigInt(whole) ? cap : BigInt(whole));
}

/**
 * Spreads `points` over the eligible lines: their money value (points × pointValueMinor) is allocated in proportion
 * to the line totals and capped by them, then the points in proportion to that money (Σ = points). Returns the lines
 * that receive something, in lineNo order. Throws RangeError when `points` exceeds what maxRedeemable allows for
 * these lines (whatever the balance) or is not a non-negative whole number.
 */
export function allocateRedemption(
  lines: readonly BurnLine[],
  burn: BurnConfig,
  points: number,
): { lineNo: number; points: number; amountMinor: number }[] {
  if (!Number.isSafeInteger(points) || points < 0) throw new RangeError(`points must be a non-negative whole number, got ${points}`);
  const allowed = maxRedeemable(lines, burn, points);
  if (points > allowed) throw new RangeError(`${points} points exceed the ${allowed} these lines allow`);
  const eligible = eligibleLines(lines, burn);
  const totals = eligible.map((l) => l.totalMinor);
  const money = allocate(points * burn.pointValueMinor, totals, totals);
  const pointShares = allocate(points, money);
  return eligible.flatMap((l, i) => {
    const amountMinor = money[i] ?? 0;
    const p = pointShares[i] ?? 0;
    return amountMinor > 0 || p > 0 ? [{ lineNo: l.lineNo, points: p, amountMinor }] : [];
  });
}

/**
 * What to reverse when `returnedQty` of a line's `quantity` units come back, after `alreadyReturnedQty` came back
 * before and `alreadyReversed` was reversed for them: round-half-even(value × (already + returned) / quantity) −
 * alreadyReversed. Rounding the running total rather than each return makes any sequence of partial returns that adds
 * up to the whole quantity reverse exactly `value`; a return that reaches (or passes) the full quantity reverses
 * what remains. Quantities are read exactly as decimals (0.1 + 0.2 kg is 0.3 kg). Never negative.
 */
export function proportionalShare(
  value: number,
  quantity: number,
  returnedQty: number,
  alreadyReturnedQty: number,
  alreadyReversed: number,
): number {
  checkMinor(value, 'value');
  checkMinor(alreadyReversed, 'already reversed');
  const q = nonNegative(quantity, 'quantity');
  if (q.num === 0n) throw new RangeError('quantity must be positive');
  const returned = add(nonNegative(alreadyReturnedQty, 'already returned quantity'), nonNegative(returnedQty, 'returned quantity'));
  const full = returned.num * q.den >= q.num * returned.den;
  const target = full ? BigInt(value) : divideHalfEven(BigInt(value) * returned.num * q.den, returned.den * q.num);
  return Math.max(0, Number(target) - alreadyReversed);
}
