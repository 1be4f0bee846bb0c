DROP INDEX "loyalty"."till_receipts_original_idx";--> statement-breakpoint
DROP INDEX "loyalty"."transfers_partner_idx";--> statement-breakpoint
CREATE INDEX "till_receipts_original_idx" ON "loyalty"."till_receipts" USING btree ("customer_id","original_receipt_id") WHERE "loyalty"."till_receipts"."original_receipt_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "transfers_partner_idx" ON "loyalty"."transfers" USING btree ("partner_code","created_at") WHERE "loyalty"."transfers"."partner_code" IS NOT NULL;