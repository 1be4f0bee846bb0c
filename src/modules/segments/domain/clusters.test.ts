import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '../../../platform/errors.ts';
import { buildFeatureSpace, imputeInterPurchaseDays, median, zScores } from './cluster-features.ts';
import { meanSilhouette, pairwiseDistances, seededSample } from './cluster-quality.ts';
import {
  CLUSTER_PHRASES,
  clusterCustomers,
  renderDescription,
  renderLabel,
  type ClusterOptions,
  type Clustering,
  type CustomerBehaviour,
} from './clusters.ts';

/** mulberry32: a tiny seeded generator, so the synthetic data are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Adjusted Rand index (Hubert & Arabie 1985): 1 for the same partition whatever the label names, ~0 for chance. */
function adjustedRandIndex(a: readonly number[], b: readonly number[]): number {
  const table = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  a.forEach((x, i) => {
    const y = b[i] ?? -1;
    table.set(`${x},${y}`, (table.get(`${x},${y}`) ?? 0) + 1);
    rows.set(x, (rows.get(x) ?? 0) + 1);
    cols.set(y, (cols.get(y) ?? 0) + 1);
  });
  const c2 = (n: number) => (n * (n - 1)) / 2;
  const sum = (m: Map<unknown, number>) => [...m.values()].reduce((s, n) => s + c2(n), 0);
  const index = sum(table);
  const expected = (sum(rows) * sum(cols)) / c2(a.length);
  const max = (sum(rows) + sum(cols)) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

type Group = 'loyal' | 'oneoff' | 'lapsed';

/**
 * Three planted groups, far apart on every behaviour axis and each with its own category:
 * loyal (frequent, high spend, recent, old, home-decor), one-off (one small purchase, new, toys),
 * lapsed (a few mid-sized purchases long ago, garden).
 */
function plantedCustomers(perGroup = 80, seed = 7): { customers: CustomerBehaviour[]; groups: Map<string, Group> } {
  const rnd = prng(seed);
  const jitter = (v: number, spread = 0.15) => v * (1 + (rnd() * 2 - 1) * spread);
  const customers: CustomerBehaviour[] = [];
  const groups = new Map<string, Group>();
  for (let i = 0; i < perGroup; i++) {
    const loyal = {
      customerId: `cus_l${i}`,
      recencyDays: Math.round(jitter(4)),
      frequency: Math.round(jitter(40)),
      monetary: jitter(6000),
      tenureDays: Math.round(jitter(700)),
      meanInterPurchaseDays: jitter(17),
      categoryShares: { 'home-decor': 0.7, toys: 0.1, garden: 0.1, kitchen: 0.1 },
    };
    const r = Math.round(jitter(20));
    const oneoff = {
      customerId: `cus_o${i}`,
      recencyDays: r,
      frequency: 1,
      monetary: jitter(25),
      tenureDays: r,
      meanInterPurchaseDays: null,
      categoryShares: { toys: 0.8, kitchen: 0.2 },
    };
    const lapsed = {
      customerId: `cus_p${i}`,
      recencyDays: Math.round(jitter(320)),
      frequency: Math.round(jitter(4, 0.2)),
      monetary: jitter(400),
      tenureDays: Math.round(jitter(650)),
      meanInterPurchaseDays: jitter(100),
      categoryShares: { garden: 0.75, kitchen: 0.25 },
    };
    for (const [c, g] of [
      [loyal, 'loyal'],
      [oneoff, 'oneoff'],
      [lapsed, 'lapsed'],
    ] as const) {
      customers.push(c);
      groups.set(c.customerId, g);
    }
  }
  return { customers, groups };
}

function groupOf(result: Clustering, groups: Map<string, Group>, group: Group) {
  const ids = new Set(result.assignments.filter((a) => groups.get(a.customerId) === group).map((a) => a.cluster));
  expect(ids.size).toBe(1);
  const cluster = result.clusters.find((c) => c.id === [...ids][0]);
  if (!cluster) throw new Error(`no cluster for ${group}`);
  return cluster;
}

/** Every number anywhere in the value is finite. */
function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (value && typeof value === 'object') return Object.values(value).every(allFinite);
  return true;
}

function degenerateError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (!isAppError(e)) throw e;
    expect(e.code).toBe('SEGMENTS_CLUSTERS_DEGENERATE');
    expect(e.status).toBe(422);
    return e;
  }
  throw new Error('expected SEGMENTS_CLUSTERS_DEGENERATE');
}

function degenerateReason(fn: () => unknown): unknown {
  return degenerateError(fn).details.reason;
}

describe('clusterCustomers on planted groups', () => {
  const { customers, groups } = plantedCustomers();
  const truth = (r: Clustering) => r.assignments.map((a) => ['loyal', 'oneoff', 'lapsed'].indexOf(groups.get(a.customerId) ?? ''));
  const result = clusterCustomers(customers);

  it('chooses k = 3 by the silhouette and recovers the groups exactly', () => {
    expect(result.k).toBe(3);
    expect(result.criterion.method).toBe('silhouette');
    if (result.criterion.method !== 'silhouette') return;
    expect(result.criterion.candidates.map((c) => c.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const best = Math.max(...result.criterion.candidates.map((c) => c.silhouette));
    expect(result.criterion.candidates.find((c) => c.k === 3)?.silhouette).toBe(best);
    expect(result.criterion.text).toContain('silhouette');
    expect(
      adjustedRandIndex(
        truth(result),
        result.assignments.map((a) => a.cluster),
      ),
    ).toBe(1);
    expect(result.clusters.map((c) => c.size)).toEqual([80, 80, 80]);
    expect(result.clusters.map((c) => c.share)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(result.assignments).toHaveLength(240);
    expect(allFinite(result)).toBe(true);
  });

  it('describes each planted group in the right words', () => {
    const loyal = groupOf(result, groups, 'loyal');
    expect(loyal.description).toMatch(
      /^frequent, high-spend, large baskets, recent, long-standing, short purchase cycle; home-decor heavy$/,
    );
    expect(loyal.label).toMatch(/^Frequent|High-spend/);
    expect(loyal.centroid.frequency).toBeGreaterThan(30);
    expect(loyal.centroid.topCategories[0]?.category).toBe('home-decor');

    const oneoff = groupOf(result, groups, 'oneoff');
    expect(oneoff.description).toContain('single-purchase');
    expect(oneoff.description).toContain('low-spend');
    expect(oneoff.description).toContain('new');
    expect(oneoff.description).toContain('toys heavy');
    expect(oneoff.centroid.interPurchaseDays).toBeNull();
    expect(oneoff.centroid.frequency).toBe(1);

    const lapsed = groupOf(result, groups, 'lapsed');
    expect(lapsed.description).toContain('lapsed');
    expect(lapsed.description).toContain('garden heavy');
    expect(lapsed.description).not.toContain('frequent');
    expect(lapsed.centroid.recencyDays).toBeGreaterThan(250);
    expect(new Set(result.clusters.map((c) => c.label)).size).toBe(3);
  });

  it('is deterministic: same seed, same result bit for bit, whatever the input order', () => {
    const again = clusterCustomers(customers);
    expect(JSON.stringify(again)).toBe(JSON.stringify(result));
    const shuffled = [...customers].reverse();
    expect(JSON.stringify(clusterCustomers(shuffled))).toBe(JSON.stringify(result));
  });

  it('finds the same partition with other seeds, on well-separated data', () => {
    for (const seed of [1, 2, 123456789]) {
      const other = clusterCustomers(customers, { seed });
      expect(other.seed).toBe(seed);
      expect(other.k).toBe(3);
      expect(
        adjustedRandIndex(
          other.assignments.map((a) => a.cluster),
          result.assignments.map((a) => a.cluster),
        ),
      ).toBe(1);
      expect(other.clusters.map((c) => c.description)).toEqual(result.clusters.map((c) => c.description));
    }
  });

  it('takes k when given and says so', () => {
    const given = clusterCustomers(customers, { k: 4 });
    expect(given.k).toBe(4);
    expect(given.criterion).toEqual({ method: 'given', text: 'k = 4, as given.' });
    expect(given.clusters.reduce((s, c) => s + c.size, 0)).toBe(240);
    expect(given.clusters.map((c) => c.size)).toEqual([...given.clusters.map((c) => c.size)].sort((a, b) => b - a));
  });

  it('reports distances to the own cluster centre, which is the nearest centre', () => {
    for (const a of result.assignments) expect(a.distance).toBeGreaterThanOrEqual(0);
    const space = buildFeatureSpace(
      [...customers].sort((a, b) => (a.customerId < b.customerId ? -1 : 1)),
      { topCategories: 6, categoryWeight: 1 },
    );
    const centres = result.clusters.map((c) => {
      const pts = space.points.filter((_, i) => result.assignments[i]?.cluster === c.id);
      return (pts[0] ?? []).map((_, d) => pts.reduce((s, p) => s + (p[d] ?? 0), 0) / pts.length);
    });
    result.assignments.forEach((a, i) => {
      const p = space.points[i] ?? [];
      const dist = centres.map((c) => Math.hypot(...p.map((v, d) => v - (c[d] ?? 0))));
      expect(a.distance).toBeCloseTo(dist[a.cluster] ?? NaN, 9);
      expect(Math.min(...dist)).toBeCloseTo(a.distance, 9);
    });
  });
});

describe('clusterCustomers refuses degenerate input', () => {
  const customer = (id: string, over: Partial<CustomerBehaviour> = {}): CustomerBehaviour => ({
    customerId: id,
    recencyDays: 10,
    frequency: 2,
    monetary: 100,
    tenureDays: 50,
    meanInterPurchaseDays: 40,
    categoryShares: { a: 1 },
    ...over,
  });
  const varied = Array.from({ length: 12 }, (_, i) =>
    customer(`c${i}`, { recencyDays: i * 10, frequency: 1 + (i % 4), monetary: 50 * (i + 1) }),
  );

  it('k outside 2..20 or not whole', () => {
    for (const k of [1, 0, -3, 21, 2.5, Number.NaN]) expect(degenerateReason(() => clusterCustomers(varied, { k }))).toBe('k-out-of-range');
    expect(degenerateReason(() => clusterCustomers(varied, { kCandidates: { min: 1, max: 4 } }))).toBe('k-out-of-range');
    expect(degenerateReason(() => clusterCustomers(varied, { kCandidates: { min: 5, max: 4 } }))).toBe('k-out-of-range');
    expect(clusterCustomers(varied, { k: 2 }).k).toBe(2);
  });

  it('fewer customers than k, or too few to choose k', () => {
    expect(degenerateReason(() => clusterCustomers(varied.slice(0, 3), { k: 4 }))).toBe('too-few-customers');
    expect(degenerateReason(() => clusterCustomers([]))).toBe('too-few-customers');
    expect(degenerateReason(() => clusterCustomers(varied.slice(0, 2)))).toBe('too-few-customers');
    // Three customers are enough to choose between... k = 2 only.
    const three = clusterCustomers(varied.slice(0, 3));
    expect(three.k).toBe(2);
    expect(three.criterion.method === 'silhouette' && three.criterion.candidates.map((c) => c.k)).toEqual([2]);
  });

  it('all customers identical, or fewer distinct customers than k', () => {
    const same = Array.from({ length: 10 }, (_, i) => customer(`s${i}`));
    expect(degenerateReason(() => clusterCustomers(same))).toBe('identical-customers');
    expect(degenerateReason(() => clusterCustomers(same, { k: 2 }))).toBe('identical-customers');
    const two = [...same, ...Array.from({ length: 5 }, (_, i) => customer(`t${i}`, { monetary: 900 }))];
    expect(degenerateReason(() => clusterCustomers(two, { k: 3 }))).toBe('too-few-distinct');
    const ok = clusterCustomers(two);
    expect(ok.k).toBe(2);
    expect(ok.clusters.map((c) => c.size)).toEqual([10, 5]);
  });

  it('non-finite, negative or duplicate values name the field', () => {
    const bad = [...varied, customer('x', { monetary: Number.NaN })];
    expect(degenerateReason(() => clusterCustomers(bad))).toBe('invalid-input');
    const e = degenerateError(() =>
      clusterCustomers([...varied, customer('c1'), customer('y', { recencyDays: -1, categoryShares: { a: Number.POSITIVE_INFINITY } })]),
    );
    expect(e.details.fields?.map((f) => f.field)).toEqual([
      'customers.12.customerId',
      'customers.13.recencyDays',
      'customers.13.categoryShares.a',
    ]);
    expect(e.message).toContain('customers.12.customerId duplicate id c1');
    expect(degenerateReason(() => clusterCustomers(varied, { seed: -1 }))).toBe('invalid-option');
    expect(degenerateReason(() => clusterCustomers(varied, { restarts: 0 } satisfies ClusterOptions))).toBe('invalid-option');
  });

  it('never returns NaN: one-purchase customers only, no categories, zero and negative spend', () => {
    const sparse = Array.from({ length: 30 }, (_, i) =>
      customer(`o${i}`, {
        frequency: 1,
        meanInterPurchaseDays: null,
        recencyDays: i,
        tenureDays: i,
        monetary: i % 3 === 0 ? 0 : i % 5 === 0 ? -20 : i * 7,
        categoryShares: {},
      }),
    );
    const r = clusterCustomers(sparse);
    expect(allFinite(r)).toBe(true);
    expect(r.features.categories).toEqual([]);
    expect(r.features.customersWithoutCategories).toBe(30);
    expect(r.features.imputedCustomers).toBe(30);
    expect(r.clusters.every((c) => c.centroid.interPurchaseDays === null)).toBe(true);
    expect(r.assignments.every((a) => Number.isFinite(a.distance))).toBe(true);
  });
});

describe('features', () => {
  it('z-scores a constant column to zeros, not NaN', () => {
    expect(zScores([5, 5, 5])).toEqual([0, 0, 0]);
    expect(zScores([0.1 + 0.2, 0.3, 0.3])).toEqual([0, 0, 0]);
    expect(zScores([1, 3])).toEqual([-1, 1]);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('imputes a one-purchase gap as max(recency, median gap of repeat customers)', () => {
    const base = { frequency: 1, monetary: 10, categoryShares: {} };
    expect(imputeInterPurchaseDays({ ...base, customerId: 'a', recencyDays: 5, tenureDays: 5, meanInterPurchaseDays: null }, 30)).toBe(30);
    expect(imputeInterPurchaseDays({ ...base, customerId: 'b', recencyDays: 90, tenureDays: 90, meanInterPurchaseDays: null }, 30)).toBe(
      90,
    );
    expect(
      imputeInterPurchaseDays({ ...base, customerId: 'c', frequency: 3, recencyDays: 90, tenureDays: 200, meanInterPurchaseDays: 12 }, 30),
    ).toBe(12);
    const space = buildFeatureSpace(
      [
        { ...base, customerId: 'a', recencyDays: 5, tenureDays: 5, meanInterPurchaseDays: null },
        { ...base, customerId: 'b', frequency: 2, recencyDays: 5, tenureDays: 25, meanInterPurchaseDays: 20 },
        { ...base, customerId: 'c', frequency: 3, recencyDays: 5, tenureDays: 85, meanInterPurchaseDays: 40 },
      ],
      { topCategories: 6, categoryWeight: 1 },
    );
    expect(space.interPurchaseFloorDays).toBe(30);
    expect(space.imputedCustomers).toBe(1);
  });

  it('keeps the top categories by mean share, sums the rest into "other", and weights the block', () => {
    const c = (id: string, shares: Record<string, number>): CustomerBehaviour => ({
      customerId: id,
      recencyDays: 1,
      frequency: 1,
      monetary: 1,
      tenureDays: 1,
      meanInterPurchaseDays: null,
      categoryShares: shares,
    });
    const space = buildFeatureSpace([c('a', { x: 0.5, y: 0.3, z: 0.2 }), c('b', { x: 1 }), c('c', {}), c('d', { y: 2, w: 2 })], {
      topCategories: 2,
      categoryWeight: 3,
    });
    expect(space.categories).toEqual(['x', 'y', 'other']);
    // d's shares are normalised (sum 4 → 1); c knows none and gets the mean of the others.
    expect(space.shares[3]).toEqual([0, 0.5, 0.5]);
    expect(space.shares[2]).toEqual([0.5, 0.8 / 3, 0.7 / 3]);
    expect(space.customersWithoutCategories).toBe(1);
    // Each category column has variance 3/3 = 1 after weighting: the block weighs 3 behaviour features.
    const col = space.points.map((p) => p[5] ?? 0);
    expect(col.reduce((s, v) => s + v * v, 0) / col.length).toBeCloseTo(1, 12);
    expect(space.columns).toEqual([
      'recency',
      'frequency',
      'monetary',
      'tenure',
      'interPurchase',
      'category:x',
      'category:y',
      'category:other',
    ]);
  });
});

describe('choice of k helpers', () => {
  it('silhouette matches a hand computation', () => {
    // Points on a line: 0, 1 | 10, 12. a(0)=1, b(0)=11 → 10/11; a(1)=1, b(1)=10 → 0.9; a(10)=2, b(10)=9.5 → 7.5/9.5; a(12)=2, b(12)=11.5 → 9.5/11.5.
    const d = pairwiseDistances([[0], [1], [10], [12]]);
    expect(meanSilhouette(d, [0, 0, 1, 1])).toBeCloseTo((10 / 11 + 0.9 + 7.5 / 9.5 + 9.5 / 11.5) / 4, 12);
    expect(meanSilhouette(d, [0, 0, 0, 0])).toBe(-1);
    // A singleton scores 0.
    expect(meanSilhouette(d, [0, 1, 1, 1])).toBeLessThan(meanSilhouette(d, [0, 0, 1, 1]));
  });

  it('samples by a seeded hash of ids: independent of order, repeatable, seed-dependent', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `cus_${i}`);
    const a = seededSample(ids, 100, 42).map((i) => ids[i]);
    const reversed = [...ids].reverse();
    const b = seededSample(reversed, 100, 42).map((i) => reversed[i]);
    expect(a).toHaveLength(100);
    expect(new Set(b)).toEqual(new Set(a));
    expect(seededSample(ids, 100, 42)).toEqual(seededSample(ids, 100, 42));
    expect(seededSample(ids, 100, 43)).not.toEqual(seededSample(ids, 100, 42));
    expect(seededSample(ids, 5000, 1)).toHaveLength(1000);
  });
});

describe('phrases', () => {
  it('render descriptions and labels from keys, so another catalogue can translate them', () => {
    const traits = [
      { key: 'frequency.high', z: 1.2 },
      { key: 'basket.small', z: -0.6 },
      { key: 'recency.recent', z: -2 },
      { key: 'category.heavy', category: 'home-decor' },
    ] as const;
    expect(renderDescription(traits)).toBe('frequent, small baskets, recent; home-decor heavy');
    expect(renderLabel(traits)).toBe('Frequent, recent');
    expect(renderDescription([])).toBe('average behaviour');
    expect(renderLabel([{ key: 'category.heavy', category: 'toys' }])).toBe('Toys heavy');
    const upper = Object.fromEntries(
      Object.entries(CLUSTER_PHRASES).map(([k, v]) => [k, v.toUpperCase().replace('{CATEGORY}', '{category}')]),
    ) as Record<keyof typeof CLUSTER_PHRASES, string>;
    expect(renderDescription(traits, upper)).toBe('FREQUENT, SMALL BASKETS, RECENT; home-decor HEAVY');
  });
});

/**
 * RFM of UCI Online Retail as of 2011-12-10 (see shared/data/online-retail/README.md): rows with a CustomerID, not on
 * a "C" invoice, UnitPrice > 0. The last word of the Description stands in for a category.
 */
function onlineRetailCustomers(): CustomerBehaviour[] {
  const file = new URL('../../../../../shared/data/online-retail/online_retail.csv.gz', import.meta.url);
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  const [header, ...rows] = Papa.parse<string[]>(text, { skipEmptyLines: true }).data;
  const at = (name: string) => {
    const i = header?.indexOf(name) ?? -1;
    if (i < 0) throw new Error(`no column ${name}`);
    return i;
  };
  const [iInvoice, iDesc, iQty, iDate, iPrice, iCustomer] = [
    'InvoiceNo',
    'Description',
    'Quantity',
    'InvoiceDate',
    'UnitPrice',
    'CustomerID',
  ].map(at) as [number, number, number, number, number, number];
  const asOf = Date.UTC(2011, 11, 10);
  const day = 86_400_000;
  const acc = new Map<string, { invoices: Set<string>; first: number; last: number; spend: number; categories: Map<string, number> }>();
  for (const r of rows) {
    const id = r[iCustomer] ?? '';
    const invoice = r[iInvoice] ?? '';
    const price = Number(r[iPrice]);
    if (id === '' || invoice.startsWith('C') || !(price > 0)) continue;
    const date = Date.parse(`${(r[iDate] ?? '').slice(0, 10)}T00:00:00Z`);
    const amount = Number(r[iQty]) * price;
    const category = ((r[iDesc] ?? '').trim().split(/\s+/).pop() || 'unknown').toLowerCase();
    let a = acc.get(id);
    if (!a) acc.set(id, (a = { invoices: new Set(), first: date, last: date, spend: 0, categories: new Map() }));
    a.invoices.add(invoice);
    a.first = Math.min(a.first, date);
    a.last = Math.max(a.last, date);
    a.spend += amount;
    a.categories.set(category, (a.categories.get(category) ?? 0) + amount);
  }
  return [...acc].map(([customerId, a]) => ({
    customerId,
    recencyDays: (asOf - a.last) / day,
    frequency: a.invoices.size,
    monetary: a.spend,
    tenureDays: (asOf - a.first) / day,
    meanInterPurchaseDays: a.invoices.size > 1 ? (a.last - a.first) / day / (a.invoices.size - 1) : null,
    categoryShares: Object.fromEntries([...a.categories].map(([k, v]) => [k, v / a.spend])),
  }));
}

describe('clusterCustomers on Online Retail', () => {
  it('reproduces the published RFM figures, then clusters everyone, deterministically, at the best-silhouette k', () => {
    const customers = onlineRetailCustomers();
    const meanOf = (f: (c: CustomerBehaviour) => number) => customers.reduce((s, c) => s + f(c), 0) / customers.length;
    expect(customers).toHaveLength(4338);
    expect(meanOf((c) => c.recencyDays)).toBeCloseTo(93.06, 2);
    expect(median(customers.map((c) => c.recencyDays))).toBe(51);
    expect(meanOf((c) => c.frequency)).toBeCloseTo(4.272, 3);
    expect(median(customers.map((c) => c.frequency))).toBe(2);
    expect(meanOf((c) => c.monetary)).toBeCloseTo(2054.27, 2);
    expect(median(customers.map((c) => c.monetary))).toBeCloseTo(674.48, 2);

    const result = clusterCustomers(customers);
    expect(result.assignments).toHaveLength(4338);
    expect(new Set(result.assignments.map((a) => a.customerId)).size).toBe(4338);
    expect(result.assignments.every((a) => a.cluster >= 0 && a.cluster < result.k && Number.isFinite(a.distance))).toBe(true);
    expect(result.clusters.reduce((s, c) => s + c.size, 0)).toBe(4338);
    expect(allFinite(result)).toBe(true);
    if (result.criterion.method !== 'silhouette') throw new Error('k should have been chosen');
    expect(result.criterion.sampleSize).toBe(3000);
    const best = result.criterion.candidates.reduce((a, b) => (b.silhouette > a.silhouette ? b : a));
    expect(result.k).toBe(best.k);
    for (const c of result.clusters) expect(c.description.length).toBeGreaterThan(0);

    expect(JSON.stringify(clusterCustomers([...customers].reverse()))).toBe(JSON.stringify(result));
  });
});
