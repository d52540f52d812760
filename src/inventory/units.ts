/**
 * Quantities as people type them. Everything is stored in the product's base unit; a pack
 * unit (1 箱 = 24 个) is only an input and display convenience, converted here exactly.
 */
import { DomainError } from '../errors.js';
import { Dec, fitsQtyScale, qtyText } from '../shared/decimal.js';

export interface UnitInfo {
  name: string;
  baseUnit: string;
  packUnit: string | null;
  /** Base units per pack unit, numeric text. */
  packFactor: string | null;
}

function unitsHint(p: UnitInfo): string {
  return p.packUnit && p.packFactor ? `${p.baseUnit}（1 ${p.packUnit} = ${qtyText(p.packFactor)} ${p.baseUnit}）` : p.baseUnit;
}

/**
 * "24" / 24 / "24个" / "2箱" / "2箱3个" / "1.5 箱" → base-unit decimal text ("48").
 * A number without unit is in the base unit. Unknown unit, zero or negative → DomainError.
 */
export function parseQuantity(product: UnitInfo, input: string | number, opts: { allowZero?: boolean } = {}): string {
  const text = String(input).trim().replace(/，/g, ',');
  const bad = (why: string) =>
    new DomainError('invalid_input', `数量「${text}」${why}。「${product.name}」的单位是 ${unitsHint(product)}，请写成 24 或 24${product.baseUnit}${product.packUnit ? ` 或 2${product.packUnit}` : ''}。`, {
      input: text,
      baseUnit: product.baseUnit,
      packUnit: product.packUnit,
    });
  if (text === '') throw bad('为空');
  const re = /(\d+(?:\.\d+)?)\s*([^\d\s.]*)\s*/gy;
  let total = new Dec(0);
  let pos = 0;
  let parts = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m || m[0] === '') throw bad('看不懂');
    pos = re.lastIndex;
    parts++;
    const n = new Dec(m[1]);
    const unit = m[2];
    if (unit === '' || unit === product.baseUnit) total = total.plus(n);
    else if (product.packUnit && product.packFactor && unit === product.packUnit) total = total.plus(n.times(product.packFactor));
    else throw bad(`的单位「${unit}」不认识`);
  }
  if (parts === 0) throw bad('看不懂');
  if (total.isNegative() || (total.isZero() && !opts.allowZero)) throw bad('必须大于 0');
  if (!fitsQtyScale(total)) throw bad('小数位太多（最多 6 位）');
  if (total.greaterThanOrEqualTo('1e14')) throw bad('太大');
  return qtyText(total);
}

/** "30 个（1 箱 6 个）", "0.5 个", "48 个（2 箱）" — base unit always, pack unit when the product has one. */
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
    const s = rest.isZero() ? `${sign}${qtyText(packs)} ${product.packUnit}` : `${sign}${qtyText(packs)} ${product.packUnit} ${qtyText(rest)} ${product.baseUnit}`;
    return `${base}（${s}）`;
  }
  return `${base}（约 ${q.dividedBy(f).toDecimalPlaces(2).toFixed()} ${product.packUnit}）`;
}
