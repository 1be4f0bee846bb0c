import { z } from 'zod';
import { customerContracts } from '../customers/index.ts';

const { IdentityInput } = customerContracts;

const Money = z.string().regex(/^\d+(\.\d+)?$/, 'a non-negative decimal amount such as 12.50');
const Percent = z.number().min(0).max(100);
const Key = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _ (up to 40)');

export const TierConfig = z
  .object({
    key: Key,
    name: z.string().min(1).max(80),
    /** Rolling spend over the tier window that qualifies, in the program's currency. */
    minSpend: Money.default('0'),
    /** Purchases over the window that qualify (both thresholds must hold). */
    minPurchases: z.number().int().min(0).default(0),
    earnMultiplier: z.number().min(0).max(100).default(1),
    /** An extra discount on every receipt of the tier, applied as a 'tier' offer in the stacking group `tierGroup`. */
    extraDiscountPercent: Percent.default(0),
    services: z.array(z.string().max(80)).max(20).default([]),
  })
  .strict();

export const StackingGroupConfig = z
  .object({
    key: Key,
    mode: z.enum(['exclusive', 'cumulative']),
    choose: z.enum(['best', 'lowest']).default('best'),
    priority: z.number().int().min(0).max(1000),
    excludes: z.array(Key).default([]),
  })
  .strict();

/**
 * The program as data. Versioned: every change stores a new version, and each committed receipt names the version
 * that priced it.
 */
export const ProgramConfig = z
  .object({
    /** The program's currency: quotes in another currency are refused. */
    currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code'),
    earn: z
      .object({
        /** Points worth this percent of the amount paid in money (at the point value below). */
        basePercent: Percent,
        categoryMultipliers: z.record(z.string(), z.number().min(0).max(100)).default({}),
        brandMultipliers: z.record(z.string(), z.number().min(0).max(100)).default({}),
      })
      .strict(),
    burn: z
      .object({
        /** What one point pays, in the program's currency. */
        pointValue: Money,
        /** The largest share of a receipt that points may pay. */
        maxSharePercent: Percent,
        excludedCategories: z.array(z.string()).default([]),
      })
      .strict(),
    lifecycle: z
      .object({
        /** Days before earned points can be spent (returns usually fall in this window). */
        pendingDays: z.number().int().min(0).max(365),
        /** Months after which each lot expires. */
        expiryMonths: z.number().int().min(1).max(120),
      })
      .strict(),
    tiers: z
      .object({
        /** The rolling window of spend and purchases, in days. */
        windowDays: z.number().int().min(1).max(3650).default(365),
        /** Days below a tier's threshold before a downgrade. */
        downgradeGraceDays: z.number().int().min(0).max(3650).default(30),
        /** The stacking group of the tiers' extra discounts. */
        tierGroup: Key.default('loyalty'),
        levels: z.array(TierConfig).max(20).default([]),
      })
      .strict()
      .default({ windowDays: 365, downgradeGraceDays: 30, tierGroup: 'loyalty', levels: [] }),
    stacking: z.object({ groups: z.array(StackingGroupConfig).min(1).max(20) }).strict(),
    ladder: z
      .object({
        steps: z.array(z.object({ key: Key, percent: Percent }).strict()).max(10).default([]),
        excludedCategories: z.array(z.string()).default([]),
        /** Gross margin assumed on the basket, for the expected margin of each step. */
        marginPercent: Percent.default(30),
        /** Pseudo-observations of the segment prior in each customer's sensitivity model. */
        priorStrength: z.number().min(0).max(1000).default(10),
      })
      .strict()
      .default({ steps: [], excludedCategories: [], marginPercent: 30, priorStrength: 10 }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const groups = new Set(c.stacking.groups.map((g) => g.key));
    if (groups.size !== c.stacking.groups.length) ctx.addIssue({ code: 'custom', path: ['stacking', 'groups'], message: 'group keys must be unique' });
    c.stacking.groups.forEach((g, i) =>
      g.excludes.forEach((x, j) => {
        if (!groups.has(x)) ctx.addIssue({ code: 'custom', path: ['stacking', 'groups', i, 'excludes', j], message: `no stacking group '${x}'` });
      }),
    );
    if (c.tiers.levels.some((t) => t.extraDiscountPercent > 0) && !groups.has(c.tiers.tierGroup))
      ctx.addIssue({ code: 'custom', path: ['tiers', 'tierGroup'], message: `no stacking group '${c.tiers.tierGroup}'` });
    const tiers = new Set(c.tiers.levels.map((t) => t.key));
    if (tiers.size !== c.tiers.levels.length) ctx.addIssue({ code: 'custom', path: ['tiers', 'levels'], message: 'tier keys must be unique' });
    const steps = new Set(c.ladder.steps.map((s) => s.key));
    if (steps.size !== c.ladder.steps.length || steps.has('none'))
      ctx.addIssue({ code: 'custom', path: ['ladder', 'steps'], message: "step keys must be unique and not 'none'" });
  });
export type ProgramConfig = z.output<typeof ProgramConfig>;

export const ProgramVersion = z.object({ version: z.number().int(), config: ProgramConfig, note: z.string().nullable(), createdAt: z.string() });
export type ProgramVersion = z.infer<typeof ProgramVersion>;

export const ProgramVersionList = z.object({
  versions: z.array(z.object({ version: z.number().int(), note: z.string().nullable(), createdAt: z.string(), inForce: z.boolean() })),
});
export const ProgramVersionParams = z.object({ version: z.coerce.number().int().min(1) });

export const PutProgramBody = z.object({ config: ProgramConfig, note: z.string().max(500).optional() }).strict();

export const Balance = z.object({
  customerId: z.string(),
  /** The wallet's owner: the household's owner when the customer's points are pooled. */
  walletOwnerId: z.string(),
  active: z.number().int(),
  pending: z.number().int(),
  /** Active points by expiry date, soonest first. */
  expiring: z.array(z.object({ expiresAt: z.string(), points: z.number().int() })),
});
export type Balance = z.infer<typeof Balance>;

export const LedgerEntry = z.object({
  id: z.string(),
  kind: z.string(),
  debitAccount: z.string(),
  creditAccount: z.string(),
  points: z.number().int(),
  cause: z.string(),
  receiptId: z.string().nullable(),
  lotId: z.string().nullable(),
  createdAt: z.string(),
});

export const AdjustmentBody = z
  .object({
    customer: IdentityInput,
    /** Positive credits the wallet (goodwill), negative debits it. */
    points: z.number().int().refine((n) => n !== 0, 'not zero'),
    reason: z.string().min(1).max(200),
    /** Makes a retry the same adjustment. */
    idempotencyKey: z.string().min(1).max(100),
  })
  .strict();

export const IssueCardBody = z
  .object({
    number: z.string().min(1).max(64),
    /** Binds the card to this customer (by any identity); a new customer is registered for an unknown one. */
    customer: IdentityInput.optional(),
  })
  .strict();

export const Card = z.object({
  number: z.string(),
  customerId: z.string().nullable(),
  status: z.enum(['active', 'blocked', 'replaced']),
  replacedBy: z.string().nullable(),
  issuedAt: z.string(),
});

export const ReplaceCardBody = z.object({ newNumber: z.string().min(1).max(64) }).strict();
export const HouseholdBody = z.object({ owner: IdentityInput, member: IdentityInput }).strict();

export const IssueCertificateBody = z
  .object({
    code: z.string().min(4).max(64),
    currency: z.string().regex(/^[A-Z]{3}$/),
    face: Money,
    categories: z.array(z.string().min(1)).min(1).max(50).nullable().default(null),
    expiresAt: z.iso.datetime({ offset: true }),
  })
  .strict();

export const Certificate = z.object({
  code: z.string(),
  currency: z.string(),
  face: z.string(),
  remaining: z.string(),
  categories: z.array(z.string()).nullable(),
  expiresAt: z.string(),
  status: z.string(),
});

export const PartnerBody = z
  .object({
    code: Key,
    name: z.string().min(1).max(120),
    earnPercent: Percent,
    issueCost: Money,
    burnValue: Money,
    stores: z.array(z.string().min(1)).min(1).max(1000),
  })
  .strict();

export const SettlementQuery = z.object({ from: z.iso.date(), to: z.iso.date() });
export const Settlement = z.object({
  from: z.string(),
  to: z.string(),
  currency: z.string(),
  partners: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      pointsIssued: z.number().int(),
      pointsBurned: z.number().int(),
      /** The partner owes the program for points its customers earned. */
      partnerOwes: z.string(),
      /** The program owes the partner for points burned at its stores. */
      programOwes: z.string(),
      /** Positive: the partner pays the program; negative: the program pays the partner. */
      net: z.string(),
    }),
  ),
});

/** A period of whole UTC days, [from, to): `to` is the first day not included. */
export const LiabilityQuery = z
  .object({
    from: z.iso.date({ message: 'a date YYYY-MM-DD' }),
    to: z.iso.date({ message: 'a date YYYY-MM-DD' }),
  })
  .refine((q) => q.from < q.to, { path: ['to'], message: 'must be after from (the period is [from, to))' });

/** Points and their value at the program's point value. */
export const PointsValue = z.object({ points: z.number().int(), valueMinor: z.number().int(), value: z.string() });

/** How the points in all wallets moved over a period: what the program owes its members, from the ledger. */
export const PointsMovements = z.object({
  /** Earned − taken back by returns. */
  issued: PointsValue,
  /** Redeemed − given back by returns. */
  spent: PointsValue,
  expired: PointsValue,
  /** Manual corrections, credits − debits. */
  adjustments: PointsValue,
  /** Any other net movement into wallets; 0 unless the ledger has a kind this report does not know. */
  other: PointsValue,
  /** All wallets, active + pending, at the start and at the end. end = start + issued − spent − expired + adjustments + other. */
  outstandingStart: PointsValue,
  outstandingEnd: PointsValue,
  breakage: z.object({
    note: z.string(),
    /** expired ÷ (expired + spent) over lots whose expiry date is before the period's end; null when there are none. */
    rate: z.number().nullable(),
    basis: z.object({ lots: z.number().int(), expired: z.number().int(), spent: z.number().int() }),
    /** outstandingEnd × rate, rounded to whole points. */
    expected: PointsValue.nullable(),
  }),
});

/** GET /api/v1/loyalty/liability: the period (as instants), the currency and point value, and the movements. */
export const Liability = PointsMovements.extend({ from: z.string(), to: z.string(), currency: z.string(), pointValue: z.string() });
export type Liability = z.infer<typeof Liability>;
