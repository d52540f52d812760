CREATE SEQUENCE "public"."doc_no_tz" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
ALTER TABLE "stock_moves" DROP CONSTRAINT "stock_moves_qty_nonzero";--> statement-breakpoint
ALTER TABLE "products" ALTER COLUMN "purchase_price_fen" SET DATA TYPE numeric(24, 6);--> statement-breakpoint
ALTER TABLE "products" ALTER COLUMN "sale_price_fen" SET DATA TYPE numeric(24, 6);--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "qty_decimals" integer;--> statement-breakpoint
ALTER TABLE "stock_moves" ADD COLUMN "sku" text;--> statement-breakpoint
ALTER TABLE "stock_moves" ADD COLUMN "product_name" text;--> statement-breakpoint
ALTER TABLE "stock_moves" ADD COLUMN "base_unit" text;--> statement-breakpoint
ALTER TABLE "stock_moves" ADD COLUMN "pack_unit" text;--> statement-breakpoint
ALTER TABLE "stock_moves" ADD COLUMN "pack_factor" numeric(20, 6);--> statement-breakpoint
ALTER TABLE "stock_moves" ADD COLUMN "entered_qty" text;--> statement-breakpoint
ALTER TABLE "stock_moves" ADD COLUMN "entered_unit_price" numeric(24, 6);--> statement-breakpoint
ALTER TABLE "stock_valuations" ADD COLUMN "min_cost" numeric(24, 6);--> statement-breakpoint
ALTER TABLE "stock_valuations" ADD COLUMN "max_cost" numeric(24, 6);--> statement-breakpoint
ALTER TABLE "stocktakes" ADD COLUMN "complete" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "stocktakes" ADD COLUMN "complete_product_ids" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_qty_decimals_range" CHECK ("products"."qty_decimals" is null or "products"."qty_decimals" between 0 and 6);--> statement-breakpoint
ALTER TABLE "stock_moves" ADD CONSTRAINT "stock_moves_qty_nonzero" CHECK ("stock_moves"."qty" <> 0 or "stock_moves"."kind" = 'cost_adjustment');--> statement-breakpoint
-- NOT VALID: a database written before this fix may hold a negative value (the bug this
-- migration's issue fixes); new writes are checked, `npm run verify` reports old rows, and a
-- 成本调整 (cost adjustment) repairs them.
ALTER TABLE "stock_valuations" ADD CONSTRAINT "stock_valuations_value_nonneg" CHECK ("stock_valuations"."value_fen" >= 0) NOT VALID;--> statement-breakpoint
-- Moves posted before snapshots existed take the product as it is now: the best record there is.
UPDATE "stock_moves" m SET "sku" = p."sku", "product_name" = p."name", "base_unit" = p."base_unit", "pack_unit" = p."pack_unit", "pack_factor" = p."pack_factor"
  FROM "products" p WHERE p."id" = m."product_id" AND m."sku" IS NULL;
--> statement-breakpoint
-- Stock on hand before ranges were tracked: its average is the only cost known to have entered.
UPDATE "stock_valuations" SET "min_cost" = "avg_cost", "max_cost" = "avg_cost" WHERE "qty" > 0;
