-- Every sale of an identified customer, whatever its amount: the transactions of the buy-till-you-die models, which
-- count a purchase even when it cost nothing (the CDNOW cohort has eight such rows; BTYD and the published figures
-- count them). RFM's narrower definition of a purchase is sales.purchases.
CREATE VIEW "sales"."customer_sales" AS
SELECT customer_id, id AS receipt_id, store_code, occurred_at, currency, total_minor AS amount_minor
FROM "sales"."receipts"
WHERE kind = 'sale' AND customer_id NOT LIKE 'anon:%';
