/**
 * What a posting reply echoes back, the same in chat (bot/commands/inventory.ts renderPosting)
 * and on the summary card (views.ts postingSummaryCard): the quantity in base and pack units,
 * the unit price per base unit — and per pack when the quantity was written in packs — the
 * line amount and the document total. The user sees what was understood, not only "done".
 */
import { grossProfitFen } from '../../src/inventory/sale-price.js';
import type { PostingLine, PostingResult } from '../../src/inventory/documents.js';
import { splitQuantity } from '../../src/inventory/units.js';
import { Dec } from '../../src/shared/decimal.js';
import { formatFen, formatPrice } from '../../src/shared/money.js';

const UNSIGNED_MOVES = new Set<string>(['purchase_receipt', 'production_receipt', 'opening', 'sales_issue', 'internal_issue', 'transfer_out', 'transfer_in']);
const UNSIGNED_DOCS = new Set<string>(['purchase_receipt', 'production_receipt', 'opening', 'sales_issue', 'internal_issue']);

/** True when the line's quantity was written in its pack unit ("2箱"). */
function writtenInPacks(l: Pick<PostingLine, 'packUnit' | 'packFactor' | 'enteredQty'>): boolean {
  if (!l.packUnit || !l.packFactor || !l.enteredQty) return false;
  const parts = splitQuantity(l.enteredQty);
  return !!parts && parts.some((p) => p.unit.toLowerCase() === l.packUnit!.toLowerCase());
}

/**
 * A line's price and amount for people: `price` "¥0.270833/个（¥6.50/箱）" is the entered
 * price when one was typed, else the move's unit cost (issues, transfers: the moving average);
 * `amount` without sign.
 */
export function linePrice(l: PostingLine): { label: string; price: string; amount: string } {
  const perBase = new Dec(l.enteredUnitPrice ?? l.unitCost);
  const label = l.enteredUnitPrice == null && (l.qty.startsWith('-') || l.kind === 'transfer_in') ? '成本单价' : '单价';
  const pack = writtenInPacks(l) ? `（${formatPrice(perBase.times(l.packFactor!))}/${l.packUnit}）` : '';
  // Receipts, issues and transfers read without sign (the kind says the direction); a reversal,
  // a stocktake or a cost adjustment keeps its sign.
  const value = UNSIGNED_MOVES.has(l.kind) ? new Dec(l.valueFen).abs() : new Dec(l.valueFen);
  return { label, price: `${formatPrice(perBase)}/${l.baseUnit}${pack}`, amount: formatFen(value.toFixed()) };
}

/** "单价 ¥0.270833/个（¥6.50/箱），金额 ¥13.00" */
export function linePriceText(l: PostingLine): string {
  const p = linePrice(l);
  return `${p.label} ${p.price}，金额 ${p.amount}`;
}

/**
 * The document's amount as people read it: the sum of the line amounts without sign; a
 * transfer's value is what moved (its in legs), not the zero its two legs net to.
 */
export function postingTotalText(r: PostingResult): string {
  const lines = r.document.kind === 'transfer' ? r.lines.filter((l) => l.kind === 'transfer_in') : r.lines;
  if (r.document.kind === 'transfer') return formatFen(lines.reduce((s, l) => s + BigInt(l.valueFen), 0n));
  const total = new Dec(r.document.totalValueFen);
  return formatFen((UNSIGNED_DOCS.has(r.document.kind) ? total.abs() : total).toFixed());
}

/** The sale fields of a line as a use case returns them (absent: no selling price; valueFen absent without cost.view). */
type SaleLine = Pick<PostingLine, 'kind' | 'baseUnit' | 'packUnit' | 'packFactor' | 'enteredQty' | 'salePrice' | 'saleAmountFen'> & { valueFen?: string };

/**
 * A sales issue line's sale for people (src/inventory/sale-price.ts): "售价 ¥36.00/箱（¥1.50/个），
 * 销售金额 ¥72.00，毛利 ¥20.00" — per pack first when the quantity was written in packs; the gross
 * profit (sale − cost) only when the line's cost is there (the viewer holds cost.view). Null
 * when the line has no selling price.
 */
export function saleLineText(l: SaleLine): string | null {
  if (l.salePrice === undefined || l.saleAmountFen === undefined) return null;
  const perBase = new Dec(l.salePrice);
  const price = writtenInPacks(l)
    ? `${formatPrice(perBase.times(l.packFactor!))}/${l.packUnit}（${formatPrice(perBase)}/${l.baseUnit}）`
    : `${formatPrice(perBase)}/${l.baseUnit}`;
  const profit = l.valueFen === undefined ? '' : `，毛利 ${formatFen(grossProfitFen([{ saleAmountFen: l.saleAmountFen, valueFen: l.valueFen }]))}`;
  return `售价 ${price}，销售金额 ${formatFen(l.saleAmountFen)}${profit}`;
}

/**
 * The document's sale: "销售金额 ¥72.00，毛利 ¥20.00（毛利率 27.78%）" over the lines with a selling
 * price (the profit against those lines' cost, only when costs are shown), or null when no line
 * has one.
 */
export function saleTotalText(lines: readonly SaleLine[]): string | null {
  const sold = lines.filter((l) => l.saleAmountFen !== undefined);
  if (!sold.length) return null;
  const sale = sold.reduce((s, l) => s + BigInt(l.saleAmountFen!), 0n);
  if (sold.some((l) => l.valueFen === undefined)) return `销售金额 ${formatFen(sale)}`;
  const profit = grossProfitFen(sold.map((l) => ({ saleAmountFen: l.saleAmountFen!, valueFen: l.valueFen! })));
  const margin = sale !== 0n ? `（毛利率 ${new Dec(profit.toString()).times(100).dividedBy(sale.toString()).toFixed(2)}%）` : '';
  return `销售金额 ${formatFen(sale)}，毛利 ${formatFen(profit)}${margin}`;
}
