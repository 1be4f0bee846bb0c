CREATE SCHEMA "segments";
--> statement-breakpoint
CREATE TABLE "segments"."customer_segments" (
	"customer_id" text NOT NULL,
	"as_of" date NOT NULL,
	"grid_version" integer NOT NULL,
	"recency_days" integer NOT NULL,
	"frequency" integer NOT NULL,
	"monetary_minor" bigint NOT NULL,
	"returns_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"first_purchase_on" date NOT NULL,
	"cell" text NOT NULL,
	"r_score" smallint NOT NULL,
	"f_score" smallint NOT NULL,
	"m_score" smallint NOT NULL,
	"rfm_segment" text NOT NULL,
	CONSTRAINT "customer_segments_customer_id_as_of_pk" PRIMARY KEY("customer_id","as_of")
);
--> statement-breakpoint
CREATE TABLE "segments"."grid_versions" (
	"version" serial PRIMARY KEY NOT NULL,
	"recency_edges" integer[] NOT NULL,
	"frequency_edges" integer[] NOT NULL,
	"method" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "segments"."refresh_runs" (
	"as_of" date PRIMARY KEY NOT NULL,
	"grid_version" integer NOT NULL,
	"customers" integer NOT NULL,
	"currency" text NOT NULL,
	"net" smallint NOT NULL,
	"settings" jsonb,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "customer_segments_as_of_cell_idx" ON "segments"."customer_segments" USING btree ("as_of","cell");