/**
 * What a posting reply echoes back, the same in chat (bot/commands/inventory.ts renderPosting)
 * and on the summary card (views.ts postingSummaryCard): the quantity in base and pack units,
 * the unit price per base unit — and per pack when the quantity was written in packs — the
 * line amount and the document total. The user sees what was understood, not only "done".
 */
import type { PostingLine, PostingResult } from '../../src/inventory/documents.js';
import { splitQuantity } from '../../src/inventory/units.js';
import { Dec } from '../../src/shared/decimal.js';
import { formatFen, formatPrice } from '../../src/shared/money.js';

const UNSIGNED_MOVES = new Set<string>(['purchase_receipt', 'production_receipt', 'opening', 'sales_issue', 'internal_issue', 'transfer_out', 'transfer_in']);
const UNSIGNED_DOCS = new Set<string>(['purchase_receipt', 'production_receipt', 'opening', 'sales_issue', 'internal_issue']);

/** True when the line's quantity was written in its pack unit ("2箱"). */
function writtenInPacks(l: PostingLine): boolean {
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
