// The program P&L's request and response schemas (GET /api/v1/program/pnl, `patron program pnl --json`).
import { z } from 'zod';
import { loyaltyContracts } from '../../modules/loyalty/index.ts';

/** A period of whole UTC days, [from, to): `to` is the first day not included (the same as the liability's). */
export const PnlQuery = loyaltyContracts.LiabilityQuery;
export type PnlQuery = z.infer<typeof PnlQuery>;

/** An exact amount: integer minor units and the same as a decimal in the currency. */
const Money = z.object({ minor: z.number().int(), amount: z.string() });
/** An estimate with its 95% interval, in the currency's major unit. */
const Estimate = z.object({ estimate: z.number(), low: z.number(), high: z.number() });

const Group = z.object({
  customers: z.number().int(),
  /** Net revenue (purchases less returns) of the group's customers in the period. */
  revenue: Money,
  /** Mean revenue per customer, zeros included (major unit). */
  perCustomer: z.number().nullable(),
});

export const ProgramPnl = z.object({
  /** The period [from, to) as instants (UTC). */
  from: z.string(),
  to: z.string(),
  currency: z.string(),
  /** The value of one point in the currency (the program's burn.pointValue). */
  pointValue: z.string(),
  revenue: z.object({
    note: z.string(),
    /** The global control group used: the epoch in force at the end of the period; null when none was ever drawn. */
    globalControl: z.object({ epoch: z.number().int(), share: z.number(), drawnAt: z.string() }).nullable(),
    /** Customers outside the global control group: the ones campaigns may reach. */
    reachable: Group,
    /** Customers in the global control group: no campaign reaches them. */
    control: Group,
    /** Revenue per customer, reachable − control, with Welch's 95% interval; null with fewer than 2 customers in a group. */
    differencePerCustomer: Estimate.nullable(),
    /** The difference × reachable customers. */
    incremental: Estimate.nullable(),
  }),
  /** How the points in all wallets moved: the liability (GET /api/v1/loyalty/liability). */
  points: loyaltyContracts.PointsMovements,
  costs: z.object({
    note: z.string(),
    /** Campaigns launched in the period, in the program's currency, with their costs as their reports book them. */
    campaigns: z.array(
      z.object({ name: z.string(), launchedAt: z.string(), messages: Money, discounts: Money, points: Money, total: Money }),
    ),
    /** Campaigns launched in the period in another currency: not added. */
    otherCurrencyCampaigns: z.array(z.string()),
    campaignsTotal: Money,
    /** Points issued in the period at the point value. */
    pointsIssued: Money,
    total: Money,
  }),
  net: z.object({
    note: z.string(),
    marginPercent: z.number(),
    marginSource: z.string(),
    /** Incremental revenue × margin % (major unit). */
    incrementalMargin: Estimate.nullable(),
    costs: z.number(),
    /** Incremental margin − costs: an estimate, with the interval of the incremental margin. */
    net: Estimate.nullable(),
  }),
});
export type ProgramPnl = z.infer<typeof ProgramPnl>;
