/**
 * Low stock (低库存预警): products with a safety stock (> 0) whose available quantity is at or
 * below it — per warehouse (only where the product is kept, i.e. has a balance row; otherwise
 * every product would be "low" in every other warehouse) and in total across warehouses.
 * "Available" is on-hand today; reservations for sales orders may refine it later.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { Dec, qtyText } from '../shared/decimal.js';
import { lowStockSchema, parseInput } from './schemas.js';
import { formatQty } from './units.js';
import { resolveWarehouse } from './warehouses.js';
import type { ReferenceOptions } from '../kernel/use-case.js';

export interface LowStockLine {
  productId: number;
  sku: string;
  name: string;
  warehouseId: number | null;
  warehouseName: string | null;
  qty: string;
  qtyText: string;
  safetyStock: string;
  /** safety − qty (≥ 0). */
  shortfall: string;
  leadTimeDays: number;
  preferredSupplierId: number | null;
}

export interface LowStockReport {
  perWarehouse: LowStockLine[];
  total: LowStockLine[];
}

interface Row {
  product_id: number;
  sku: string;
  name: string;
  base_unit: string;
  pack_unit: string | null;
  pack_factor: string | null;
  safety_stock: string;
  lead_time_days: number;
  preferred_supplier_id: number | null;
  warehouse_id: number | null;
  warehouse_name: string | null;
  qty: string;
}

function line(r: Row): LowStockLine {
  const units = { baseUnit: r.base_unit, packUnit: r.pack_unit, packFactor: r.pack_factor };
  return {
    productId: r.product_id,
    sku: r.sku,
    name: r.name,
    warehouseId: r.warehouse_id,
    warehouseName: r.warehouse_name,
    qty: qtyText(r.qty),
    qtyText: formatQty(units, r.qty),
    safetyStock: qtyText(r.safety_stock),
    shortfall: qtyText(new Dec(r.safety_stock).minus(r.qty)),
    leadTimeDays: r.lead_time_days,
    preferredSupplierId: r.preferred_supplier_id,
  };
}

export async function lowStock(db: Conn, actor: Actor, input: { warehouse?: number | string } = {}, opts: ReferenceOptions = {}): Promise<LowStockReport> {
  requirePermission(actor, 'stock.view');
  const data = parseInput(lowStockSchema, input);
  const wh = data.warehouse === undefined ? null : await resolveWarehouse(db, data.warehouse, opts);
  const cols = sql`p.id as product_id, p.sku, p.name, p.base_unit, p.pack_unit, p.pack_factor::text as pack_factor, p.safety_stock::text as safety_stock,
    p.lead_time_days, p.preferred_supplier_id`;
  const perWarehouse = await execRows<Row>(
    db,
    sql`select ${cols}, w.id as warehouse_id, w.name as warehouse_name, sum(b.qty)::text as qty
        from products p join stock_balances b on b.product_id = p.id join warehouses w on w.id = b.warehouse_id
        where p.archived_at is null and p.safety_stock > 0 and not w.archived ${wh ? sql`and w.id = ${wh.id}` : sql``}
        group by p.id, w.id having sum(b.qty) <= p.safety_stock
        order by p.id, w.id`,
  );
  const total = await execRows<Row>(
    db,
    sql`select ${cols}, null::int as warehouse_id, null::text as warehouse_name,
          coalesce((select sum(b.qty) from stock_balances b where b.product_id = p.id), 0)::text as qty
        from products p
        where p.archived_at is null and p.safety_stock > 0
          and coalesce((select sum(b.qty) from stock_balances b where b.product_id = p.id), 0) <= p.safety_stock
        order by p.id`,
  );
  return { perWarehouse: perWarehouse.map(line), total: total.map(line) };
}
