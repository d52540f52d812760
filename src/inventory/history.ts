/**
 * What is usual for a product: the size of its typical move of a kind and its current average
 * cost. Adapters compare a new entry with these to ask "are you sure?" before posting a typo
 * (1000 instead of 100, a price in yuan typed as fen). Read-only: a Db or a Tx.
 * Quantities and money come back as exact decimal strings, never floats.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { Dec } from '../shared/decimal.js';

/**
 * Mean |qty| (base units) of the product's last `n` moves of this kind, reversals excluded
 * (a 红冲 is a correction, not a usual quantity). Null without history or when it is zero:
 * nothing to compare with, no check.
 */
export async function typicalMoveQty(conn: Conn, actor: Actor, productId: number, kind: string, n: number): Promise<string | null> {
  requirePermission(actor, 'stock.view');
  const [r] = await execRows<{ avg: string | null; cnt: number }>(
    conn,
    sql`select avg(abs(q))::text as avg, count(*)::int as cnt from (
          select m.qty as q from stock_moves m
          where m.product_id = ${productId} and m.kind = ${kind} and m.reverses_move_id is null
          order by m.id desc limit ${n}) x`,
  );
  if (!r || !r.cnt || r.avg === null) return null;
  return new Dec(r.avg).isZero() ? null : r.avg;
}

/**
 * Current moving-average cost, fen per base unit. Null when the product has no valuation yet
 * or it is zero (nothing meaningful to compare a price with).
 */
export async function averageCost(conn: Conn, actor: Actor, productId: number): Promise<string | null> {
  requirePermission(actor, 'stock.view');
  const [r] = await execRows<{ avg_cost: string }>(conn, sql`select avg_cost::text as avg_cost from stock_valuations where product_id = ${productId}`);
  if (!r) return null;
  return new Dec(r.avg_cost).greaterThan(0) ? r.avg_cost : null;
}

/**
 * Quantity on hand (base units, exact text) of a product in one warehouse, or in all of them
 * when `warehouseId` is null. Read-only, no locks: a hint for adapters, never a stock check.
 */
export async function onHandQty(conn: Conn, productId: number, warehouseId: number | null): Promise<string> {
  const [r] = await execRows<{ qty: string }>(
    conn,
    sql`select coalesce(sum(qty), 0)::text as qty from stock_balances
        where product_id = ${productId} ${warehouseId == null ? sql`` : sql`and warehouse_id = ${warehouseId}`}`,
  );
  return r?.qty ?? '0';
}
