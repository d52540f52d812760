/**
 * Moving weighted average valuation, per product across all warehouses (stock_valuations).
 *
 * THE RULES (DOMAIN.md), true after every posting, per product:
 *   R1  value ≥ 0;
 *   R2  quantity 0 ⇒ value 0;
 *   R3  quantity Q > 0 ⇒ ⌊Q × min⌋ ≤ value ≤ ⌈Q × max⌉ (whole fen), where [min, max] is the
 *       range of the unit costs that ENTERED since the quantity was last 0 (stock_valuations
 *       .min_cost / .max_cost, null while nothing is on hand).
 *
 * What "entered" means (the same sentences are replayed by verify.ts and the property test):
 * - a move that adds goods and value to the product — a receipt (RK/SC/QC), a stocktake gain,
 *   a reversal of an issue or of a stocktake loss — enters the unit cost value ÷ qty, widened
 *   outward to 6 decimals (min rounds down, max up: a cost is stored with 6 decimals of a fen,
 *   and the band must contain what really entered, ¥0.005 receipts rounded to the fen included);
 * - a 成本调整 document (cost_adjustment, TZ) enters its stated unit cost (the move's unit_cost)
 *   and the average it results in (value ÷ qty after it, widened outward the same way);
 * - transfers enter nothing (valuation is per product; a transfer moves value between places);
 * - a reversal of a receipt or a gain takes the reversed entry OUT of the range: the range is
 *   recomputed from the entries that remain (reversal.ts, remainingCostRanges);
 * - when the quantity reaches 0 the range is reset (null); counting starts again.
 *
 * Arithmetic:
 * - A receipt adds its qty and its value (round-half-up(qty × unit cost), or the given amount).
 *   Average = value / qty, kept to 6 decimals, recomputed after every change while qty > 0;
 *   at qty 0 the last average is kept (it values a later stocktake gain).
 * - An issue of q out of Q on hand with value V takes round-half-up(V × q / Q) fen — and when
 *   q = Q it takes exactly V. That share is then kept inside R1–R3 for what stays: it is clamped
 *   to [V − ⌈(Q−q)·max⌉, V − ⌊(Q−q)·min⌋] ∩ [0, V]. With whole-fen costs this never bites; with
 *   sub-fen costs (¥0.002 parts) it stops the drift where issuing 1 unit at a time always rounds
 *   to 0 fen and the average of what remains climbs above every cost that entered. The interval
 *   is never empty while R1–R3 held before (⌊Q·min⌋ ≤ V), and at q = Q it is exactly {V}.
 *   The value on hand is always the sum of the ledger's values: residue stays on hand and
 *   leaves with the last unit, never lost or invented.
 * - A transfer moves value between warehouses at the same proportional rule (no clamp: the
 *   product's total qty and value do not change).
 * - A reversal posts the original moves' exact opposite values (not today's average). When that
 *   alone would break R1–R3 (the goods of a receipt were partly issued at a higher average, and
 *   the reversal takes them out at their own lower cost…), the product is brought back inside:
 *   quantity 0 → value 0, else the value is clamped into the band of the remaining range, and
 *   the difference is posted as an explicit 'cost_adjustment' move on the same reversal
 *   document (Ledger.restoreRules). Never absorbed silently.
 */
import { Dec, ZERO, roundFen } from '../shared/decimal.js';

export interface CostRange {
  /** Fen per base unit, 6 decimals. */
  min: Dec;
  max: Dec;
}

export interface Valuation {
  qty: Dec;
  valueFen: bigint;
  /** Fen per base unit, 6 decimals. */
  avgCost: Dec;
  /**
   * The range of unit costs that entered since qty was last 0 (see the file comment); null or
   * omitted = none known (qty 0; or a caller that only needs the proportional share).
   */
  minCost?: Dec | null;
  maxCost?: Dec | null;
}

export const emptyValuation = (): Valuation => ({ qty: ZERO, valueFen: 0n, avgCost: ZERO, minCost: null, maxCost: null });

const toBig = (d: Dec) => BigInt(d.toFixed(0));

/** The range a single entry of `valueFen` for `qty` (> 0) brings: value ÷ qty, outward to 6 dp. */
export function enteredCostRange(qty: Dec, valueFen: bigint): CostRange {
  const c = new Dec(valueFen.toString()).dividedBy(qty);
  return { min: c.toDecimalPlaces(6, Dec.ROUND_FLOOR), max: c.toDecimalPlaces(6, Dec.ROUND_CEIL) };
}

/** The smallest range holding both (either may be null). */
export function widen(a: CostRange | null | undefined, b: CostRange | null | undefined): CostRange | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return { min: Dec.min(a.min, b.min), max: Dec.max(a.max, b.max) };
}

export function rangeOf(v: Valuation): CostRange | null {
  return v.minCost != null && v.maxCost != null ? { min: v.minCost, max: v.maxCost } : null;
}

/** R3's band for `qty` units: [⌊qty·min⌋, ⌈qty·max⌉] fen; {0, 0} at qty 0; null when no range is known. */
export function valueBand(qty: Dec, range: CostRange | null): { lo: bigint; hi: bigint } | null {
  if (qty.lessThanOrEqualTo(0)) return { lo: 0n, hi: 0n };
  if (!range) return null;
  return { lo: toBig(qty.times(range.min).floor()), hi: toBig(qty.times(range.max).ceil()) };
}

/**
 * The issue value of q (0 < q ≤ Q) out of the valuation: round-half-up(V·q/Q), all of V when
 * q = Q, clamped so that what stays keeps R1–R3 (file comment). Without a range: no clamp
 * beyond [0, V] (transfer legs pass none: their share is informational).
 */
export function issueValue(v: Valuation, q: Dec): bigint {
  if (v.qty.lessThanOrEqualTo(0)) return 0n;
  let iv = q.equals(v.qty) ? v.valueFen : roundFen(new Dec(v.valueFen.toString()).times(q).dividedBy(v.qty));
  const range = rangeOf(v);
  if (range) {
    const rest = v.qty.minus(q);
    const lo = v.valueFen - toBig(rest.times(range.max).ceil());
    const hi = v.valueFen - toBig(rest.times(range.min).floor());
    if (iv < lo) iv = lo;
    if (iv > hi) iv = hi;
  }
  const top = v.valueFen > 0n ? v.valueFen : 0n;
  if (iv > top) iv = top;
  if (iv < 0n) iv = 0n;
  return iv;
}

/** Value of a receipt of q at `unitCost` fen per base unit. */
export function receiptValue(q: Dec, unitCost: Dec): bigint {
  return roundFen(q.times(unitCost));
}

/**
 * Apply a signed move to a product's valuation; returns the new valuation. `entered`: the cost
 * range the move brings in (enteredCostRange for a receipt, …), null for an exit. At qty 0 the
 * range resets.
 */
export function applyMove(v: Valuation, qty: Dec, valueFen: bigint, entered: CostRange | null = null): Valuation {
  const q = v.qty.plus(qty);
  const value = v.valueFen + valueFen;
  const avg = q.greaterThan(0) ? new Dec(value.toString()).dividedBy(q).toDecimalPlaces(6, Dec.ROUND_HALF_UP) : v.avgCost;
  const range = q.greaterThan(0) ? widen(v.qty.greaterThan(0) ? rangeOf(v) : null, entered) : null;
  return { qty: q, valueFen: value, avgCost: avg, minCost: range?.min ?? null, maxCost: range?.max ?? null };
}

/** The value R1–R3 allow that is nearest to the current one (qty 0 → 0; else into the band). */
export function valueWithinRules(v: Valuation): bigint {
  if (v.qty.lessThanOrEqualTo(0)) return 0n;
  let target = v.valueFen < 0n ? 0n : v.valueFen;
  const band = valueBand(v.qty, rangeOf(v));
  if (band) {
    if (target < band.lo) target = band.lo;
    if (target > band.hi) target = band.hi;
  }
  return target;
}

export type RuleBreach = 'value_negative' | 'zero_qty_nonzero_value' | 'outside_entered_costs';

/**
 * Which rule the valuation breaks, or null. `toleranceFen` widens R3's band on both sides
 * (verify.ts uses ⌈Q × 0.000001⌉: a unit cost is kept to 6 decimals of a fen).
 */
export function ruleBreach(v: Valuation, toleranceFen = 0n): RuleBreach | null {
  if (v.valueFen < 0n) return 'value_negative';
  if (v.qty.isZero()) return v.valueFen === 0n ? null : 'zero_qty_nonzero_value';
  const band = valueBand(v.qty, rangeOf(v));
  if (band && (v.valueFen < band.lo - toleranceFen || v.valueFen > band.hi + toleranceFen)) return 'outside_entered_costs';
  return null;
}

/** verify's R3 tolerance for `qty` units: ⌈qty × 0.000001⌉ fen (the 6-decimal precision of a stored cost). */
export function costTolerance(qty: Dec): bigint {
  return toBig(qty.abs().times('0.000001').ceil());
}

/** Unit cost shown on a move: its value over its qty (6 decimals), or the average for zero-value moves. */
export function unitCostOf(qty: Dec, valueFen: bigint): Dec {
  if (qty.isZero()) return ZERO;
  return new Dec(valueFen.toString()).dividedBy(qty).abs().toDecimalPlaces(6, Dec.ROUND_HALF_UP);
}
