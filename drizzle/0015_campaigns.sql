CREATE SCHEMA "campaigns";
--> statement-breakpoint
CREATE TABLE "campaigns"."campaigns" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"status" text NOT NULL,
	"definition" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"launched_at" timestamp with time zone,
	"global_control_epoch" integer,
	"audience" jsonb,
	CONSTRAINT "campaigns_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "campaigns"."global_control" (
	"epoch" integer PRIMARY KEY NOT NULL,
	"share" double precision NOT NULL,
	"drawn_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaigns"."members" (
	"customer_id" text NOT NULL,
	"campaign_id" text NOT NULL,
	"arm" text NOT NULL,
	"segment" text NOT NULL,
	"variant_key" text NOT NULL,
	"channel" text NOT NULL,
	CONSTRAINT "members_customer_id_campaign_id_pk" PRIMARY KEY("customer_id","campaign_id")
);
--> statement-breakpoint
CREATE TABLE "campaigns"."outbox" (
	"customer_id" text NOT NULL,
	"id" text NOT NULL,
	"campaign_id" text NOT NULL,
	"variant_key" text NOT NULL,
	"channel" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"status_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outbox_customer_id_id_pk" PRIMARY KEY("customer_id","id")
);
--> statement-breakpoint
CREATE TABLE "campaigns"."variants" (
	"campaign_id" text NOT NULL,
	"key" text NOT NULL,
	"segment" text NOT NULL,
	"offer" text NOT NULL,
	"channel" text NOT NULL,
	CONSTRAINT "variants_campaign_id_key_pk" PRIMARY KEY("campaign_id","key")
);
--> statement-breakpoint
CREATE INDEX "members_campaign_idx" ON "campaigns"."members" USING btree ("campaign_id","arm");--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "campaigns"."outbox" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "outbox_campaign_idx" ON "campaigns"."outbox" USING btree ("campaign_id","status");--> statement-breakpoint
CREATE INDEX "outbox_id_idx" ON "campaigns"."outbox" USING btree ("id");