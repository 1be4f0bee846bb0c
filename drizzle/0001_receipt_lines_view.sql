-- One row per receipt line, from the line arrays of sales.receipts (see sales.schema.ts for why they are arrays).
CREATE VIEW "sales"."receipt_lines" AS
SELECT r.customer_id, r.id AS receipt_id, l.line_no::int AS line_no, r.store_code, r.kind, r.occurred_at, r.currency,
       l.sku, l.quantity, l.unit_price_minor, l.amount_minor
FROM "sales"."receipts" r
CROSS JOIN LATERAL unnest(r.line_skus, r.line_quantities, r.line_unit_price_minor, r.line_amount_minor)
  WITH ORDINALITY AS l(sku, quantity, unit_price_minor, amount_minor, line_no);
