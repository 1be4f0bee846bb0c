// The pricing engine: a basket, the offers in force and their stacking groups in; line-level discounts that add up
// exactly out. Pure: no clock, no database; everything it needs is in its arguments.
//
// Determinism: lines are processed in lineNo order and every choice has a total tie-break (priority, then id or
// key, compared by code units, never by locale), so the same basket priced twice, or with its lines in another
// order, gives the same result per line.

import { allocate, divideHalfEven, divideHalfEvenSafe, isSafeProduct, toExactRatio, type Ratio } from '../../../platform/allocate.ts';
import { sortInPlace } from '../../../platform/order.ts';
import type {
  ApplicableOffer,
  BasketLine,
  Discount,
  Offer,
  OfferRule,
  PricedLine,
  PricingContext,
  PricingResult,
  StackingGroup,
} from './types.ts';

/** A basket line with what the engine derives from it once. */
type Line = {
  src: BasketLine;
  /** round(quantity × unit price), half to even. */
  amount: number;
  qty: Ratio;
  /** The quantity when it is a whole number of units, otherwise null (weighed goods take no part in bundles). */
  units: number | null;
};

/** An eligible offer and the indices (into the lineNo-sorted lines) of the lines it touches. */
type Candidate = { offer: Offer; touched: number[] };

/** A stacking group with its eligible offers; offers of an unknown group become a group of their own. */
type Group = {
  key: string;
  mode: StackingGroup['mode'];
  choose: StackingGroup['choose'];
  priority: number;
  excludes: readonly string[];
  /** Orders groups of their own (same key, infinite priority) by their one offer: priority, then id. */
  own: { priority: number; id: string } | null;
  offers: Candidate[];
  /** A cumulative group's offers in the order they apply (by what each gives alone), once found (applyGroup). */
  ordered?: Candidate[];
};

type Application = { candidate: Candidate; shares: number[]; discountMinor: number };
type Stacking = { groups: Group[]; applications: Application[]; totalMinor: number };

/**
 * Combinations of mutually exclusive groups are enumerated when at most this many groups take part in an exclusion
 * (2^8 = 256 stackings, each cheap); beyond it, groups are taken greedily in priority order.
 */
const MAX_ENUMERATED_GROUPS = 8;

const DAY_MS = 86_400_000;

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const compareNumber = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);
const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
/** Offers by priority, then id: the order in which ties between them are broken. */
const compareOffers = (a: Offer, b: Offer): number => compareNumber(a.priority, b.priority) || compareText(a.id, b.id);

function toSafeNumber(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${what} is too large`);
  return Number(v);
}

/** A money setting of an offer as whole non-negative minor units; null stays null (no limit). */
const wholeMinor = (v: number | null): number | null => (v === null ? null : Math.max(0, Math.floor(v)));

const exactAmount = (qty: Ratio, price: Ratio, where: string): number =>
  toSafeNumber(divideHalfEven(qty.num * price.num, qty.den * price.den), `${where}: amount`);

function prepareLines(lines: readonly BasketLine[]): Line[] {
  const seen = new Set<number>();
  const prepared = lines.map((src) => {
    const where = `basket line ${src.lineNo}`;
    if (!Number.isSafeInteger(src.lineNo)) throw new RangeError(`${where}: lineNo must be an integer`);
    if (seen.has(src.lineNo)) throw new RangeError(`${where}: lineNo appears twice`);
    seen.add(src.lineNo);
    if (!Number.isFinite(src.quantity) || src.quantity < 0) throw new RangeError(`${where}: quantity must be ≥ 0`);
    if (!Number.isFinite(src.unitPriceMinor) || src.unitPriceMinor < 0) throw new RangeError(`${where}: unit price must be ≥ 0`);
    if (!Number.isFinite(src.taxRatePercent) || src.taxRatePercent < 0) throw new RangeError(`${where}: tax rate must be ≥ 0`);
    const units = Number.isSafeInteger(src.quantity) ? src.quantity : null;
    const qty = toExactRatio(src.quantity);
    // Whole units at a whole price: the product is exact on numbers when it is safe (the common case, no BigInt).
    const amount =
      units !== null && Number.isSafeInteger(src.unitPriceMinor) && isSafeProduct(units, src.unitPriceMinor)
        ? units * src.unitPriceMinor
        : exactAmount(qty, toExactRatio(src.unitPriceMinor), where);
    return { src, amount, qty, units };
  });
  return sortInPlace(prepared, (a, b) => a.src.lineNo - b.src.lineNo);
}

/** The lines an offer acts on: its categories (null = all), and for brand offers, its brands. */
function touchedLines(offer: Offer, lines: readonly Line[]): number[] {
  const { categories, rule } = offer;
  const touched: number[] = [];
  lines.forEach((l, i) => {
    const { category, brand } = l.src;
    if (categories !== null && (category === null || !categories.includes(category))) return;
    if (rule.kind === 'brand' && (brand === null || !rule.brands.includes(brand))) return;
    touched.push(i);
  });
  return touched;
}

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * Whether `at`'s UTC date lies within [birthday − before, birthday + after]. The birthdays of the year before and
 * after are tried too, so a window wraps around New Year (birthday Jan 2, date Dec 30). A Feb 29 birthday falls on
 * Feb 28 in other years. Windows are meant to be shorter than a year.
 */
export function isInBirthdayWindow(birthDate: string, at: Date, daysBefore: number, daysAfter: number): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m) return false;
  const month = Number(m[2]) - 1;
  const day = Number(m[3]);
  // 2000 is a leap year, so every real month-day (Feb 29 included) survives this round trip.
  const probe = new Date(Date.UTC(2000, month, day));
  if (probe.getUTCMonth() !== month || probe.getUTCDate() !== day) return false;
  const today = Math.floor(at.getTime() / DAY_MS);
  const before = Math.max(0, daysBefore);
  const after = Math.max(0, daysAfter);
  const year = at.getUTCFullYear();
  return [year - 1, year, year + 1].some((y) => {
    const d = month === 1 && day === 29 && !isLeapYear(y) ? 28 : day;
    const birthday = Date.UTC(y, month, d) / DAY_MS;
    return today >= birthday - before && today <= birthday + after;
  });
}

/** Σ quantity ≥ min, exactly (quantities and the threshold are read as decimals). */
function hasQuantity(lines: readonly Line[], touched: readonly number[], min: number): boolean {
  if (Number.isSafeInteger(min) && touched.every((i) => (lines[i] as Line).units !== null)) return wholeUnits(lines, touched) >= min;
  const threshold = toExactRatio(min);
  const qtys = touched.map((i) => (lines[i] as Line).qty);
  const den = qtys.reduce((d, q) => (q.den > d ? q.den : d), threshold.den); // powers of ten: the largest is common
  const total = qtys.reduce((s, q) => s + q.num * (den / q.den), 0n);
  return total >= threshold.num * (den / threshold.den);
}

const wholeUnits = (lines: readonly Line[], touched: readonly number[]): number => sum(touched.map((i) => (lines[i] as Line).units ?? 0));

const isValidBundle = (buy: number, free: number): boolean =>
  Number.isSafeInteger(buy) && buy >= 1 && Number.isSafeInteger(free) && free >= 0;

/** What the offer's kind requires of the basket and the customer. */
function meetsCondition(rule: OfferRule, lines: readonly Line[], touched: readonly number[], ctx: PricingContext): boolean {
  const customer = ctx.customer;
  switch (rule.kind) {
    case 'volume':
      return hasQuantity(lines, touched, rule.minQuantity);
    case 'brand':
      return touched.length > 0;
    case 'bundle':
      return isValidBundle(rule.buy, rule.free) && wholeUnits(lines, touched) >= rule.buy;
    case 'birthday':
      return customer?.birthDate != null && isInBirthdayWindow(customer.birthDate, ctx.at, rule.daysBefore, rule.daysAfter);
    case 'tier':
      return customer?.tier != null && rule.tiers.includes(customer.tier);
    case 'personal':
      return (
        customer != null &&
        ((rule.customerIds?.includes(customer.id) ?? false) ||
          (customer.cell !== null && (rule.cells?.includes(customer.cell) ?? false)) ||
          (customer.rfmSegment !== null && (rule.rfmSegments?.includes(customer.rfmSegment) ?? false)))
      );
  }
}

/**
 * Eligibility, on the basket as sent: validity window (inclusive, nulls open), store, per-customer limit, budget left,
 * the kind's condition, and at least one line touched (an offer whose categories are all absent from the basket does
 * not apply to it, so it is not listed as applicable).
 */
function isEligible(offer: Offer, lines: readonly Line[], touched: readonly number[], ctx: PricingContext): boolean {
  const at = ctx.at.getTime();
  if (touched.length === 0) return false;
  if (offer.validFrom !== null && at < offer.validFrom.getTime()) return false;
  if (offer.validTo !== null && at > offer.validTo.getTime()) return false;
  if (offer.stores !== null && !offer.stores.includes(ctx.store)) return false;
  if (offer.perCustomerLimit !== null && (ctx.customer === null || offer.customerUses >= offer.perCustomerLimit)) return false;
  if (offer.budgetRemainingMinor !== null && offer.budgetRemainingMinor <= 0) return false;
  return meetsCondition(offer.rule, lines, touched, ctx);
}

/** A percent or amount discount on the given remaining totals, spread over them in proportion and capped by them. */
function discountShares(discount: Discount, remaining: readonly number[]): number[] {
  const total = sum(remaining);
  let d: number;
  if (discount.kind === 'percent') {
    // Percent is clamped to 0–100: a line never goes negative.
    const percent = Math.min(100, Math.max(0, discount.percent));
    if (Number.isSafeInteger(percent) && isSafeProduct(total, percent)) d = divideHalfEvenSafe(total * percent, 100);
    else {
      const p = toExactRatio(percent);
      d = Number(divideHalfEven(BigInt(total) * p.num, p.den * 100n));
    }
  } else {
    d = Math.min(total, Math.max(0, Math.floor(discount.amountMinor)));
  }
  return allocate(d, remaining, remaining);
}

/**
 * The free units of a bundle. Whole units are sorted by their remaining per-unit value (what is left of the line
 * after earlier offers ÷ its quantity), highest first, ties by lineNo; in each full run of `buy` units the last
 * `free` (the cheapest) are free. Sorting by the remaining value rather than the list price makes "the cheapest"
 * mean the cheapest at this point of the stacking; on an undiscounted basket the two agree. Each line's free units
 * are valued exactly and rounded once: round(remaining × free units / quantity).
 */
function bundleShares(
  buy: number,
  freePerRun: number,
  lines: readonly Line[],
  touched: readonly number[],
  remaining: readonly number[],
): number[] {
  const free = Math.min(freePerRun, buy);
  const order = touched.map((_, k) => k).filter((k) => ((lines[touched[k] as number] as Line).units ?? 0) > 0);
  const unitsOf = (k: number): number => (lines[touched[k] as number] as Line).units ?? 0;
  const remOf = (k: number): number => remaining[k] ?? 0;
  const total = sum(order.map(unitsOf));
  // remaining × units across lines, compared exactly: on numbers when every such product is safe, else on BigInt.
  const safe = order.every((a) => isSafeProduct(remOf(a), total));
  sortInPlace(order, (a, b) => {
    const left = safe ? remOf(a) * unitsOf(b) : BigInt(remOf(a)) * BigInt(unitsOf(b));
    const right = safe ? remOf(b) * unitsOf(a) : BigInt(remOf(b)) * BigInt(unitsOf(a));
    return left > right ? -1 : left < right ? 1 : a - b;
  });
  const runsEnd = Math.floor(total / buy) * buy;
  /** How many of the positions [0, x) are free: the last `free` of every run of `buy`. */
  const freeBefore = (x: number): number => Math.floor(x / buy) * free + Math.max(0, (x % buy) - (buy - free));
  const shares = touched.map(() => 0);
  let position = 0;
  for (const k of order) {
    const q = unitsOf(k);
    const end = Math.min(position + q, runsEnd);
    const freeUnits = end > position ? freeBefore(end) - freeBefore(position) : 0;
    shares[k] = safe
      ? divideHalfEvenSafe(remOf(k) * freeUnits, q)
      : Number(divideHalfEven(BigInt(remOf(k)) * BigInt(freeUnits), BigInt(q)));
    position += q;
  }
  return shares;
}

/**
 * What an offer gives on the basket as it stands (`remaining`, per line), per touched line: its kind's discount, then
 * capped by maxDiscountMinor and by the budget left, the capped amount re-spread in proportion to the uncapped shares.
 */
function offerShares(c: Candidate, lines: readonly Line[], remaining: readonly number[]): number[] {
  const rem = c.touched.map((i) => remaining[i] ?? 0);
  const { rule } = c.offer;
  const raw = rule.kind === 'bundle' ? bundleShares(rule.buy, rule.free, lines, c.touched, rem) : discountShares(rule.discount, rem);
  const limits = [wholeMinor(c.offer.maxDiscountMinor), wholeMinor(c.offer.budgetRemainingMinor)].filter((x) => x !== null);
  const limit = Math.min(...limits);
  return sum(raw) > limit ? allocate(limit, raw, raw) : raw;
}

const standaloneDiscount = (c: Candidate, lines: readonly Line[], base: readonly number[]): number => sum(offerShares(c, lines, base));

/** Groups in application order: priority (groups of their own, at +∞, last), key, then their one offer. */
function compareGroups(a: Group, b: Group): number {
  return (
    compareNumber(a.priority, b.priority) ||
    compareText(a.key, b.key) ||
    (a.own && b.own ? compareNumber(a.own.priority, b.own.priority) || compareText(a.own.id, b.own.id) : 0)
  );
}

/**
 * The groups that have eligible offers, in application order. A key that repeats in `groups` keeps its first
 * definition. An offer whose group key is not defined forms an exclusive 'best' group of its own at priority +∞
 * (after every defined group); a defined group that `excludes` that key excludes it.
 */
function resolveGroups(candidates: readonly Candidate[], groups: readonly StackingGroup[]): Group[] {
  const byKey = new Map<string, Group>();
  for (const g of groups) {
    // Fields named rather than spread: the program's groups may carry more, and a spread is slow on this path.
    if (!byKey.has(g.key))
      byKey.set(g.key, { key: g.key, mode: g.mode, choose: g.choose, priority: g.priority, excludes: g.excludes, own: null, offers: [] });
  }
  const own: Group[] = [];
  for (const c of candidates) {
    const g = byKey.get(c.offer.group);
    if (g) g.offers.push(c);
    else {
      own.push({
        key: c.offer.group,
        mode: 'exclusive',
        choose: 'best',
        priority: Number.POSITIVE_INFINITY,
        excludes: [],
        own: { priority: c.offer.priority, id: c.offer.id },
        offers: [c],
      });
    }
  }
  const live = [...byKey.values(), ...own].filter((g) => g.offers.length > 0);
  for (const g of live) sortInPlace(g.offers, (a, b) => compareOffers(a.offer, b.offer));
  return sortInPlace(live, compareGroups);
}

/** Applies one group to the basket as left by earlier groups: `remaining` is updated in place. */
function applyGroup(group: Group, lines: readonly Line[], remaining: number[], standalone: ReadonlyMap<string, number>): Application[] {
  const evaluate = (candidate: Candidate): Application => {
    const shares = offerShares(candidate, lines, remaining);
    return { candidate, shares, discountMinor: sum(shares) };
  };
  const take = (a: Application): void => {
    a.candidate.touched.forEach((i, k) => (remaining[i] = (remaining[i] ?? 0) - (a.shares[k] ?? 0)));
  };
  if (group.mode === 'exclusive') {
    // Candidates are in (priority, id) order, so strict comparisons leave ties to the earlier one.
    let chosen: Application | null = null;
    for (const a of group.offers.map(evaluate)) {
      if (
        group.choose === 'best'
          ? a.discountMinor > (chosen?.discountMinor ?? 0)
          : a.discountMinor > 0 && (chosen === null || a.discountMinor < chosen.discountMinor)
      ) {
        chosen = a;
      }
    }
    if (chosen === null) return [];
    take(chosen);
    return [chosen];
  }
  const sign = group.choose === 'best' ? -1 : 1;
  // The same in every stacking tried: found once.
  const ordered = (group.ordered ??= sortInPlace(
    [...group.offers],
    (a, b) => sign * compareNumber(standalone.get(a.offer.id) ?? 0, standalone.get(b.offer.id) ?? 0) || compareOffers(a.offer, b.offer),
  ));
  const applied: Application[] = [];
  for (const c of ordered) {
    const a = evaluate(c);
    take(a);
    if (a.discountMinor > 0) applied.push(a);
  }
  return applied;
}

function runStacking(stack: Group[], lines: readonly Line[], base: readonly number[], standalone: ReadonlyMap<string, number>): Stacking {
  const remaining = [...base];
  const applications = stack.flatMap((g) => applyGroup(g, lines, remaining, standalone));
  return { groups: stack, applications, totalMinor: sum(applications.map((a) => a.discountMinor)) };
}

const conflicts = (a: Group, b: Group): boolean => a !== b && (a.excludes.includes(b.key) || b.excludes.includes(a.key));

/**
 * Ranks two stackings: the larger total discount first; on a tie, compare their groups in application order and the
 * first difference decides (so the one whose highest-priority group is higher wins, then by key); a stacking that is
 * a prefix of the other comes first.
 */
function compareStackings(a: Stacking, b: Stacking): number {
  if (a.totalMinor !== b.totalMinor) return b.totalMinor - a.totalMinor;
  const n = Math.min(a.groups.length, b.groups.length);
  for (let i = 0; i < n; i++) {
    const c = compareGroups(a.groups[i] as Group, b.groups[i] as Group);
    if (c !== 0) return c;
  }
  return a.groups.length - b.groups.length;
}

/**
 * The conflict-free combination of groups with the largest total discount. Groups outside every exclusion always
 * apply. When at most MAX_ENUMERATED_GROUPS groups take part in exclusions, every conflict-free subset of them is
 * stacked and the best kept (compareStackings). Beyond that, greedily: groups in priority order, each kept unless it
 * conflicts with one already kept.
 */
function chooseStacking(live: Group[], evaluate: (stack: Group[]) => Stacking): Stacking {
  const contested = live.filter((g) => live.some((h) => conflicts(g, h)));
  if (contested.length === 0) return evaluate(live);
  if (contested.length > MAX_ENUMERATED_GROUPS) {
    const kept: Group[] = [];
    for (const g of live) if (!kept.some((k) => conflicts(g, k))) kept.push(g);
    return evaluate(kept);
  }
  let best: Stacking | null = null;
  for (let mask = 0; mask < 1 << contested.length; mask++) {
    const chosen = contested.filter((_, i) => (mask & (1 << i)) !== 0);
    if (chosen.some((g) => chosen.some((h) => conflicts(g, h)))) continue;
    const stack = live.filter((g) => !contested.includes(g) || chosen.includes(g));
    const s = evaluate(stack);
    if (best === null || compareStackings(s, best) < 0) best = s;
  }
  return best as Stacking;
}

/** VAT included in a tax-inclusive total: round(total × rate / (100 + rate)), half to even. */
export function includedTax(totalMinor: number, ratePercent: number): number {
  if (Number.isSafeInteger(ratePercent) && isSafeProduct(totalMinor, ratePercent))
    return divideHalfEvenSafe(totalMinor * ratePercent, 100 + ratePercent);
  const r = toExactRatio(ratePercent);
  return Number(divideHalfEven(BigInt(totalMinor) * r.num, 100n * r.den + r.num));
}

function pricedLines(lines: readonly Line[], applications: readonly Application[]): PricedLine[] {
  return lines.map((l, i) => {
    const allocations: PricedLine['allocations'] = [];
    let discountMinor = 0;
    for (const a of applications) {
      const k = a.candidate.touched.indexOf(i);
      const share = k < 0 ? 0 : (a.shares[k] ?? 0);
      if (share > 0) {
        allocations.push({ offerId: a.candidate.offer.id, discountMinor: share });
        discountMinor += share;
      }
    }
    const totalMinor = l.amount - discountMinor;
    return {
      lineNo: l.src.lineNo,
      amountMinor: l.amount,
      discountMinor,
      totalMinor,
      taxMinor: includedTax(totalMinor, l.src.taxRatePercent),
      allocations,
    };
  });
}

const describeOffer = (o: Offer, discountMinor: number): ApplicableOffer => ({
  offerId: o.id,
  name: o.name,
  kind: o.rule.kind,
  group: o.group,
  discountMinor,
});

/**
 * Prices a basket: finds the eligible offers, stacks them by their groups and spreads every discount over the lines
 * it touches, each offer working on what the offers before it left.
 *
 * - `applicable`: every eligible offer with what it would give alone on the undiscounted basket (discount desc,
 *   then priority, then id); it may be 0 (e.g. a 0-amount cap).
 * - `applied`: the offers that gave something, in application order; each equals the sum of its line allocations.
 * - lines in lineNo order; totals add the lines exactly.
 *
 * Throws RangeError on an invalid line (repeated lineNo, negative or non-finite quantity, price or tax rate).
 */
export function priceBasket(
  lines: readonly BasketLine[],
  offers: readonly Offer[],
  groups: readonly StackingGroup[],
  ctx: PricingContext,
): PricingResult {
  if (Number.isNaN(ctx.at.getTime())) throw new RangeError('pricing context: invalid date');
  const prepared = prepareLines(lines);
  const base = prepared.map((l) => l.amount);
  const candidates = offers.flatMap((offer) => {
    const touched = touchedLines(offer, prepared);
    return isEligible(offer, prepared, touched, ctx) ? [{ offer, touched }] : [];
  });
  const standalone = new Map(candidates.map((c) => [c.offer.id, standaloneDiscount(c, prepared, base)]));
  const alone = (c: Candidate): number => standalone.get(c.offer.id) ?? 0;
  const applicable = [...candidates]
    .sort((a, b) => alone(b) - alone(a) || compareOffers(a.offer, b.offer))
    .map((c) => describeOffer(c.offer, alone(c)));
  const live = resolveGroups(candidates, groups);
  const stacking = chooseStacking(live, (stack) => runStacking(stack, prepared, base, standalone));
  const priced = pricedLines(prepared, stacking.applications);
  return {
    lines: priced,
    applicable,
    applied: stacking.applications.map((a) => describeOffer(a.candidate.offer, a.discountMinor)),
    totals: {
      amountMinor: sum(priced.map((l) => l.amountMinor)),
      discountMinor: sum(priced.map((l) => l.discountMinor)),
      totalMinor: sum(priced.map((l) => l.totalMinor)),
      taxMinor: sum(priced.map((l) => l.taxMinor)),
    },
  };
}
