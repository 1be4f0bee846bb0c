CREATE TABLE "segments"."cluster_runs" (
	"as_of" date PRIMARY KEY NOT NULL,
	"k" integer NOT NULL,
	"seed" integer NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "segments"."customer_clusters" (
	"customer_id" text NOT NULL,
	"as_of" date NOT NULL,
	"cluster" smallint NOT NULL,
	"distance" double precision NOT NULL,
	CONSTRAINT "customer_clusters_customer_id_as_of_pk" PRIMARY KEY("customer_id","as_of")
);
