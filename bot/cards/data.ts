/**
 * The few reads the card layer needs that no service offers as such: option lists for selects
 * (products, batches with stock) and the history behind the "unusual entry" check. Read-only.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { Dec } from '../../src/shared/decimal.js';
import { formatQty } from '../../src/inventory/units.js';

export interface ProductOption {
  id: number;
  sku: string;
  name: string;
  model: string | null;
  spec: string | null;
  baseUnit: string;
  packUnit: string | null;
  packFactor: string | null;
  batchTracked: boolean;
}

/** Active products for a select, or null when there are more than `max` (the form shows a keyword input then). */
export async function productOptions(conn: Conn, max: number): Promise<ProductOption[] | null> {
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

export const productOptionLabel = (p: Pick<ProductOption, 'name' | 'model' | 'spec' | 'sku'>) => `${[p.name, p.model, p.spec].filter(Boolean).join(' ')}（${p.sku}）`;

export interface BatchOption {
  productId: number;
  productName: string;
  batchNo: string;
  qtyText: string;
}

/** Batches of batch-tracked products with stock (any warehouse), or null when more than `max`. */
export async function batchOptions(conn: Conn, max: number): Promise<BatchOption[] | null> {
  const rows = await execRows<{ product_id: number; name: string; batch_no: string; qty: string; base_unit: string; pack_unit: string | null; pack_factor: string | null }>(
    conn,
    sql`select b.product_id, p.name, bt.batch_no, sum(b.qty)::text as qty, p.base_unit, p.pack_unit, p.pack_factor::text as pack_factor
        from stock_balances b join batches bt on bt.id = b.batch_id join products p on p.id = b.product_id
        where p.batch_tracked and p.archived_at is null and b.qty > 0
        group by b.product_id, p.name, bt.batch_no, bt.received_at, p.base_unit, p.pack_unit, p.pack_factor
        order by p.name, bt.received_at, bt.batch_no limit ${max + 1}`,
  );
  if (rows.length > max) return null;
  return rows.map((r) => ({
    productId: r.product_id,
    productName: r.name,
    batchNo: r.batch_no,
    qtyText: formatQty({ baseUnit: r.base_unit, packUnit: r.pack_unit, packFactor: r.pack_factor }, r.qty),
  }));
}

/**
 * The product's typical move of this kind: mean |qty| of its last `n` moves of that kind
 * (null without history: nothing to compare with, no check).
 */
export async function typicalMoveQty(conn: Conn, productId: number, kind: string, n: number): Promise<Dec | null> {
  const [r] = await execRows<{ avg: string | null; cnt: number }>(
    conn,
    sql`select avg(abs(q))::text as avg, count(*)::int as cnt from (
          select m.qty as q from stock_moves m
          where m.product_id = ${productId} and m.kind = ${kind} and m.reverses_move_id is null
          order by m.id desc limit ${n}) x`,
  );
  if (!r || !r.cnt || r.avg === null) return null;
  const d = new Dec(r.avg);
  return d.isZero() ? null : d;
}

/** Current moving-average cost, fen per base unit (null when the product has no valuation yet). */
export async function averageCost(conn: Conn, productId: number): Promise<Dec | null> {
  const [r] = await execRows<{ avg_cost: string; qty: string; value_fen: string }>(
    conn,
    sql`select avg_cost::text as avg_cost, qty::text as qty, value_fen::text as value_fen from stock_valuations where product_id = ${productId}`,
  );
  if (!r) return null;
  const d = new Dec(r.avg_cost);
  return d.greaterThan(0) ? d : null;
}

/** Display name of a user (name, else open_id), for "who" on document cards. */
export async function userName(conn: Conn, userId: number | null): Promise<string> {
  if (userId == null) return '系统';
  const [u] = await execRows<{ name: string | null; open_id: string }>(conn, sql`select name, open_id from users where id = ${userId}`);
  return u?.name ?? u?.open_id ?? `#${userId}`;
}

