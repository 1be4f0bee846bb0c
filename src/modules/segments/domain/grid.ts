/**
 * The R×F grid: recency bands × frequency bands, three of each. Each cell has a name, an action, and how much
 * investment pays back there. Promising customers and VIPs are where money and time pay back most; occasional
 * customers least.
 */
export type CellKey =
  | 'new'
  | 'promising'
  | 'vip'
  | 'occasional'
  | 'needs_attention'
  | 'at_risk'
  | 'lost'
  | 'sleeping'
  | 'sleeping_vip';

export type Payback = 'high' | 'medium' | 'low';

export type CellDefinition = {
  key: CellKey;
  /** 0 = recent, 1 = lapsing, 2 = lapsed. */
  recencyBand: 0 | 1 | 2;
  /** 0 = one purchase, 1 = some, 2 = many. */
  frequencyBand: 0 | 1 | 2;
  name: string;
  action: string;
  payback: Payback;
};

/** English names and actions; the console's message catalogue translates them by key. */
export const CELLS: readonly CellDefinition[] = [
  { key: 'new', recencyBand: 0, frequencyBand: 0, name: 'New', action: 'Welcome them and make the second purchase easy.', payback: 'medium' },
  { key: 'promising', recencyBand: 0, frequencyBand: 1, name: 'Promising', action: 'Invest: cross-sell, enrol in the programme, move them up to VIP.', payback: 'high' },
  { key: 'vip', recencyBand: 0, frequencyBand: 2, name: 'VIP', action: 'Reward and retain: recognition and service, not discounts.', payback: 'high' },
  { key: 'occasional', recencyBand: 1, frequencyBand: 0, name: 'Occasional', action: 'Low-cost reminders only; investment pays back least here.', payback: 'low' },
  { key: 'needs_attention', recencyBand: 1, frequencyBand: 1, name: 'Needs attention', action: 'Personal recommendations before they drift away.', payback: 'medium' },
  { key: 'at_risk', recencyBand: 1, frequencyBand: 2, name: 'VIP at risk', action: 'Contact personally; find out what changed.', payback: 'high' },
  { key: 'lost', recencyBand: 2, frequencyBand: 0, name: 'Lost', action: 'Leave out of paid campaigns; cheap reactivation at most.', payback: 'low' },
  { key: 'sleeping', recencyBand: 2, frequencyBand: 1, name: 'Sleeping', action: 'Reactivation offer, measured against a control group.', payback: 'medium' },
  { key: 'sleeping_vip', recencyBand: 2, frequencyBand: 2, name: 'Sleeping VIP', action: 'Win back with a strong personal offer.', payback: 'medium' },
];

export type GridEdges = { recencyEdges: [number, number]; frequencyEdges: [number, number] };

/** Checks that edges are increasing whole numbers; returns an error message naming the bad one. */
export function validateEdges(e: { recencyEdges: readonly number[]; frequencyEdges: readonly number[] }): string | undefined {
  for (const [name, edges, min] of [
    ['recency', e.recencyEdges, 0],
    ['frequency', e.frequencyEdges, 1],
  ] as const) {
    if (edges.length !== 2) return `${name} needs two edges (three bands), got ${edges.length}`;
    if (!edges.every((x) => Number.isInteger(x) && x >= min)) return `${name} edges must be whole numbers ≥ ${min}`;
    if (!(edges[0]! < edges[1]!)) return `${name} edges must increase: ${edges.join(', ')}`;
  }
  return undefined;
}

/** The band of a value: 0 if ≤ first edge, 1 if ≤ second, else 2. */
export function band(value: number, edges: readonly [number, number]): 0 | 1 | 2 {
  return value <= edges[0] ? 0 : value <= edges[1] ? 1 : 2;
}

export function cellOf(recencyDays: number, frequency: number, g: GridEdges): CellDefinition {
  const r = band(recencyDays, g.recencyEdges);
  const f = band(frequency, g.frequencyEdges);
  return CELLS.find((c) => c.recencyBand === r && c.frequencyBand === f)!;
}

/**
 * Default edges from the data, for a program that has set none. Recency is cut at its terciles. Frequency keeps
 * one-time buyers apart (edge 1) and calls "many" the top fifth of the repeat buyers (at least 3 purchases).
 */
export function deriveEdges(q: { recencyP33: number; recencyP67: number; repeatFrequencyP80: number }): GridEdges {
  const r1 = Math.max(1, Math.round(q.recencyP33));
  const r2 = Math.max(r1 + 1, Math.round(q.recencyP67));
  const f2 = Math.max(2, Math.round(q.repeatFrequencyP80) - 1);
  return { recencyEdges: [r1, r2], frequencyEdges: [1, f2] };
}

/** SQL CASE over the bands of `r` and `f` columns, generated from CELLS so that SQL and TypeScript cannot disagree. */
export function cellCaseSql(rExpr: string, fExpr: string): string {
  return `CASE ${CELLS.map((c) => `WHEN ${rExpr} = ${c.recencyBand} AND ${fExpr} = ${c.frequencyBand} THEN '${c.key}'`).join(' ')} END`;
}
