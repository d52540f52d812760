/**
 * Stock queries: one product's stock per warehouse and batch (valued at the average cost),
 * and the summary of all products. Read-only: they accept a Db or a Tx.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { Dec, costText, qtyText, roundFen } from '../shared/decimal.js';
import { resolveProduct, type ProductView } from './products.js';
import { parseInput, stockQuerySchema, stockSummarySchema } from './schemas.js';
import { formatQty } from './units.js';
import { resolveWarehouse } from './warehouses.js';

export interface StockRow {
  warehouseId: number;
  warehouseName: string;
  batchNo: string;
  receivedAt: string;
  qty: string;
  qtyText: string;
  /** qty × average cost, rounded half-up: an estimate per row (the product total is exact). */
  valueFen: string;
}

export interface ProductStock {
  product: ProductView;
  rows: StockRow[];
  perWarehouse: { warehouseId: number; warehouseName: string; qty: string; qtyText: string }[];
  totalQty: string;
  totalQtyText: string;
  /** Exact: the ledger's value of the product (all warehouses). */
  totalValueFen: string;
  avgCost: string;
}

export async function getStock(db: Conn, actor: Actor, input: { product: number | string; warehouse?: number | string }): Promise<ProductStock> {
  requirePermission(actor, 'stock.view');
  const data = parseInput(stockQuerySchema, input);
  const product = await resolveProduct(db, data.product, { includeArchived: typeof data.product === 'number' });
  const wh = data.warehouse === undefined ? null : await resolveWarehouse(db, data.warehouse);
  const rows = await execRows<{ warehouse_id: number; warehouse_name: string; batch_no: string; received_at: string | Date; qty: string }>(
    db,
    sql`select b.warehouse_id, w.name as warehouse_name, bt.batch_no, bt.received_at, b.qty::text as qty
        from stock_balances b join warehouses w on w.id = b.warehouse_id join batches bt on bt.id = b.batch_id
        where b.product_id = ${product.id} and b.qty <> 0 ${wh ? sql`and b.warehouse_id = ${wh.id}` : sql``}
        order by b.warehouse_id, bt.received_at, bt.id`,
  );
  const [val] = await execRows<{ qty: string; value_fen: string; avg_cost: string }>(
    db,
    sql`select qty::text as qty, value_fen::text as value_fen, avg_cost::text as avg_cost from stock_valuations where product_id = ${product.id}`,
  );
  const avg = new Dec(val?.avg_cost ?? 0);
  const per = new Map<number, { warehouseId: number; warehouseName: string; qty: Dec }>();
  for (const r of rows) {
    const p = per.get(r.warehouse_id) ?? { warehouseId: r.warehouse_id, warehouseName: r.warehouse_name, qty: new Dec(0) };
    p.qty = p.qty.plus(r.qty);
    per.set(r.warehouse_id, p);
  }
  const total = wh ? [...per.values()].reduce((s, p) => s.plus(p.qty), new Dec(0)) : new Dec(val?.qty ?? 0);
  return {
    product,
    rows: rows.map((r) => ({
      warehouseId: r.warehouse_id,
      warehouseName: r.warehouse_name,
      batchNo: r.batch_no,
      receivedAt: (r.received_at instanceof Date ? r.received_at : new Date(r.received_at)).toISOString(),
      qty: qtyText(r.qty),
      qtyText: formatQty(product, r.qty),
      valueFen: roundFen(new Dec(r.qty).times(avg)).toString(),
    })),
    perWarehouse: [...per.values()].map((p) => ({ ...p, qty: qtyText(p.qty), qtyText: formatQty(product, p.qty) })),
    totalQty: qtyText(total),
    totalQtyText: formatQty(product, total),
    totalValueFen: wh ? roundFen(total.times(avg)).toString() : String(val?.value_fen ?? '0'),
    avgCost: costText(avg),
  };
}

export interface StockSummaryLine {
  productId: number;
  sku: string;
  name: string;
  baseUnit: string;
  qty: string;
  qtyText: string;
  avgCost: string;
  valueFen: string;
}

/**
 * Every product with stock: in one warehouse (value = qty × average, rounded) or overall
 * (value = the valuation's exact value).
 */
export async function stockSummary(db: Conn, actor: Actor, input: { warehouse?: number | string } = {}): Promise<{ lines: StockSummaryLine[]; totalValueFen: string }> {
  requirePermission(actor, 'stock.view');
  const data = parseInput(stockSummarySchema, input);
  const wh = data.warehouse === undefined ? null : await resolveWarehouse(db, data.warehouse);
  const rows = wh
    ? await execRows<{ id: number; sku: string; name: string; base_unit: string; pack_unit: string | null; pack_factor: string | null; qty: string; avg: string; value: string | null }>(
        db,
        sql`select p.id, p.sku, p.name, p.base_unit, p.pack_unit, p.pack_factor::text as pack_factor, sum(b.qty)::text as qty,
              coalesce(v.avg_cost, 0)::text as avg, null as value
            from stock_balances b join products p on p.id = b.product_id left join stock_valuations v on v.product_id = p.id
            where b.warehouse_id = ${wh.id} group by p.id, v.avg_cost having sum(b.qty) <> 0 order by p.id`,
      )
    : await execRows<{ id: number; sku: string; name: string; base_unit: string; pack_unit: string | null; pack_factor: string | null; qty: string; avg: string; value: string | null }>(
        db,
        sql`select p.id, p.sku, p.name, p.base_unit, p.pack_unit, p.pack_factor::text as pack_factor, v.qty::text as qty,
              v.avg_cost::text as avg, v.value_fen::text as value
            from stock_valuations v join products p on p.id = v.product_id where v.qty <> 0 or v.value_fen <> 0 order by p.id`,
      );
  let total = 0n;
  const lines = rows.map((r) => {
    const value = r.value != null ? BigInt(r.value) : roundFen(new Dec(r.qty).times(r.avg));
    total += value;
    return {
      productId: r.id,
      sku: r.sku,
      name: r.name,
      baseUnit: r.base_unit,
      qty: qtyText(r.qty),
      qtyText: formatQty({ baseUnit: r.base_unit, packUnit: r.pack_unit, packFactor: r.pack_factor }, r.qty),
      avgCost: costText(r.avg),
      valueFen: value.toString(),
    };
  });
  return { lines, totalValueFen: total.toString() };
}
