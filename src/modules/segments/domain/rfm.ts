/**
 * RFM quintile scores (1–5, 5 best) and the usual named RFM segments, from the R score and the mean of the F and M
 * scores. The rules are checked in order; the first that matches names the segment.
 */
export type RfmSegmentKey =
  | 'champions'
  | 'loyal'
  | 'potential_loyalist'
  | 'new_customers'
  | 'promising'
  | 'need_attention'
  | 'about_to_sleep'
  | 'cannot_lose'
  | 'at_risk'
  | 'hibernating'
  | 'lost';

type Rule = { key: RfmSegmentKey; name: string; r: [number, number]; fm: [number, number] };

/** fm is the mean of the F and M scores, rounded half up (so 1..5). */
export const RFM_RULES: readonly Rule[] = [
  { key: 'champions', name: 'Champions', r: [4, 5], fm: [4, 5] },
  { key: 'loyal', name: 'Loyal', r: [3, 5], fm: [3, 5] },
  { key: 'new_customers', name: 'New customers', r: [5, 5], fm: [1, 1] },
  { key: 'potential_loyalist', name: 'Potential loyalists', r: [4, 5], fm: [1, 3] },
  { key: 'promising', name: 'Promising', r: [3, 3], fm: [1, 1] },
  { key: 'need_attention', name: 'Need attention', r: [3, 3], fm: [2, 3] },
  { key: 'cannot_lose', name: "Can't lose them", r: [1, 2], fm: [5, 5] },
  { key: 'at_risk', name: 'At risk', r: [1, 2], fm: [3, 4] },
  { key: 'about_to_sleep', name: 'About to sleep', r: [2, 2], fm: [1, 2] },
  { key: 'hibernating', name: 'Hibernating', r: [1, 1], fm: [2, 2] },
  { key: 'lost', name: 'Lost', r: [1, 1], fm: [1, 1] },
];

export function fmScore(f: number, m: number): number {
  return Math.floor((f + m) / 2 + 0.5);
}

export function rfmSegment(r: number, f: number, m: number): RfmSegmentKey {
  const fm = fmScore(f, m);
  const rule = RFM_RULES.find((x) => r >= x.r[0] && r <= x.r[1] && fm >= x.fm[0] && fm <= x.fm[1]);
  return rule?.key ?? 'lost';
}

/** The same rules as a SQL CASE, generated from RFM_RULES. */
export function rfmCaseSql(r: string, f: string, m: string): string {
  const fm = `floor((${f} + ${m}) / 2.0 + 0.5)`;
  return `CASE ${RFM_RULES.map((x) => `WHEN ${r} BETWEEN ${x.r[0]} AND ${x.r[1]} AND ${fm} BETWEEN ${x.fm[0]} AND ${x.fm[1]} THEN '${x.key}'`).join(' ')} ELSE 'lost' END`;
}

/**
 * A quintile score from the four cut points (20th…80th percentiles): 1 + the number of cuts below the value, so
 * ties share a score. For recency, lower is better, so the score is reversed.
 */
export function quintileScore(value: number, cuts: readonly number[], lowerIsBetter = false): number {
  const below = cuts.filter((c) => value > c).length;
  return lowerIsBetter ? 5 - below : 1 + below;
}

/** The same as SQL. `cuts` is a float8[] expression of four cut points. */
export function quintileSql(value: string, cuts: string, lowerIsBetter = false): string {
  const below = `((${value} > (${cuts})[1])::int + (${value} > (${cuts})[2])::int + (${value} > (${cuts})[3])::int + (${value} > (${cuts})[4])::int)`;
  return lowerIsBetter ? `(5 - ${below})` : `(1 + ${below})`;
}
