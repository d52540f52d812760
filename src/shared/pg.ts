/**
 * Driver-neutral helpers for Postgres errors and transactions. drizzle wraps driver errors
 * (DrizzleQueryError with `cause`), postgres.js and PGlite put the SQLSTATE in `code`.
 */
import { DomainError } from '../errors.js';

export function pgErrorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export function pgConstraint(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const c = (cur as { constraint_name?: unknown; constraint?: unknown }).constraint_name ?? (cur as { constraint?: unknown }).constraint;
    if (typeof c === 'string') return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
const RETRYABLE = new Set(['40001', '40P01']);

/** Thrown inside a transaction to ask withRetry for a clean second attempt. */
export class RetryTransaction extends Error {}

/**
 * Run `fn` (one whole transaction) again when Postgres aborted it for a serialization failure
 * or deadlock. Our lock order makes deadlocks impossible among our own postings; this is the
 * belt to those braces, so a user never sees one.
 */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const retry = e instanceof RetryTransaction || RETRYABLE.has(pgErrorCode(e) ?? '');
      if (!retry || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 10 * i)));
    }
  }
}

const DATA_EXCEPTION_OVERFLOW = '22003';
const INVALID_TEXT = '22P02';
const CHECK_VIOLATION = '23514';

/** "Key (sku)=(A001) already exists." → "A001" (postgres.js and PGlite both pass `detail`). */
function keyValue(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const d = (cur as { detail?: unknown }).detail;
    if (typeof d === 'string') return d.match(/\)=\((.*)\) already exists/)?.[1];
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

const quoted = (v: string | undefined) => (v ? `「${v.slice(0, 64)}」` : '');

/** CHECK constraints of db/schema.ts → what the user did and how to write it. */
const CHECKS: Record<string, () => DomainError> = {
  products_pack_factor_positive: () =>
    new DomainError('invalid_input', '「包装换算数量」必须大于 0，最多 6 位小数，例如 包装=箱:24。没有保存任何改动。'),
  products_safety_stock_nonneg: () => new DomainError('invalid_input', '「安全库存」不能是负数，例如 安全库存=100。没有保存任何改动。'),
  products_qty_decimals_range: () => new DomainError('invalid_input', '「数量小数位」只能是 0 到 6。没有保存任何改动。'),
  stock_balances_qty_nonneg: () =>
    new DomainError('insufficient_stock', '库存不足：同一时间另一笔出库用掉了库存。没有保存任何改动，请发「库存 <商品>」查看后重试。'),
  stock_valuations_qty_nonneg: () =>
    new DomainError('insufficient_stock', '库存不足：同一时间另一笔出库用掉了库存。没有保存任何改动，请发「库存 <商品>」查看后重试。'),
  stock_valuations_value_nonneg: () =>
    new DomainError('conflict', '这笔操作会让商品的库存金额变成负数，没有保存任何改动。请检查单价和数量；成本录错请用成本调整。'),
  stock_moves_qty_nonzero: () =>
    new DomainError('invalid_input', '「数量」是 0（或小数超过 6 位被舍成了 0），没有保存任何改动。请写大于 0 的数量，最多 6 位小数，例如 24 或 0.5。'),
  payments_amount_nonzero: () => new DomainError('invalid_input', '「金额」不能是 0。没有保存任何改动。'),
};

/** Unique constraints → a conflict naming the value taken. */
const UNIQUES: [RegExp, (v: string | undefined) => DomainError][] = [
  [/^products_sku/, (v) => new DomainError('conflict', `SKU${quoted(v)}已存在，请换一个编码。`, { sku: v })],
  [/^products_barcode/, (v) => new DomainError('conflict', `条码${quoted(v)}已被其他商品使用。`, { barcode: v })],
  [/^warehouses_name/, (v) => new DomainError('conflict', `仓库${quoted(v)}已存在，请换一个名称。`, { name: v })],
  [/^warehouses_code/, (v) => new DomainError('conflict', `仓库编码${quoted(v)}已存在，请换一个编码。`, { code: v })],
  [/^warehouses_one_default/, () => new DomainError('conflict', '同时只能有一个默认仓库：另一个操作刚刚改了默认仓库，请重试。')],
  [/^(suppliers|customers)_name/, (v) => new DomainError('conflict', `名称${quoted(v)}已存在，请换一个名称。`, { name: v })],
  [/^(suppliers|customers)_code/, (v) => new DomainError('conflict', `编码${quoted(v)}已存在，请换一个编码。`, { code: v })],
  [/^batches_product_batch_no/, () => new DomainError('conflict', '这个批次号刚被同时创建，请重试一次。')],
  [/idempotency_key/, () => new DomainError('conflict', '这次提交已经处理过了（重复提交），没有重复记账。请发「单据 <单号>」查看结果。')],
  [/reverses_once/, () => new DomainError('already_reversed', '这张单据已经被红冲过了，不能再红冲。')],
  [/doc_no/, () => new DomainError('conflict', '单号正好被同时占用，没有保存任何改动，请重新提交一次。')],
  [/^users_open_id/, () => new DomainError('conflict', '这个用户已经存在。')],
];

/**
 * A database error an ordinary input can cause, as the DomainError the user should have got
 * (null for anything else: a bug, logged with a reference by the adapter). The services
 * validate first (shared zod schemas, src/shared/limits.ts); this is the one place that turns
 * the constraint that still fires — a race, a path a schema missed — into Chinese instead of
 * "请稍后再试". Covers the CHECK and UNIQUE constraints of db/schema.ts and the data errors
 * 22003 (numeric overflow), 22P02 (not a number), 22001 (text too long), 22007/22008 (date),
 * 23502 (missing value), 23503 (a referenced row is gone).
 */
export function domainErrorFromDb(e: unknown): DomainError | null {
  const code = pgErrorCode(e);
  if (!code) return null;
  const constraint = pgConstraint(e) ?? '';
  switch (code) {
    // A constraint not listed here is not one an input is expected to fire: a bug (reference).
    case CHECK_VIOLATION:
      return CHECKS[constraint]?.() ?? null;
    case UNIQUE_VIOLATION:
      return UNIQUES.find(([re]) => re.test(constraint))?.[1](keyValue(e)) ?? null;
    case DATA_EXCEPTION_OVERFLOW:
      return new DomainError(
        'invalid_input',
        '数字超出了能保存的范围，没有保存任何改动：数量必须小于 100 万亿、最多 6 位小数；单价和一行金额最多 1000 亿元。请检查是否多打了数字。',
      );
    case INVALID_TEXT:
      return new DomainError('invalid_input', '有一个数字或编号的格式不对，没有保存任何改动。数字请用阿拉伯数字，例如 24 或 0.5。');
    case '22001':
      return new DomainError('invalid_input', '有一项文字太长，没有保存任何改动。请缩短后重试。');
    case '22007':
    case '22008':
      return new DomainError('invalid_input', '日期或时间格式不对，没有保存任何改动。请写成 2026-11-25。');
    case '23502':
      return new DomainError('invalid_input', '缺少必填内容，没有保存任何改动。发送「帮助」查看命令的写法。');
    case '23503':
      return new DomainError('conflict', '引用的记录不存在（可能刚被删除），没有保存任何改动。请重新选择后再试。');
    default:
      return null;
  }
}
