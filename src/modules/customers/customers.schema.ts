import { sql } from 'drizzle-orm';
import { boolean, date, index, jsonb, pgSchema, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const customersSchema = pgSchema('customers');

/** A person known to the retailer. `id` is the customer_id that every customer-owned table is keyed and distributed by. */
export const customers = customersSchema.table(
  'customers',
  {
    id: text('id').primaryKey(),
    status: text('status').notNull().default('active'),
    mergedInto: text('merged_into'),
    fullName: text('full_name'),
    birthDate: date('birth_date'),
    gender: text('gender'),
    country: text('country'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    erasedAt: timestamp('erased_at', { withTimezone: true }),
  },
  (t) => [index('customers_full_name_idx').on(sql`lower(${t.fullName})`)],
);

/**
 * External identities (card, phone, email, the retailer's own id). Unique by (kind, value): this table is the lookup
 * index from an identity to its customer, and the key that makes imports and API writes idempotent.
 */
export const identities = customersSchema.table(
  'identities',
  {
    kind: text('kind').notNull(),
    value: text('value').notNull(),
    customerId: text('customer_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.value] }), index('identities_customer_idx').on(t.customerId)],
);

/** Consent events, append-only: the current consent per channel is the latest event. */
export const consents = customersSchema.table(
  'consents',
  {
    customerId: text('customer_id').notNull(),
    id: text('id').notNull(),
    channel: text('channel').notNull(),
    granted: boolean('granted').notNull(),
    source: text('source').notNull(),
    givenAt: timestamp('given_at', { withTimezone: true }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.id] })],
);

/** Merge history: `mergedId` was folded into `customerId`; its history now lives under `customerId`. */
export const merges = customersSchema.table(
  'merges',
  {
    customerId: text('customer_id').notNull(),
    mergedId: text('merged_id').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.mergedId] })],
);
