import { pgSchema, text, timestamp } from 'drizzle-orm/pg-core';

export const catalogSchema = pgSchema('catalog');

/** Stores (shops, web shops, partner outlets), keyed by the retailer's own store code. Small reference table. */
export const stores = catalogSchema.table('stores', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  currency: text('currency').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Products keyed by the retailer's SKU. Reference table. */
export const products = catalogSchema.table('products', {
  sku: text('sku').primaryKey(),
  name: text('name'),
  category: text('category'),
  brand: text('brand'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
