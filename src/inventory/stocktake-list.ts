/**
 * The open stocktakes, with how many counts each has so far: what a picker offers when someone
 * continues counting (a chat command names one; a card lets them choose). Read-only.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { requirePermission, type Actor } from '../people/roles.js';

export interface OpenStocktakeLine {
  id: number;
  docNo: string;
  warehouseId: number;
  warehouseName: string;
  /** Count entries recorded so far. */
  entries: number;
}

/** Oldest first, at most 20 (more open at once is not a real situation; a picker stays short). */
export async function listOpenStocktakes(conn: Conn, actor: Actor): Promise<OpenStocktakeLine[]> {
  requirePermission(actor, 'stock.view');
  const rows = await execRows<{ id: number; doc_no: string; warehouse_id: number; name: string; entries: number }>(
    conn,
    sql`select s.id, s.doc_no, s.warehouse_id, w.name, (select count(*) from stocktake_entries e where e.stocktake_id = s.id)::int as entries
        from stocktakes s join warehouses w on w.id = s.warehouse_id where s.status = 'open' order by s.id limit 20`,
  );
  return rows.map((r) => ({ id: r.id, docNo: r.doc_no, warehouseId: r.warehouse_id, warehouseName: r.name, entries: Number(r.entries) }));
}
