import * as sales from '../../modules/sales/index.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { config } from '../../platform/config.ts';
import type { Overview } from '../../platform/http/console.contract.ts';
import { minorToDecimal } from '../../platform/money.ts';

// "The N days up to asOf" are whole UTC days and include asOf: [asOf - (N - 1), asOf + 1).
const END = `(($1::date + 1)::timestamp AT TIME ZONE 'UTC')`;
const from = (days: number) => `(($1::date - ${days - 1})::timestamp AT TIME ZONE 'UTC')`;

export const latestPurchaseDate = sales.latestPurchaseDate;

/**
 * The console's headline figures as of a date, in one set-based statement over the published `sales.purchases`:
 * customers ever, customers active in the last 90 days, and revenue and receipts of the last 365 days against the
 * 365 before.
 */
export async function overview(q: Queryable, opts: { asOf?: string | undefined; currency?: string | undefined } = {}): Promise<Overview> {
  const asOf = opts.asOf ?? (await latestPurchaseDate(q)) ?? new Date().toISOString().slice(0, 10);
  const currency = opts.currency ?? (await sales.mainCurrency(q, asOf)) ?? config().defaultCurrency;
  const rows = await q.query<{ customers: number; active: number; revenue: string; previous: string; receipts: number }>(
    `SELECT count(DISTINCT customer_id)::int AS customers,
            count(DISTINCT customer_id) FILTER (WHERE occurred_at >= ${from(90)})::int AS active,
            coalesce(sum(amount_minor) FILTER (WHERE currency = $2 AND occurred_at >= ${from(365)}), 0)::text AS revenue,
            coalesce(sum(amount_minor) FILTER (WHERE currency = $2 AND occurred_at >= ${from(730)} AND occurred_at < ${from(365)}), 0)::text AS previous,
            count(*) FILTER (WHERE currency = $2 AND occurred_at >= ${from(365)})::int AS receipts
     FROM sales.purchases WHERE occurred_at < ${END}`,
    [asOf, currency],
  );
  const r = rows[0]!;
  return {
    asOf,
    currency,
    customers: r.customers,
    activeCustomers: r.active,
    revenue: minorToDecimal(Number(r.revenue), currency),
    revenuePrevious: minorToDecimal(Number(r.previous), currency),
    receipts: r.receipts,
  };
}
