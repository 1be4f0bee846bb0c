CREATE SCHEMA "platform";
--> statement-breakpoint
CREATE SCHEMA "catalog";
--> statement-breakpoint
CREATE SCHEMA "customers";
--> statement-breakpoint
CREATE SCHEMA "sales";
--> statement-breakpoint
CREATE TABLE "platform"."api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"secret_hash" text NOT NULL,
	"display_prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_secret_hash_unique" UNIQUE("secret_hash")
);
--> statement-breakpoint
CREATE TABLE "platform"."audit_log" (
	"customer_id" text NOT NULL,
	"id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"request_id" text,
	CONSTRAINT "audit_log_customer_id_id_pk" PRIMARY KEY("customer_id","id")
);
--> statement-breakpoint
CREATE TABLE "platform"."import_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"format" text NOT NULL,
	"file" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"summary" jsonb
);
--> statement-breakpoint
CREATE TABLE "catalog"."products" (
	"sku" text PRIMARY KEY NOT NULL,
	"name" text,
	"category" text,
	"brand" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog"."stores" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"currency" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customers"."consents" (
	"customer_id" text NOT NULL,
	"id" text NOT NULL,
	"channel" text NOT NULL,
	"granted" boolean NOT NULL,
	"source" text NOT NULL,
	"given_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consents_customer_id_id_pk" PRIMARY KEY("customer_id","id")
);
--> statement-breakpoint
CREATE TABLE "customers"."customers" (
	"id" text PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"merged_into" text,
	"full_name" text,
	"birth_date" date,
	"gender" text,
	"country" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"erased_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "customers"."identities" (
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"customer_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identities_kind_value_pk" PRIMARY KEY("kind","value")
);
--> statement-breakpoint
CREATE TABLE "customers"."merges" (
	"customer_id" text NOT NULL,
	"merged_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	CONSTRAINT "merges_customer_id_merged_id_pk" PRIMARY KEY("customer_id","merged_id")
);
--> statement-breakpoint
CREATE TABLE "sales"."receipt_keys" (
	"store_code" text NOT NULL,
	"number" text NOT NULL,
	"customer_id" text NOT NULL,
	"receipt_id" text NOT NULL,
	"content_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "receipt_keys_store_code_number_pk" PRIMARY KEY("store_code","number")
);
--> statement-breakpoint
CREATE TABLE "sales"."receipts" (
	"customer_id" text NOT NULL,
	"id" text NOT NULL,
	"store_code" text NOT NULL,
	"number" text NOT NULL,
	"kind" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"currency" text NOT NULL,
	"total_minor" bigint NOT NULL,
	"line_count" integer NOT NULL,
	"line_skus" text[] NOT NULL,
	"line_quantities" numeric(14, 3)[] NOT NULL,
	"line_unit_price_minor" bigint[] NOT NULL,
	"line_amount_minor" bigint[] NOT NULL,
	"original_receipt_id" text,
	"source" text NOT NULL,
	"import_run_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "receipts_customer_id_id_pk" PRIMARY KEY("customer_id","id")
);
--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "platform"."audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "customers_full_name_idx" ON "customers"."customers" USING btree (lower("full_name"));--> statement-breakpoint
CREATE INDEX "identities_customer_idx" ON "customers"."identities" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "receipts_customer_time_idx" ON "sales"."receipts" USING btree ("customer_id","occurred_at");--> statement-breakpoint
CREATE INDEX "receipts_time_idx" ON "sales"."receipts" USING btree ("occurred_at");