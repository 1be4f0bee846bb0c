import type { Database, Queryable, Session } from '../../platform/db/client.ts';
import { decodeCursor, encodeCursor } from '../../platform/cursor.ts';
import { checkIsoDate } from '../../platform/dates.ts';
import { AppError } from '../../platform/errors.ts';
import { currencyExponent, minorToDecimal } from '../../platform/money.ts';
import { CELLS, deriveEdges, validateEdges, type GridEdges } from './domain/grid.ts';
import { RFM_RULES } from './domain/rfm.ts';
import * as repo from './segments.repository.ts';
import * as sales from '../sales/index.ts';

/** A calendar date (YYYY-MM-DD), or VALIDATION_FAILED naming the field. */
export const checkDate = checkIsoDate;

export type RefreshOptions = { asOf: string; currency?: string | undefined; net?: boolean | undefined; gridVersion?: number | undefined };
export type RefreshResult = { asOf: string; currency: string; net: boolean; customers: number; grid: repo.GridVersionRow; seconds: number };

/**
 * Places every customer with purchases on the R×F grid as of a date, with RFM scores and segments, set-based: one
 * aggregate over the purchases (which also picks the main currency), one scoring INSERT … SELECT. Re-running a date
 * replaces its results. Without a grid version, the latest is used; without any, one is derived from the data's
 * quantiles and stored as version 1.
 */
export async function refreshSegments(database: Database, opts: RefreshOptions): Promise<RefreshResult> {
  const asOf = checkDate(opts.asOf, 'asOf');
  return database.transaction(async (s) => {
    await repo.lockRefreshes(s);
    return refreshLocked(s, { ...opts, asOf });
  });
}

/** The refresh itself, inside a transaction that holds the refresh lock. */
async function refreshLocked(s: Session, opts: RefreshOptions): Promise<RefreshResult> {
  const started = Date.now();
  const { asOf } = opts;
  const net = opts.net ?? false;
  if (opts.gridVersion !== undefined && !(await repo.findGridVersion(s, opts.gridVersion))) {
    throw new AppError('VALIDATION_FAILED', `gridVersion: no grid version ${opts.gridVersion}.`, { fields: [{ field: 'gridVersion', message: 'unknown version' }] });
  }
  await repo.tuneRefresh(s);
  const stats = await repo.buildStats(s, asOf, opts.currency, net);
  if (!stats) {
    throw opts.currency
      ? new AppError('SEGMENTS_NO_PURCHASES', `No purchases in ${opts.currency} on or before ${asOf}.`, { asOf, currency: opts.currency })
      : new AppError('SEGMENTS_NO_PURCHASES', `No purchases on or before ${asOf}: import receipts first, or choose a later date.`, { asOf });
  }
  const currency = stats.currency;
  let grid = opts.gridVersion !== undefined ? await repo.findGridVersion(s, opts.gridVersion) : await repo.latestGridVersion(s);
  if (!grid) {
    const edges = deriveEdges(await repo.statsQuantiles(s));
    grid = await repo.insertGridVersion(s, edges, 'quantile', `derived from the data as of ${asOf}`);
  }
  const edges = toEdges(grid);
  const written = await repo.writeSegments(s, asOf, { version: grid.version, ...edges }, currency);
  await repo.recordRefresh(s, asOf, grid.version, written, currency, net);
  return { asOf, currency, net, customers: written, grid, seconds: (Date.now() - started) / 1000 };
}

function toEdges(g: repo.GridVersionRow): GridEdges {
  return { recencyEdges: [g.recencyEdges[0]!, g.recencyEdges[1]!], frequencyEdges: [g.frequencyEdges[0]!, g.frequencyEdges[1]!] };
}

/** Stores new grid thresholds as the next version; later refreshes use them. */
export async function setGrid(database: Database, edges: { recencyEdges: number[]; frequencyEdges: number[] }, note?: string): Promise<repo.GridVersionRow> {
  const problem = validateEdges(edges);
  if (problem) throw new AppError('SEGMENTS_INVALID_GRID', `Grid: ${problem}.`, { fields: [{ field: problem.split(' ')[0]!, message: problem }] });
  return repo.insertGridVersion(database, toEdges({ ...edges } as repo.GridVersionRow), 'manual', note ?? null);
}

export async function currentGrid(q: Queryable): Promise<repo.GridVersionRow | undefined> {
  return repo.latestGridVersion(q);
}

/**
 * The date's refresh run, refreshing first when there is none that fits (or when asked to). Reports asked at the same
 * time for a new date (two console tabs) take the refresh lock in turn: the first refreshes, the others find its run.
 */
async function ensureRefreshed(database: Database, asOf: string, opts: Omit<RefreshOptions, 'asOf'> & { refresh?: boolean }): Promise<repo.RefreshRunRow> {
  const fits = (run: repo.RefreshRunRow | undefined): run is repo.RefreshRunRow =>
    run !== undefined && !opts.refresh && (opts.net === undefined || Boolean(run.net) === opts.net) && (!opts.currency || opts.currency === run.currency);
  const existing = await repo.findRefresh(database, asOf);
  if (fits(existing)) return existing;
  return database.transaction(async (s) => {
    await repo.lockRefreshes(s);
    const meanwhile = await repo.findRefresh(s, asOf);
    if (fits(meanwhile)) return meanwhile;
    await refreshLocked(s, { asOf, currency: opts.currency, net: opts.net });
    return (await repo.findRefresh(s, asOf))!;
  });
}

const major = (minor: number, currency: string) => minor / 10 ** currencyExponent(currency);
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export type RfmReport = {
  asOf: string;
  currency: string;
  net: boolean;
  customers: number;
  recency: { mean: number; median: number };
  frequency: { mean: number; median: number };
  monetary: { mean: number; median: number };
  returns: string;
  grid: {
    version: number;
    method: string;
    recencyEdges: number[];
    frequencyEdges: number[];
    cells: {
      key: string;
      name: string;
      action: string;
      payback: string;
      recencyBand: number;
      frequencyBand: number;
      customers: number;
      share: number;
      revenue: string;
      revenueShare: number;
    }[];
  };
  rfmSegments: { key: string; name: string; customers: number; revenue: string }[];
};

/** R, F and M (means and medians), the grid with counts and revenue per cell, and the RFM segments, as of a date. */
export async function rfmReport(database: Database, asOfOrLatest: string | undefined, opts: { currency?: string; net?: boolean; refresh?: boolean } = {}): Promise<RfmReport> {
  const asOf = asOfOrLatest ?? (await sales.latestPurchaseDate(database)) ?? new Date().toISOString().slice(0, 10);
  checkDate(asOf, 'asOf');
  const run = await ensureRefreshed(database, asOf, opts);
  const [sum, cells, rfm, grid] = await Promise.all([
    repo.summary(database, asOf),
    repo.cellCounts(database, asOf),
    repo.rfmSegmentCounts(database, asOf),
    repo.findGridVersion(database, run.gridVersion),
  ]);
  const cur = run.currency;
  const totalRevenue = cells.reduce((a, c) => a + Number(c.revenueMinor), 0);
  return {
    asOf,
    currency: cur,
    net: Boolean(run.net),
    customers: sum.customers,
    recency: { mean: round(sum.recencyMean, 4), median: sum.recencyMedian },
    frequency: { mean: round(sum.frequencyMean, 4), median: sum.frequencyMedian },
    monetary: { mean: round(major(sum.monetaryMeanMinor, cur), 4), median: round(major(sum.monetaryMedianMinor, cur), 4) },
    returns: minorToDecimal(Number(sum.returnsMinor), cur),
    grid: {
      version: grid!.version,
      method: grid!.method,
      recencyEdges: grid!.recencyEdges,
      frequencyEdges: grid!.frequencyEdges,
      cells: CELLS.map((c) => {
        const found = cells.find((x) => x.cell === c.key);
        const n = found?.customers ?? 0;
        const rev = Number(found?.revenueMinor ?? 0);
        return {
          key: c.key,
          name: c.name,
          action: c.action,
          payback: c.payback,
          recencyBand: c.recencyBand,
          frequencyBand: c.frequencyBand,
          customers: n,
          share: sum.customers ? round(n / sum.customers, 4) : 0,
          revenue: minorToDecimal(rev, cur),
          revenueShare: totalRevenue ? round(rev / totalRevenue, 4) : 0,
        };
      }),
    },
    rfmSegments: RFM_RULES.map((r) => {
      const found = rfm.find((x) => x.segment === r.key);
      return { key: r.key, name: r.name, customers: found?.customers ?? 0, revenue: minorToDecimal(Number(found?.revenueMinor ?? 0), cur) };
    }),
  };
}

export type MigrationReport = {
  from: string;
  to: string;
  gridVersions: { from: number; to: number };
  customers: { from: number; to: number };
  moved: number;
  matrix: { from: string; to: string; customers: number }[];
};

/** Who moved between cells from one date to another (refreshing either date when it has not been). */
export async function migrationReport(database: Database, from: string, to: string): Promise<MigrationReport> {
  checkDate(from, 'from');
  checkDate(to, 'to');
  if (from >= to) {
    throw new AppError('VALIDATION_FAILED', `from (${from}) must be before to (${to}).`, { fields: [{ field: 'from', message: 'not before to' }] });
  }
  const a = await ensureRefreshed(database, from, {});
  const b = await ensureRefreshed(database, to, {});
  const matrix = await repo.migrationMatrix(database, from, to);
  return {
    from,
    to,
    gridVersions: { from: a.gridVersion, to: b.gridVersion },
    customers: { from: a.customers, to: b.customers },
    moved: matrix.filter((m) => m.from !== m.to).reduce((s, m) => s + m.customers, 0),
    matrix,
  };
}

export async function customerSegmentHistory(q: Queryable, customerId: string) {
  return repo.customerHistory(q, customerId);
}

export async function listSegmentCustomers(
  q: Queryable,
  asOf: string,
  filter: { cell?: string; rfmSegment?: string },
  limit: number,
  cursor?: string,
): Promise<{ customers: repo.CustomerSegmentRow[]; nextCursor: string | null }> {
  checkDate(asOf, 'asOf');
  const after = cursor
    ? decodeCursor(cursor, ([m, id]) => {
        if (typeof m !== 'number' || typeof id !== 'string') throw new Error('bad cursor');
        return { monetaryMinor: m, customerId: id };
      })
    : undefined;
  const rows = await repo.customersIn(q, asOf, filter, limit + 1, after);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    customers: page,
    nextCursor: rows.length > limit && last ? encodeCursor([Number(last.monetaryMinor), last.customerId]) : null,
  };
}

export async function listRefreshes(q: Queryable) {
  return repo.listRefreshes(q);
}
