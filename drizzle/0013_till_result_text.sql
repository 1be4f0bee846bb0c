ALTER TABLE "loyalty"."till_receipts" ALTER COLUMN "result" SET DATA TYPE text USING "result"::text;
