/**
 * What choosing k needs: a deterministic sample of customers and the mean silhouette of a partition. Silhouette is
 * O(n²) in time; the pairwise distances are computed once per sample and reused for every candidate k.
 */

/** FNV-1a over the seed and the id: a stable pseudo-random rank for each customer. */
function sampleRank(seed: number, id: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Avalanche, so that ids differing in the last character do not get neighbouring ranks.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * Indices of at most `size` items, chosen by a seeded hash of their ids and returned in ascending order. A customer's
 * membership depends only on the seed and the ids, not on the input order, and adding customers changes it little.
 */
export function seededSample(ids: readonly string[], size: number, seed: number): number[] {
  if (ids.length <= size) return ids.map((_, i) => i);
  const ranked = ids.map((id, i) => ({ i, r: sampleRank(seed, id) }));
  ranked.sort((a, b) => a.r - b.r || a.i - b.i);
  return ranked
    .slice(0, size)
    .map((x) => x.i)
    .sort((a, b) => a - b);
}

/** Euclidean distances between all pairs of points, condensed: pair (i, j), i < j, at i·n − i(i+1)/2 + j − i − 1. */
export type PairwiseDistances = { n: number; d: Float64Array };

/** All pairwise Euclidean distances of the points. */
export function pairwiseDistances(points: readonly (readonly number[])[]): PairwiseDistances {
  const n = points.length;
  const d = new Float64Array((n * (n - 1)) / 2);
  let idx = 0;
  for (let i = 0; i < n; i++) {
    const p = points[i] ?? [];
    for (let j = i + 1; j < n; j++) {
      const q = points[j] ?? [];
      let s = 0;
      for (let c = 0; c < p.length; c++) {
        const diff = (p[c] ?? 0) - (q[c] ?? 0);
        s += diff * diff;
      }
      d[idx++] = Math.sqrt(s);
    }
  }
  return { n, d };
}

/**
 * Mean silhouette (Rousseeuw 1987) of a partition, in [−1, 1]. A point alone in its cluster scores 0, as does a point
 * whose own and nearest-other mean distances are both 0. Fewer than two non-empty clusters score −1, the worst, so
 * that a degenerate fit never wins the choice of k.
 */
export function meanSilhouette(distances: PairwiseDistances, labels: readonly number[]): number {
  const { n, d } = distances;
  const k = labels.reduce((m, l) => Math.max(m, l + 1), 0);
  const sizes = new Array<number>(k).fill(0);
  for (const l of labels) sizes[l] = (sizes[l] ?? 0) + 1;
  if (sizes.filter((s) => s > 0).length < 2) return -1;

  // sums[i·k + c] = Σ distance from point i to the points of cluster c.
  const sums = new Float64Array(n * k);
  let idx = 0;
  for (let i = 0; i < n; i++) {
    const li = labels[i] ?? 0;
    for (let j = i + 1; j < n; j++) {
      const dist = d[idx++] ?? 0;
      const to = i * k + (labels[j] ?? 0);
      const from = j * k + li;
      sums[to] = (sums[to] ?? 0) + dist;
      sums[from] = (sums[from] ?? 0) + dist;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = labels[i] ?? 0;
    const ownSize = sizes[own] ?? 0;
    if (ownSize <= 1) continue;
    const a = (sums[i * k + own] ?? 0) / (ownSize - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) {
      const size = sizes[c] ?? 0;
      if (c === own || size === 0) continue;
      b = Math.min(b, (sums[i * k + c] ?? 0) / size);
    }
    const m = Math.max(a, b);
    if (m > 0) total += (b - a) / m;
  }
  return total / n;
}
