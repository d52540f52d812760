/**
 * Products a page at a time (keyset on id, src/inventory/cursor.ts): the master-data list for
 * REST clients and pickers. Search is the same pinyin-aware haystack as resolveProduct's fuzzy
 * match (every term a substring of search_text), but the order is the id, never relevance: a
 * relevance order cannot be paged stably while products are added.
 */
import { and, asc, eq, gt, isNull, sql, type SQL } from 'drizzle-orm';
import { products } from '../../db/schema.js';
import type { Conn } from '../../db/types.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { cutPage, decodeCursor, type Page } from './cursor.js';
import type { PageRequest } from './listing.js';
import { productView, type ProductView } from './products.js';
import { searchCondition } from './search.js';

export interface ProductFilter extends PageRequest {
  /** Search text (search.ts): name, model, spec, aliases, pinyin or initials, part of the SKU or barcode; case, spaces and ×/x/* do not matter. */
  q?: string;
  /** Exact category. */
  category?: string;
  /** Archived (停用) products too. Default: active only. */
  includeArchived?: boolean;
}

/** Products by id. Needs stock.view. Errors: invalid_input (a bad cursor). */
export async function listProducts(conn: Conn, actor: Actor, f: ProductFilter): Promise<Page<ProductView>> {
  requirePermission(actor, 'stock.view');
  const after = decodeCursor(f.cursor, 'products', 1);
  const conds: SQL[] = [];
  if (!f.includeArchived) conds.push(isNull(products.archivedAt));
  if (f.category !== undefined) conds.push(eq(products.category, f.category));
  const q = f.q?.trim();
  if (q) {
    const fuzzy = searchCondition(q) ?? sql`false`;
    conds.push(sql`(lower(${products.sku}) = lower(${q}) or ${products.barcode} = ${q} or ${fuzzy})`);
  }
  if (after) conds.push(gt(products.id, after[0]));
  const rows = await conn
    .select()
    .from(products)
    .where(and(...conds))
    .orderBy(asc(products.id))
    .limit(f.limit + 1);
  const page = cutPage(rows, f.limit, 'products', (r) => [r.id]);
  return { items: page.rows.map(productView), nextCursor: page.nextCursor };
}
