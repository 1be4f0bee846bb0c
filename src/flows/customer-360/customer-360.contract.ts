// The 360 view's request and response schemas, shared with the admin console (web/src/types.ts imports their types).
import { z } from 'zod';
import * as customers from '../../modules/customers/index.ts';
import * as sales from '../../modules/sales/index.ts';
import * as analytics from '../../modules/analytics/index.ts';
import * as segments from '../../modules/segments/index.ts';
import * as loyalty from '../../modules/loyalty/index.ts';
import * as campaigns from '../../modules/campaigns/index.ts';

const { Customer } = customers.customerContracts;
const { Receipt } = sales.salesContracts;
const { Balance, LedgerEntry, Card } = loyalty.loyaltyContracts;

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

/** An offer in force that targets this customer (personal, tier or birthday), as the agent needs to see it. */
export const TargetedOffer = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['personal', 'tier', 'birthday']),
  group: z.string(),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  /** Stores where it applies; null = every store. */
  stores: z.array(z.string()).nullable(),
  discount: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('percent'), percent: z.number() }),
    /** In the program's currency. */
    z.object({ kind: z.literal('amount'), amount: z.string() }),
  ]),
  /** Uses left for this customer; null = unlimited. */
  usesLeft: z.number().int().nullable(),
});

/** One ladder step of the customer's sensitivity model, priced on the customer's average receipt. */
export const SensitivityStep = z.object({
  key: z.string(),
  percent: z.number(),
  /** The step's cost on the average receipt, in the program's currency. */
  cost: z.string(),
  /** The customer's own sales that tell about this step (loyalty.ladder_stats). */
  successes: z.number().int(),
  failures: z.number().int(),
  /** Posterior probability of buying when offered this step: the cell's prior plus the customer's counts. */
  pBuy: z.number(),
  /** pBuy × (margin − cost) on the average receipt, in the program's currency. */
  expectedMargin: z.string(),
});

/** The customer's loyalty state: wallet, tier, cards, household, targeted offers and discount sensitivity. */
export const Loyalty360 = z.object({
  programVersion: z.number().int(),
  currency: z.string(),
  /** The wallet's balance (the household owner's when the points are pooled). */
  points: Balance.omit({ customerId: true }),
  /** The wallet's latest ledger entries, newest first. */
  entries: z.array(LedgerEntry),
  tier: z
    .object({
      /** The tier's key; 'none' after a downgrade below every tier. */
      tier: z.string(),
      /** The tier's name in the program; null when the program no longer has it. */
      name: z.string().nullable(),
      since: z.string(),
      /** Rolling spend over the tier window as of the tier's last evaluation, in the program's currency. */
      spend: z.string(),
      purchases: z.number().int(),
      extraDiscountPercent: z.number(),
    })
    .nullable(),
  cards: z.array(Card),
  household: z.object({ owner: z.string(), members: z.array(z.string()) }),
  offers: z.array(TargetedOffer),
  sensitivity: z.object({
    /** The R×F cell whose pooled counts are the prior; null before the customer has been placed on the grid. */
    cell: z.string().nullable(),
    /** The customer's average receipt in the program's currency: the basket the steps are priced on. */
    basket: z.string().nullable(),
    marginPercent: z.number(),
    priorStrength: z.number(),
    /** The step with the largest expected margin on that basket; null without purchases in the program's currency. */
    recommended: z.string().nullable(),
    /** 'none' first, then the program's steps in ladder order. */
    steps: z.array(SensitivityStep),
  }),
});
export type Loyalty360 = z.infer<typeof Loyalty360>;

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
  /** Null when no loyalty program is configured. */
  loyalty: Loyalty360.nullable(),
  /** The campaigns the customer was in (the latest 50), newest launch first: the arm, and the message if treated. */
  campaigns: z.array(campaigns.campaignContracts.CustomerCampaign),
});
export type Customer360 = z.infer<typeof Customer360>;

export const TimelineQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
  cursor: z.string().max(200).optional(),
});

export const Customer360Query = TimelineQuery.extend({
  /** The store whose offers to list besides those of every store. */
  store: z.string().min(1).max(64).optional(),
});
