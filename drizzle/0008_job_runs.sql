CREATE TABLE "platform"."job_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"job" text NOT NULL,
	"source" text NOT NULL,
	"queue_job_id" text,
	"attempt" integer NOT NULL,
	"max_attempts" integer NOT NULL,
	"status" text NOT NULL,
	"payload" jsonb NOT NULL,
	"result" jsonb,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"duration_ms" integer
);
--> statement-breakpoint
CREATE INDEX "job_runs_job_started_idx" ON "platform"."job_runs" USING btree ("job","started_at");--> statement-breakpoint
CREATE INDEX "job_runs_queue_job_idx" ON "platform"."job_runs" USING btree ("queue_job_id");