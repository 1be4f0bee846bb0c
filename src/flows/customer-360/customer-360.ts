import * as customers from '../../modules/customers/index.ts';
import * as sales from '../../modules/sales/index.ts';
import * as analytics from '../../modules/analytics/index.ts';
import * as segments from '../../modules/segments/index.ts';
import * as loyalty from '../../modules/loyalty/index.ts';
import * as offers from '../../modules/offers/index.ts';
import * as campaigns from '../../modules/campaigns/index.ts';
import type { Database, Queryable } from '../../platform/db/client.ts';
import { isAppError } from '../../platform/errors.ts';
import { minorToDecimal } from '../../platform/money.ts';
import type { Customer360, Loyalty360 } from './customer-360.contract.ts';

const LEDGER_ENTRIES = 20;
const TARGETED_KINDS: readonly string[] = ['personal', 'tier', 'birthday'];

async function findProgram(q: Queryable): Promise<loyalty.Program | undefined> {
  try {
    return await loyalty.getProgram(q);
  } catch (e) {
    if (isAppError(e) && e.code === 'LOYALTY_NO_PROGRAM') return undefined;
    throw e;
  }
}

/**
 * The loyalty reads of the 360, all in parallel: a fixed number of statements whatever the customer's history.
 * Offers need a store. Without one, offersInForce is asked for a store no offer names (''), so only the offers that
 * hold at every store (stores null) are listed; with ?store= that store's own offers are added. Kept simple on
 * purpose: the 360 does not guess where the customer shops.
 */
async function readLoyalty(q: Queryable, customerId: string, store: string | undefined, at: Date) {
  // Both cached per database for a few seconds, as the till reads them.
  const [program, active] = await Promise.all([findProgram(q), offers.activeOffers(q)]);
  if (!program) return null;
  const [balance, entries, tier, cards, household, inForce, wallet, priors] = await Promise.all([
    loyalty.getBalance(q, customerId),
    loyalty.ledgerEntries(q, customerId, LEDGER_ENTRIES),
    loyalty.findTier(q, customerId),
    loyalty.cardsOf(q, customerId),
    loyalty.householdOf(q, customerId),
    offers.offersInForce(active, q, store ?? '', at, customerId),
    loyalty.tillWallet(q, customerId),
    loyalty.cellPriors(q),
  ]);
  return { program, balance, entries, tier, cards, household, inForce, ladder: wallet.ladder, priors };
}

type LoyaltyReads = NonNullable<Awaited<ReturnType<typeof readLoyalty>>>;
type Placement = { cell: string; rfmSegment: string } | undefined;

/**
 * The offers in force that target this customer now. The pricing engine decides, on a probe basket with a line in
 * every category the offers name, so that the rules (tier, personal lists, cells, segments, birthday window, uses
 * and budget left) are the till's own.
 */
function targetedOffers(
  r: LoyaltyReads,
  customer: customers.Customer,
  placement: Placement,
  store: string | undefined,
  at: Date,
): Loyalty360['offers'] {
  const cur = r.program.config.currency;
  const candidates = r.inForce.filter((o) => TARGETED_KINDS.includes(o.rule.kind));
  if (candidates.length === 0) return [];
  const categories = [...new Set(candidates.flatMap((o) => o.categories ?? []))];
  const probe: offers.BasketLine[] = [null, ...categories].map((category, i) => ({
    lineNo: i + 1,
    sku: `probe-${i + 1}`,
    category,
    brand: null,
    quantity: 1,
    unitPriceMinor: 100_000,
    taxRatePercent: 0,
  }));
  const priced = offers.priceBasket(probe, candidates, r.program.config.stacking.groups, {
    at,
    store: store ?? '',
    customer: {
      id: customer.id,
      tier: r.tier?.tier ?? null,
      birthDate: customer.birthDate,
      cell: placement?.cell ?? null,
      rfmSegment: placement?.rfmSegment ?? null,
    },
  });
  const applies = new Set(priced.applicable.map((a) => a.offerId));
  return candidates
    .filter((o) => applies.has(o.id))
    .sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1))
    .flatMap((o) => {
      const rule = o.rule;
      if (rule.kind !== 'personal' && rule.kind !== 'tier' && rule.kind !== 'birthday') return [];
      const d = rule.discount;
      return [
        {
          id: o.id,
          name: o.name,
          kind: rule.kind,
          group: o.group,
          validFrom: o.validFrom?.toISOString() ?? null,
          validTo: o.validTo?.toISOString() ?? null,
          stores: o.stores,
          discount:
            d.kind === 'percent'
              ? { kind: 'percent' as const, percent: d.percent }
              : { kind: 'amount' as const, amount: minorToDecimal(d.amountMinor, cur) },
          usesLeft: o.perCustomerLimit === null ? null : Math.max(0, o.perCustomerLimit - o.customerUses),
        },
      ];
    });
}

/**
 * The customer's discount sensitivity, as the till computes it, on a basket of the customer's average receipt: the
 * ladder priced on that basket (an uncategorised line, so no step is excluded), the Beta–Bernoulli posterior per
 * step with the current cell's pooled counts as prior, and the step with the largest expected margin.
 */
function sensitivity(r: LoyaltyReads, totals: sales.CustomerTotals[], placement: Placement, at: Date): Loyalty360['sensitivity'] {
  const { currency: cur, ladder: cfg, stacking } = r.program.config;
  const own = totals.find((t) => t.currency === cur);
  const basketMinor = own && own.receipts > 0 ? Math.round(Number(own.revenueMinor) / own.receipts) : null;
  const line: offers.BasketLine = {
    lineNo: 1,
    sku: 'average-receipt',
    category: null,
    brand: null,
    quantity: 1,
    unitPriceMinor: Math.max(0, basketMinor ?? 0),
    taxRatePercent: 0,
  };
  const priced = offers.priceBasket([line], [], stacking.groups, { at, store: '', customer: null });
  const ladder = offers.buildLadder(priced, [line], cfg.steps, []);
  const cell = placement?.cell ?? null;
  const probs = loyalty.buyProbabilities(
    ladder.map((s) => s.key),
    r.priors.get(cell ?? '') ?? {},
    r.ladder,
    cfg.priorStrength,
  );
  const marginMinor = Math.round(((basketMinor ?? 0) * cfg.marginPercent) / 100);
  const steps = ladder.map((s, i) => {
    const pBuy = probs[i]?.pBuy ?? 0;
    const counts = Object.hasOwn(r.ladder, s.key) ? r.ladder[s.key] : undefined;
    return {
      key: s.key,
      percent: s.percent,
      cost: minorToDecimal(s.costMinor, cur),
      successes: counts?.successes ?? 0,
      failures: counts?.failures ?? 0,
      pBuy,
      expectedMargin: minorToDecimal(Math.round(pBuy * (marginMinor - s.costMinor)), cur),
    };
  });
  const recommended =
    basketMinor === null
      ? null
      : loyalty.recommend(
          ladder.map((s, i) => ({ key: s.key, costMinor: s.costMinor, pBuy: probs[i]?.pBuy ?? 0 })),
          marginMinor,
        ).key;
  return {
    cell,
    basket: basketMinor === null ? null : minorToDecimal(basketMinor, cur),
    marginPercent: cfg.marginPercent,
    priorStrength: cfg.priorStrength,
    recommended,
    steps,
  };
}

function loyaltyView(
  r: LoyaltyReads,
  customer: customers.Customer,
  totals: sales.CustomerTotals[],
  placement: Placement,
  store: string | undefined,
  at: Date,
): Loyalty360 {
  const cur = r.program.config.currency;
  const level = r.tier ? r.program.config.tiers.levels.find((t) => t.key === r.tier!.tier) : undefined;
  return {
    programVersion: r.program.version,
    currency: cur,
    points: { walletOwnerId: r.balance.walletOwnerId, active: r.balance.active, pending: r.balance.pending, expiring: r.balance.expiring },
    entries: r.entries,
    tier: r.tier
      ? {
          tier: r.tier.tier,
          name: level?.name ?? null,
          since: new Date(r.tier.since).toISOString(),
          spend: minorToDecimal(Number(r.tier.spendMinor), cur),
          purchases: r.tier.purchases,
          extraDiscountPercent: level?.extraDiscountPercent ?? 0,
        }
      : null,
    cards: r.cards,
    household: { owner: r.household.owner, members: r.household.members },
    offers: targetedOffers(r, customer, placement, store, at),
    sensitivity: sensitivity(r, totals, placement, at),
  };
}

/**
 * Everything about one customer on one page: identities, consents, totals per currency, the latest receipts, segments,
 * value, the loyalty state (null without a program), and the campaigns the customer was in. The reads after the customer's run in parallel, a fixed
 * number of statements whatever the history. `store` adds that store's offers to those of every store.
 */
export async function customer360(
  database: Database,
  customerId: string,
  limit: number,
  cursor?: string,
  opts: { store?: string | undefined; at?: Date } = {},
): Promise<Customer360> {
  const at = opts.at ?? new Date();
  const customer = await customers.getCustomer(database, customerId);
  const [totals, timeline, history, clusters, values, loyaltyReads, touches] = await Promise.all([
    sales.customerTotals(database, customerId),
    sales.receiptTimeline(database, customerId, limit, cursor),
    segments.customerSegmentHistory(database, customerId),
    segments.customerClusterHistory(database, customerId),
    analytics.customerValues(database, customerId),
    readLoyalty(database, customerId, opts.store, at),
    campaigns.customerCampaigns(database, customerId),
  ]);
  // The history is oldest first: its last row is the customer's current cell (what segments.currentCells reads).
  const placement = history.at(-1);
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
    loyalty: loyaltyReads ? loyaltyView(loyaltyReads, customer, totals, placement, opts.store, at) : null,
    campaigns: touches,
  };
}

/** Folds `from` into `into`: identities, consents and receipts move; `from` remains as a pointer to `into`. */
export async function mergeCustomers(database: Database, into: string, from: string, actor: string): Promise<{ receiptsMoved: number }> {
  return database.transaction(async (s) => {
    await customers.mergeCustomersInTx(s, into, from, actor);
    return { receiptsMoved: await sales.reassignReceipts(s, from, into) };
  });
}
