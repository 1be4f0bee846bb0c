CREATE SCHEMA "analytics";
--> statement-breakpoint
CREATE TABLE "analytics"."customer_values" (
	"customer_id" text NOT NULL,
	"fit_id" integer NOT NULL,
	"spend_fit_id" integer,
	"horizon" double precision NOT NULL,
	"unit" text NOT NULL,
	"x" integer NOT NULL,
	"tx" double precision NOT NULL,
	"t" double precision NOT NULL,
	"expected_purchases" double precision NOT NULL,
	"p_alive" double precision NOT NULL,
	"expected_spend_minor" bigint,
	"clv_minor" bigint,
	"currency" text NOT NULL,
	"settings" jsonb,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_values_customer_id_fit_id_pk" PRIMARY KEY("customer_id","fit_id")
);
--> statement-breakpoint
CREATE TABLE "analytics"."model_fits" (
	"id" serial PRIMARY KEY NOT NULL,
	"model" text NOT NULL,
	"calibration_end" date NOT NULL,
	"unit" text NOT NULL,
	"currency" text NOT NULL,
	"params" jsonb NOT NULL,
	"log_likelihood" double precision NOT NULL,
	"customers" integer NOT NULL,
	"iterations" integer NOT NULL,
	"converged" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "customer_values_fit_clv_idx" ON "analytics"."customer_values" USING btree ("fit_id","clv_minor");--> statement-breakpoint
CREATE INDEX "model_fits_model_idx" ON "analytics"."model_fits" USING btree ("model","unit","created_at");