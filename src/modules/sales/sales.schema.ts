import { sql } from 'drizzle-orm';
import { bigint, index, integer, numeric, pgSchema, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const salesSchema = pgSchema('sales');

/**
 * The idempotency registry: one row per (store, receipt number) ever accepted, with a hash of its content.
 * A replay with the same hash is the same receipt; a different hash is a conflict. Keyed by store, not by customer,
 * so that it stays a unique key when receipts are distributed by customer.
 */
export const receiptKeys = salesSchema.table(
  'receipt_keys',
  {
    storeCode: text('store_code').notNull(),
    number: text('number').notNull(),
    customerId: text('customer_id').notNull(),
    receiptId: text('receipt_id').notNull(),
    contentHash: text('content_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.storeCode, t.number] })],
);

/**
 * Receipts (sales and returns), lines included. Anonymous store sales carry the store's walk-in id `anon:<store>` as
 * customer_id, so every receipt has a distribution key and no customer row is invented for it.
 *
 * A receipt is immutable and stored whole, so its lines live in the receipt row as parallel arrays (line n is
 * element n of each). Ingest is then one row per receipt instead of one indexed row per line: measured in
 * bench/import, a separate lines table with its (customer_id, receipt_id, line_no) key made the Online Retail load
 * 3x slower. The view sales.receipt_lines gives the familiar one-row-per-line shape for queries.
 * Quantities and amounts are signed: a return's lines are negative.
 */
export const receipts = salesSchema.table(
  'receipts',
  {
    customerId: text('customer_id').notNull(),
    id: text('id').notNull(),
    storeCode: text('store_code').notNull(),
    number: text('number').notNull(),
    kind: text('kind').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    currency: text('currency').notNull(),
    totalMinor: bigint('total_minor', { mode: 'number' }).notNull(),
    lineCount: integer('line_count').notNull(),
    lineSkus: text('line_skus').array().notNull(),
    lineQuantities: numeric('line_quantities', { precision: 14, scale: 3 }).array().notNull(),
    lineUnitPriceMinor: bigint('line_unit_price_minor', { mode: 'number' }).array().notNull(),
    lineAmountMinor: bigint('line_amount_minor', { mode: 'number' }).array().notNull(),
    /** Σ amount of the lines with a positive unit price on a sale; 0 on a return. What analytics counts as spend. */
    purchaseMinor: bigint('purchase_minor', { mode: 'number' })
      .notNull()
      .generatedAlwaysAs(
        sql`CASE WHEN kind = 'sale' THEN sales.purchase_amount(line_unit_price_minor, line_amount_minor) ELSE 0 END`,
      ),
    /** The number of lines with a positive unit price on a sale: a receipt is a purchase when this is above 0. */
    purchaseLines: integer('purchase_lines')
      .notNull()
      .generatedAlwaysAs(sql`CASE WHEN kind = 'sale' THEN sales.purchase_line_count(line_unit_price_minor) ELSE 0 END`),
    originalReceiptId: text('original_receipt_id'),
    source: text('source').notNull(),
    importRunId: text('import_run_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.id] }),
    index('receipts_customer_time_idx').on(t.customerId, t.occurredAt),
    index('receipts_time_idx').on(t.occurredAt),
  ],
);
