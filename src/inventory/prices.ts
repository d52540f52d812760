/**
 * THE price rule, in one place for every adapter (chat, cards, REST):
 *
 *   A unit price is per the unit the quantity was written in.
 *     入库 螺丝 2箱 6.5   → ¥6.5 per 箱 → amount round-half-up(2 × 6.5) = ¥13.00
 *     入库 螺丝 48 0.27   → ¥0.27 per 个 → ¥12.96
 *   A unit written on the price wins: 6.5/箱, 0.27/个 (any quantity).
 *   A compound quantity (2箱3个) with a bare price is refused: write the price's unit or 金额=….
 *
 * `receiptLineValue` turns what was typed into the canonical line: quantity in base units,
 * unit price in fen per BASE unit (6 decimals, what the move stores as entered_unit_price) and
 * the line amount in whole fen (money.ts `lineAmountFen`, the one rounding rule). Services call
 * it; adapters pass the text as typed (`unitPrice`) or the canonical `unitCostFen` (fen per base
 * unit) / `amountFen`.
 */
import { DomainError, domainErrorWithFixIn } from '../errors.js';
import { Dec, costText } from '../shared/decimal.js';
import { formatFen, lineAmountFen, priceYuanToFen } from '../shared/money.js';
import { AMOUNT_MAX_FEN } from '../shared/limits.js';
import { parseQuantity, splitQuantity, unitRole, unitSize, unitsHint, type UnitInfo } from './units.js';


/** "6.5" → {6.5, unit null}; "6.5/箱", "6.5元/箱", "¥6.5/箱" → {…, '箱'}. Yuan text stays unparsed here. */
export function splitPriceText(text: string): { yuan: string; unit: string | null } {
  const m = String(text).trim().match(/^([^/]*?)\s*\/\s*(.+)$/);
  return m ? { yuan: m[1], unit: m[2].trim() } : { yuan: String(text).trim(), unit: null };
}

export interface LineValueInput {
  /** Yuan per the unit the quantity was written in ("6.5"), or per the unit named ("6.5/箱"). At most 6 decimals. */
  unitPrice?: string | null;
  /** Canonical: fen per BASE unit (may carry decimals, ≤ 6). */
  unitCostFen?: string | number | null;
  /** Canonical: the line's total value in whole fen. */
  amountFen?: bigint | null;
}

export interface LineValue {
  /** Base units. */
  qtyBase: Dec;
  /** The quantity as written ("2箱", "48"). */
  enteredQty: string;
  /** Fen per base unit, 6 decimals: the entered price, or amount ÷ qty when an amount was given. Null: nothing given. */
  unitPriceFenPerBase: Dec | null;
  /** Whole fen; null when no price or amount was given (the service falls back to the product's purchase price or the average). */
  amountFen: bigint | null;
  /** The unit a typed price was per (the product's base or pack unit); null when no price was typed. */
  priceUnit: string | null;
  /** The typed price in fen per `priceUnit` (for the echo "¥6.50/箱"); null when no price was typed. */
  priceFenPerUnit: Dec | null;
  /** What the move stores as entered_unit_price: the typed/given price per base unit; null for an amount. */
  enteredUnitPrice: Dec | null;
}

function refuse(msg: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError('invalid_input', msg, details);
}

function checkAmount(amount: bigint, product: UnitInfo): bigint {
  if (amount < 0n) throw refuse(`「${product.name}」金额不能为负数。`);
  // The line amount must fit the bigint columns with room for sums (src/shared/limits.ts).
  if (amount > AMOUNT_MAX_FEN) throw refuse(`「${product.name}」这一行金额 ${formatFen(amount)} 太大（一行最多 ${formatFen(AMOUNT_MAX_FEN)}），请检查数量和单价。`);
  return amount;
}

/**
 * The canonical value of one receipt line (see the file comment). Throws DomainError
 * ('invalid_input') for a quantity the product cannot take (units.ts parseQuantity), a price
 * that is not yuan with ≤ 6 decimals, a price unit that is not the product's, a compound
 * quantity with a bare price, or more than one of unitPrice / unitCostFen / amountFen.
 */
export function receiptLineValue(product: UnitInfo, qty: string | number, v: LineValueInput): LineValue {
  const qtyBase = new Dec(parseQuantity(product, qty));
  const enteredQty = String(qty).trim();
  const given = [v.unitPrice != null && v.unitPrice !== '', v.unitCostFen != null && v.unitCostFen !== '', v.amountFen != null].filter(Boolean).length;
  if (given > 1) {
    throw domainErrorWithFixIn('invalid_input', { kind: 'line_amount', example: '13' }, (w) => `「${product.name}」单价和金额只写一个：单价按数量所写的单位（例如 6.5 或 6.5/箱），金额是这一行的总价（${w}）。`);
  }
  const none = { qtyBase, enteredQty, unitPriceFenPerBase: null, amountFen: null, priceUnit: null, priceFenPerUnit: null, enteredUnitPrice: null };
  if (v.amountFen != null) {
    const amountFen = checkAmount(v.amountFen, product);
    return { ...none, amountFen, unitPriceFenPerBase: new Dec(amountFen.toString()).dividedBy(qtyBase).toDecimalPlaces(6, Dec.ROUND_HALF_UP) };
  }
  if (v.unitCostFen != null && v.unitCostFen !== '') {
    const perBase = new Dec(v.unitCostFen);
    if (perBase.isNegative()) throw refuse(`「${product.name}」单价不能为负数。`);
    if (perBase.decimalPlaces() > 6) throw refuse(`「${product.name}」单价（分/${product.baseUnit}）最多 6 位小数。`);
    const amountFen = checkAmount(lineAmountFen(qtyBase, perBase), product);
    return { ...none, amountFen, unitPriceFenPerBase: perBase, priceUnit: product.baseUnit, priceFenPerUnit: perBase, enteredUnitPrice: perBase };
  }
  if (v.unitPrice == null || v.unitPrice === '') return none;

  const typed = pricedLine(product, qty, qtyBase, v.unitPrice, '单价');
  return { qtyBase, enteredQty, unitPriceFenPerBase: typed.perBase, amountFen: typed.amountFen, priceUnit: typed.priceUnit, priceFenPerUnit: typed.priceFenPerUnit, enteredUnitPrice: typed.perBase };
}

/** A typed price read by THE price rule: per base unit, the line amount and the unit it was per. */
export interface PricedLine {
  /** Fen per base unit, 6 decimals. */
  perBase: Dec;
  /** Whole fen, round-half-up (money.ts lineAmountFen). */
  amountFen: bigint;
  /** The product's unit the price was per (base or pack). */
  priceUnit: string;
  /** The typed price in fen per `priceUnit`. */
  priceFenPerUnit: Dec;
}

/**
 * A price typed in yuan for a line of `qty` (`qtyBase` base units), by THE price rule (file
 * comment): per the unit the quantity was written in, or per the unit named ("6.5/箱"). `what`
 * names the price in refusals (单价, 售价). Throws DomainError('invalid_input') for a price that
 * is not yuan with ≤ 6 decimals, a unit that is not the product's, or a compound quantity with a
 * bare price, and for an amount beyond the line limit.
 */
export function pricedLine(product: UnitInfo, qty: string | number, qtyBase: Dec, text: string, what: '单价' | '售价'): PricedLine {
  const enteredQty = String(qty).trim();
  const { yuan, unit } = splitPriceText(text);
  let price: Dec;
  try {
    price = priceYuanToFen(yuan);
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).replace(/^单价/, what);
    throw refuse(`${msg}${what}按数量所写的单位计，例如 6.5 或 6.5/${product.packUnit ?? product.baseUnit}。`, { input: text });
  }
  const parts = splitQuantity(qty)!;
  // The unit the price is per: the one named, else the one the quantity was written in.
  let priceUnit: string;
  if (unit !== null) {
    if (!unitSize(product, unit)) throw refuse(`${what}「${text}」的单位「${unit}」不是「${product.name}」的单位。「${product.name}」的单位是 ${unitsHint(product)}，请写成 ${yuan}/${product.baseUnit}${product.packUnit ? ` 或 ${yuan}/${product.packUnit}` : ''}。`, { input: text });
    priceUnit = unit;
  } else {
    if (parts.length > 1) {
      if (what === '售价') {
        throw refuse(`数量「${enteredQty}」写了两个单位，售价「${text}」按哪个单位算不清楚。请在售价后写明单位，例如 售价=${yuan}/${product.packUnit ?? product.baseUnit} 或 售价=${yuan}/${product.baseUnit}。`, { input: text, qty: enteredQty });
      }
      throw domainErrorWithFixIn(
        'invalid_input',
        { kind: 'line_amount', example: '…' },
        (w) => `数量「${enteredQty}」写了两个单位，单价「${text}」按哪个单位算不清楚。请在单价后写明单位（例如 ${yuan}/${product.packUnit ?? product.baseUnit} 或 ${yuan}/${product.baseUnit}），或用 ${w} 写这一行的总价。`,
        { input: text, qty: enteredQty },
      );
    }
    priceUnit = parts[0].unit;
  }
  // Base units in one price unit: 1 (个), the pack factor (箱), or a measure's conversion (克 of 千克: 0.001).
  const size = unitSize(product, priceUnit)!;
  // The written quantity × the price when both are in the same unit: exact, no per-base rounding.
  const sameUnit = parts.length === 1 && unitSize(product, parts[0].unit)?.equals(size) === true;
  const qtyInPriceUnit = sameUnit ? parts[0].n : qtyBase.dividedBy(size);
  const amountFen = checkAmount(lineAmountFen(qtyInPriceUnit, price), product);
  const role = unitRole(product, priceUnit);
  return {
    perBase: new Dec(costText(price.dividedBy(size))),
    amountFen,
    priceUnit: role === 'pack' ? product.packUnit! : role === 'base' ? product.baseUnit : priceUnit.trim(),
    priceFenPerUnit: price,
  };
}
