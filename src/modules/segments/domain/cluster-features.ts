/**
 * The feature space customers are clustered in. Behaviour (recency, frequency, spend, tenure, inter-purchase time) is
 * log1p-transformed, because all five are long-tailed counts or amounts, then z-scored. The category mix is the spend
 * share of the population's top categories plus "other", z-scored and then down-weighted as a block, so that a
 * handful of category columns do not outvote the five behaviour columns.
 */

/** What is known of one customer's buying behaviour on the as-of date. */
export type CustomerBehaviour = {
  customerId: string;
  /** Whole days from the last purchase to the as-of date (≥ 0). */
  recencyDays: number;
  /** Distinct purchase receipts (≥ 1). */
  frequency: number;
  /** Net spend in major units (pounds, roubles). A negative net (more returned than bought) counts as 0. */
  monetary: number;
  /** Days from the first purchase to the as-of date (≥ 0). */
  tenureDays: number;
  /** Mean days between consecutive purchases; null for a customer with one purchase. */
  meanInterPurchaseDays: number | null;
  /** Share of spend per category, summing to 1. Empty when unknown. */
  categoryShares: Readonly<Record<string, number>>;
};

/** The behaviour features, in column order. */
export const BEHAVIOUR_FEATURES = ['recency', 'frequency', 'monetary', 'tenure', 'interPurchase'] as const;

/** One of {@link BEHAVIOUR_FEATURES}. */
export type BehaviourFeature = (typeof BEHAVIOUR_FEATURES)[number];

/** The name of the category column that holds spend outside the top categories. */
export const OTHER_CATEGORY = 'other';

/** How the feature space is built. */
export type FeatureOptions = {
  /** Categories kept as their own column (the largest mean spend shares); the rest is summed into "other". */
  topCategories: number;
  /**
   * Total weight of the category block, in units of one behaviour feature: the block's columns share it equally
   * (each is scaled by √(weight / columns)). 0 clusters on behaviour alone.
   */
  categoryWeight: number;
};

/** Customers as points: one row per customer, in the order given. */
export type FeatureSpace = {
  /** The rows k-means sees: z-scored behaviour, then the weighted z-scored category block. */
  points: number[][];
  /** Names of the columns of `points`: the behaviour features, then `category:<name>`. */
  columns: string[];
  /** The category columns' names, in order; {@link OTHER_CATEGORY} last when present. */
  categories: string[];
  /** Each customer's spend shares over `categories` (population mean shares for a customer with none known). */
  shares: number[][];
  /** Population mean of `shares`, per category. */
  populationShares: number[];
  /** z-score of log1p(monetary ÷ frequency), the mean basket: used to describe clusters, not to form them. */
  basketZ: number[];
  /** The inter-purchase days given to one-purchase customers is max(their recency, this floor). */
  interPurchaseFloorDays: number;
  /** Customers with one purchase, whose inter-purchase time was imputed. */
  imputedCustomers: number;
  /** Customers whose category mix was unknown and set to the population's. */
  customersWithoutCategories: number;
};

/** Median of a non-empty list; undefined for an empty one. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** z-scores with the population standard deviation; a constant column becomes all zeros rather than NaN. */
export function zScores(values: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return [];
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  const sd = Math.sqrt(ss / n);
  // Rounding noise on a constant column would otherwise be blown up into ±1 z-scores.
  if (!(sd > 1e-12 * Math.max(1, Math.abs(mean)))) return values.map(() => 0);
  return values.map((v) => (v - mean) / sd);
}

/**
 * The inter-purchase time of a customer with one purchase is right-censored: it is at least their recency (they have
 * not come back since). One purchase is no evidence of a short cycle either, so the imputed value is never below the
 * median gap of repeat customers. With no repeat customers at all, recency alone is used.
 */
export function imputeInterPurchaseDays(customer: CustomerBehaviour, floorDays: number): number {
  return customer.meanInterPurchaseDays ?? Math.max(customer.recencyDays, floorDays);
}

/** Builds the feature space. Inputs are assumed validated (finite, non-negative; see clusterCustomers). */
export function buildFeatureSpace(customers: readonly CustomerBehaviour[], options: FeatureOptions): FeatureSpace {
  const gaps = customers.flatMap((c) => (c.meanInterPurchaseDays === null ? [] : [c.meanInterPurchaseDays]));
  const floor = median(gaps) ?? 0;
  const imputed = customers.length - gaps.length;

  const behaviourColumns: number[][] = [
    zScores(customers.map((c) => Math.log1p(c.recencyDays))),
    zScores(customers.map((c) => Math.log1p(c.frequency))),
    zScores(customers.map((c) => Math.log1p(Math.max(0, c.monetary)))),
    zScores(customers.map((c) => Math.log1p(c.tenureDays))),
    zScores(customers.map((c) => Math.log1p(imputeInterPurchaseDays(c, floor)))),
  ];
  const basketZ = zScores(customers.map((c) => Math.log1p(Math.max(0, c.monetary) / Math.max(1, c.frequency))));

  const { categories, shares, populationShares, withoutCategories } = categoryMix(customers, options.topCategories);
  const categoryColumns = categories.map((_, j) => zScores(shares.map((row) => row[j] ?? 0)));
  const weight = categories.length > 0 ? Math.sqrt(options.categoryWeight / categories.length) : 0;

  const points = customers.map((_, i) => [
    ...behaviourColumns.map((col) => col[i] ?? 0),
    ...categoryColumns.map((col) => (col[i] ?? 0) * weight),
  ]);
  return {
    points,
    columns: [...BEHAVIOUR_FEATURES, ...categories.map((c) => `category:${c}`)],
    categories,
    shares,
    populationShares,
    basketZ,
    interPurchaseFloorDays: floor,
    imputedCustomers: imputed,
    customersWithoutCategories: withoutCategories,
  };
}

/** Shares normalised to sum to 1; undefined when there is no positive share. */
function normalisedShares(shares: Readonly<Record<string, number>>): Map<string, number> | undefined {
  let total = 0;
  for (const v of Object.values(shares)) if (v > 0) total += v;
  if (!(total > 0)) return undefined;
  const out = new Map<string, number>();
  for (const [k, v] of Object.entries(shares)) if (v > 0) out.set(k, v / total);
  return out;
}

function categoryMix(customers: readonly CustomerBehaviour[], top: number) {
  const perCustomer = customers.map((c) => normalisedShares(c.categoryShares));
  const known = perCustomer.filter((s): s is Map<string, number> => s !== undefined);
  const totals = new Map<string, number>();
  for (const s of known) for (const [k, v] of s) totals.set(k, (totals.get(k) ?? 0) + v);
  // Ties broken by name so that the columns do not depend on input order.
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k]) => k);
  const kept = ranked.slice(0, Math.max(0, top)).filter((k) => k !== OTHER_CATEGORY);
  const hasOther = ranked.length > kept.length;
  const categories = hasOther ? [...kept, OTHER_CATEGORY] : kept;
  if (categories.length === 0) {
    return { categories, shares: customers.map(() => []), populationShares: [], withoutCategories: customers.length };
  }

  const rowOf = (s: Map<string, number>) => {
    const row = kept.map((k) => s.get(k) ?? 0);
    if (hasOther) row.push(Math.max(0, 1 - row.reduce((a, b) => a + b, 0)));
    return row;
  };
  const knownRows = known.map(rowOf);
  const knownMean = categories.map((_, j) => knownRows.reduce((a, r) => a + (r[j] ?? 0), 0) / knownRows.length);
  // An unknown mix is given the population's, which is 0 after z-scoring: neutral rather than "buys nothing".
  const shares = perCustomer.map((s) => (s === undefined ? [...knownMean] : rowOf(s)));
  const populationShares = categories.map((_, j) => shares.reduce((a, r) => a + (r[j] ?? 0), 0) / shares.length);
  return { categories, shares, populationShares, withoutCategories: customers.length - known.length };
}
