/**
 * A sales issue's selling price (issue 10 item 5: `出库 … 售价=…`), recorded on the document
 * until sales orders exist. Per line, typed in yuan by THE price rule (prices.ts): per the unit
 * the quantity was written in (2箱 售价=36 = ¥36 per 箱) or per the unit named (36/箱). Stored
 * on each move of the line (stock_moves.sale_price, fen per base unit, 6 decimals) with the
 * move's share of the line amount (stock_moves.sale_amount_fen): a line picked from two batches
 * is two moves whose sale amounts add up to the line amount exactly (allocate, by quantity).
 * Only sales issues carry one: 领用 (internal use) sells nothing and refuses it. Nothing is
 * invented: without 售价 the moves carry none (the product's list price is not a sale).
 */
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { allocate } from '../shared/allocate.js';
import type { Dec } from '../shared/decimal.js';
import type { Ledger } from './ledger.js';
import type { IssueKind } from './moves.js';
import { pricedLine, type PricedLine } from './prices.js';
import { issueInputSchema, issueLineSchema, unitPriceTextSchema } from './schemas.js';
import type { UnitInfo } from './units.js';

/** The issue service's input: an issue line may carry `salePrice` (yuan text, see the file comment). */
export const issueWithSaleInputSchema = issueInputSchema.extend({
  lines: z
    .array(issueLineSchema.extend({ salePrice: unitPriceTextSchema.optional() }))
    .min(1, '至少需要一行商品')
    .max(500),
});
export type IssueWithSaleInput = z.input<typeof issueWithSaleInputSchema>;

/**
 * The sale of one line of `qty` (`qtyBase` base units) at `salePrice`, or null when none was
 * given. DomainError('invalid_input') for a price on an internal issue, or a price the rule
 * refuses (prices.ts pricedLine).
 */
export function saleOfLine(kind: IssueKind, product: UnitInfo, qty: string | number, qtyBase: Dec, salePrice: string | undefined): PricedLine | null {
  if (salePrice === undefined || salePrice.trim() === '') return null;
  if (kind !== 'sales_issue') {
    throw new DomainError('invalid_input', `领用出库是内部领用，没有售价：请去掉售价「${salePrice}」，或改为销售出库。`, { input: salePrice, kind });
  }
  return pricedLine(product, qty, qtyBase, salePrice, '售价');
}

/**
 * Put a line's sale on the moves the line just planned (those after `from`): each move the
 * price per base unit and its share of the line amount by quantity.
 */
export function stampSale(ledger: Ledger, from: number, sale: PricedLine | null): void {
  if (!sale) return;
  const moves = ledger.moves.slice(from);
  const shares = allocate(
    sale.amountFen,
    moves.map((m) => m.qty.abs()),
  );
  moves.forEach((m, i) => {
    m.salePrice = sale.perBase;
    m.saleAmountFen = shares[i];
  });
}

/**
 * Gross profit of sales moves, whole fen: sales amount − cost of goods sold, where the cost is
 * what the moves took out of stock value (their signed value_fen: negative for an issue). A
 * reversal carries both signs back (sale −, value +), so a sale and its 红冲 net to zero.
 */
export function grossProfitFen(lines: readonly { saleAmountFen: string | bigint; valueFen: string | bigint }[]): bigint {
  return lines.reduce((sum, l) => sum + BigInt(l.saleAmountFen) + BigInt(l.valueFen), 0n);
}
