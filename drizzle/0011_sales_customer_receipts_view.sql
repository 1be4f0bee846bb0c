-- Identified customers' purchases and returns in one view, so that a per-customer aggregate over both (the R×F
-- refresh) is one scan of sales.receipts instead of two (bench/RESULTS.md, segments).
CREATE VIEW "sales"."customer_receipts" AS
SELECT customer_id, id AS receipt_id, store_code, occurred_at, currency, kind,
       (kind = 'sale' AND purchase_lines > 0) AS is_purchase,
       purchase_minor,
       CASE WHEN kind = 'return' THEN -total_minor ELSE 0 END AS return_minor
FROM "sales"."receipts"
WHERE customer_id NOT LIKE 'anon:%';
