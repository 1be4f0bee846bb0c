-- The purchase part of a receipt, as analytics defines it: lines with a positive unit price on a sale (returns and
-- zero-price lines such as free gifts or postage adjustments are not purchases). IMMUTABLE, so it can feed stored
-- generated columns: the amount is computed once, when the receipt is written.
CREATE FUNCTION "sales"."purchase_amount"(prices bigint[], amounts bigint[]) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT COALESCE(sum(a), 0)::bigint FROM unnest(prices, amounts) AS t(p, a) WHERE p > 0 $$;
--> statement-breakpoint
CREATE FUNCTION "sales"."purchase_line_count"(prices bigint[]) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT count(*)::int FROM unnest(prices) AS t(p) WHERE p > 0 $$;
