-- What each edit or archiving of an offer changed, and who made it (PATCH /api/v1/offers/{id}, .../archive); and since
-- when each budget counts (a budget added by an edit counts from the edit: a return releases only sales after it).
CREATE TABLE "offers"."changes" (
	"id" text PRIMARY KEY NOT NULL,
	"offer_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text,
	"actor_name" text,
	"change" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "offers"."budgets" ADD COLUMN "since" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "changes_offer_idx" ON "offers"."changes" USING btree ("offer_id","at");--> statement-breakpoint
-- The budgets made with their offers count since the offer was made.
UPDATE "offers"."budgets" b SET "since" = o."created_at" FROM "offers"."offers" o WHERE o."id" = b."offer_id";
