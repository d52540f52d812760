/**
 * Which phrases name a product exactly: the catalog step of reading a command whose product
 * has spaces or digits in its name (`出库 Type-C 母座 16P 3`, bot/parse/product-words.ts).
 * A phrase names a product when it equals the product's name, an alias, its SKU or its barcode
 * as search compares text (search.ts compactFold: case, spaces and × / x / * do not matter).
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { compactFold, compactFoldSql } from './search.js';

/**
 * The folded keys (compactFold) among `phrases` that name at least one active product. One
 * statement for all phrases of a message; an empty list asks nothing. Which product a phrase
 * means is resolveProduct's question later (two products with that name → the picker).
 */
export async function phrasesNamingProducts(conn: Conn, phrases: readonly string[]): Promise<Set<string>> {
  const keys = new Set(phrases.map(compactFold).filter((k) => k !== ''));
  if (!keys.size) return new Set();
  const list = sql.join(
    [...keys].map((k) => sql`${k}::text`),
    sql`, `,
  );
  const fold = (col: string) => compactFoldSql(sql.raw(col));
  const rows = await execRows<{ name: string; sku: string; barcode: string | null; aliases: unknown }>(
    conn,
    sql`select p.name, p.sku, p.barcode, p.aliases from products p
        where p.archived_at is null
          and (${fold('p.name')} in (${list}) or ${fold('p.sku')} in (${list}) or ${fold("coalesce(p.barcode, '')")} in (${list})
            or exists (select 1 from jsonb_array_elements_text(p.aliases) a(alias) where ${fold('a.alias')} in (${list})))
        limit 100`,
  );
  const found = new Set<string>();
  for (const r of rows) {
    // Both drivers return jsonb parsed; a text value (a driver that does not) is read here.
    const raw: unknown = typeof r.aliases === 'string' ? JSON.parse(r.aliases) : r.aliases;
    const aliases = Array.isArray(raw) ? raw.filter((a): a is string => typeof a === 'string') : [];
    for (const n of [r.name, r.sku, r.barcode ?? '', ...aliases]) {
      const k = compactFold(n);
      if (keys.has(k)) found.add(k);
    }
  }
  return found;
}
