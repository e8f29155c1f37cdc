ALTER TABLE "orders" ADD COLUMN "total_cents" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
CREATE VIEW "public"."order_totals" AS (select "orders"."id", "orders"."customer_email", sum("order_lines"."quantity" * "products"."price_cents") as "computed_cents" from "orders" left join "order_lines" on "order_lines"."order_id" = "orders"."id" left join "products" on "products"."id" = "order_lines"."product_id" group by "orders"."id");
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "public"."order_line_count"(order_id bigint) RETURNS integer LANGUAGE sql STABLE AS $$ select count(*)::integer from order_lines where order_lines.order_id = $1 $$;
