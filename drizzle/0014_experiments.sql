CREATE SCHEMA "experiments";
--> statement-breakpoint
CREATE TABLE "experiments"."experiments" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"source" text NOT NULL,
	"arms" text[] NOT NULL,
	"control_arm" text NOT NULL,
	"outcomes" jsonb NOT NULL,
	"features" jsonb NOT NULL,
	"model_features" text[] NOT NULL,
	"subjects" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "experiments_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "experiments"."subjects" (
	"experiment_id" text NOT NULL,
	"row_no" integer NOT NULL,
	"arm" text NOT NULL,
	"outcomes" double precision[] NOT NULL,
	"features" text[] NOT NULL,
	CONSTRAINT "subjects_experiment_id_row_no_pk" PRIMARY KEY("experiment_id","row_no")
);
--> statement-breakpoint
ALTER TABLE "experiments"."subjects" ADD CONSTRAINT "subjects_experiment_id_experiments_id_fk" FOREIGN KEY ("experiment_id") REFERENCES "experiments"."experiments"("id") ON DELETE cascade ON UPDATE no action;