/**
 * Quantities as people type them. Everything is stored in the product's base unit; a pack
 * unit (1 箱 = 24 个) is only an input and display convenience, converted here exactly.
 *
 * Unit precision: each unit has its decimal places. Counted units (个 台 件 箱 瓶 pcs …) take
 * whole numbers; measured units (千克 米 升 吨 …) up to 3 decimals (UNIT_DECIMALS below). A
 * product may set its own (products.qty_decimals, 0–6; chat 小数位=2). Unknown units count
 * as whole: a fraction of a 根 or 卷 is more likely a typo than a need, and the refusal says
 * how to allow it. parseQuantity applies the rule, so chat, cards and services refuse alike.
 */
import { DomainError, domainErrorWithFix, type BaseUnitChangeFix } from '../errors.js';
import { Dec, NumberCommaError, fitsQtyScale, qtyText, stripThousands } from '../shared/decimal.js';

export interface UnitInfo {
  name: string;
  /** Product code, when known: the precision refusal's fix names it (REST: PATCH /products/{sku}). */
  sku?: string;
  baseUnit: string;
  packUnit: string | null;
  /** Base units per pack unit, numeric text. */
  packFactor: string | null;
  /** Decimal places a quantity in the base unit may have; null/undefined = the unit's default. */
  qtyDecimals?: number | null;
  /** The product's own unit words: {alias: one of its units} (products.unit_aliases; 条 → 根). */
  unitAliases?: Readonly<Record<string, string>> | null;
}

/**
 * Default decimal places per unit word (case-insensitive). Counted units: 0. Measured units:
 * 3 (1.25 千克, 0.5 米). Anything not listed: 0 (see the file comment).
 */
export const UNIT_DECIMALS: Readonly<Record<string, number>> = Object.freeze({
  // counted
  个: 0, 件: 0, 只: 0, 台: 0, 箱: 0, 盒: 0, 包: 0, 袋: 0, 瓶: 0, 桶: 0, 卷: 0, 套: 0, 张: 0, 条: 0, 支: 0, 把: 0, 双: 0, 对: 0,
  根: 0, 块: 0, 片: 0, 颗: 0, 粒: 0, 本: 0, 盘: 0, 排: 0, 组: 0, 副: 0, 份: 0, 罐: 0, 听: 0, 板: 0, 扎: 0, 捆: 0, 打: 0, 枚: 0, 部: 0, 辆: 0,
  pcs: 0, pc: 0, ea: 0, set: 0, box: 0, ctn: 0,
  // measured
  千克: 3, 公斤: 3, kg: 3, 克: 3, g: 3, 斤: 3, 两: 3, 吨: 3, t: 3,
  米: 3, m: 3, 厘米: 3, cm: 3, 毫米: 3, mm: 3, 公里: 3, km: 3, 码: 3, 尺: 3,
  升: 3, l: 3, 毫升: 3, ml: 3, 立方米: 3, 方: 3, m3: 3, 平方米: 3, 平米: 3, m2: 3, '㎡': 3,
});

/** Unit words a chat parser may treat as "a unit after a number" (3 盒) even before it knows the product. */
export const COMMON_UNITS: readonly string[] = Object.freeze(Object.keys(UNIT_DECIMALS));

/** True when `t` is a known unit word (个, 箱, kg, PCS …). */
export function isUnitWord(t: string): boolean {
  return Object.prototype.hasOwnProperty.call(UNIT_DECIMALS, t.trim().toLowerCase());
}

/** Decimal places of a unit word (0 when unknown). */
export function unitDecimals(unit: string): number {
  return UNIT_DECIMALS[unit.trim().toLowerCase()] ?? 0;
}

/** Decimal places a quantity of this product may have: its own setting, else its base unit's default. */
export function qtyDecimalsOf(p: Pick<UnitInfo, 'baseUnit' | 'qtyDecimals'>): number {
  return p.qtyDecimals ?? unitDecimals(p.baseUnit);
}

/** "个（1 盒 = 100 个）": the units a product can be written in. */
export function unitsHint(p: Pick<UnitInfo, 'baseUnit' | 'packUnit' | 'packFactor'>): string {
  return p.packUnit && p.packFactor ? `${p.baseUnit}（1 ${p.packUnit} = ${qtyText(p.packFactor)} ${p.baseUnit}）` : p.baseUnit;
}

/** One "number + unit" part of a written quantity ("2箱" of "2箱3个"); unit '' = none written. */
export interface QtyPart {
  n: Dec;
  unit: string;
}

/**
 * "2箱3个" → [{2,'箱'},{3,'个'}]; "3 盒" → [{3,'盒'}]; "1,000" → [{1000,''}]; null when it is not
 * number(+unit) parts — also for a comma that is no thousands separator ("2,5": parseQuantity
 * says why, see decimal.ts stripThousands).
 */
export function splitQuantity(input: string | number): QtyPart[] | null {
  let text: string;
  try {
    text = stripThousands(String(input).trim());
  } catch (e) {
    if (e instanceof NumberCommaError) return null;
    throw e;
  }
  if (!text) return null;
  const re = /(\d+(?:\.\d+)?)\s*([^\d\s.]*)\s*/gy;
  const parts: QtyPart[] = [];
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m || m[0] === '') return null;
    pos = re.lastIndex;
    parts.push({ n: new Dec(m[1]), unit: m[2] });
  }
  return parts.length ? parts : null;
}

/**
 * Words that name the same unit, for every product (case-insensitive; the first is the usual
 * name). Only unambiguous ones: 斤 is no 公斤, and 盒/box, 包/pack are left out (box is 盒 to
 * some and 箱 to others). A product's own units and aliases win over these (unitRole).
 */
export const UNIT_SYNONYMS: readonly (readonly string[])[] = Object.freeze([
  ['个', 'pcs', 'pc', '只', '件'],
  ['米', 'm'],
  ['千克', 'kg', '公斤'],
  ['克', 'g'],
  ['吨', 't'],
  ['升', 'l'],
  ['毫升', 'ml'],
  ['厘米', 'cm'],
  ['毫米', 'mm'],
  ['箱', 'ctn'],
  ['套', 'set'],
]);

const SYNONYM_GROUP = new Map<string, readonly string[]>(UNIT_SYNONYMS.flatMap((g) => g.map((w) => [w, g] as const)));

/**
 * Which of the product's units a written unit word is ('' = none written = base); null = not
 * one of them. Case-insensitive, in this order:
 * 1. the product's own unit (a product counted in 只 or 件 keeps them as its own units);
 * 2. the product's aliases (unitAliases: 条 → 根);
 * 3. a shared synonym (UNIT_SYNONYMS: pcs/只/件 → 个, kg/公斤 → 千克, m → 米…) when exactly one of
 *    the product's units is of that group — with 个 and 件 both, pcs names neither: refused,
 *    never guessed.
 */
export function unitRole(product: Pick<UnitInfo, 'baseUnit' | 'packUnit' | 'packFactor' | 'unitAliases'>, unit: string): 'base' | 'pack' | null {
  const u = unit.trim().toLowerCase();
  const base = product.baseUnit.toLowerCase();
  const pack = product.packUnit && product.packFactor ? product.packUnit.toLowerCase() : null;
  const roleOf = (w: string): 'base' | 'pack' | null => (w === base ? 'base' : w === pack ? 'pack' : null);
  if (u === '') return 'base';
  const own = roleOf(u);
  if (own) return own;
  for (const [alias, target] of Object.entries(product.unitAliases ?? {})) {
    if (alias.trim().toLowerCase() === u) return roleOf(target.trim().toLowerCase());
  }
  const group = SYNONYM_GROUP.get(u);
  if (!group) return null;
  const hits = [base, pack].filter((w): w is string => w !== null && group.includes(w));
  return hits.length === 1 ? roleOf(hits[0]) : null;
}

/** "pcs=个、条=根": the product's own unit aliases, for messages ('' when none). */
export function unitAliasesHint(p: Pick<UnitInfo, 'unitAliases'>): string {
  return Object.entries(p.unitAliases ?? {}).map(([a, u]) => `${a}=${u}`).join('、');
}

/**
 * "24" / 24 / "24个" / "2箱" / "2箱3个" / "1.5 箱" / "3 盒" → base-unit decimal text ("48").
 * A number without unit is in the base unit. DomainError('invalid_input') naming the product's
 * units when the unit is not one of them, when the result is zero/negative/too large, or when
 * it has more decimals than the product's unit allows (「螺丝」按 个 计，数量必须是整数), or when a
 * comma is no thousands separator (数量「2,5」看不懂：小数请用点号 …; 1,000 is one thousand).
 */
export function parseQuantity(product: UnitInfo, input: string | number, opts: { allowZero?: boolean } = {}): string {
  const text = String(input).trim().replace(/，/g, ',');
  const example = `请写成 24 或 24${product.baseUnit}${product.packUnit ? ` 或 2${product.packUnit}` : ''}`;
  const aliases = unitAliasesHint(product);
  const bad = (why: string) =>
    new DomainError('invalid_input', `数量「${text}」${why}。「${product.name}」的单位是 ${unitsHint(product)}${aliases ? `，也认 ${aliases}` : ''}，${example}。`, {
      input: text,
      baseUnit: product.baseUnit,
      packUnit: product.packUnit,
    });
  if (text === '') throw bad('为空');
  try {
    stripThousands(text);
  } catch (e) {
    // "2,5" is neither 25 nor 2 and 5: refused, saying how to write a decimal or thousands.
    if (e instanceof NumberCommaError) throw new DomainError('invalid_input', `数量${e.message}。`, { input: text });
    throw e;
  }
  const parts = splitQuantity(text);
  if (!parts) throw bad('看不懂');
  let total = new Dec(0);
  for (const { n, unit } of parts) {
    // Another unit of the same measure as the base unit (500克 of a product counted in 千克,
    // 100厘米 in 米) is converted exactly: the factors are powers of ten, or 50 / 500 for 两 / 斤.
    const size = unitSize(product, unit);
    if (!size) throw bad(`的单位「${unit}」不认识`);
    total = total.plus(n.times(size));
  }
  if (total.isNegative() || (total.isZero() && !opts.allowZero)) throw bad('必须大于 0');
  if (!fitsQtyScale(total)) throw bad('小数位太多（最多 6 位）');
  if (total.greaterThanOrEqualTo('1e14')) throw bad('太大');
  const dp = qtyDecimalsOf(product);
  if (total.decimalPlaces() > dp) throw tooManyDecimals(product, text, parts, total, dp);
  return qtyText(total);
}

/**
 * The refusal of a quantity finer than the product allows, with an example made from what was
 * typed (2.5555 米 under 3 places → 2.555米, cut, never rounded up past what was meant; a cut
 * to 0 shows the smallest allowed step instead) and the places the input needs (4 here; never
 * more than 6, the storage scale) as the fix: a product setting (details.fix, each adapter
 * words it: chat 「商品 修改 彩带 小数位=4」).
 */
function tooManyDecimals(product: UnitInfo, text: string, parts: QtyPart[], total: Dec, dp: number): DomainError {
  const rule = dp === 0 ? '数量必须是整数' : `数量最多 ${dp} 位小数`;
  const shown = parts.length === 1 && parts[0].unit && parts[0].unit !== product.baseUnit ? `（${text} = ${qtyText(total)} ${product.baseUnit}）` : '';
  const cut = total.toDecimalPlaces(dp, Dec.ROUND_DOWN);
  const example = cut.isZero() ? total.toDecimalPlaces(dp, Dec.ROUND_UP) : cut;
  const needs = Math.min(Math.max(total.decimalPlaces(), dp + 1), 6);
  return domainErrorWithFix(
    'invalid_input',
    `「${product.name}」按 ${product.baseUnit} 计，${rule}：「${text}」${shown}不行。请写成 ${qtyText(example)}${product.baseUnit}；确需${dp === 0 ? '小数' : '更多小数位'}`,
    { kind: 'product_setting', product: { sku: product.sku ?? product.name, name: product.name }, field: 'qtyDecimals', value: needs },
    { input: text, baseUnit: product.baseUnit, qtyDecimals: dp, needsDecimals: needs },
  );
}

/**
 * "30 个（1 箱 6 个）", "0.5 个", "48 个（2 箱）" — base unit always, pack unit when the product
 * has one. Negative: "-51 个（-(2 箱 3 个)）" — the sign outside brackets around both parts, so
 * it reads as minus (2 箱 and 3 个), never as −2 箱 plus 3 个; one part needs none ("-48 个（-2 箱）").
 */
export function formatQty(product: Pick<UnitInfo, 'baseUnit' | 'packUnit' | 'packFactor'>, qty: string | Dec): string {
  const q = new Dec(qty);
  const base = `${qtyText(q)} ${product.baseUnit}`;
  if (!product.packUnit || !product.packFactor) return base;
  const f = new Dec(product.packFactor);
  const abs = q.abs();
  if (f.isInteger() && abs.isInteger()) {
    const packs = abs.dividedToIntegerBy(f);
    const rest = abs.minus(packs.times(f));
    if (packs.isZero()) return base;
    const sign = q.isNegative() ? '-' : '';
    const reading = rest.isZero() ? `${qtyText(packs)} ${product.packUnit}` : `${qtyText(packs)} ${product.packUnit} ${qtyText(rest)} ${product.baseUnit}`;
    const s = !sign ? reading : rest.isZero() ? `-${reading}` : `-(${reading})`;
    return `${base}（${s}）`;
  }
  const packs = q.dividedBy(f);
  // Exact when it is (5 千克 at 2.5 千克/袋 is 2 袋, not 约 2 袋); 约 only for a rounded reading.
  const exact = packs.decimalPlaces() <= 2 && packs.times(f).equals(q);
  return `${base}（${exact ? '' : '约 '}${packs.toDecimalPlaces(2).toFixed()} ${product.packUnit}）`;
}

/**
 * Units of one kind of measure with their size in the kind's reference unit (米, 克, 升): enough
 * to tell which of two units is larger and by how much. Counted units (个, 盒) have no fixed
 * size: how many 个 a 盒 holds is the product's pack factor.
 */
const MEASURES: readonly Readonly<Record<string, string>>[] = [
  { 毫米: '0.001', mm: '0.001', 厘米: '0.01', cm: '0.01', 米: '1', m: '1', 公里: '1000', km: '1000' },
  { 克: '1', g: '1', 两: '50', 斤: '500', 千克: '1000', 公斤: '1000', kg: '1000', 吨: '1000000', t: '1000000' },
  { 毫升: '0.001', ml: '0.001', 升: '1', l: '1', 立方米: '1000', 方: '1000', m3: '1000' },
];

/**
 * Base units in one `unit` of the product: 1 for its base unit (and the spellings unitRole
 * reads as it), the pack factor for its pack, and for another unit of the base unit's measure
 * the exact conversion (克 of a product counted in 千克: 0.001). null when the unit is none of these.
 */
export function unitSize(product: Pick<UnitInfo, 'baseUnit' | 'packUnit' | 'packFactor' | 'unitAliases'>, unit: string): Dec | null {
  const role = unitRole(product, unit);
  if (role === 'base') return new Dec(1);
  if (role === 'pack') return new Dec(product.packFactor!);
  const ratio = unit ? unitRatio(unit, product.baseUnit) : null;
  return ratio ? new Dec(1).dividedBy(ratio) : null;
}

/** How many `from` make one `to` (厘米 → 米: 100; 米 → 厘米: 0.01); null when not of one known measure. */
export function unitRatio(from: string, to: string): Dec | null {
  const f = from.trim().toLowerCase();
  const t = to.trim().toLowerCase();
  for (const m of MEASURES) if (m[f] && m[t]) return new Dec(m[t]).dividedBy(m[f]);
  return null;
}

/**
 * What to do instead of changing a base unit that has ledger history (products.ts refuses the
 * change), as data (src/errors.ts BaseUnitChangeFix; each adapter words it: chat commands,
 * REST requests). How `to` relates to the base unit decides the way out:
 * - larger (米 → 公里): keep the base unit, add `to` as the pack with its real factor.
 * - smaller (米 → 厘米): a pack must be the larger unit, so a pack `to` would be wrong. Keep
 *   the base unit and write decimals (25 厘米 = 0.25米; a decimal-places setting when the
 *   product's places do not reach one `to`), or a new product counted in `to` with the old
 *   unit as its pack (1 米 = 100 厘米).
 * - unknown (瓶 → 毫升, 个 → 盒: counted units have no fixed size, and the code cannot tell
 *   which is larger): both readings with placeholders, never a made-up factor.
 */
export function baseUnitChangeFix(p: Pick<UnitInfo, 'name' | 'baseUnit' | 'qtyDecimals'> & { sku: string }, to: string): BaseUnitChangeFix {
  const ratio = unitRatio(p.baseUnit, to);
  const fix: BaseUnitChangeFix = { kind: 'base_unit_change', product: { sku: p.sku, name: p.name }, baseUnit: p.baseUnit, to, relation: 'unknown' };
  if (!ratio) return fix;
  if (ratio.equals(1)) return { ...fix, relation: 'same' };
  if (ratio.greaterThan(1)) return { ...fix, relation: 'larger', factor: qtyText(ratio) };
  // 1 to = ratio base: a `to` is a fraction of the base unit.
  const places = ratio.decimalPlaces();
  const dp = qtyDecimalsOf(p);
  return {
    ...fix,
    relation: 'smaller',
    factor: qtyText(new Dec(1).dividedBy(ratio)), // how many `to` make one base unit (厘米 per 米: 100)
    example: qtyText(ratio.times(25)),
    ...(places > dp ? { setting: { current: dp, needed: Math.min(places, 6) } } : {}),
  };
}
