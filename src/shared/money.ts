/**
 * Money helpers: fen (分) is the unit everywhere in storage and services; yuan (元) only at the
 * edges (what users type, what cards show).
 *
 * Two kinds of money, two precisions:
 * - AMOUNTS (金额: a line's value, a document total, a payment) are whole fen (bigint); typed
 *   as yuan with at most 2 decimals (`yuanToFen`), shown with exactly 2 (`formatFen`).
 * - UNIT PRICES (单价, 进价, 售价, a unit cost) are fen per unit with decimals: typed as yuan
 *   with at most 6 decimals (`priceYuanToFen`: ¥0.002 = 0.2 fen), stored as fen per BASE unit
 *   with 6 decimals (numeric(24,6)), shown with up to 6 decimals, trailing zeros trimmed but
 *   at least 2 (`formatPrice`: ¥0.002, ¥6.50, ¥0.270833).
 *
 * THE rounding rule (one place): a line amount is round-half-up to the fen of quantity × unit
 * price (`lineAmountFen`). When the price was given per pack unit (6.5/箱), the quantity is the
 * written pack quantity (2 箱 × ¥6.5 = ¥13.00), so a written price never loses its cents to a
 * per-base-unit rounding. Document totals are sums of line amounts, never recomputed.
 */
import { Dec, roundFen, stripThousands } from './decimal.js';
import { UNIT_COST_MAX_FEN } from './limits.js';

/** Decimal places a typed unit price may carry, in yuan. */
export const PRICE_YUAN_DP = 6;

/**
 * "12.5" / "¥12.50" / "12.5元" / "12.5块钱" → 1250n ("1,200" → 120000n). Refuses more than two decimals rather than
 * guessing, and a comma that is not a thousands separator ("2,5": NumberCommaError, decimal.ts).
 */
export function yuanToFen(text: string | number): bigint {
  const raw = String(text).trim().replace(/^[¥￥]/, '').replace(/(?:元|块钱)$/, '');
  const s = stripThousands(raw);
  if (!/^-?\d+(\.\d{1,2})?$/.test(s)) {
    throw new RangeError(`金额格式不对：「${text}」。请写成 12 或 12.50（元，最多两位小数）。`);
  }
  return roundFen(new Dec(s).times(100));
}

/**
 * A unit price typed in yuan ("0.002", "¥6.5", "6.5元", "55块钱") → fen as an exact Dec (0.2). At most
 * 6 decimals in yuan, not negative, at most ¥1000 亿 (src/shared/limits.ts); thousands separators
 * only as decimal.ts stripThousands allows ("2,5" → NumberCommaError). RangeError (Chinese) otherwise;
 * adapters wrap it with the field's name.
 */
export function priceYuanToFen(text: string | number): Dec {
  const raw = String(text).trim().replace(/^[¥￥]/, '').replace(/(?:元|块钱)$/, '');
  const s = stripThousands(raw);
  if (!/^\d+(\.\d+)?$/.test(s)) throw new RangeError(`单价「${text}」格式不对：请写成 6.5 或 0.002（元，不能为负）。`);
  if ((s.split('.')[1] ?? '').length > PRICE_YUAN_DP) throw new RangeError(`单价「${text}」小数位太多：最多 ${PRICE_YUAN_DP} 位小数（例如 0.002）。`);
  const fen = new Dec(s).times(100);
  if (fen.greaterThan(UNIT_COST_MAX_FEN)) throw new RangeError(`单价「${text}」太大：最多 1000 亿元。`);
  return fen;
}

/** THE rounding rule: round-half-up(qty × unit price) in whole fen (see the file comment). */
export function lineAmountFen(qty: Dec | string, unitPriceFen: Dec | string): bigint {
  return roundFen(new Dec(qty).times(unitPriceFen));
}

/** 1250n → "12.50"; accepts the string form services return. */
export function fenToYuan(fen: bigint | string | number): string {
  const v = new Dec(typeof fen === 'bigint' ? fen.toString() : fen);
  return v.dividedBy(100).toFixed(2);
}

/** 1250n → "¥12.50", -1250n → "-¥12.50". */
export function formatFen(fen: bigint | string | number): string {
  const s = fenToYuan(fen);
  return s.startsWith('-') ? `-¥${s.slice(1)}` : `¥${s}`;
}

/**
 * A unit price in fen (per some unit) as yuan for people: up to 6 decimals, trailing zeros
 * trimmed, at least 2 — 0.2 → "¥0.002", 650 → "¥6.50", 27.0833333 → "¥0.270833".
 */
export function formatPrice(fen: bigint | string | number | Dec): string {
  const v = new Dec(typeof fen === 'bigint' ? fen.toString() : (fen as string | number)).dividedBy(100).toDecimalPlaces(PRICE_YUAN_DP, Dec.ROUND_HALF_UP);
  let s = v.abs().toFixed(PRICE_YUAN_DP).replace(/0+$/, '');
  const [i, f = ''] = s.split('.');
  s = `${i}.${f.padEnd(2, '0')}`;
  return v.isNegative() ? `-¥${s}` : `¥${s}`;
}
