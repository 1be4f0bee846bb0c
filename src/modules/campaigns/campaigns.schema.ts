import { doublePrecision, index, integer, jsonb, pgSchema, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const campaignsSchema = pgSchema('campaigns');

/**
 * A campaign: its validated definition (audience, channels, template, offers, control share, money, delivery), and
 * what launching it fixed: the time (start of the attribution window), the global control epoch it excluded, and the
 * audience counts. A small reference table, not customer-owned.
 */
export const campaigns = campaignsSchema.table('campaigns', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  /** draft, then launched (members and outbox written). */
  status: text('status').notNull(),
  definition: jsonb('definition').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  launchedAt: timestamp('launched_at', { withTimezone: true }),
  globalControlEpoch: integer('global_control_epoch'),
  /** Counts of the audience at launch: candidates, excluded without consent, in the global control, treated, control. */
  audience: jsonb('audience'),
});

/** The content variants of a campaign: one per segment × offer × channel of its definition. */
export const variants = campaignsSchema.table(
  'variants',
  {
    campaignId: text('campaign_id').notNull(),
    key: text('key').notNull(),
    segment: text('segment').notNull(),
    offer: text('offer').notNull(),
    channel: text('channel').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.key] })],
);

/**
 * The audience of a launched campaign, treated and control, frozen at launch. The arm comes from a stable hash of
 * (campaign id, customer id), so recomputing the audience gives every customer the same arm. Customer-owned.
 */
export const members = campaignsSchema.table(
  'members',
  {
    customerId: text('customer_id').notNull(),
    campaignId: text('campaign_id').notNull(),
    /** treated or control. */
    arm: text('arm').notNull(),
    segment: text('segment').notNull(),
    variantKey: text('variant_key').notNull(),
    channel: text('channel').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.campaignId] }), index('members_campaign_idx').on(t.campaignId, t.arm)],
);

/**
 * One message per treated member, written at launch and delivered to the webhook by the campaigns.deliver job.
 * status: pending → sending → sent (the webhook answered 2xx) → delivered | opened | clicked (callbacks); failed after
 * the last attempt or by a callback. Customer-owned: customer_id leads the key.
 */
export const outbox = campaignsSchema.table(
  'outbox',
  {
    customerId: text('customer_id').notNull(),
    id: text('id').notNull(),
    campaignId: text('campaign_id').notNull(),
    variantKey: text('variant_key').notNull(),
    channel: text('channel').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    statusAt: timestamp('status_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.id] }),
    index('outbox_due_idx').on(t.status, t.nextAttemptAt),
    index('outbox_campaign_idx').on(t.campaignId, t.status),
    index('outbox_id_idx').on(t.id),
  ],
);

/** Versions of the global control group: each redraw adds an epoch; the latest is in force. */
export const globalControl = campaignsSchema.table('global_control', {
  epoch: integer('epoch').primaryKey(),
  share: doublePrecision('share').notNull(),
  drawnAt: timestamp('drawn_at', { withTimezone: true }).notNull().defaultNow(),
});
