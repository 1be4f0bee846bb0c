ALTER TABLE "loyalty"."till_receipts" ADD COLUMN "balance_active_after" integer;--> statement-breakpoint
ALTER TABLE "loyalty"."till_receipts" ADD COLUMN "balance_pending_after" integer;