import { bigint, index, integer, jsonb, pgSchema, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const offersSchema = pgSchema('offers');

/** Offers: a kind-specific rule, validity, stores, categories, a stacking group, a budget and per-customer limits. */
export const offers = offersSchema.table(
  'offers',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    rule: jsonb('rule').notNull(),
    groupKey: text('group_key').notNull(),
    priority: integer('priority').notNull(),
    validFrom: timestamp('valid_from', { withTimezone: true }),
    validTo: timestamp('valid_to', { withTimezone: true }),
    stores: text('stores').array(),
    categories: text('categories').array(),
    maxDiscountMinor: bigint('max_discount_minor', { mode: 'number' }),
    budgetMinor: bigint('budget_minor', { mode: 'number' }),
    perCustomerLimit: integer('per_customer_limit'),
    status: text('status').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('offers_status_idx').on(t.status)],
);

/** What each budgeted offer has given; a commit claims its discount with a conditional update. */
export const budgets = offersSchema.table('budgets', {
  offerId: text('offer_id').primaryKey(),
  spentMinor: bigint('spent_minor', { mode: 'number' }).notNull(),
  /** Since when the budget counts: the offer's creation, or the edit that gave it one. A return releases only sales after it. */
  since: timestamp('since', { withTimezone: true }).notNull().defaultNow(),
});

/** Uses of each offer by each customer, for per-customer limits. */
export const customerUses = offersSchema.table(
  'customer_uses',
  {
    customerId: text('customer_id').notNull(),
    offerId: text('offer_id').notNull(),
    uses: integer('uses').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.offerId] })],
);

/**
 * What each edit or archiving of an offer changed, and who made it: per field, the value before and after, as the
 * API shows them. Written in the edit's transaction. The offer's creation is its own createdAt.
 */
export const changes = offersSchema.table(
  'changes',
  {
    id: text('id').primaryKey(),
    offerId: text('offer_id').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** The API key or console user that made the change; null from the command line. */
    actor: text('actor'),
    actorName: text('actor_name'),
    change: jsonb('change').notNull(),
  },
  (t) => [index('changes_offer_idx').on(t.offerId, t.at)],
);
