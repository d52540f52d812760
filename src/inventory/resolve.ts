/** Shared input resolution for postings: product refs → ProductInfo, warehouses → names. */
import { atLine } from './line-errors.js';
import { inArray } from 'drizzle-orm';
import { products } from '../../db/schema.js';
import type { Conn } from '../../db/types.js';
import { DomainError } from '../errors.js';
import type { ProductInfo } from './ledger.js';
import type { ReferenceOptions } from '../kernel/use-case.js';
import { type ProductView } from './products.js';
import { MAX_ID, resolveProduct } from './product-lookup.js';

export function toInfo(p: ProductView | typeof products.$inferSelect): ProductInfo {
  const row = p as Record<string, unknown>;
  const price = row.purchasePriceFen;
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    model: p.model,
    spec: p.spec,
    baseUnit: p.baseUnit,
    packUnit: p.packUnit,
    packFactor: p.packFactor == null ? null : String(p.packFactor),
    batchTracked: p.batchTracked,
    purchasePriceFen: price == null ? null : String(price),
    qtyDecimals: (row.qtyDecimals as number | null | undefined) ?? null,
    unitAliases: (row.unitAliases as Record<string, string> | null | undefined) ?? null,
    archived: 'archived' in p ? Boolean(p.archived) : row.archivedAt != null,
  };
}

/**
 * Resolve each ref (ids in one query; text through resolveProduct, read as `opts.references`
 * says). Archived → refused (conflict); unknown → not_found; see resolveProduct for the rest.
 */
export async function resolveProducts(conn: Conn, refs: (number | string)[], opts: ReferenceOptions = {}): Promise<ProductInfo[]> {
  // An id beyond a Postgres integer cannot exist (and would fail the query): not_found below.
  const ids = [...new Set(refs.filter((r): r is number => typeof r === 'number' && r >= 1 && r <= MAX_ID))];
  const byId = new Map<number, ProductInfo>();
  if (ids.length) {
    const rows = await conn.select().from(products).where(inArray(products.id, ids));
    for (const r of rows) byId.set(r.id, toInfo(r));
  }
  const byText = new Map<string, ProductInfo>();
  const out: ProductInfo[] = [];
  for (const [i, ref] of refs.entries()) {
    try {
      if (typeof ref === 'number') {
        const p = byId.get(ref);
        if (!p) throw new DomainError('not_found', `找不到商品 #${ref}。${ref > MAX_ID ? '条码、编码请写成文本（加引号）。' : ''}`, { product: ref });
        if (p.archived) throw new DomainError('conflict', `商品「${p.name}」已停用，不能再出入库。`, { productId: p.id });
        out.push(p);
      } else {
        let p = byText.get(ref);
        if (!p) {
          p = toInfo(await resolveProduct(conn, ref, opts));
          byText.set(ref, p);
        }
        out.push(p);
      }
    } catch (e) {
      // Refs are a document's lines, in order: say which one.
      throw atLine(e, i + 1, refs.length);
    }
  }
  return out;
}

/** ProductInfo by id, archived included (reversals, stocktakes of old stock). */
export async function loadProductInfos(conn: Conn, ids: number[]): Promise<ProductInfo[]> {
  if (!ids.length) return [];
  const rows = await conn.select().from(products).where(inArray(products.id, ids));
  return rows.map(toInfo);
}
