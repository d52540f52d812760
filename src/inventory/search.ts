/**
 * Fuzzy product search. products.search_text is the haystack: name, model, spec and the
 * product's aliases (别名), plus the pinyin (no tones, no spaces) and initials of the Chinese in
 * them, lower-cased, so 螺丝 is found by "螺", "luosi" and "ls". The SKU and barcode join the
 * haystack in SQL (so rows written before they were part of it need no backfill).
 *
 * People write model numbers as they like: case, spaces and the multiplication sign do not
 * matter (`M3X8`, `m3*8`, `M3 x 8` all find 螺丝M3×8). Both sides are folded the same way —
 * here in TypeScript for the query (foldText), in SQL for the stored text (foldSql) — so
 * existing rows work as they are. A query matches when every whitespace-separated term is a
 * substring of the folded haystack, or the whole query without spaces is a substring of the
 * haystack without spaces ("M3 x 8" = "m3x8").
 */
import { sql, type SQL } from 'drizzle-orm';
import { pinyin } from 'pinyin-pro';
import { products } from '../../db/schema.js';

const HAN = /[\u3400-\u9fff]/;

/** The signs people type for "by" in a size (M3×8): ×, x, X, *, ＊ (full-width after NFKC), ✕. */
const TIMES = /[×✕*]/g;

/**
 * A text as search compares it: full-width folded to half-width (NFKC), lower-cased, × and *
 * read as x. Spaces are kept (terms are split on them); `compactFold` drops them.
 */
export function foldText(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(TIMES, 'x');
}

/** foldText without any whitespace: how a whole name is compared ("Type-C 母座 16P" = "type-c母座16p"). */
export function compactFold(s: string): string {
  return foldText(s).replace(/\s+/g, '');
}

/**
 * The SQL twin of foldText for stored text (names, search_text): NFKC, lower-cased, × ✕ * → x.
 * NFKC on both sides: a name stored with ² or ｍ (硅胶线 1mm²) must compare equal to what
 * foldText makes of the same typed text.
 */
export function foldSql(col: SQL): SQL {
  return sql`translate(lower(normalize(${col}, NFKC)), '×✕*', 'xxx')`;
}

/** The SQL twin of compactFold: foldSql without whitespace. */
export function compactFoldSql(col: SQL): SQL {
  return sql`regexp_replace(${foldSql(col)}, '\\s+', '', 'g')`;
}

/**
 * The stored haystack (products.search_text) of a product: its name, model, spec and aliases,
 * with the pinyin and initials of the Chinese in them, lower-cased. Callers writing a product
 * pass its aliases (products.aliases) so an alias is found like the name.
 */
export function buildSearchText(p: { name: string; model?: string | null; spec?: string | null; aliases?: readonly string[] | null }): string {
  const aliases = (p.aliases ?? []).filter((a) => a.trim() !== '');
  const plain = [p.name, p.model, p.spec].filter(Boolean).join(' ');
  const parts = [plain, ...aliases];
  if (HAN.test(plain)) {
    const compact = plain.replace(/\s+/g, '');
    parts.push(pinyinOf(compact), initialsOf(compact));
    // Name alone too: "ls" should match 螺丝 even when model/spec follow.
    const nameCompact = p.name.replace(/\s+/g, '');
    if (nameCompact !== compact && HAN.test(nameCompact)) parts.push(pinyinOf(nameCompact, false), initialsOf(nameCompact, false));
  }
  // An alias in Chinese is found by its pinyin too (杜邦线20 → dubangxian20, dbx20).
  for (const a of aliases) {
    const compact = a.replace(/\s+/g, '');
    if (HAN.test(compact)) parts.push(pinyinOf(compact), initialsOf(compact));
  }
  return parts.join(' ').toLowerCase();
}

function pinyinOf(text: string, keepOther = true): string {
  return (pinyin(text, { toneType: 'none', type: 'array', ...(keepOther ? { nonZh: 'consecutive' as const } : {}) }) as string[]).join('');
}

function initialsOf(text: string, keepOther = true): string {
  return (pinyin(text, { pattern: 'first', toneType: 'none', type: 'array', ...(keepOther ? { nonZh: 'consecutive' as const } : {}) }) as string[]).join('');
}

const escapeLike = (t: string) => t.replace(/[\\%_]/g, (c) => '\\' + c);

/** Folded terms of a query (foldText, split on spaces and commas); LIKE wildcards escaped. */
export function searchTerms(query: string): string[] {
  return foldText(query)
    .split(/[\s,，]+/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map(escapeLike);
}

/**
 * The search condition on products for `query` (see the file comment), or null when the query
 * has no terms. The haystack is search_text plus SKU and barcode, so a partial SKU (`dpx`)
 * finds DPX-20 without a backfill.
 */
export function searchCondition(query: string): SQL | null {
  const terms = searchTerms(query);
  if (!terms.length) return null;
  const hay = foldSql(sql`${products.searchText} || ' ' || ${products.sku} || ' ' || coalesce(${products.barcode}, '')`);
  const every = sql.join(
    terms.map((t) => sql`${hay} like ${'%' + t + '%'}`),
    sql` and `,
  );
  // "M3 x 8", "TYPE-C母座16P": also the whole query without spaces against the haystack without spaces.
  // And without hyphens or underscores too ("typec" finds Type-C, "dpx20" DPX-20): search only;
  // a name must still be written whole to be taken as the product (product-names.ts).
  const whole = escapeLike(compactFold(query));
  const loose = escapeLike(compactFold(query).replace(/[-_]+/g, ''));
  return sql`((${every}) or regexp_replace(${hay}, '\\s+', '', 'g') like ${'%' + whole + '%'} or regexp_replace(${hay}, '[\\s_-]+', '', 'g') like ${'%' + loose + '%'})`;
}
