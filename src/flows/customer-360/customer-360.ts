import { z } from 'zod';
import * as customers from '../../modules/customers/index.ts';
import * as sales from '../../modules/sales/index.ts';
import * as analytics from '../../modules/analytics/index.ts';
import * as segments from '../../modules/segments/index.ts';
import type { Database } from '../../platform/db/client.ts';
import { minorToDecimal } from '../../platform/money.ts';

const { Customer } = customers.customerContracts;
const { Receipt } = sales.salesContracts;

export const Totals = z.object({
  currency: z.string(),
  receipts: z.number().int(),
  returns: z.number().int(),
  revenue: z.string(),
  revenueMinor: z.number().int(),
  returnsAmount: z.string(),
  returnsMinor: z.number().int(),
  firstPurchaseAt: z.string().nullable(),
  lastPurchaseAt: z.string().nullable(),
});

export const Customer360 = z.object({
  customer: Customer,
  totals: z.array(Totals),
  timeline: z.object({ receipts: z.array(Receipt), nextCursor: z.string().nullable() }),
  /** The customer's cell and RFM scores on every refreshed date, oldest first. */
  segments: z.array(segments.segmentContracts.SegmentCustomer),
  /** Behavioural cluster on every clustered date. */
  clusters: z.array(z.object({ asOf: z.string(), cluster: z.number().int(), distance: z.number() })),
  /** The latest stored customer value per model: expected purchases, P(alive), spend and CLV. */
  values: z.array(analytics.analyticsContracts.CustomerValue),
});
export type Customer360 = z.infer<typeof Customer360>;

export const TimelineQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
  cursor: z.string().max(200).optional(),
});

/** Everything about one customer on one page: identities, consents, totals per currency and the latest receipts. */
export async function customer360(database: Database, customerId: string, limit: number, cursor?: string): Promise<Customer360> {
  const customer = await customers.getCustomer(database, customerId);
  const [totals, timeline, history, clusters, values] = await Promise.all([
    sales.customerTotals(database, customerId),
    sales.receiptTimeline(database, customerId, limit, cursor),
    segments.customerSegmentHistory(database, customerId),
    segments.customerClusterHistory(database, customerId),
    analytics.customerValues(database, customerId),
  ]);
  return {
    customer,
    totals: totals.map((t) => ({
      currency: t.currency,
      receipts: t.receipts,
      returns: t.returns,
      revenue: minorToDecimal(t.revenueMinor, t.currency),
      revenueMinor: t.revenueMinor,
      returnsAmount: minorToDecimal(t.returnsMinor, t.currency),
      returnsMinor: t.returnsMinor,
      firstPurchaseAt: t.firstPurchaseAt ? new Date(t.firstPurchaseAt).toISOString() : null,
      lastPurchaseAt: t.lastPurchaseAt ? new Date(t.lastPurchaseAt).toISOString() : null,
    })),
    timeline,
    segments: history,
    clusters,
    values: values.map((v) => ({ ...v, computedAt: new Date(v.computedAt).toISOString() })),
  };
}

/** Folds `from` into `into`: identities, consents and receipts move; `from` remains as a pointer to `into`. */
export async function mergeCustomers(database: Database, into: string, from: string, actor: string): Promise<{ receiptsMoved: number }> {
  return database.transaction(async (s) => {
    await customers.mergeCustomersInTx(s, into, from, actor);
    return { receiptsMoved: await sales.reassignReceipts(s, from, into) };
  });
}
