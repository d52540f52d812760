/**
 * Stock queries: one product's stock per warehouse and batch, and the summary of all products.
 * Read-only: they accept a Db or a Tx.
 *
 * Values of parts: the product's value is one exact number (stock_valuations.value_fen, the
 * ledger's sum). Per-batch and per-warehouse values are that number split by quantity with
 * allocate() (largest remainder, src/shared/allocate.ts) over ALL the product's rows (every
 * warehouse, ordered by warehouse, first receipt, batch), so rows always add up to the total
 * shown — product-wide and per warehouse — and a row has the same value in every view.
 */
import { matchBatchNo } from './batch-names.js';
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { Dec, costText, qtyText } from '../shared/decimal.js';
import { allocate } from '../shared/allocate.js';
import { type ProductView } from './products.js';
import { resolveProduct } from './product-lookup.js';
import { parseInput, stockQuerySchema, stockSummarySchema } from './schemas.js';
import { formatQty } from './units.js';
import { DomainError } from '../errors.js';
import { isLowStock, LOW_STOCK_RULE } from './lowstock.js';
import { resolveWarehouse } from './warehouses.js';
import type { ReferenceOptions } from '../kernel/use-case.js';

export interface StockRow {
  warehouseId: number;
  warehouseName: string;
  batchNo: string;
  receivedAt: string;
  /** The batch's expiry day ("2027-06-30"), null when none was entered. */
  expiresOn: string | null;
  /** The expiry day is before `today` (getStock's option; false when not given). */
  expired: boolean;
  qty: string;
  qtyText: string;
  /** This row's part of the product's value (allocate by qty): rows sum to totalValueFen. */
  valueFen: string;
}

/**
 * The product's low-stock state by the one definition (lowstock.ts isLowStock): its safety
 * stock against its on-hand over ALL warehouses (also when one warehouse is shown), and each
 * warehouse that has its own safety stock against that warehouse's on-hand.
 */
export interface StockLowState {
  rule: string;
  total: { qty: string; safetyStock: string; low: boolean };
  warehouses: { warehouseId: number; warehouseName: string; qty: string; safetyStock: string; low: boolean }[];
}

export interface ProductStock {
  product: ProductView;
  rows: StockRow[];
  /** valueFen: the sum of the warehouse's rows (so warehouses sum to totalValueFen too). */
  perWarehouse: { warehouseId: number; warehouseName: string; qty: string; qtyText: string; valueFen: string }[];
  totalQty: string;
  totalQtyText: string;
  /** Exact: the ledger's value of the product (all warehouses), or the sum of the warehouse's rows. */
  totalValueFen: string;
  avgCost: string;
  /** The batch asked for (库存 <商品> 批次=…): rows and totals are that batch's only; else null. */
  batchNo: string | null;
  low: StockLowState;
}

/**
 * One product's stock per warehouse and batch (see the file comment); `warehouse`: that
 * warehouse only; `batch`: that batch only (every warehouse holding it); `today` (business day
 * "2026-11-25"): rows expiring before it are marked expired. Needs stock.view.
 * Errors: not_found / ambiguous (product, warehouse), not_found with details.reason
 * 'no_such_batch' for a batch the product does not have («没有批次 X（该商品的批次：…）»).
 */
export async function getStock(
  db: Conn,
  actor: Actor,
  input: { product: number | string; warehouse?: number | string; batch?: string },
  opts: ReferenceOptions & { today?: string } = {},
): Promise<ProductStock> {
  requirePermission(actor, 'stock.view');
  const data = parseInput(stockQuerySchema, input);
  const product = await resolveProduct(db, data.product, { includeArchived: typeof data.product === 'number', references: opts.references });
  const wh = data.warehouse === undefined ? null : await resolveWarehouse(db, data.warehouse, opts);
  const typed = input.batch?.trim() || null;
  const batch = typed === null ? null : await requireBatch(db, product, typed);
  const rows = await execRows<{ warehouse_id: number; warehouse_name: string; batch_no: string; received_at: string | Date; expires_on: string | null; qty: string }>(
    db,
    sql`select b.warehouse_id, w.name as warehouse_name, bt.batch_no, bt.received_at, bt.expires_on, b.qty::text as qty
        from stock_balances b join warehouses w on w.id = b.warehouse_id join batches bt on bt.id = b.batch_id
        where b.product_id = ${product.id} and b.qty <> 0
        order by b.warehouse_id, bt.received_at, bt.id`,
  );
  const [val] = await execRows<{ qty: string; value_fen: string; avg_cost: string }>(
    db,
    sql`select qty::text as qty, value_fen::text as value_fen, avg_cost::text as avg_cost from stock_valuations where product_id = ${product.id}`,
  );
  const avg = new Dec(val?.avg_cost ?? 0);
  const value = BigInt(val?.value_fen ?? 0);
  // Parts of the exact total; rows with a negative qty (never, CHECK) would not be valued.
  const parts = rows.length ? allocate(value, rows.map((r) => Dec.max(new Dec(r.qty), 0))) : [];
  const all = rows.map((r, i) => ({ r, value: parts[i] }));
  const shown = all.filter((x) => (!wh || x.r.warehouse_id === wh.id) && (batch === null || x.r.batch_no === batch));
  const partial = wh !== null || batch !== null;
  const per = new Map<number, { warehouseId: number; warehouseName: string; qty: Dec; value: bigint }>();
  for (const { r, value: v } of shown) {
    const p = per.get(r.warehouse_id) ?? { warehouseId: r.warehouse_id, warehouseName: r.warehouse_name, qty: new Dec(0), value: 0n };
    p.qty = p.qty.plus(r.qty);
    p.value += v;
    per.set(r.warehouse_id, p);
  }
  const total = partial ? [...per.values()].reduce((s, p) => s.plus(p.qty), new Dec(0)) : new Dec(val?.qty ?? 0);
  // With rows, the total shown is the sum of the rows shown; without (a value left at qty 0 by
  // a database written before the valuation rules) the product's value as it is, for all warehouses.
  const totalValue = partial ? shown.reduce((s, x) => s + x.value, 0n) : value;
  return {
    product,
    rows: shown.map(({ r, value: v }) => ({
      warehouseId: r.warehouse_id,
      warehouseName: r.warehouse_name,
      batchNo: r.batch_no,
      receivedAt: (r.received_at instanceof Date ? r.received_at : new Date(r.received_at)).toISOString(),
      expiresOn: r.expires_on,
      expired: opts.today !== undefined && r.expires_on !== null && r.expires_on < opts.today,
      qty: qtyText(r.qty),
      qtyText: formatQty(product, r.qty),
      valueFen: v.toString(),
    })),
    perWarehouse: [...per.values()].map((p) => ({ warehouseId: p.warehouseId, warehouseName: p.warehouseName, qty: qtyText(p.qty), qtyText: formatQty(product, p.qty), valueFen: p.value.toString() })),
    totalQty: qtyText(total),
    totalQtyText: formatQty(product, total),
    totalValueFen: totalValue.toString(),
    avgCost: costText(avg),
    batchNo: batch,
    low: await lowState(db, product, new Dec(val?.qty ?? 0), rows, wh?.id ?? null),
  };
}

/** The product's low-stock state (StockLowState); per-warehouse figures of `onlyWarehouse` only, when given. */
async function lowState(db: Conn, product: ProductView, totalQty: Dec, rows: { warehouse_id: number; qty: string }[], onlyWarehouse: number | null): Promise<StockLowState> {
  const set = await execRows<{ warehouse_id: number; warehouse_name: string; safety_stock: string }>(
    db,
    sql`select s.warehouse_id, w.name as warehouse_name, s.safety_stock::text as safety_stock
        from warehouse_safety_stocks s join warehouses w on w.id = s.warehouse_id
        where s.product_id = ${product.id}::int and s.safety_stock > 0 and not w.archived ${onlyWarehouse === null ? sql`` : sql`and w.id = ${onlyWarehouse}::int`}
        order by w.id`,
  );
  return {
    rule: LOW_STOCK_RULE,
    total: { qty: qtyText(totalQty), safetyStock: qtyText(product.safetyStock), low: isLowStock(totalQty, product.safetyStock) },
    warehouses: set.map((s) => {
      const q = rows.filter((r) => r.warehouse_id === s.warehouse_id).reduce((a, r) => a.plus(r.qty), new Dec(0));
      return { warehouseId: s.warehouse_id, warehouseName: s.warehouse_name, qty: qtyText(q), safetyStock: qtyText(s.safety_stock), low: isLowStock(q, s.safety_stock) };
    }),
  };
}

/**
 * A batch the product has (in any warehouse, with or without stock); otherwise not_found naming
 * the product's batches — "没有批次 X" is not "库存不足".
 */
/** The product's batch `batch` means (batch-names.ts: letter case aside), or not_found naming its batches. */
async function requireBatch(db: Conn, product: ProductView, batch: string): Promise<string> {
  const list = await execRows<{ batch_no: string }>(db, sql`select batch_no from batches where product_id = ${product.id}::int and batch_no <> '' order by expires_on nulls last, received_at, id`);
  const found = matchBatchNo(batch, list.map((b) => b.batch_no));
  if (found !== null) return found;
  const names = list.map((b) => b.batch_no);
  const details = { reason: 'no_such_batch', productId: product.id, sku: product.sku, batchNo: batch, batches: names };
  if (!names.length && !product.batchTracked) throw new DomainError('not_found', `没有批次「${batch}」：「${product.name}」不按批次管理，去掉「批次=」即可查看库存。`, details);
  const shown = names.length ? names.slice(0, 20).join('、') + (names.length > 20 ? ` 等 ${names.length} 个` : '') : '还没有批次';
  throw new DomainError('not_found', `没有批次「${batch}」（该商品的批次：${shown}）。`, details);
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
 * Every product with stock: in one warehouse (value = the warehouse's part of the product's
 * exact value, allocated by qty over all its rows exactly as getStock does) or overall (value =
 * the valuation's exact value). totalValueFen = Σ lines.
 */
export async function stockSummary(db: Conn, actor: Actor, input: { warehouse?: number | string } = {}, opts: ReferenceOptions = {}): Promise<{ lines: StockSummaryLine[]; totalValueFen: string }> {
  requirePermission(actor, 'stock.view');
  const data = parseInput(stockSummarySchema, input);
  const wh = data.warehouse === undefined ? null : await resolveWarehouse(db, data.warehouse, opts);
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
  const whValue = wh ? await warehouseParts(db, wh.id, rows.map((r) => r.id)) : new Map<number, bigint>();
  let total = 0n;
  const lines = rows.map((r) => {
    const value = r.value != null ? BigInt(r.value) : (whValue.get(r.id) ?? 0n);
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

/**
 * Per product: the part of its value that lies in one warehouse — allocate() of the product's
 * value over all its rows by qty (same order as getStock), summed over that warehouse's rows.
 */
async function warehouseParts(db: Conn, warehouseId: number, productIds: number[]): Promise<Map<number, bigint>> {
  const out = new Map<number, bigint>();
  if (!productIds.length) return out;
  const rows = await execRows<{ product_id: number; warehouse_id: number; qty: string; value: string }>(
    db,
    sql`select b.product_id, b.warehouse_id, b.qty::text as qty, coalesce(v.value_fen, 0)::text as value
        from stock_balances b join batches bt on bt.id = b.batch_id left join stock_valuations v on v.product_id = b.product_id
        where b.qty <> 0 and b.product_id in (${sql.join(productIds.map((p) => sql`${p}::int`), sql`, `)})
        order by b.product_id, b.warehouse_id, bt.received_at, bt.id`,
  );
  const byProduct = new Map<number, typeof rows>();
  for (const r of rows) {
    const list = byProduct.get(r.product_id) ?? [];
    list.push(r);
    byProduct.set(r.product_id, list);
  }
  for (const [pid, list] of byProduct) {
    const parts = allocate(BigInt(list[0].value), list.map((r) => Dec.max(new Dec(r.qty), 0)));
    out.set(pid, list.reduce((s, r, i) => (r.warehouse_id === warehouseId ? s + parts[i] : s), 0n));
  }
  return out;
}
