CREATE TABLE IF NOT EXISTS "billing"."invoices" (
	"number" integer PRIMARY KEY DEFAULT nextval('invoice_number_seq') NOT NULL,
	"order_id" bigint NOT NULL,
	"total_cents" integer NOT NULL,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "billing"."invoices" ADD CONSTRAINT "invoices_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE MATERIALIZED VIEW "billing"."revenue_by_day" AS (select date_trunc('day', "issued_at") as "day", sum("total_cents") as "total_cents" from "billing"."invoices" group by 1);
--> statement-breakpoint
CREATE UNIQUE INDEX "revenue_by_day_day_idx" ON "billing"."revenue_by_day" ("day");
--> statement-breakpoint
COMMENT ON SCHEMA "billing" IS 'finance-owned';
