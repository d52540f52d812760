/**
 * Which stocktake a chat user means when they do not say (盘点 录入 A001 98): the open one of
 * the named warehouse, or the only open one. Read-only. Added by the bot engineer (issue 4)
 * because chat commands carry no PD number; the inventory owner may fold it into stocktake.ts.
 */
import { and, asc, eq } from 'drizzle-orm';
import { stocktakes, warehouses } from '../../db/schema.js';
import type { Conn } from '../../db/types.js';
import { DomainError } from '../errors.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { resolveWarehouse } from './warehouses.js';

export interface OpenStocktakeRef {
  id: number;
  docNo: string;
  warehouseId: number;
  warehouseName: string;
}

export async function findOpenStocktake(conn: Conn, actor: Actor, warehouse?: number | string): Promise<OpenStocktakeRef> {
  requirePermission(actor, 'stock.view');
  const wh = warehouse === undefined ? null : await resolveWarehouse(conn, warehouse);
  const rows = await conn
    .select({ id: stocktakes.id, docNo: stocktakes.docNo, warehouseId: stocktakes.warehouseId, warehouseName: warehouses.name })
    .from(stocktakes)
    .innerJoin(warehouses, eq(warehouses.id, stocktakes.warehouseId))
    .where(and(eq(stocktakes.status, 'open'), ...(wh ? [eq(stocktakes.warehouseId, wh.id)] : [])))
    .orderBy(asc(stocktakes.id));
  if (rows.length === 1) return rows[0];
  if (rows.length === 0) {
    throw new DomainError('not_found', wh ? `「${wh.name}」没有进行中的盘点。先发：盘点 开始 @${wh.name}` : '没有进行中的盘点。先发：盘点 开始 [@仓库]');
  }
  throw new DomainError(
    'ambiguous',
    `有 ${rows.length} 个仓库正在盘点：${rows.map((r) => `${r.warehouseName}（${r.docNo}）`).join('、')}。请加上 @仓库 指明。`,
    { stocktakes: rows },
  );
}
