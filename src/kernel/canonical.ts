/**
 * Building blocks of canonical use-case input: what REST accepts and OpenAPI publishes, and
 * what chat and card normalisers must produce. Strict on purpose — a client that sends a
 * float, a Chinese money word or "2,5" gets a clear 422, never a guess:
 *
 * - commas inside numbers are read by THE shared rule (src/shared/decimal.ts stripThousands), as
 *   chat reads them: "1,000" is a thousand, "2,5" is refused with「小数请用点号，写成 2.5」;
 * - quantities: decimal text in the base unit ("24", "0.5"), or text in the product's units
 *   ("2箱", "2箱3个"), always a string;
 * - money amounts: yuan as a decimal string with at most 2 decimals ("480", "12.50");
 * - unit prices: yuan with at most 6 decimals ("6.5", "0.002"), per the unit the quantity was
 *   written in, or per a named unit ("6.5/箱");
 * - references: a positive integer id, or the record's code text (SKU, warehouse code, name);
 * - times: ISO 8601 with an offset ("2026-11-25T09:30:00+08:00").
 *
 * What people type (full-width ２, 十箱, ¥6.5元, Ａ００１) is made canonical BEFORE these schemas,
 * by src/kernel/human-input.ts, and only for human callers (chat, cards: Caller.input 'human').
 * These building blocks stay strict so a machine client learns the one way to write a value.
 */
import { z } from 'zod';
import { NumberCommaError, stripThousands } from '../shared/decimal.js';
import { yuanToFen } from '../shared/money.js';

const YUAN_AMOUNT = /^\d{1,11}(\.\d{1,2})?$/;
const YUAN_PRICE = /^\d{1,11}(\.\d{1,6})?(\/\S{1,10})?$/;
const QTY_TEXT = /^\d{1,15}(\.\d{1,6})?\s*(\p{L}{1,10}(\s*\d{1,15}(\.\d{1,6})?\s*\p{L}{1,10})?)?$/u;

/** Largest id (a Postgres integer): a bigger number is a barcode written without quotes. */
const MAX_ID = 2_147_483_647;

/**
 * An id or a code: `12` or `"A001"`. How text is matched is the caller's ReferenceMode
 * (src/kernel/use-case.ts): REST takes only exact references, chat also searches.
 */
export const refOf = (what: string, example: string) =>
  z
    .union([
      z.number().int().positive().max(MAX_ID, `id 太大：条码、编码请写成文本（加引号），例如 "6901234567890"`),
      z.string().trim().min(1, `请填写${what}`).max(200),
    ])
    .describe(`${what}：id（JSON 里的整数），或文本（编码/条码/完整名称，精确匹配），例如 ${example}`);

/**
 * Decimal text checked against `shape` after the shared comma rule: "1,000" passes as written
 * (services read commas with the same stripThousands), "2,5" fails with the rule's own message.
 */
const numberText = (shape: RegExp, message: string) =>
  z
    .string()
    .trim()
    .superRefine((s, ctx) => {
      let plain: string;
      try {
        plain = stripThousands(s);
      } catch (e) {
        if (!(e instanceof NumberCommaError)) throw e;
        ctx.addIssue({ code: 'custom', message: e.message, input: s });
        return;
      }
      if (!shape.test(plain)) ctx.addIssue({ code: 'custom', message, input: s });
    });

/** A quantity as text (see the file comment). */
export const qtyText = numberText(QTY_TEXT, '格式不对：写成 24、0.5、2箱 或 2箱3个').describe(
  '数量（文本）：基本单位的十进制数（"24"、"0.5"，最多 6 位小数），或带商品单位（"2箱"、"2箱3个"）；千位分隔可写 "1,000"',
);

/** Money amount in yuan, ≤ 2 decimals, as text. */
export const yuanAmount = numberText(YUAN_AMOUNT, '格式不对：写成 480 或 12.50（元，最多两位小数）').describe('金额（元，文本，最多两位小数），例如 "480.00"');

/** Unit price in yuan, ≤ 6 decimals, optionally per a named unit. */
export const yuanPrice = numberText(YUAN_PRICE, '格式不对：写成 6.5、0.002 或 6.5/箱（元，最多 6 位小数）').describe(
  '单价（元，文本，最多 6 位小数），按数量所写的单位计；或写明单位 "6.5/箱"',
);

/** ISO 8601 date-time with offset. */
export const isoTime = z.iso.datetime({ offset: true, message: '格式不对：写成 2026-11-25T09:30:00+08:00' }).describe('业务时间（ISO 8601，带时区）');

/** Free text (remark, reason): trimmed, empty → null. */
export const note = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .nullable()
    .transform((s) => (s ? s : null));

/** Cursor pagination of list use cases: an opaque cursor from the previous page, and a page size. */
export const pageInput = {
  cursor: z.string().max(200).optional().describe('上一页返回的 nextCursor'),
  limit: z.coerce.number().int().min(1, '每页至少 1 条').max(500, '每页最多 500 条').default(50),
};

/** Yuan text (already validated by yuanAmount) → fen. */
export const amountFen = (yuan: string): bigint => yuanToFen(yuan);

/** ISO text → Date (undefined stays undefined). */
export const timeOf = (iso: string | undefined): Date | undefined => (iso === undefined ? undefined : new Date(iso));
