CREATE TABLE "warehouse_safety_stocks" (
	"product_id" integer NOT NULL,
	"warehouse_id" integer NOT NULL,
	"safety_stock" numeric(20, 6) NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "warehouse_safety_stocks_product_id_warehouse_id_pk" PRIMARY KEY("product_id","warehouse_id"),
	CONSTRAINT "warehouse_safety_stocks_nonneg" CHECK ("warehouse_safety_stocks"."safety_stock" >= 0)
);
--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "aliases" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "unit_aliases" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "stock_moves" ADD COLUMN "sale_price" numeric(24, 6);--> statement-breakpoint
ALTER TABLE "stock_moves" ADD COLUMN "sale_amount_fen" bigint;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "name_fetched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "warehouse_safety_stocks" ADD CONSTRAINT "warehouse_safety_stocks_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "warehouse_safety_stocks" ADD CONSTRAINT "warehouse_safety_stocks_warehouse_id_warehouses_id_fk" FOREIGN KEY ("warehouse_id") REFERENCES "public"."warehouses"("id") ON DELETE no action ON UPDATE no action;