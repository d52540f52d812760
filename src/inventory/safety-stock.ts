/**
 * Per-warehouse safety stock (分仓安全库存): an optional figure per (product, warehouse) that
 * the per-warehouse low-stock lists judge against (lowstock.ts). The product's own safety stock
 * (products.safety_stock, set through the product) is judged against its total over all
 * warehouses; the two never stand in for each other.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { writeAudit } from '../audit/index.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { Dec, qtyText } from '../shared/decimal.js';
import type { ReferenceOptions } from '../kernel/use-case.js';
import { isLowStock } from './lowstock.js';
import { resolveProduct } from './product-lookup.js';
import { formatQty, parseQuantity } from './units.js';
import { resolveWarehouse } from './warehouses.js';

export interface WarehouseSafetyStockResult {
  productId: number;
  sku: string;
  name: string;
  warehouseId: number;
  warehouseName: string;
  /** Base units; "0" = removed (the warehouse is no longer judged on its own). */
  safetyStock: string;
  safetyStockText: string;
  /** What it was before ("0" = none). */
  previous: string;
  /** On hand (现有) in the warehouse now, base units. */
  onHand: string;
  onHandText: string;
  /** The warehouse is low by the one definition (lowstock.ts isLowStock). */
  low: boolean;
}

/**
 * Set (or, with 0, remove) the safety stock of a product in one warehouse. `qty`: a quantity
 * as people write it against the product's units ("50", "2箱"), ≥ 0. Needs product.manage.
 * Errors: not_found / ambiguous (product, warehouse), invalid_input (quantity). Audited.
 */
export async function setWarehouseSafetyStock(
  conn: Conn,
  actor: Actor,
  input: { product: number | string; warehouse: number | string; qty: string | number },
  opts: ReferenceOptions & { now: Date },
): Promise<WarehouseSafetyStockResult> {
  requirePermission(actor, 'product.manage');
  const p = await resolveProduct(conn, input.product, { references: opts.references });
  const w = await resolveWarehouse(conn, input.warehouse, { references: opts.references });
  const qty = new Dec(parseQuantity(p, input.qty, { allowZero: true }));
  const [before] = await execRows<{ s: string }>(conn, sql`select safety_stock::text as s from warehouse_safety_stocks where product_id = ${p.id}::int and warehouse_id = ${w.id}::int`);
  if (qty.isZero()) {
    await conn.execute(sql`delete from warehouse_safety_stocks where product_id = ${p.id}::int and warehouse_id = ${w.id}::int`);
  } else {
    await conn.execute(
      sql`insert into warehouse_safety_stocks (product_id, warehouse_id, safety_stock, updated_at) values (${p.id}::int, ${w.id}::int, ${qtyText(qty)}::numeric, ${opts.now.toISOString()}::timestamptz)
          on conflict (product_id, warehouse_id) do update set safety_stock = excluded.safety_stock, updated_at = excluded.updated_at`,
    );
  }
  const [on] = await execRows<{ q: string }>(conn, sql`select coalesce(sum(qty), 0)::text as q from stock_balances where product_id = ${p.id}::int and warehouse_id = ${w.id}::int`);
  const previous = qtyText(before?.s ?? '0');
  await writeAudit(conn, actor, {
    action: 'safety_stock_set',
    entity: 'product',
    entityId: p.sku,
    before: { warehouseId: w.id, safetyStock: previous },
    after: { warehouseId: w.id, safetyStock: qtyText(qty) },
  });
  const onHand = on?.q ?? '0';
  return {
    productId: p.id,
    sku: p.sku,
    name: p.name,
    warehouseId: w.id,
    warehouseName: w.name,
    safetyStock: qtyText(qty),
    safetyStockText: formatQty(p, qty),
    previous,
    onHand: qtyText(onHand),
    onHandText: formatQty(p, onHand),
    low: isLowStock(onHand, qty),
  };
}
