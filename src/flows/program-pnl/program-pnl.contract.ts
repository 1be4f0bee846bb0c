// The program P&L's request and response schemas (GET /api/v1/program/pnl, `patron program pnl --json`).
import { z } from 'zod';

/** A period of whole UTC days, [from, to): `to` is the first day not included. */
export const PnlQuery = z
  .object({
    from: z.iso.date({ message: 'a date YYYY-MM-DD' }),
    to: z.iso.date({ message: 'a date YYYY-MM-DD' }),
  })
  .refine((q) => q.from < q.to, { path: ['to'], message: 'must be after from (the period is [from, to))' });
export type PnlQuery = z.infer<typeof PnlQuery>;

/** An exact amount: integer minor units and the same as a decimal in the currency. */
const Money = z.object({ minor: z.number().int(), amount: z.string() });
/** Points and their value at the program's point value. */
const Points = z.object({ points: z.number().int(), valueMinor: z.number().int(), value: z.string() });
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
  points: z.object({
    /** Earned − taken back by returns. */
    issued: Points,
    /** Redeemed − given back by returns. */
    spent: Points,
    expired: Points,
    /** Manual corrections, credits − debits. */
    adjustments: Points,
    /** Any other net movement into wallets; 0 unless the ledger has a kind this report does not know. */
    other: Points,
    /** All wallets, active + pending, at the start and at the end. end = start + issued − spent − expired + adjustments + other. */
    outstandingStart: Points,
    outstandingEnd: Points,
    breakage: z.object({
      note: z.string(),
      /** expired ÷ (expired + spent) over lots whose expiry date is before the period's end; null when there are none. */
      rate: z.number().nullable(),
      basis: z.object({ lots: z.number().int(), expired: z.number().int(), spent: z.number().int() }),
      /** outstandingEnd × rate, rounded to whole points. */
      expected: Points.nullable(),
    }),
  }),
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
