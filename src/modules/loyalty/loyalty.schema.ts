import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, jsonb, numeric, pgSchema, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const loyaltySchema = pgSchema('loyalty');

/** The program's rules (earn, burn, lifecycle, tiers, stacking, ladder) as data. The highest version is in force. */
export const programVersions = loyaltySchema.table('program_versions', {
  version: serial('version').primaryKey(),
  config: jsonb('config').notNull(),
  note: text('note'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The points ledger: double-entry transfers between accounts, append-only. Accounts are named: `program` (the
 * liability's counterpart: issuing points debits it), `breakage` (expired points), and per wallet
 * `pending:<customer>` and `active:<customer>`. The wallet's owner is `customer_id` (a household's owner for pooled
 * points), the distribution key. `cause` names what made the transfer (a receipt's earn, a return, an expiry run, a
 * lot's activation); a retry with the same cause is the same transfer, by the unique key.
 */
export const transfers = loyaltySchema.table(
  'transfers',
  {
    customerId: text('customer_id').notNull(),
    id: text('id').notNull(),
    debitAccount: text('debit_account').notNull(),
    creditAccount: text('credit_account').notNull(),
    points: integer('points').notNull(),
    kind: text('kind').notNull(),
    cause: text('cause').notNull(),
    lotId: text('lot_id'),
    receiptId: text('receipt_id'),
    partnerCode: text('partner_code'),
    /** The customer whose action it was (a household member), when not the wallet's owner. */
    actorCustomerId: text('actor_customer_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.id] }),
    uniqueIndex('transfers_cause_key').on(t.customerId, t.cause),
    // Partial: most transfers are the program's own, and a sale should not pay for an index entry it never needs.
    index('transfers_partner_idx').on(t.partnerCode, t.createdAt).where(sql`${t.partnerCode} IS NOT NULL`),
    check('transfers_points_positive', sql`${t.points} > 0`),
  ],
);

/**
 * Cached wallet balances, updated in the same transaction as the transfers; tests prove they equal the sums over
 * transfers. The check is the ledger's "debits may not exceed credits": a redemption is a conditional update that
 * fails rather than overdraw.
 */
export const balances = loyaltySchema.table(
  'balances',
  {
    customerId: text('customer_id').primaryKey(),
    pending: integer('pending').notNull().default(0),
    active: integer('active').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('balances_not_negative', sql`${t.pending} >= 0 AND ${t.active} >= 0`)],
);

/** Earned points in lots: each lot becomes active after the pending period and expires on its own date. Immutable. */
export const lots = loyaltySchema.table(
  'lots',
  {
    customerId: text('customer_id').notNull(),
    id: text('id').notNull(),
    points: integer('points').notNull(),
    earnedAt: timestamp('earned_at', { withTimezone: true }).notNull(),
    activatesAt: timestamp('activates_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    receiptId: text('receipt_id'),
    partnerCode: text('partner_code'),
    cause: text('cause').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.id] }), index('lots_expiry_idx').on(t.expiresAt), index('lots_activation_idx').on(t.activatesAt)],
);

/**
 * What left (or came back to) each lot, and by which transfer: activation (0 points, marks the lot active),
 * redemptions (soonest-expiring lots first), expiry, the reversal of earned points on a return. A negative amount
 * restores points to the lot (a returned redemption). A lot's remaining points = its points − Σ moves. Append-only.
 */
export const lotMoves = loyaltySchema.table(
  'lot_moves',
  {
    customerId: text('customer_id').notNull(),
    lotId: text('lot_id').notNull(),
    transferId: text('transfer_id').notNull(),
    kind: text('kind').notNull(),
    points: integer('points').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.lotId, t.transferId] })],
);

/** Loyalty cards. A card number is also the customer's `card` identity; blocking or replacing one is recorded here. */
export const cards = loyaltySchema.table(
  'cards',
  {
    number: text('number').primaryKey(),
    customerId: text('customer_id'),
    status: text('status').notNull(),
    replacedBy: text('replaced_by'),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('cards_customer_idx').on(t.customerId)],
);

/** A household pools its members' points in the owner's wallet. */
export const householdMembers = loyaltySchema.table(
  'household_members',
  {
    customerId: text('customer_id').primaryKey(),
    ownerCustomerId: text('owner_customer_id').notNull(),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('household_owner_idx').on(t.ownerCustomerId)],
);

/** Each customer's tier: evaluated by a job on rolling spend, upgraded at once by a qualifying receipt. */
export const customerTiers = loyaltySchema.table('customer_tiers', {
  customerId: text('customer_id').primaryKey(),
  tier: text('tier').notNull(),
  since: timestamp('since', { withTimezone: true }).notNull(),
  /** Below the tier's threshold since then; downgraded after the grace period. */
  belowSince: timestamp('below_since', { withTimezone: true }),
  spendMinor: bigint('spend_minor', { mode: 'number' }).notNull(),
  purchases: integer('purchases').notNull(),
  evaluatedAt: timestamp('evaluated_at', { withTimezone: true }).notNull(),
});

/** Gift certificates: a face value, the categories it may pay for (null = any), an expiry. Bearer instruments. */
export const certificates = loyaltySchema.table('certificates', {
  code: text('code').primaryKey(),
  currency: text('currency').notNull(),
  faceMinor: bigint('face_minor', { mode: 'number' }).notNull(),
  categories: text('categories').array(),
  issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  status: text('status').notNull(),
});

/** Redemptions (negative) and refunds (positive) of a certificate; remaining = face + Σ amounts. Append-only. */
export const certificateMoves = loyaltySchema.table(
  'certificate_moves',
  {
    code: text('code').notNull(),
    cause: text('cause').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    receiptId: text('receipt_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.code, t.cause] })],
);

/** Coalition partners: their stores earn and burn points at their own rates, settled per period. */
export const partners = loyaltySchema.table('partners', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  /** Points earned at the partner, in percent of the paid amount (replaces the program's base rate). */
  earnPercent: numeric('earn_percent', { precision: 6, scale: 3 }).notNull(),
  /** What the partner pays the program per point its customers earn, in minor units. */
  issueCostMinor: integer('issue_cost_minor').notNull(),
  /** What the program pays the partner per point burned at its stores, in minor units. */
  burnValueMinor: integer('burn_value_minor').notNull(),
  stores: text('stores').array().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * What the till committed for a receipt: the pricing, points and certificates per line, the ladder step accepted,
 * and for a return the quantities returned per original line. The till's answer to a retried commit is read back
 * from here, so a retry gets the first answer.
 */
export const tillReceipts = loyaltySchema.table(
  'till_receipts',
  {
    customerId: text('customer_id').notNull(),
    receiptId: text('receipt_id').notNull(),
    storeCode: text('store_code').notNull(),
    number: text('number').notNull(),
    kind: text('kind').notNull(),
    originalReceiptId: text('original_receipt_id'),
    programVersion: integer('program_version').notNull(),
    /**
     * The answer as JSON text. It is only ever read back whole (a replay, a return), and converting it to jsonb and
     * compressing that cost PostgreSQL more than the rest of a commit's writes (bench/RESULTS.md, group commit).
     */
    result: text('result').notNull(),
    pointsEarned: integer('points_earned').notNull(),
    pointsRedeemed: integer('points_redeemed').notNull(),
    discountMinor: bigint('discount_minor', { mode: 'number' }).notNull(),
    ladderStep: text('ladder_step'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    /**
     * A sale's wallet balance after it, read in the statement that stores the row (the sale's own writes to the wallet
     * come before it in the same transaction), so that the answer can be stored before the balance is known to the
     * server. A replay answers with these. Null for a sale without a wallet, and for returns.
     */
    balanceActiveAfter: integer('balance_active_after'),
    balancePendingAfter: integer('balance_pending_after'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.receiptId] }),
    uniqueIndex('till_receipts_key').on(t.storeCode, t.number),
    // Partial: only returns point at an original receipt.
    index('till_receipts_original_idx').on(t.customerId, t.originalReceiptId).where(sql`${t.originalReceiptId} IS NOT NULL`),
  ],
);

/** Discount sensitivity: per customer and ladder step, sales that would (success) or would not (failure) happen. */
export const ladderStats = loyaltySchema.table(
  'ladder_stats',
  {
    customerId: text('customer_id').notNull(),
    step: text('step').notNull(),
    successes: integer('successes').notNull(),
    failures: integer('failures').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.step] })],
);

/** The prior of each R×F cell: its customers' ladder counts pooled, refreshed by a job. A small reference table. */
export const ladderCellStats = loyaltySchema.table(
  'ladder_cell_stats',
  {
    cell: text('cell').notNull(),
    step: text('step').notNull(),
    successes: integer('successes').notNull(),
    failures: integer('failures').notNull(),
    refreshedOn: date('refreshed_on').notNull(),
  },
  (t) => [primaryKey({ columns: [t.cell, t.step] })],
);
