/**
 * Product resolution from what people type: an id, an exact SKU / barcode / name / alias, else
 * (chat and cards) the same name written differently (case, spaces, ×/x/*), else a fuzzy,
 * pinyin-aware search (search.ts). Never a guess: several candidates → 'ambiguous'.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { products } from '../../db/schema.js';
import type { Conn } from '../../db/types.js';
import { DomainError } from '../errors.js';
import type { ReferenceMode, ReferenceOptions } from '../kernel/use-case.js';
import { productLabel, productView, type ProductRow, type ProductView } from './products.js';
import { compactFold, compactFoldSql, searchCondition } from './search.js';

/** Rows of the fuzzy search (searchProducts), best first. */
async function searchRows(conn: Conn, query: string, limit: number): Promise<ProductRow[]> {
  const match = searchCondition(query);
  if (!match) return [];
  const q = query.trim();
  const folded = compactFold(q);
  return conn
    .select()
    .from(products)
    .where(and(isNull(products.archivedAt), match))
    .orderBy(
      sql`(${products.name} = ${q}) desc, (${compactFoldSql(sql`${products.name}`)} = ${folded}) desc, (${products.name} like ${q.replace(/[\\%_]/g, (c) => '\\' + c) + '%'}) desc, length(${products.name}), ${products.id}`,
    )
    .limit(limit);
}

/**
 * Fuzzy search (search.ts: pinyin aware; case, spaces and × / x / * do not matter; a partial
 * SKU or barcode matches), active products only, best first: exact name, the same name written
 * differently, name prefix, shorter names.
 */
export async function searchProducts(conn: Conn, query: string, limit = 20): Promise<ProductView[]> {
  return (await searchRows(conn, query, limit)).map(productView);
}

/** True when `text` is the product's name, an alias or its SKU written differently (compactFold). */
function sameWords(p: ProductRow, folded: string): boolean {
  return [p.name, p.sku, ...(p.aliases ?? [])].some((n) => compactFold(n) === folded);
}

function candidateList(list: ProductView[]): string {
  return list
    .slice(0, 10)
    .map((p, i) => `${i + 1}. ${productLabel(p)}`)
    .join('\n');
}

/** Largest id a Postgres integer holds: a bigger number is a barcode or a typo, never a row. */
export const MAX_ID = 2_147_483_647;

/** Digits that may be an id (an all-digit code is tried first by the exact modes). */
export const idOfDigits = (text: string): number | null => (/^\d{1,10}$/.test(text) && Number(text) >= 1 && Number(text) <= MAX_ID ? Number(text) : null);

/** Options of resolveProduct: archived products too (reads of history); how text is read. */
export interface ResolveProductOptions extends ReferenceOptions {
  includeArchived?: boolean;
}

async function productById(conn: Conn, id: number, opts: ResolveProductOptions): Promise<ProductView> {
  const [p] = id >= 1 && id <= MAX_ID ? await conn.select().from(products).where(eq(products.id, id)) : [];
  if (!p) throw new DomainError('not_found', `找不到商品 #${id}。${id > MAX_ID ? '条码、编码请写成文本（加引号）。' : ''}`, { product: id });
  if (p.archivedAt && !opts.includeArchived) throw new DomainError('conflict', `商品「${p.name}」已停用。`, { productId: p.id });
  return productView(p);
}

/**
 * What the user meant by `ref`: an id; else exact SKU (case-insensitive), barcode, exact name;
 * else (mode 'search', the default) a fuzzy match. Several candidates → DomainError('ambiguous')
 * with `details.candidates`: we never guess which product stock moves for. In the exact modes
 * (REST, see ReferenceMode) nothing fuzzy is taken: not_found carries the near matches as
 * `details.candidates`, and 'exact-or-id' reads unmatched digits as an id.
 */
export async function resolveProduct(conn: Conn, ref: number | string, opts: ResolveProductOptions = {}): Promise<ProductView> {
  const active = opts.includeArchived ? sql`true` : sql`${products.archivedAt} is null`;
  if (typeof ref === 'number') return productById(conn, ref, opts);
  const text = ref.trim();
  if (!text) throw new DomainError('invalid_input', '请填写商品（SKU、条码或名称）。');
  const mode = opts.references ?? 'search';
  // An alias (products.aliases) counts as a name: exact, in the name's letter case rule.
  const exact = await conn
    .select()
    .from(products)
    .where(
      and(
        active,
        sql`(lower(${products.sku}) = lower(${text}) or ${products.barcode} = ${text} or lower(${products.name}) = lower(${text})
          or exists (select 1 from jsonb_array_elements_text(${products.aliases}) a(alias) where lower(a.alias) = lower(${text})))`,
      ),
    )
    .orderBy(products.id)
    .limit(20);
  const bySku = exact.filter((p) => p.sku.toLowerCase() === text.toLowerCase());
  if (bySku.length === 1) return productView(bySku[0]);
  const byBarcode = exact.filter((p) => p.barcode === text);
  if (byBarcode.length === 1) return productView(byBarcode[0]);
  // Chat keeps its case-sensitive name rule; the exact modes accept any letter case.
  const isName = (n: string) => (mode === 'search' ? n === text : n.toLowerCase() === text.toLowerCase());
  const byName = exact.filter((p) => isName(p.name) || (p.aliases ?? []).some(isName)).map(productView);
  if (byName.length === 1) return byName[0];
  if (mode !== 'search') return resolveExactly(conn, text, mode, bySku.length > 1 ? bySku.map(productView) : byName, opts);
  if (byName.length > 1) throw ambiguous(text, byName);
  const rows = await searchRows(conn, text, 20);
  // The name (alias, SKU) written differently — 螺丝m3x8 for 螺丝M3×8, "type-c 母座 16p" — is
  // that product even when longer names contain it too; two such products still ask.
  const folded = compactFold(text);
  const same = rows.filter((p) => sameWords(p, folded));
  const candidates = (same.length === 1 ? same : rows).map(productView);
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) {
    throw new DomainError('not_found', `找不到商品「${text}」。请检查名称，或用 SKU / 条码；新商品请先建档。`, { query: text });
  }
  throw ambiguous(text, candidates);
}

/** Several products fit `text`: the numbered candidates (chat and cards answer with a picker). */
function ambiguous(text: string, candidates: ProductView[]): DomainError {
  return new DomainError(
    'ambiguous',
    `「${text}」对应 ${candidates.length} 个商品，请说明是哪一个（用 SKU 或更完整的名称）：\n${candidateList(candidates)}`,
    { query: text, candidates },
  );
}

/** The exact modes after no single exact match: ambiguous, an id from digits, or not_found with near matches. */
async function resolveExactly(conn: Conn, text: string, mode: ReferenceMode, several: ProductView[], opts: ResolveProductOptions): Promise<ProductView> {
  if (several.length > 1) {
    throw new DomainError(
      'ambiguous',
      `「${text}」完全匹配 ${several.length} 个商品，请改用 id 或 SKU：\n${candidateList(several)}`,
      { query: text, candidates: several },
    );
  }
  const id = mode === 'exact-or-id' ? idOfDigits(text) : null;
  if (id !== null) return productById(conn, id, opts);
  const near = await searchProducts(conn, text, 10);
  throw new DomainError(
    'not_found',
    `找不到编码、条码或名称正好是「${text}」的商品。接口只接受精确的引用：id（整数）、SKU、条码或完整名称，不做模糊匹配。` +
      (near.length ? `相近的商品（见 candidates）：\n${candidateList(near)}` : '新商品请先建档。'),
    { query: text, candidates: near },
  );
}
