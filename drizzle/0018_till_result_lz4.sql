-- The till's stored answers are compressed with lz4 where the server has it (PostgreSQL built --with-lz4, as Debian's
-- and most are): compressing each sale's answer with the default pglz was the largest single cost of a commit in
-- PostgreSQL (bench/RESULTS.md). Servers without lz4, and PGlite, keep pglz. Rows already stored keep theirs.
DO $$
BEGIN
  ALTER TABLE "loyalty"."till_receipts" ALTER COLUMN "result" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available here: till answers stay compressed with pglz';
END
$$;
