/**
 * What the database can store, as input rules. Every numeric input is checked against the
 * column it lands in BEFORE it reaches SQL: Postgres would otherwise round a 7th decimal
 * silently (numeric(20,6)), turn 0.0000001 into a 0 that a CHECK then refuses, or overflow a
 * bigint — and the user would see neither what went wrong nor how to write it.
 *
 * Limits (db/schema.ts):
 * - quantities (qty, pack factor, safety stock): numeric(20,6) → at most 6 decimals, < 10^14.
 * - unit costs / prices, fen per base unit: numeric(24,6) → at most 6 decimals (of a fen);
 *   our bound is far inside the column: ≤ AMOUNT_MAX_FEN (¥1 000 亿 per unit).
 * - amounts, whole fen: bigint. One line ≤ AMOUNT_MAX_FEN = 10^13 fen (¥1 000 亿): a bound no
 *   SME line reaches, and small enough that a 500-line document, and the running stock value of
 *   ~900 000 such receipts, still fit a bigint (9.2 × 10^18).
 */
import { z } from 'zod';
import { Dec, NumberCommaError, stripThousands } from './decimal.js';

/** numeric(20,6): exclusive upper bound of a quantity. */
export const QTY_MAX = new Dec('1e14');
export const QTY_SCALE = 6;
/** Fen; ±, inclusive. */
export const AMOUNT_MAX_FEN = 10_000_000_000_000n;
/** Fen per base unit, inclusive. */
export const UNIT_COST_MAX_FEN = new Dec(AMOUNT_MAX_FEN.toString());
export const COST_SCALE = 6;

/** "100000000000000" → "10^14"-free wording people read: "100 万亿". */
function bigText(d: Dec): string {
  if (d.gte('1e12')) return `${d.dividedBy('1e12').toFixed()} 万亿`;
  if (d.gte('1e8')) return `${d.dividedBy('1e8').toFixed()} 亿`;
  if (d.gte('1e4')) return `${d.dividedBy('1e4').toFixed()} 万`;
  return d.toFixed();
}

export interface DecimalFieldOptions {
  /** Decimal places the column keeps. */
  scale: number;
  /** Upper bound; `maxExclusive` says whether the bound itself is allowed. */
  max: Dec;
  maxExclusive?: boolean;
  /** True: 0 is allowed (safety stock); false: must be > 0 (pack factor). */
  allowZero: boolean;
  /** Shown in every message: "例如 24 或 0.5". */
  example: string;
}

/**
 * A non-negative decimal (number or text) checked against storage scale and range; the output
 * is its canonical text ("24", "0.5"). Messages do not name the field: parseInput (and the card
 * toast) prefix it, e.g. 「包装换算数量」最多 6 位小数（收到「1.1234567」），例如 24 或 0.5.
 */
export function decimalField(o: DecimalFieldOptions) {
  const tail = `，例如 ${o.example}`;
  return z.union([z.number(), z.string()]).transform((v, ctx): string => {
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (typeof v === 'number' && !Number.isFinite(v)) return fail(`必须是数字${tail}`);
    let text = typeof v === 'number' ? new Dec(v).toFixed() : v.trim();
    try {
      text = stripThousands(text); // 1,000 is one thousand; 2,5 is refused, never 25 (decimal.ts)
    } catch (e) {
      if (e instanceof NumberCommaError) return fail(e.message);
      throw e;
    }
    if (!/^\d+(\.\d+)?$/.test(text)) return fail(`必须是${o.allowZero ? '不小于 0' : '大于 0'}的数字（收到「${text.slice(0, 30)}」）${tail}`);
    const d = new Dec(text);
    if (d.decimalPlaces() > o.scale) return fail(`最多 ${o.scale} 位小数（收到「${text.slice(0, 30)}」，不会替你四舍五入）${tail}`);
    if (!o.allowZero && d.isZero()) return fail(`必须大于 0${tail}`);
    if (o.maxExclusive ? d.gte(o.max) : d.gt(o.max)) return fail(`太大（${o.maxExclusive ? '必须小于' : '最多'} ${bigText(o.max)}）${tail}`);
    return d.toFixed();
  });
}

/** A quantity-like decimal: numeric(20,6). */
export const qtyField = (o: { allowZero: boolean; example: string }) =>
  decimalField({ scale: QTY_SCALE, max: QTY_MAX, maxExclusive: true, ...o });

/** Whole fen within ±AMOUNT_MAX_FEN; message for a refine on a bigint. */
export const amountInRange = (v: bigint) => v <= AMOUNT_MAX_FEN && v >= -AMOUNT_MAX_FEN;
export const AMOUNT_RANGE_MESSAGE = `太大（一行最多 ${bigText(new Dec(AMOUNT_MAX_FEN.toString()).dividedBy(100))} 元），请检查是否多打了数字，例如 金额=480`;

/**
 * THE lengths of text fields, in characters, for every adapter: the use cases' schemas
 * (src/inventory/schemas.ts, use-cases/*.ts), chat's own early checks (bot/commands) and the
 * cards' input maxLength read this table, so chat, cards and REST refuse at the same length and
 * the message says it (「名称」太长（最多 200 个字）, chat 名称最多 200 个字). Chosen by what the
 * field holds, inside what db/schema.ts stores (text columns: the bound is ours, not the column's).
 */
export const TEXT_MAX = Object.freeze({
  sku: 64,
  name: 200,
  model: 100,
  spec: 200,
  category: 100,
  barcode: 64,
  unit: 10,
  remark: 500,
  reason: 500,
  /** One product alias (别名). */
  alias: 50,
  /** How many aliases a product may have. */
  aliasCount: 20,
  /** How many unit aliases (单位别名) a product may have. */
  unitAliasCount: 20,
  batchNo: 64,
  warehouseName: 100,
  warehouseCode: 32,
});

/** A text field of the table above. */
export type TextField = keyof typeof TEXT_MAX;

/** "名称最多 200 个字（收到 230 个字）": chat's wording of a field over its length. */
export function tooLongText(label: string, field: TextField, got: string): string {
  return `${label}最多 ${TEXT_MAX[field]} 个字（收到 ${[...got].length} 个字）`;
}
