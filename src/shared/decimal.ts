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

/**
 * A number written with a comma that is not a valid thousands separator ("2,5", "2,06",
 * "1，5", "1,00", "1.5,000"). The message is for people and says how to write it; adapters
 * show it as is (RangeError so money/quantity callers that already map RangeError keep working).
 */
export class NumberCommaError extends RangeError {
  constructor(readonly input: string) {
    super(commaMessage(input));
    this.name = 'NumberCommaError';
  }
}

function commaMessage(bad: string): string {
  const commas = bad.match(/[,，]/g)?.length ?? 0;
  // One comma and no point: the writer almost surely meant a decimal point (2,5 → 2.5).
  const suggest = commas === 1 && !bad.includes('.') ? bad.replace(/[,，]/, '.') : null;
  return `「${bad}」看不懂：小数请用点号，${suggest ? `写成 ${suggest}` : '例如 2.5'}；千位分隔写成 1,000`;
}

/**
 * A run of digits with at least one comma (half- or full-width) between digits, plus any point
 * or digits glued to it: "1,000", "12,345.5", "2,5", "1.5,000". Not preceded by a letter, digit,
 * point or a SKU's "-" ("A001,5" is a code and a separate word, not a number).
 */
export const COMMA_NUMBER = /(?<![A-Za-z0-9_.]|[A-Za-z0-9_]-)\d[\d.]*(?:[,，]\d[\d.]*)+/g;
/** The only comma a number may carry: thousands, 1–3 digits then groups of exactly 3. */
const THOUSANDS = /^\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?$/;

/**
 * THE reading of commas inside numbers, used wherever a number is typed (quantities, unit
 * prices, amounts, key=value options, card fields): valid thousands separators are removed
 * ("1,000" → "1000", "2箱1,200个" → "2箱1200个", "¥12,345.5" → "¥12345.5"); any other comma
 * between digits throws NumberCommaError ("2,5" is not 25, not 2 and 5 — it is refused).
 * Text without such a comma comes back unchanged (other checks are the caller's).
 */
export function stripThousands(text: string): string {
  return text.replace(COMMA_NUMBER, (run) => {
    if (!THOUSANDS.test(run)) throw new NumberCommaError(run);
    return run.replace(/[,，]/g, '');
  });
}
