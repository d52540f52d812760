/**
 * Money as chat users type it → the canonical text the use cases take (src/kernel/canonical.ts):
 * yuan as plain decimal text, no ¥, no 元, no thousands separators. The checks and their
 * wording are the chat's own (bot/parse/args.ts priceFen / moneyFen), so a typing mistake is
 * answered with the command's usage; the use case's schema checks again.
 */
import { splitPriceText } from '../../src/inventory/prices.js';
import { humanMoney } from '../../src/kernel/human-input.js';
import { fenToYuan } from '../../src/shared/money.js';
import { moneyFen, priceFen } from './args.js';

/** ¥ / 元 / 块钱 and thousands separators dropped: the kernel's money rule (src/kernel/human-input.ts), shared with cards. */
const bare = (t: string) => humanMoney(t);

/**
 * A unit price per base unit ("进价=¥0.35", "售价=1,200元") → yuan text ("0.35", "1200"),
 * ≤ 6 decimals. UsageError naming `what` when it is not one.
 */
export function priceYuan(t: string, what: string): string {
  priceFen(t, what);
  return bare(t);
}

/**
 * A posting's unit price, per the unit the quantity was written in ("6.5") or per a named unit
 * ("6.5/箱", "6.5元/箱", "¥6.5/箱") → "6.5" / "6.5/箱". UsageError naming `what`.
 */
export function unitPriceYuan(t: string, what: string): string {
  const { yuan, unit } = splitPriceText(t);
  const y = priceYuan(yuan, what);
  return unit ? `${y}/${unit}` : y;
}

/** A line or stock amount ("金额=13", "¥1,234.5") → yuan text with two decimals ("13.00"). UsageError naming `what`. */
export function amountYuan(t: string, what: string): string {
  return fenToYuan(moneyFen(t, what));
}
