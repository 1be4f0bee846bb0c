import type { Database, Queryable } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import * as sales from '../sales/index.ts';
import { currencyExponent } from '../../platform/money.ts';
import { clusterCustomers, type Clustering, type ClusterOptions } from './domain/clusters.ts';
import * as repo from './segments.repository.ts';
import { checkDate } from './segments.service.ts';

export type ClusterReport = Omit<Clustering, 'assignments'> & { asOf: string; currency: string; customers: number; seconds: number };

/**
 * Behavioural clusters as of a date: the features are read set-based (two queries), clustered in memory (k-means with
 * a fixed seed, so results repeat), and stored per customer and date with the clusters' descriptions.
 */
export async function runClustering(database: Database, opts: { asOf: string; k?: number | undefined; seed?: number | undefined; currency?: string | undefined }): Promise<ClusterReport> {
  const started = Date.now();
  const asOf = checkDate(opts.asOf, 'asOf');
  const currency = opts.currency ?? (await sales.mainCurrency(database, asOf));
  if (!currency) throw new AppError('SEGMENTS_NO_PURCHASES', `No purchases on or before ${asOf}: nothing to cluster.`, { asOf });
  const [rows, spend] = await Promise.all([repo.behaviour(database, asOf, currency), repo.categorySpend(database, asOf, currency)]);
  if (rows.length === 0) throw new AppError('SEGMENTS_NO_PURCHASES', `No purchases in ${currency} on or before ${asOf}.`, { asOf, currency });
  const exp = 10 ** currencyExponent(currency);
  const shares = new Map<string, Record<string, number>>();
  const totals = new Map<string, number>();
  for (const s of spend) {
    if (s.amountMinor <= 0) continue;
    totals.set(s.customerId, (totals.get(s.customerId) ?? 0) + s.amountMinor);
  }
  for (const s of spend) {
    const total = totals.get(s.customerId);
    if (!total || s.amountMinor <= 0) continue;
    const m = shares.get(s.customerId) ?? {};
    m[s.category] = s.amountMinor / total;
    shares.set(s.customerId, m);
  }
  const options: ClusterOptions = {};
  if (opts.k !== undefined) options.k = opts.k;
  if (opts.seed !== undefined) options.seed = opts.seed;
  const result = clusterCustomers(
    rows.map((r) => ({
      customerId: r.customerId,
      recencyDays: r.recencyDays,
      frequency: r.frequency,
      monetary: r.monetaryMinor / exp,
      tenureDays: r.tenureDays,
      meanInterPurchaseDays: r.meanInterPurchaseDays,
      categoryShares: shares.get(r.customerId) ?? {},
    })),
    options,
  );
  const { assignments, ...summary } = result;
  await database.transaction((s) => repo.writeClusters(s, asOf, { k: summary.k, seed: summary.seed, result: summary }, assignments));
  return { ...summary, asOf, currency, customers: assignments.length, seconds: (Date.now() - started) / 1000 };
}

/** The stored clustering of a date, if any. */
export async function findClustering(q: Queryable, asOf: string): Promise<(Omit<Clustering, 'assignments'> & { asOf: string }) | undefined> {
  checkDate(asOf, 'asOf');
  const run = await repo.findClusterRun(q, asOf);
  return run ? { ...(run.result as Omit<Clustering, 'assignments'>), asOf: run.asOf } : undefined;
}

export async function customerClusterHistory(q: Queryable, customerId: string) {
  return repo.clusterOfCustomer(q, customerId);
}
