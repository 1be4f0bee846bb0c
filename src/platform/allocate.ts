/**
 * Splitting an integer amount into integer shares that add up exactly, and the exact rational helpers it rests on.
 * Everything is computed on BigInt: products of amounts and weights easily pass 2^53, and a float error there would
 * move a unit from one share to another.
 */

/** An exact non-negative-denominator fraction. */
export type Ratio = { num: bigint; den: bigint };

const NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/**
 * The exact value of a finite number as a decimal fraction, taken from its shortest round-trip text: 0.345 is 345/1000,
 * not the binary double next to it. That is the value a person typed (a weight, a percent), so a rounding on it
 * never flips because of binary representation error.
 */
export function toExactRatio(x: number): Ratio {
  // Whole numbers need no decimal parse; the others (percents, rates, quantities) repeat, so their ratios are kept.
  if (Number.isSafeInteger(x)) return { num: BigInt(x), den: 1n };
  const known = ratios.get(x);
  if (known) return known;
  const r = Object.freeze(parseRatio(x));
  if (ratios.size >= RATIOS_MAX) ratios.clear();
  ratios.set(x, r);
  return r;
}

/** Ratios of non-integers read before (frozen: callers share them), bounded. */
const ratios = new Map<number, Ratio>();
const RATIOS_MAX = 10_000;

function parseRatio(x: number): Ratio {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const m = NUMBER_TEXT.exec(String(x));
  if (!m) throw new RangeError(`cannot read ${x} as a decimal`);
  const digits = BigInt((m[2] ?? '0') + (m[3] ?? ''));
  const scale = (m[3]?.length ?? 0) - Number(m[4] ?? '0');
  const num = m[1] === '-' ? -digits : digits;
  return scale >= 0 ? { num, den: 10n ** BigInt(scale) } : { num: num * 10n ** BigInt(-scale), den: 1n };
}

/** num ÷ den rounded to the nearest integer, exact halves to the even neighbour (den ≠ 0). */
export function divideHalfEven(num: bigint, den: bigint): bigint {
  if (den === 0n) throw new RangeError('division by zero');
  const neg = num < 0n !== den < 0n;
  const n = num < 0n ? -num : num;
  const d = den < 0n ? -den : den;
  let q = n / d;
  const twice = (n % d) * 2n;
  if (twice > d || (twice === d && q % 2n === 1n)) q += 1n;
  return neg ? -q : q;
}

/**
 * divideHalfEven on plain numbers, for callers that have checked that num and den are safe integers (den > 0): % and
 * the division of the exact multiple left are then exact, and doubling a remainder is exact in floating point.
 */
export function divideHalfEvenSafe(num: number, den: number): number {
  const neg = num < 0;
  const n = neg ? -num : num;
  const r = n % den;
  let q = (n - r) / den;
  if (r * 2 > den || (r * 2 === den && q % 2 === 1)) q += 1;
  return neg && q !== 0 ? -q : q;
}

/** Whether a × b, for safe integers a and b, is itself a safe integer (so that it was computed exactly). */
export const isSafeProduct = (a: number, b: number): boolean => Math.abs(a * b) <= Number.MAX_SAFE_INTEGER;

/** ⌊num ÷ den⌋ for den > 0 (BigInt division truncates towards zero). */
export function divideFloor(num: bigint, den: bigint): bigint {
  if (den <= 0n) throw new RangeError('denominator must be positive');
  const q = num / den;
  return num < 0n && q * den !== num ? q - 1n : q;
}

/** Weights as integers on one common scale, so that ratios between them are exact. */
function scaleWeights(weights: readonly (number | bigint)[]): bigint[] {
  const ratios = weights.map((w, i) => {
    // Whole weights (the common case: amounts) skip the decimal parse.
    const r = typeof w === 'bigint' ? { num: w, den: 1n } : Number.isSafeInteger(w) ? { num: BigInt(w), den: 1n } : toExactRatio(w);
    if (r.num < 0n) throw new RangeError(`weight ${i} is negative`);
    return r;
  });
  // Every denominator is a power of ten, so the largest one is a multiple of all the others.
  const common = ratios.reduce((max, r) => (r.den > max ? r.den : max), 1n);
  return ratios.map((r) => r.num * (common / r.den));
}

function checkCaps(caps: readonly number[], count: number): void {
  if (caps.length !== count) throw new RangeError(`${caps.length} caps for ${count} weights`);
  caps.forEach((c, i) => {
    if (!Number.isSafeInteger(c) || c < 0) throw new RangeError(`cap ${i} is not a non-negative safe integer: ${c}`);
  });
}

/**
 * Water-filling: an index whose exact proportional share would pass its cap is fixed at the cap, and the rest is
 * shared again among the others. Removing a capped index only raises the others' shares, so every index found over
 * its cap stays over it, and all of them can be fixed in the same pass.
 */
function fixCapped(rest: bigint, weights: readonly bigint[], caps: readonly bigint[], active: number[], shares: bigint[]): bigint {
  for (;;) {
    const sum = active.reduce((s, i) => s + (weights[i] ?? 0n), 0n);
    if (sum === 0n) return rest;
    const over = active.filter((i) => rest * (weights[i] ?? 0n) > (caps[i] ?? 0n) * sum);
    if (over.length === 0) return rest;
    for (const i of over) {
      shares[i] = caps[i] ?? 0n;
      rest -= caps[i] ?? 0n;
    }
    const fixed = new Set(over);
    active.splice(0, active.length, ...active.filter((i) => !fixed.has(i)));
  }
}

/** Hands the `left` units one each to the largest remainders, ties to the lower index. */
function byRemainder<T extends number | bigint>(remainders: { i: number; r: T }[], left: number): number[] {
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  return remainders.slice(0, left).map((x) => x.i);
}

function checkRoom(total: number, room: bigint | number): void {
  if (total > room) throw new RangeError(`total ${total} exceeds the caps of the weighted shares (${room})`);
}

/** The general path: exact on BigInt, for fractional weights and products beyond 2^53. */
function allocateExact(total: number, w: readonly bigint[], caps: readonly number[] | undefined): number[] {
  const shares = w.map(() => 0n);
  const active = w.flatMap((x, i) => (x > 0n ? [i] : []));
  let rest = BigInt(total);
  if (caps) {
    const c = caps.map(BigInt);
    checkRoom(
      total,
      active.reduce((s, i) => s + (c[i] ?? 0n), 0n),
    );
    rest = fixCapped(rest, w, c, active, shares);
  }
  if (rest > 0n && active.length === 0) throw new RangeError(`cannot share ${total} among zero weights`);
  const sum = active.reduce((s, i) => s + (w[i] ?? 0n), 0n);
  const remainders: { i: number; r: bigint }[] = [];
  let left = rest;
  for (const i of active) {
    const product = rest * (w[i] ?? 0n);
    shares[i] = product / sum;
    left -= product / sum;
    remainders.push({ i, r: product % sum });
  }
  // `left` is the sum of the fractional parts, so it is smaller than the count of non-zero remainders.
  for (const i of byRemainder(remainders, Number(left))) shares[i] = (shares[i] ?? 0n) + 1n;
  return shares.map(Number);
}

/**
 * The same computation on plain numbers, for the common case where every product total × weight and cap × Σ weights
 * stays below 2^53 and is therefore exact (pricing calls this thousands of times per basket). % and the division of
 * an exact multiple are exact on such integers.
 */
function allocateSafe(total: number, w: readonly number[], caps: readonly number[] | undefined): number[] {
  // Written with plain loops: pricing calls this dozens of times per basket, and each array built by map, filter or
  // reduce is garbage to collect.
  const n = w.length;
  const shares = new Array<number>(n).fill(0);
  let active: number[] = [];
  for (let i = 0; i < n; i++) if (w[i]! > 0) active.push(i);
  let rest = total;
  if (caps) {
    let room = 0;
    for (const i of active) room += caps[i]!;
    checkRoom(total, room);
    for (;;) {
      let sum = 0;
      for (const i of active) sum += w[i]!;
      if (sum === 0) break;
      // A cap at or above `rest` cannot bind; below it, cap × sum < rest × sum stays exact.
      const kept: number[] = [];
      let cut = 0;
      for (const i of active) {
        const cap = caps[i]!;
        if (cap < rest && rest * w[i]! > cap * sum) {
          shares[i] = cap;
          cut += cap;
        } else kept.push(i);
      }
      if (kept.length === active.length) break;
      rest -= cut;
      active = kept;
    }
  }
  if (rest > 0 && active.length === 0) throw new RangeError(`cannot share ${total} among zero weights`);
  let sum = 0;
  for (const i of active) sum += w[i]!;
  // Each index's fractional part, as its remainder over `sum`; -1 where there is none.
  const rem = new Array<number>(n).fill(-1);
  let left = rest;
  for (const i of active) {
    const product = rest * w[i]!;
    const r = product % sum;
    const share = (product - r) / sum;
    shares[i] = share;
    left -= share;
    if (r > 0) rem[i] = r;
  }
  if (left > FEW_LEFT) {
    const remainders: { i: number; r: number }[] = [];
    rem.forEach((r, i) => r > 0 && remainders.push({ i, r }));
    for (const i of byRemainder(remainders, left)) shares[i]! += 1;
  } else {
    // A few units: the largest remainder each time, the lower index on a tie, without sorting (a sort copies).
    for (; left > 0; left--) {
      let best = -1;
      for (let i = 0; i < n; i++) if (rem[i]! > (best < 0 ? 0 : rem[best]!)) best = i;
      shares[best]! += 1;
      rem[best] = -1;
    }
  }
  return shares;
}

/** Up to this many units left over are handed out by scanning the remainders; more, by sorting them once. */
const FEW_LEFT = 16;

/** The weights as plain numbers when the number path is exact for them, otherwise null. */
function safeWeights(total: number, weights: readonly (number | bigint)[]): number[] | null {
  let sum = 0;
  for (const w of weights) {
    if (typeof w !== 'number' || !Number.isSafeInteger(w) || w < 0) return null;
    sum += w;
  }
  return Number.isSafeInteger(sum) && total * sum <= Number.MAX_SAFE_INTEGER ? (weights as number[]) : null;
}

/**
 * Splits a non-negative integer `total` into integer shares proportional to `weights` (largest-remainder method):
 * each index gets the floor of its exact share, and the units left over go one each to the largest fractional
 * remainders, ties to the lower index. The shares add up to `total` exactly.
 *
 * With `caps`, no share exceeds its cap: what a capped index cannot take is shared among the others in proportion
 * to their weights, again and again, until nothing is over.
 *
 * A zero weight never receives anything, so this throws RangeError when `total` is positive and all weights are
 * zero, or when `total` exceeds the sum of the caps of the positive-weight indices; also when `total` is not a
 * non-negative safe integer, a weight is negative or not finite, or a cap is not a non-negative safe integer.
 * Weights may be fractional (read exactly, see toExactRatio) or BigInt.
 */
export function allocate(total: number, weights: readonly (number | bigint)[], caps?: readonly number[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`total is not a non-negative safe integer: ${total}`);
  if (caps) checkCaps(caps, weights.length);
  const safe = safeWeights(total, weights);
  return safe ? allocateSafe(total, safe, caps) : allocateExact(total, scaleWeights(weights), caps);
}
