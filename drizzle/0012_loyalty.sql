CREATE SCHEMA "loyalty";
--> statement-breakpoint
CREATE SCHEMA "offers";
--> statement-breakpoint
CREATE TABLE "loyalty"."balances" (
	"customer_id" text PRIMARY KEY NOT NULL,
	"pending" integer DEFAULT 0 NOT NULL,
	"active" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "balances_not_negative" CHECK ("loyalty"."balances"."pending" >= 0 AND "loyalty"."balances"."active" >= 0)
);
--> statement-breakpoint
CREATE TABLE "loyalty"."cards" (
	"number" text PRIMARY KEY NOT NULL,
	"customer_id" text,
	"status" text NOT NULL,
	"replaced_by" text,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "loyalty"."certificate_moves" (
	"code" text NOT NULL,
	"cause" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"receipt_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "certificate_moves_code_cause_pk" PRIMARY KEY("code","cause")
);
--> statement-breakpoint
CREATE TABLE "loyalty"."certificates" (
	"code" text PRIMARY KEY NOT NULL,
	"currency" text NOT NULL,
	"face_minor" bigint NOT NULL,
	"categories" text[],
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "loyalty"."customer_tiers" (
	"customer_id" text PRIMARY KEY NOT NULL,
	"tier" text NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"below_since" timestamp with time zone,
	"spend_minor" bigint NOT NULL,
	"purchases" integer NOT NULL,
	"evaluated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "loyalty"."household_members" (
	"customer_id" text PRIMARY KEY NOT NULL,
	"owner_customer_id" text NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "loyalty"."ladder_cell_stats" (
	"cell" text NOT NULL,
	"step" text NOT NULL,
	"successes" integer NOT NULL,
	"failures" integer NOT NULL,
	"refreshed_on" date NOT NULL,
	CONSTRAINT "ladder_cell_stats_cell_step_pk" PRIMARY KEY("cell","step")
);
--> statement-breakpoint
CREATE TABLE "loyalty"."ladder_stats" (
	"customer_id" text NOT NULL,
	"step" text NOT NULL,
	"successes" integer NOT NULL,
	"failures" integer NOT NULL,
	CONSTRAINT "ladder_stats_customer_id_step_pk" PRIMARY KEY("customer_id","step")
);
--> statement-breakpoint
CREATE TABLE "loyalty"."lot_moves" (
	"customer_id" text NOT NULL,
	"lot_id" text NOT NULL,
	"transfer_id" text NOT NULL,
	"kind" text NOT NULL,
	"points" integer NOT NULL,
	CONSTRAINT "lot_moves_customer_id_lot_id_transfer_id_pk" PRIMARY KEY("customer_id","lot_id","transfer_id")
);
--> statement-breakpoint
CREATE TABLE "loyalty"."lots" (
	"customer_id" text NOT NULL,
	"id" text NOT NULL,
	"points" integer NOT NULL,
	"earned_at" timestamp with time zone NOT NULL,
	"activates_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"receipt_id" text,
	"partner_code" text,
	"cause" text NOT NULL,
	CONSTRAINT "lots_customer_id_id_pk" PRIMARY KEY("customer_id","id")
);
--> statement-breakpoint
CREATE TABLE "loyalty"."partners" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"earn_percent" numeric(6, 3) NOT NULL,
	"issue_cost_minor" integer NOT NULL,
	"burn_value_minor" integer NOT NULL,
	"stores" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "loyalty"."program_versions" (
	"version" serial PRIMARY KEY NOT NULL,
	"config" jsonb NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "loyalty"."till_receipts" (
	"customer_id" text NOT NULL,
	"receipt_id" text NOT NULL,
	"store_code" text NOT NULL,
	"number" text NOT NULL,
	"kind" text NOT NULL,
	"original_receipt_id" text,
	"program_version" integer NOT NULL,
	"result" jsonb NOT NULL,
	"points_earned" integer NOT NULL,
	"points_redeemed" integer NOT NULL,
	"discount_minor" bigint NOT NULL,
	"ladder_step" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "till_receipts_customer_id_receipt_id_pk" PRIMARY KEY("customer_id","receipt_id")
);
--> statement-breakpoint
CREATE TABLE "loyalty"."transfers" (
	"customer_id" text NOT NULL,
	"id" text NOT NULL,
	"debit_account" text NOT NULL,
	"credit_account" text NOT NULL,
	"points" integer NOT NULL,
	"kind" text NOT NULL,
	"cause" text NOT NULL,
	"lot_id" text,
	"receipt_id" text,
	"partner_code" text,
	"actor_customer_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "transfers_customer_id_id_pk" PRIMARY KEY("customer_id","id"),
	CONSTRAINT "transfers_points_positive" CHECK ("loyalty"."transfers"."points" > 0)
);
--> statement-breakpoint
CREATE TABLE "offers"."budgets" (
	"offer_id" text PRIMARY KEY NOT NULL,
	"spent_minor" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "offers"."customer_uses" (
	"customer_id" text NOT NULL,
	"offer_id" text NOT NULL,
	"uses" integer NOT NULL,
	CONSTRAINT "customer_uses_customer_id_offer_id_pk" PRIMARY KEY("customer_id","offer_id")
);
--> statement-breakpoint
CREATE TABLE "offers"."offers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"rule" jsonb NOT NULL,
	"group_key" text NOT NULL,
	"priority" integer NOT NULL,
	"valid_from" timestamp with time zone,
	"valid_to" timestamp with time zone,
	"stores" text[],
	"categories" text[],
	"max_discount_minor" bigint,
	"budget_minor" bigint,
	"per_customer_limit" integer,
	"status" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "cards_customer_idx" ON "loyalty"."cards" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "household_owner_idx" ON "loyalty"."household_members" USING btree ("owner_customer_id");--> statement-breakpoint
CREATE INDEX "lots_expiry_idx" ON "loyalty"."lots" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "lots_activation_idx" ON "loyalty"."lots" USING btree ("activates_at");--> statement-breakpoint
CREATE UNIQUE INDEX "till_receipts_key" ON "loyalty"."till_receipts" USING btree ("store_code","number");--> statement-breakpoint
CREATE INDEX "till_receipts_original_idx" ON "loyalty"."till_receipts" USING btree ("customer_id","original_receipt_id");--> statement-breakpoint
CREATE UNIQUE INDEX "transfers_cause_key" ON "loyalty"."transfers" USING btree ("customer_id","cause");--> statement-breakpoint
CREATE INDEX "transfers_partner_idx" ON "loyalty"."transfers" USING btree ("partner_code","created_at");--> statement-breakpoint
CREATE INDEX "offers_status_idx" ON "offers"."offers" USING btree ("status");