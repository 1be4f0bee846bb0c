-- The published shape of sales for analytics: one row per purchase (an identified customer's sale with at least one
-- positive-price line), with its purchase amount. Other modules read this view, not the receipts table.
CREATE VIEW "sales"."purchases" AS
SELECT customer_id, id AS receipt_id, store_code, occurred_at, currency, purchase_minor AS amount_minor, purchase_lines AS lines
FROM "sales"."receipts"
WHERE kind = 'sale' AND purchase_lines > 0 AND customer_id NOT LIKE 'anon:%';
--> statement-breakpoint
-- Returns of identified customers, as positive amounts, reported beside purchases (or netted on request).
CREATE VIEW "sales"."customer_returns" AS
SELECT customer_id, id AS receipt_id, store_code, occurred_at, currency, -total_minor AS amount_minor
FROM "sales"."receipts"
WHERE kind = 'return' AND customer_id NOT LIKE 'anon:%';
