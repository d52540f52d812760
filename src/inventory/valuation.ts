/**
 * Moving weighted average valuation, per product across all warehouses (stock_valuations).
 *
 * Rules (the property test's reference model implements the same sentences independently):
 * - A receipt adds its qty and its value (round-half-up(qty × unit cost), or the given amount).
 *   Average = value / qty, kept to 6 decimals, recomputed after every change while qty > 0;
 *   at qty 0 the last average is kept (it values a later stocktake gain).
 * - An issue of q out of Q on hand with value V takes round-half-up(V × q / Q) fen — and when
 *   q = Q it takes exactly V. So the value on hand is always the sum of the ledger's values:
 *   rounding residue stays on hand and leaves with the last unit, never lost or invented.
 * - A transfer moves value between warehouses at the same rule, but the product's total qty and
 *   value do not change (valuation is per product, not per warehouse).
 * - A reversal posts the original moves' exact opposite values (not today's average).
 */
import { Dec, ZERO, roundFen } from '../shared/decimal.js';

export interface Valuation {
  qty: Dec;
  valueFen: bigint;
  /** Fen per base unit, 6 decimals. */
  avgCost: Dec;
}

export const emptyValuation = (): Valuation => ({ qty: ZERO, valueFen: 0n, avgCost: ZERO });

/** round-half-up(V × q / Q); the whole V when q = Q. */
export function issueValue(v: Valuation, q: Dec): bigint {
  if (v.qty.lessThanOrEqualTo(0)) return 0n;
  if (q.equals(v.qty)) return v.valueFen;
  return roundFen(new Dec(v.valueFen.toString()).times(q).dividedBy(v.qty));
}

/** Value of a receipt of q at `unitCost` fen per base unit. */
export function receiptValue(q: Dec, unitCost: Dec): bigint {
  return roundFen(q.times(unitCost));
}

/** Apply a signed move to a product's valuation; returns the new valuation. */
export function applyMove(v: Valuation, qty: Dec, valueFen: bigint): Valuation {
  const q = v.qty.plus(qty);
  const value = v.valueFen + valueFen;
  const avg = q.greaterThan(0) ? new Dec(value.toString()).dividedBy(q).toDecimalPlaces(6, Dec.ROUND_HALF_UP) : v.avgCost;
  return { qty: q, valueFen: value, avgCost: avg };
}

/** Unit cost shown on a move: its value over its qty (6 decimals), or the average for zero-value moves. */
export function unitCostOf(qty: Dec, valueFen: bigint): Dec {
  if (qty.isZero()) return ZERO;
  return new Dec(valueFen.toString()).dividedBy(qty).abs().toDecimalPlaces(6, Dec.ROUND_HALF_UP);
}
