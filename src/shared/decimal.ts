/**
 * Exact arithmetic for quantities and money. Quantities are decimal.js values (Postgres
 * numeric(20,6) comes back as a string); money is whole fen in bigint. JavaScript floats never
 * touch either.
 *
 * Rounding rule (one place, used everywhere): half-up, i.e. away from zero at .5
 * (Decimal.ROUND_HALF_UP), both when a value in fen is derived from qty × cost and when a
 * quantity is normalised to the 6 decimals the database stores.
 */
import DecimalJs from 'decimal.js';

/** A private Decimal constructor: 50 significant digits, half-up. Never mutate the global one. */
export const Dec = DecimalJs.clone({ precision: 50, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -30, toExpPos: 40 });
export type Dec = InstanceType<typeof Dec>;

/** Scale of numeric(20,6) quantities and numeric(24,6) unit costs. */
export const QTY_DP = 6;
export const COST_DP = 6;

export const ZERO = new Dec(0);

export function dec(v: string | number | bigint | Dec): Dec {
  if (typeof v === 'bigint') return new Dec(v.toString());
  return new Dec(v as string | number);
}

/** Round to whole fen, half-up (away from zero), as a bigint. */
export function roundFen(v: Dec): bigint {
  return BigInt(v.toDecimalPlaces(0, Dec.ROUND_HALF_UP).toFixed(0));
}

/** Canonical text of a quantity: at most 6 decimals, no trailing zeros ("24", "0.5"). */
export function qtyText(v: Dec | string): string {
  const d = typeof v === 'string' ? new Dec(v) : v;
  return d.toDecimalPlaces(QTY_DP, Dec.ROUND_HALF_UP).toFixed();
}

/** Canonical text of a unit cost (fen per base unit, 6 decimals max). */
export function costText(v: Dec | string): string {
  const d = typeof v === 'string' ? new Dec(v) : v;
  return d.toDecimalPlaces(COST_DP, Dec.ROUND_HALF_UP).toFixed();
}

/** True when the value has no more decimals than the database keeps. */
export function fitsQtyScale(v: Dec): boolean {
  return v.decimalPlaces() <= QTY_DP;
}
