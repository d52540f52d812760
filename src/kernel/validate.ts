import type { z } from 'zod';
import { DomainError } from '../errors.js';

/**
 * Schema keys → the words users see. A message must name the field the way the user knows it
 * (「包装换算数量」, not `changes.packFactor`): chat, cards and REST all show this text.
 */
export const FIELD_LABEL: Record<string, string> = {
  product: '商品',
  products: '盘点范围',
  qty: '数量',
  warehouse: '仓库',
  from: '调出仓库',
  to: '调入仓库',
  lines: '商品行',
  batchNo: '批次',
  expiresOn: '有效期',
  unitCostFen: '单价',
  unitPrice: '单价',
  amountFen: '金额',
  totalValueFen: '新库存金额',
  remark: '备注',
  reason: '原因',
  kind: '类型',
  name: '名称',
  sku: '编码（SKU）',
  barcode: '条码',
  model: '型号',
  spec: '规格',
  category: '分类',
  baseUnit: '基本单位',
  packUnit: '包装单位',
  packFactor: '包装换算数量（1 包装 = 多少基本单位）',
  purchasePriceFen: '进价',
  salePriceFen: '售价',
  safetyStock: '安全库存',
  leadTimeDays: '采购提前期（天）',
  preferredSupplierId: '默认供应商',
  batchTracked: '批次管理',
  qtyDecimals: '数量小数位',
  code: '编码',
  makeDefault: '默认仓库',
  docNo: '单号',
  stocktake: '盘点单',
  idempotencyKey: '幂等键',
  businessTime: '业务时间',
  confirm: '确认',
  force: '强制过账',
  complete: '全盘',
  mode: '录入方式',
  newBatch: '新批次',
  amount: '金额',
  purchasePrice: '进价',
  salePrice: '售价',
  unit: '单位',
  cursor: '翻页游标',
  limit: '每页条数',
  scopes: '范围',
  role: '角色',
};

const HAS_CJK = /[\u3400-\u9fff]/;

/** The field a zod path names: its last known key ("lines.0.qty" → 数量). */
function fieldOf(path: readonly PropertyKey[]): string | null {
  const key = [...path].reverse().find((p): p is string => typeof p === 'string' && p in FIELD_LABEL);
  if (key) return FIELD_LABEL[key];
  const last = path[path.length - 1];
  return last === undefined ? null : String(last);
}

/** A zod issue without a Chinese message of our own, in Chinese. */
function ruleOf(i: z.core.$ZodIssue): string {
  if (HAS_CJK.test(i.message)) return i.message;
  if (i.code === 'invalid_union') {
    for (const branch of (i as { errors?: z.core.$ZodIssue[][] }).errors ?? []) {
      for (const sub of branch) if (HAS_CJK.test(sub.message)) return sub.message;
    }
    return '格式不对';
  }
  const limit = (i as { maximum?: unknown; minimum?: unknown; origin?: string });
  if (i.code === 'too_big') return limit.origin === 'string' ? `太长（最多 ${String(limit.maximum)} 个字）` : limit.origin === 'array' ? `太多（最多 ${String(limit.maximum)} 项）` : `太大（最多 ${String(limit.maximum)}）`;
  if (i.code === 'too_small') return limit.origin === 'string' ? '不能为空' : limit.origin === 'array' ? `至少 ${String(limit.minimum)} 项` : `太小（至少 ${String(limit.minimum)}）`;
  if (i.code === 'invalid_type') return '必填或格式不对';
  if (i.code === 'invalid_value') return '不是可选的值';
  if (i.code === 'invalid_format') return '格式不对';
  return '格式不对';
}

/** "lines.1.qty" → "第 2 行" when a path goes through a list of several lines. */
function rowOf(path: readonly PropertyKey[], input: unknown): string {
  const at = path.findIndex((p) => p === 'lines');
  const idx = at >= 0 ? path[at + 1] : undefined;
  const n = (input as { lines?: unknown[] } | null)?.lines?.length ?? 0;
  return typeof idx === 'number' && n > 1 ? `第 ${idx + 1} 行` : '';
}

/**
 * Validate service input with its shared schema; a failure is one DomainError('invalid_input')
 * whose message names each field in Chinese with its rule: "输入有误：「包装换算数量……」最多 6 位
 * 小数（收到「1.1234567」，不会替你四舍五入），例如 24 或 0.5". `details.issues` keeps zod's issues.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const i of r.error.issues) {
    const field = fieldOf(i.path);
    const text = field ? `${rowOf(i.path, input)}「${field}」${ruleOf(i)}` : ruleOf(i);
    if (!seen.has(text)) {
      seen.add(text);
      msgs.push(text);
    }
  }
  throw new DomainError('invalid_input', `输入有误：${msgs.slice(0, 5).join('；')}`, { issues: r.error.issues });
}
