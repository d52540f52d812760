/**
 * What is usual for a product, read in ONE statement before a posting asks "are you sure?"
 * (src/inventory/unusual.ts): the size of its typical move of a kind, its current average cost,
 * and what is on hand where the goods would leave. Every chat 入库/出库 reads this on the
 * message's hot path, so it is one round trip on an index (stock_moves_product_kind_idx), never a
 * scan of the product's history. Read-only: a Db or a Tx. Quantities and money come back as
 * exact decimal strings, never floats.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { Dec } from '../shared/decimal.js';

export interface UsualFacts {
  /**
   * Mean |qty| (base units) of the product's last `n` moves of the kind, reversals excluded (a
   * 红冲 is a correction, not a usual quantity). Null without history or when it is zero.
   */
  typicalQty: string | null;
  /** Moving-average cost, fen per base unit; null when none yet or zero (nothing to compare). */
  avgCost: string | null;
  /**
   * On hand (base units) in the warehouse given (id, or code/name as resolveWarehouse reads it;
   * undefined = the default warehouse); in all warehouses when that warehouse is unknown.
   */
  onHand: string;
}

/** The facts above for one product and move kind. Errors: forbidden (needs stock.view). */
export async function usualFacts(
  conn: Conn,
  actor: Actor,
  q: { productId: number; kind: string; moves: number; warehouse?: number | string },
): Promise<UsualFacts> {
  requirePermission(actor, 'stock.view');
  const wh =
    typeof q.warehouse === 'number'
      ? sql`${q.warehouse}::int`
      : q.warehouse === undefined
        ? sql`(select id from warehouses where is_default)`
        : sql`(select id from warehouses where lower(code) = lower(${q.warehouse}) or name = ${q.warehouse} order by (name = ${q.warehouse}) desc, id limit 1)`;
  const [r] = await execRows<{ typical: string | null; avg_cost: string | null; on_hand: string }>(
    conn,
    sql`with w as (select ${wh} as id)
        select (select avg(abs(x.qty))::text from (
                  select m.qty from stock_moves m
                  where m.product_id = ${q.productId} and m.kind = ${q.kind} and m.reverses_move_id is null
                  order by m.id desc limit ${q.moves}) x) as typical,
               (select avg_cost::text from stock_valuations where product_id = ${q.productId}) as avg_cost,
               (select coalesce(sum(b.qty), 0)::text from stock_balances b
                 where b.product_id = ${q.productId} and ((select id from w) is null or b.warehouse_id = (select id from w))) as on_hand`,
  );
  const positive = (t: string | null) => (t !== null && new Dec(t).greaterThan(0) ? t : null);
  return { typicalQty: positive(r?.typical ?? null), avgCost: positive(r?.avg_cost ?? null), onHand: r?.on_hand ?? '0' };
}

/** A batch holding stock where an issue would take it from (see batchesOnHand). */
export interface BatchOnHand {
  batchId: number;
  batchNo: string;
  receivedAt: Date;
  /** "2027-06-30", null when none was entered. */
  expiresOn: string | null;
  /** Base units, > 0. */
  qty: string;
}

/**
 * The batches of a product holding stock in one warehouse (as usualFacts reads `warehouse`),
 * and today's business day in `timeZone` by the database clock ("2026-11-25"), in one round
 * trip. For the expired-batch check before an issue of a batch-tracked product (unusual.ts).
 */
export async function batchesOnHand(
  conn: Conn,
  q: { productId: number; warehouse?: number | string; timeZone: string },
): Promise<{ rows: BatchOnHand[]; today: string }> {
  const wh =
    typeof q.warehouse === 'number'
      ? sql`${q.warehouse}::int`
      : q.warehouse === undefined
        ? sql`(select id from warehouses where is_default)`
        : sql`(select id from warehouses where lower(code) = lower(${q.warehouse}) or name = ${q.warehouse} order by (name = ${q.warehouse}) desc, id limit 1)`;
  const rows = await execRows<{ batch_id: number | null; batch_no: string | null; received_at: string | Date | null; expires_on: string | null; qty: string | null; today: string }>(
    conn,
    sql`select bt.id as batch_id, bt.batch_no, bt.received_at, bt.expires_on, b.qty::text as qty,
               to_char((now() at time zone ${q.timeZone}::text)::date, 'YYYY-MM-DD') as today
        from (select 1) one
        left join stock_balances b on b.product_id = ${q.productId}::int and b.warehouse_id = ${wh} and b.qty > 0
        left join batches bt on bt.id = b.batch_id`,
  );
  return {
    today: rows[0]?.today ?? '',
    rows: rows.flatMap((r) =>
      r.batch_id == null || r.batch_no == null || r.received_at == null || r.qty == null
        ? []
        : [{ batchId: r.batch_id, batchNo: r.batch_no, receivedAt: r.received_at instanceof Date ? r.received_at : new Date(r.received_at), expiresOn: r.expires_on, qty: r.qty }],
    ),
  };
}
