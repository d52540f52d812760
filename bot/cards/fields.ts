/**
 * form_value → service input, and validation failures → one toast naming the field and the
 * rule. Every form_value entry is a string (multi-selects string[]; dates "2024-04-01 +0800").
 */
import type { z } from 'zod';
import { priceYuanToFen, yuanToFen } from '../../src/shared/money.js';
import { NumberCommaError, costText, stripThousands } from '../../src/shared/decimal.js';
import { canonicalPrice } from './normalise.js';
import { FIELD_LABEL as DOMAIN_FIELD_LABEL } from '../../src/kernel/validate.js';
import { isListAt } from './schema-paths.js';

/**
 * Field (zod path key or form field) → what the user sees on the card: the domain's labels
 * (src/inventory/validate.ts, the same words chat and REST use) plus the form-only field names.
 */
export const FIELD_LABEL: Record<string, string> = {
  ...DOMAIN_FIELD_LABEL,
  product_q: '商品',
  batch_no: '批次',
  unit_price: '单价',
  qty_decimals: '数量小数位',
  purchase_price: '进价',
  sale_price: '售价',
  idempotencyKey: '卡片',
  lead_time_days: '采购提前期（天）',
};

/** A field the user must correct (before zod sees it: e.g. a price that is not money). */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`「${FIELD_LABEL[field] ?? field}」${rule}`);
  }
}

const HAS_CJK = /[\u3400-\u9fff]/;

function issueRule(i: z.core.$ZodIssue): string {
  if (HAS_CJK.test(i.message)) return i.message;
  if (i.code === 'invalid_union') {
    for (const branch of (i as { errors?: z.core.$ZodIssue[][] }).errors ?? []) {
      for (const sub of branch) if (HAS_CJK.test(sub.message)) return sub.message;
    }
  }
  if (i.code === 'invalid_type' || i.code === 'invalid_union') return '必填或格式不对';
  if (i.code === 'too_big') return `太长（最多 ${(i as { maximum?: number }).maximum ?? ''} 个字）`;
  if (i.code === 'too_small') return '不能为空';
  if (i.code === 'invalid_value') return '不是可选的值';
  return '格式不对';
}

/**
 * Zod issues → "请修改：「数量」数量必须大于 0；「仓库」必填或格式不对"; with `where` ("第 2 行")
 * every field is named with it: "请修改：第 2 行「数量」请填写数量".
 */
export function issuesText(issues: readonly z.core.$ZodIssue[], where = ''): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const i of issues) {
    const key = [...i.path].reverse().find((p): p is string => typeof p === 'string' && p in FIELD_LABEL) ?? String(i.path[i.path.length - 1] ?? '');
    const label = FIELD_LABEL[key] ?? (key || '输入');
    const text = `${where}「${label}」${issueRule(i)}`;
    if (!seen.has(text)) {
      seen.add(text);
      parts.push(text);
    }
    if (parts.length >= 3) break;
  }
  return `请修改：${parts.join('；')}`;
}

/** Validate with a service's schema; returns the parsed value or the toast text. */
export function check<S extends z.ZodType>(schema: S, input: unknown): { ok: true; data: z.output<S> } | { ok: false; message: string } {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, data: r.data } : { ok: false, message: issuesText(r.error.issues) };
}

/** Trimmed string ('' when absent). */
export function text(fv: Record<string, unknown>, name: string): string {
  const v = fv[name];
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return String(v);
  return '';
}

/** Trimmed string, undefined when empty (optional fields). */
export function opt(fv: Record<string, unknown>, name: string): string | undefined {
  const s = text(fv, name);
  return s ? s : undefined;
}

export function list(fv: Record<string, unknown>, name: string): string[] {
  const v = fv[name];
  if (Array.isArray(v)) return v.map(String).filter(Boolean);
  if (typeof v === 'string' && v) return [v];
  return [];
}

/** "2024-04-01 +0800" → "2024-04-01". */
export function date(fv: Record<string, unknown>, name: string): string | undefined {
  const s = opt(fv, name);
  if (!s) return undefined;
  const m = s.match(/^(\d{4}-\d{2}-\d{2})/);
  if (!m) throw new FieldError(name, '日期格式不对');
  return m[1];
}

/** A select's id value → number (undefined when not chosen). */
export function id(fv: Record<string, unknown>, name: string): number | undefined {
  const s = opt(fv, name);
  if (!s) return undefined;
  if (!/^\d+$/.test(s)) throw new FieldError(name, '不是可选的值，请重新选择');
  return Number(s);
}

/** Yuan typed by the user → whole fen as text ("12.5" → "1250"); undefined when empty. */
export function yuan(fv: Record<string, unknown>, name: string): string | undefined {
  const s = opt(fv, name);
  if (!s) return undefined;
  try {
    return yuanToFen(s).toString();
  } catch (e) {
    if (e instanceof NumberCommaError) throw new FieldError(name, `金额${e.message}`);
    throw new FieldError(name, `金额「${s}」格式不对，请写成 12 或 12.50（元，最多两位小数）`);
  }
}

/**
 * A unit price typed in yuan (up to 6 decimals: 0.002) → fen as canonical text ("0.2");
 * undefined when empty. Product prices are per BASE unit.
 */
export function price(fv: Record<string, unknown>, name: string): string | undefined {
  const s = opt(fv, name);
  if (!s) return undefined;
  try {
    return costText(priceYuanToFen(s));
  } catch (e) {
    if (e instanceof NumberCommaError) throw new FieldError(name, e.message);
    throw new FieldError(name, `「${s}」格式不对，请写成 12.5 或 0.002（元，最多 6 位小数，不能为负）`);
  }
}

/** Decimal places 0–6 (undefined when empty). */
export function decimals(fv: Record<string, unknown>, name: string): number | undefined {
  const s = opt(fv, name);
  if (!s) return undefined;
  if (!/^[0-6]$/.test(s)) throw new FieldError(name, `要写 0–6 的整数（个/台/箱 常用 0，千克/米 常用 3），收到「${s}」`);
  return Number(s);
}

export function yesNo(fv: Record<string, unknown>, name: string): boolean {
  return text(fv, name) === 'yes';
}

// ───────────── declared form fields (registry.ts FormField) ─────────────

/** Reads one form field's value (a FieldError names the field when it is not readable). */
export type FieldReader = (fv: Record<string, unknown>, name: string) => unknown;

/** The readers a form field can declare, by what the field holds. */
export const read = {
  /** Text as typed, '' when absent (the schema then names the field: 请填写数量). */
  text: text as FieldReader,
  /** Text, undefined when empty (optional fields). */
  opt: opt as FieldReader,
  /** Text, null when empty (remarks). */
  note: ((fv, name) => opt(fv, name) ?? null) as FieldReader,
  /** A select of ids → number, undefined when not chosen. */
  id: id as FieldReader,
  /** A select of ids, '' when not chosen (a required reference: the schema names the field). */
  idOrEmpty: ((fv, name) => id(fv, name) ?? '') as FieldReader,
  /** A multi-select of ids → number[] (undefined when none chosen). */
  ids: ((fv, name) => {
    const ids = list(fv, name).map(Number).filter((n) => Number.isInteger(n) && n > 0);
    return ids.length ? ids : undefined;
  }) as FieldReader,
  /** A date picker → "YYYY-MM-DD". */
  date: date as FieldReader,
  /** A 是/否 select → boolean. */
  yesNo: yesNo as FieldReader,
  /** A batch select ("productId:batchNo", '-' = automatic) → the batch number. */
  batch: ((fv, name) => batchSelect(fv, name).batchNo) as FieldReader,
  /** A price in yuan per base unit (≤ 6 decimals) → canonical yuan text ("1,200.5" → "1200.5"). */
  yuanPrice: ((fv, name) => (price(fv, name) === undefined ? undefined : canonicalPrice(text(fv, name)))) as FieldReader,
  /** A non-negative decimal (safety stock, pack factor) → text without thousands separators. */
  decimal: ((fv, name) => {
    const s = opt(fv, name);
    if (!s) return undefined;
    try {
      return stripThousands(s);
    } catch (e) {
      if (e instanceof NumberCommaError) throw new FieldError(name, e.message);
      throw e;
    }
  }) as FieldReader,
  /** Decimal places 0–6 → number. */
  decimals: decimals as FieldReader,
  /** Whole days → number. */
  days: ((fv, name) => {
    const s = opt(fv, name);
    if (!s) return undefined;
    if (!/^\d{1,4}$/.test(s)) throw new FieldError(name, `要写整数天数，例如 7，收到「${s}」`);
    return Number(s);
  }) as FieldReader,
} as const;

/** A batch select's value: the batch and the product it belongs to (undefined: automatic / none). */
export function batchSelect(fv: Record<string, unknown>, name: string): { batchNo?: string; batchOf?: number } {
  const sel = opt(fv, name);
  if (!sel || sel === '-') return {};
  const m = sel.match(/^(\d+):(.*)$/);
  if (!m) throw new FieldError('batch_no', '不是可选的值，请重新选择');
  return { batchNo: m[2], batchOf: Number(m[1]) };
}

/**
 * The form's input: every declared field read and put at its path ('lines.qty' → the first
 * line's qty; `schema` tells which keys hold lists). Two fields on one path (a product select and its keyword input): the first one
 * with a value wins. Throws FieldError for a field that cannot be read.
 */
export function readFields(fields: Record<string, { path: string; read: FieldReader }>, fv: Record<string, unknown>, schema?: z.ZodType): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(fields)) {
    const v = f.read(fv, name);
    if (v === undefined) continue;
    const keys = f.path.split('.');
    let obj = out;
    for (let i = 0; i < keys.length - 1; i++) {
      const k = keys[i];
      if (!(k in obj)) obj[k] = schema && isListAt(schema, keys.slice(0, i + 1).join('.')) ? [{}] : {};
      const next = obj[k];
      obj = (Array.isArray(next) ? next[0] : next) as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    if (!(last in obj)) obj[last] = v;
  }
  return out;
}
