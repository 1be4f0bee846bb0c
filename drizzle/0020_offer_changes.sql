-- What each edit or archiving of an offer changed, and who made it (PATCH /api/v1/offers/{id}, .../archive).
CREATE TABLE "offers"."changes" (
	"id" text PRIMARY KEY NOT NULL,
	"offer_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text,
	"actor_name" text,
	"change" jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "changes_offer_idx" ON "offers"."changes" USING btree ("offer_id","at");