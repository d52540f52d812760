/**
 * Option lists for pickers (card selects): active products, and batches that have stock.
 * Both give up (null) past `max` rows, because a select with hundreds of entries is useless;
 * the adapter then shows a keyword input instead. Read-only: a Db or a Tx.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { formatQty } from './units.js';
import type { ProductInfo } from './ledger.js';

/** What a product select needs: the ledger's product facts without prices. */
export type ProductOption = Pick<ProductInfo, 'id' | 'sku' | 'name' | 'model' | 'spec' | 'baseUnit' | 'packUnit' | 'packFactor' | 'batchTracked'>;

/** Active products by name, or null when there are more than `max`. */
export async function productOptions(conn: Conn, actor: Actor, max: number): Promise<ProductOption[] | null> {
  requirePermission(actor, 'stock.view');
  // One row past max tells "too many" without counting the table.
  const rows = await execRows<{ id: number; sku: string; name: string; model: string | null; spec: string | null; base_unit: string; pack_unit: string | null; pack_factor: string | null; batch_tracked: boolean }>(
    conn,
    sql`select id, sku, name, model, spec, base_unit, pack_unit, pack_factor::text as pack_factor, batch_tracked
        from products where archived_at is null order by name, id limit ${max + 1}`,
  );
  if (rows.length > max) return null;
  return rows.map((r) => ({
    id: r.id,
    sku: r.sku,
    name: r.name,
    model: r.model,
    spec: r.spec,
    baseUnit: r.base_unit,
    packUnit: r.pack_unit,
    packFactor: r.pack_factor,
    batchTracked: r.batch_tracked,
  }));
}

export interface BatchOption {
  productId: number;
  productName: string;
  batchNo: string;
  /** Stock over all warehouses, in the product's units (e.g. "2箱3个"). */
  qtyText: string;
  /** Expiry day ("2027-06-30"), null when none was entered. */
  expiresOn: string | null;
}

/**
 * Batches of active batch-tracked products with stock in any warehouse, per product in the
 * order picking takes them (earliest expiry first, undated by receipt: ledger.ts pickOrder), or
 * null when more than `max`.
 */
export async function batchOptions(conn: Conn, actor: Actor, max: number): Promise<BatchOption[] | null> {
  requirePermission(actor, 'stock.view');
  const rows = await execRows<{ product_id: number; name: string; batch_no: string; expires_on: string | null; qty: string; base_unit: string; pack_unit: string | null; pack_factor: string | null }>(
    conn,
    sql`select b.product_id, p.name, bt.batch_no, bt.expires_on, sum(b.qty)::text as qty, p.base_unit, p.pack_unit, p.pack_factor::text as pack_factor
        from stock_balances b join batches bt on bt.id = b.batch_id join products p on p.id = b.product_id
        where p.batch_tracked and p.archived_at is null and b.qty > 0
        group by b.product_id, p.name, bt.id, bt.batch_no, bt.expires_on, bt.received_at, p.base_unit, p.pack_unit, p.pack_factor
        order by p.name, bt.expires_on nulls last, bt.received_at, bt.id limit ${max + 1}`,
  );
  if (rows.length > max) return null;
  return rows.map((r) => ({
    productId: r.product_id,
    productName: r.name,
    batchNo: r.batch_no,
    qtyText: formatQty({ baseUnit: r.base_unit, packUnit: r.pack_unit, packFactor: r.pack_factor }, r.qty),
    expiresOn: r.expires_on,
  }));
}
