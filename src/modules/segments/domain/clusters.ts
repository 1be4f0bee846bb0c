/**
 * Behavioural clusters of customers: k-means (ml-kmeans, k-means++ seeding) on standardised log recency, frequency,
 * spend, tenure and inter-purchase time plus the category mix (see cluster-features.ts). k is given, or chosen by the
 * mean silhouette on a seeded sample. Every cluster is described in words from its centroid. Pure: no I/O, and the
 * same customers with the same options give the same result, bit for bit, whatever their order.
 */
import { kmeans } from 'ml-kmeans';
import { AppError } from '../../../platform/errors.ts';
import {
  buildFeatureSpace,
  median,
  OTHER_CATEGORY,
  type BehaviourFeature,
  type CustomerBehaviour,
  type FeatureSpace,
} from './cluster-features.ts';
import { renderDescription, renderLabel, type ClusterTrait } from './cluster-phrases.ts';
import { meanSilhouette, pairwiseDistances, seededSample } from './cluster-quality.ts';

/** The input: one customer's recency, frequency, spend, tenure, inter-purchase time and category mix. */
export type { CustomerBehaviour } from './cluster-features.ts';
/** The phrase table (keys + English) and the functions that render traits in any catalogue with the same keys. */
export { CLUSTER_PHRASES, renderDescription, renderLabel, renderTrait } from './cluster-phrases.ts';
/** Phrase keys, a catalogue of them in one language, and a trait (key + z + category). */
export type { ClusterPhraseCatalogue, ClusterPhraseKey, ClusterTrait } from './cluster-phrases.ts';

/** The smallest and largest k accepted, given or as a candidate. */
export const K_LIMITS = { min: 2, max: 20 } as const;

/** Defaults of {@link ClusterOptions}. */
export const CLUSTER_DEFAULTS = {
  seed: 42,
  kCandidates: { min: 2, max: 8 },
  sampleSize: 3000,
  topCategories: 6,
  categoryWeight: 1,
  threshold: 0.5,
  categoryLift: 1.25,
  restarts: 4,
} as const;

/** How to cluster. Every field is optional; see {@link CLUSTER_DEFAULTS}. */
export type ClusterOptions = {
  /** The number of clusters, 2..20. When absent it is chosen by the mean silhouette over `kCandidates`. */
  k?: number;
  /** Seeds the sample for choosing k and the k-means++ initialisation: an integer 0..2³²−1. */
  seed?: number;
  /** Candidate k for the silhouette criterion, inclusive, within 2..20. */
  kCandidates?: { min: number; max: number };
  /** At most this many customers are used to choose k (silhouette costs O(n²)); the final fit uses everyone. */
  sampleSize?: number;
  /** Categories kept as their own feature column; the rest is "other". */
  topCategories?: number;
  /** Weight of the whole category block, in units of one behaviour feature. 0 ignores categories. */
  categoryWeight?: number;
  /** A centroid more than this many standard deviations above or below the population gets a word. */
  threshold?: number;
  /** A cluster is "<category> heavy" when its mean share of that category is at least this multiple of the population's. */
  categoryLift?: number;
  /** k-means runs per fit, seeds `seed`, `seed + 1`, …; the run with the least within-cluster sum of squares wins. */
  restarts?: number;
};

/** One candidate of the silhouette criterion. */
export type KCandidate = { k: number; silhouette: number };

/** Why k is what it is. `text` states it in one English sentence. */
export type KCriterion =
  | { method: 'given'; text: string }
  | {
      method: 'silhouette';
      text: string;
      /** Customers in the sample the silhouettes were computed on. */
      sampleSize: number;
      /** Customers clustered. */
      population: number;
      /** Every candidate tried, by ascending k. */
      candidates: KCandidate[];
    };

/** A category's weight in a cluster: the cluster's mean spend share, and that over the population's mean share. */
export type CategoryShare = { category: string; share: number; lift: number };

/** A cluster's centre in the units of the input: medians over its customers. */
export type ClusterCentroid = {
  recencyDays: number;
  frequency: number;
  /** Major units, rounded to 2 decimals. */
  monetary: number;
  tenureDays: number;
  /** Median over the cluster's repeat customers only; null when none bought twice. */
  interPurchaseDays: number | null;
  /** The (at most 3) largest mean spend shares, largest first. */
  topCategories: CategoryShare[];
};

/** The cluster's mean z-score of each behaviour feature, and of log mean basket (described, not clustered on). */
export type StandardizedCentroid = Record<BehaviourFeature | 'basket', number>;

/** One cluster. Ids run 0..k−1 by decreasing size. */
export type ClusterProfile = {
  id: number;
  size: number;
  /** size ÷ customers clustered. */
  share: number;
  centroid: ClusterCentroid;
  standardized: StandardizedCentroid;
  /** The phrases behind `description`, as keys, for translation. */
  traits: ClusterTrait[];
  /** English, from {@link CLUSTER_PHRASES}: "frequent, high-spend, recent; home-decor heavy". */
  description: string;
  /** A short English name, unique within the result: "Frequent, high-spend". */
  label: string;
};

/** Where a customer went. `distance` is Euclidean, in the feature space, to the mean of the cluster's points. */
export type ClusterAssignment = { customerId: string; cluster: number; distance: number };

/** The result of {@link clusterCustomers}. */
export type Clustering = {
  k: number;
  criterion: KCriterion;
  seed: number;
  /** How the features were built, for the record. */
  features: {
    columns: string[];
    categories: string[];
    categoryWeight: number;
    /** One-purchase customers got inter-purchase days = max(recency, this), the median of repeat customers. */
    interPurchaseFloorDays: number;
    imputedCustomers: number;
    customersWithoutCategories: number;
  };
  clusters: ClusterProfile[];
  /** One per customer, by ascending customerId. */
  assignments: ClusterAssignment[];
};

/** Why clustering refused: the `reason` in the SEGMENTS_CLUSTERS_DEGENERATE error's details. */
export type ClusterDegenerateReason =
  'k-out-of-range' | 'too-few-customers' | 'too-few-distinct' | 'identical-customers' | 'invalid-input' | 'invalid-option';

function degenerate(reason: ClusterDegenerateReason, message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError('SEGMENTS_CLUSTERS_DEGENERATE', message, { reason, ...details });
}

/**
 * Clusters customers by behaviour.
 *
 * @throws AppError SEGMENTS_CLUSTERS_DEGENERATE (details.reason: {@link ClusterDegenerateReason}) when k is outside
 *   2..20, there are fewer customers or distinct customers than k, all customers are alike, an option is malformed,
 *   or a customer has a non-finite, negative or duplicate value (details.fields names it).
 */
export function clusterCustomers(customers: readonly CustomerBehaviour[], options: ClusterOptions = {}): Clustering {
  const opts = resolveOptions(options);
  validateCustomers(customers);
  // Sorting by id makes the result independent of the order rows came in.
  const sorted = [...customers].sort((a, b) => compareIds(a.customerId, b.customerId));
  const n = sorted.length;
  const minCustomers = opts.k ?? K_LIMITS.min + 1;
  if (n < minCustomers) {
    throw degenerate(
      'too-few-customers',
      opts.k === undefined
        ? `Choosing k needs at least ${minCustomers} customers; ${n} given.`
        : `Cannot form ${opts.k} clusters from ${n} customers.`,
      { customers: n, k: opts.k },
    );
  }

  const space = buildFeatureSpace(sorted, { topCategories: opts.topCategories, categoryWeight: opts.categoryWeight });
  const distinct = countDistinct(space.points);
  if (distinct === 1)
    throw degenerate('identical-customers', `All ${n} customers have the same features; there is nothing to cluster.`, { customers: n });
  if (opts.k !== undefined && distinct < opts.k) {
    throw degenerate('too-few-distinct', `Cannot form ${opts.k} clusters from ${distinct} distinct customers.`, { distinct, k: opts.k });
  }

  const ids = sorted.map((c) => c.customerId);
  const { k, criterion } = opts.k === undefined ? chooseK(space.points, ids, opts) : { k: opts.k, criterion: givenCriterion(opts.k) };
  const fit = fitKMeans(space.points, k, opts.seed, opts.restarts);
  return summarise(sorted, space, fit.labels, criterion, opts);
}

type ResolvedOptions = Required<Omit<ClusterOptions, 'k'>> & { k: number | undefined };

function resolveOptions(options: ClusterOptions): ResolvedOptions {
  const o = { ...CLUSTER_DEFAULTS, ...options };
  const isInt = (v: number) => Number.isSafeInteger(v);
  if (o.k !== undefined && (!isInt(o.k) || o.k < K_LIMITS.min || o.k > K_LIMITS.max)) {
    throw degenerate('k-out-of-range', `k must be an integer from ${K_LIMITS.min} to ${K_LIMITS.max}; got ${o.k}.`, {
      fields: [{ field: 'k', message: `must be an integer from ${K_LIMITS.min} to ${K_LIMITS.max}` }],
    });
  }
  const { min, max } = o.kCandidates;
  if (!isInt(min) || !isInt(max) || min < K_LIMITS.min || max > K_LIMITS.max || min > max) {
    throw degenerate('k-out-of-range', `kCandidates must lie within ${K_LIMITS.min}..${K_LIMITS.max} with min ≤ max; got ${min}..${max}.`, {
      fields: [{ field: 'kCandidates', message: `must lie within ${K_LIMITS.min}..${K_LIMITS.max}` }],
    });
  }
  const checks: [keyof ClusterOptions, boolean, string][] = [
    ['seed', isInt(o.seed) && o.seed >= 0 && o.seed <= 0xffffffff, 'must be an integer from 0 to 4294967295'],
    ['sampleSize', isInt(o.sampleSize) && o.sampleSize >= K_LIMITS.max + 1, `must be an integer ≥ ${K_LIMITS.max + 1}`],
    ['topCategories', isInt(o.topCategories) && o.topCategories >= 0 && o.topCategories <= 50, 'must be an integer from 0 to 50'],
    ['categoryWeight', Number.isFinite(o.categoryWeight) && o.categoryWeight >= 0, 'must be a finite number ≥ 0'],
    ['threshold', Number.isFinite(o.threshold) && o.threshold > 0, 'must be a finite number > 0'],
    ['categoryLift', Number.isFinite(o.categoryLift) && o.categoryLift >= 1, 'must be a finite number ≥ 1'],
    ['restarts', isInt(o.restarts) && o.restarts >= 1 && o.restarts <= 100, 'must be an integer from 1 to 100'],
  ];
  const bad = checks.filter(([, ok]) => !ok).map(([field, , message]) => ({ field, message }));
  if (bad.length > 0)
    throw degenerate('invalid-option', `Invalid clustering option: ${bad.map((b) => `${b.field} ${b.message}`).join('; ')}.`, {
      fields: bad,
    });
  return { ...o, k: options.k };
}

function validateCustomers(customers: readonly CustomerBehaviour[]): void {
  const fields: { field: string; message: string }[] = [];
  const seen = new Set<string>();
  const nonNegative = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  customers.forEach((c, i) => {
    const at = (f: string) => `customers.${i}.${f}`;
    if (typeof c.customerId !== 'string' || c.customerId === '')
      fields.push({ field: at('customerId'), message: 'must be a non-empty string' });
    else if (seen.has(c.customerId)) fields.push({ field: at('customerId'), message: `duplicate id ${c.customerId}` });
    else seen.add(c.customerId);
    if (!nonNegative(c.recencyDays)) fields.push({ field: at('recencyDays'), message: 'must be a finite number ≥ 0' });
    if (!(typeof c.frequency === 'number' && Number.isFinite(c.frequency) && c.frequency >= 1))
      fields.push({ field: at('frequency'), message: 'must be a finite number ≥ 1' });
    if (!(typeof c.monetary === 'number' && Number.isFinite(c.monetary)))
      fields.push({ field: at('monetary'), message: 'must be a finite number' });
    if (!nonNegative(c.tenureDays)) fields.push({ field: at('tenureDays'), message: 'must be a finite number ≥ 0' });
    if (c.meanInterPurchaseDays !== null && !nonNegative(c.meanInterPurchaseDays))
      fields.push({ field: at('meanInterPurchaseDays'), message: 'must be null or a finite number ≥ 0' });
    for (const [cat, share] of Object.entries(c.categoryShares ?? {})) {
      if (!nonNegative(share)) fields.push({ field: at(`categoryShares.${cat}`), message: 'must be a finite number ≥ 0' });
    }
  });
  if (fields.length > 0) {
    // The first few name the problem; thousands of identical messages would not help anyone.
    throw degenerate('invalid-input', `${fields.length} invalid customer value(s), first: ${fields[0]?.field} ${fields[0]?.message}.`, {
      fields: fields.slice(0, 20),
    });
  }
}

/** Code-unit order, not locale order, so the result does not depend on the machine's locale. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function countDistinct(points: readonly (readonly number[])[], stopAt = Infinity): number {
  const seen = new Set<string>();
  for (const p of points) {
    seen.add(p.join(','));
    if (seen.size >= stopAt) break;
  }
  return seen.size;
}

function givenCriterion(k: number): KCriterion {
  return { method: 'given', text: `k = ${k}, as given.` };
}

function chooseK(points: number[][], ids: readonly string[], opts: ResolvedOptions): { k: number; criterion: KCriterion } {
  const sampleIdx = seededSample(ids, opts.sampleSize, opts.seed);
  const sample = sampleIdx.map((i) => points[i] ?? []);
  // Silhouette is defined for 2 ≤ k ≤ n − 1; k-means++ needs k distinct points.
  const maxK = Math.min(opts.kCandidates.max, sample.length - 1, countDistinct(sample, opts.kCandidates.max + 1));
  if (maxK < opts.kCandidates.min) {
    throw degenerate(
      'too-few-distinct',
      `Choosing k from ${opts.kCandidates.min}..${opts.kCandidates.max} needs more distinct customers than the ${sample.length} sampled; give k.`,
      {
        sampleSize: sample.length,
      },
    );
  }
  const distances = pairwiseDistances(sample);
  const candidates: KCandidate[] = [];
  for (let k = opts.kCandidates.min; k <= maxK; k++) {
    const fit = fitKMeans(sample, k, opts.seed, opts.restarts);
    candidates.push({ k, silhouette: meanSilhouette(distances, fit.labels) });
  }
  // Strictly greater: on a tie the smaller k wins, the simpler description.
  const best = candidates.reduce((a, b) => (b.silhouette > a.silhouette ? b : a));
  const range = maxK > opts.kCandidates.min ? `k = ${opts.kCandidates.min}..${maxK}` : `k = ${maxK}`;
  const of =
    sample.length < points.length ? `a seeded sample of ${sample.length} of ${points.length} customers` : `all ${points.length} customers`;
  return {
    k: best.k,
    criterion: {
      method: 'silhouette',
      text: `k = ${best.k}: the highest mean silhouette (${best.silhouette.toFixed(3)}) over ${range}, on ${of}.`,
      sampleSize: sample.length,
      population: points.length,
      candidates,
    },
  };
}

type Fit = { labels: number[]; inertia: number; empty: number };

function fitKMeans(points: number[][], k: number, seed: number, restarts: number): Fit {
  let best: Fit | undefined;
  for (let r = 0; r < restarts; r++) {
    const result = kmeans(points, k, { seed: (seed + r) >>> 0, initialization: 'kmeans++', maxIterations: 300 });
    const labels = [...result.clusters];
    const centres = clusterMeans(points, labels, k);
    let inertia = 0;
    points.forEach((p, i) => {
      const c = centres[labels[i] ?? 0];
      if (c) inertia += squaredDistance(p, c);
    });
    const sizes = clusterSizes(labels, k);
    const fit = { labels, inertia, empty: sizes.filter((s) => s === 0).length };
    if (!best || fit.empty < best.empty || (fit.empty === best.empty && fit.inertia < best.inertia)) best = fit;
  }
  if (!best) throw new Error('unreachable: restarts ≥ 1');
  return best;
}

function clusterSizes(labels: readonly number[], k: number): number[] {
  const sizes = new Array<number>(k).fill(0);
  for (const l of labels) sizes[l] = (sizes[l] ?? 0) + 1;
  return sizes;
}

/** Mean point of each cluster; undefined for an empty one. */
function clusterMeans(points: readonly (readonly number[])[], labels: readonly number[], k: number): (number[] | undefined)[] {
  const dims = points[0]?.length ?? 0;
  const sums = Array.from({ length: k }, () => new Array<number>(dims).fill(0));
  const sizes = clusterSizes(labels, k);
  points.forEach((p, i) => {
    const s = sums[labels[i] ?? 0];
    if (s) for (let d = 0; d < dims; d++) s[d] = (s[d] ?? 0) + (p[d] ?? 0);
  });
  return sums.map((s, c) => ((sizes[c] ?? 0) > 0 ? s.map((v) => v / (sizes[c] ?? 1)) : undefined));
}

function squaredDistance(p: readonly number[], q: readonly number[]): number {
  let s = 0;
  for (let d = 0; d < p.length; d++) {
    const diff = (p[d] ?? 0) - (q[d] ?? 0);
    s += diff * diff;
  }
  return s;
}

function compareVectors(a: readonly number[], b: readonly number[]): number {
  for (let d = 0; d < a.length; d++) {
    const diff = (a[d] ?? 0) - (b[d] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function summarise(
  customers: readonly CustomerBehaviour[],
  space: FeatureSpace,
  rawLabels: readonly number[],
  criterion: KCriterion,
  opts: ResolvedOptions,
): Clustering {
  const n = customers.length;
  const rawK = rawLabels.reduce((m, l) => Math.max(m, l + 1), 0);
  const rawMeans = clusterMeans(space.points, rawLabels, rawK);
  const rawSizes = clusterSizes(rawLabels, rawK);
  // Ids by decreasing size, then by centroid, so that they do not depend on which cluster k-means++ seeded first.
  // An empty cluster (possible only when every restart left one) is dropped.
  const order = rawMeans
    .map((m, raw) => ({ raw, m, size: rawSizes[raw] ?? 0 }))
    .filter((c): c is { raw: number; m: number[]; size: number } => c.m !== undefined)
    .sort((a, b) => b.size - a.size || compareVectors(a.m, b.m));
  const idOf = new Map(order.map((c, id) => [c.raw, id]));
  const labels = rawLabels.map((l) => idOf.get(l) ?? 0);
  const centres = order.map((c) => c.m);

  const members: number[][] = order.map(() => []);
  labels.forEach((l, i) => members[l]?.push(i));
  const clusters = members.map((idx, id) => profile(id, idx, customers, space, opts, n));
  uniquifyLabels(clusters);

  const assignments = customers.map((c, i) => {
    const cluster = labels[i] ?? 0;
    return { customerId: c.customerId, cluster, distance: Math.sqrt(squaredDistance(space.points[i] ?? [], centres[cluster] ?? [])) };
  });
  return {
    k: clusters.length,
    criterion,
    seed: opts.seed,
    features: {
      columns: space.columns,
      categories: space.categories,
      categoryWeight: opts.categoryWeight,
      interPurchaseFloorDays: space.interPurchaseFloorDays,
      imputedCustomers: space.imputedCustomers,
      customersWithoutCategories: space.customersWithoutCategories,
    },
    clusters,
    assignments,
  };
}

function profile(
  id: number,
  idx: readonly number[],
  customers: readonly CustomerBehaviour[],
  space: FeatureSpace,
  opts: ResolvedOptions,
  n: number,
): ClusterProfile {
  const of = <T>(f: (c: CustomerBehaviour) => T) => idx.map((i) => f(customers[i] as CustomerBehaviour));
  const z = (col: number) => mean(idx.map((i) => space.points[i]?.[col] ?? 0));
  const standardized: StandardizedCentroid = {
    recency: z(0),
    frequency: z(1),
    monetary: z(2),
    tenure: z(3),
    interPurchase: z(4),
    basket: mean(idx.map((i) => space.basketZ[i] ?? 0)),
  };
  const frequency = median(of((c) => c.frequency)) ?? 0;
  const gaps = of((c) => c.meanInterPurchaseDays).filter((g): g is number => g !== null);

  const shares = space.categories.map((category, j) => {
    const share = mean(idx.map((i) => space.shares[i]?.[j] ?? 0));
    const pop = space.populationShares[j] ?? 0;
    return { category, share, lift: pop > 0 ? share / pop : 0 };
  });
  const topCategories = [...shares]
    .filter((s) => s.share > 0)
    .sort((a, b) => b.share - a.share)
    .slice(0, 3);

  const traits = describe(standardized, frequency, shares, opts);
  return {
    id,
    size: idx.length,
    share: idx.length / n,
    centroid: {
      recencyDays: median(of((c) => c.recencyDays)) ?? 0,
      frequency,
      monetary: Math.round((median(of((c) => Math.max(0, c.monetary))) ?? 0) * 100) / 100,
      tenureDays: median(of((c) => c.tenureDays)) ?? 0,
      interPurchaseDays: median(gaps) ?? null,
      topCategories,
    },
    standardized,
    traits,
    description: renderDescription(traits),
    label: renderLabel(traits),
  };
}

/** Words for a centroid, in the order they are read: how often, how much, basket, how lately, how long, cycle; category. */
function describe(
  z: StandardizedCentroid,
  medianFrequency: number,
  shares: readonly CategoryShare[],
  opts: ResolvedOptions,
): ClusterTrait[] {
  const t = opts.threshold;
  const traits: ClusterTrait[] = [];
  const side = (value: number, high: ClusterTrait['key'], low: ClusterTrait['key']) => {
    if (value > t) traits.push({ key: high, z: value });
    else if (value < -t) traits.push({ key: low, z: value });
  };
  side(z.frequency, 'frequency.high', medianFrequency <= 1 ? 'frequency.once' : 'frequency.low');
  side(z.monetary, 'monetary.high', 'monetary.low');
  side(z.basket, 'basket.large', 'basket.small');
  side(-z.recency, 'recency.recent', 'recency.lapsed');
  side(z.tenure, 'tenure.long', 'tenure.new');
  // The gap of a one-purchase customer is imputed, mostly from recency: it says nothing of a cycle.
  if (medianFrequency > 1) side(z.interPurchase, 'cycle.long', 'cycle.short');
  for (const x of traits) if (x.key === 'recency.recent' || x.key === 'recency.lapsed') x.z = z.recency;

  const heavy = shares
    .filter((s) => s.category !== OTHER_CATEGORY && s.share >= 0.05 && s.lift >= opts.categoryLift)
    .reduce<CategoryShare | undefined>((best, s) => (!best || s.lift > best.lift ? s : best), undefined);
  if (heavy) traits.push({ key: 'category.heavy', category: heavy.category });
  return traits;
}

function uniquifyLabels(clusters: ClusterProfile[]): void {
  const counts = new Map<string, number>();
  for (const c of clusters) counts.set(c.label, (counts.get(c.label) ?? 0) + 1);
  for (const c of clusters) if ((counts.get(c.label) ?? 0) > 1) c.label = renderLabel(c.traits, 3);
  const seen = new Set<string>();
  for (const c of clusters) {
    if (seen.has(c.label)) c.label = `${c.label} #${c.id}`;
    seen.add(c.label);
  }
}
