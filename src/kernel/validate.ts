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
  aliases: '别名',
  unitAliases: '单位别名',
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
  q: '搜索',
  includeArchived: '包含已停用',
  nonzero: '只看有库存',
  batch: '批次',
  user: '用户',
  totalValue: '新库存金额',
  token: '令牌',
  includeRevoked: '包含已撤销',
};

/**
 * The schema at `path` inside `schema` (through objects, arrays, optionals, defaults, pipes),
 * or undefined. Used to read a field's own `.meta({ title })`, which wins over FIELD_LABEL:
 * the same key can mean different things in different use cases (`from` is 调出仓库 in a
 * transfer and 起始时间 in a listing).
 */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let cur: z.ZodType | undefined = schema;
  const unwrap = (s: z.ZodType): z.ZodType => {
    const def = (s as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType; schema?: z.ZodType } } })._zod.def;
    if (def.innerType) return unwrap(def.innerType);
    if (def.type === 'pipe' && def.in) return unwrap(def.in);
    return s;
  };
  for (const key of path) {
    if (!cur) return undefined;
    const found: z.ZodType = unwrap(cur);
    const def = (found as unknown as { _zod: { def: { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType } } })._zod.def;
    if (def.type === 'object' && typeof key === 'string') cur = def.shape?.[key];
    else if (def.type === 'array' && typeof key === 'number') cur = def.element;
    else return undefined;
  }
  return cur;
}

const ENUM_LABELS = 'x-enum-labels';

/**
 * Metadata naming an enum's codes in Chinese, `{ 'x-enum-labels': { sales_issue: '销售出库', … } }`
 * (only the given codes): refusals list them (sales_issue（销售出库）), and OpenAPI publishes it
 * as a schema extension a client can show.
 */
export function enumLabels<K extends string>(codes: readonly K[], labels: Record<K, string>): { [ENUM_LABELS]: Record<string, string> } {
  return { [ENUM_LABELS]: Object.fromEntries(codes.map((c) => [c, labels[c]])) };
}

/** A `.meta()` key on the schema or any wrapper inside it (optional, default, nullable, pipe). */
function ownMeta(s: z.ZodType | undefined, key: string): unknown {
  for (let cur = s, i = 0; cur && i < 10; i++) {
    const v = (cur.meta() as Record<string, unknown> | undefined)?.[key];
    if (v !== undefined) return v;
    const def = (cur as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
    cur = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  }
  return undefined;
}

/** `.meta({ title })` on the schema or any wrapper inside it (optional, default, nullable, pipe). */
function ownTitle(s: z.ZodType | undefined): string | undefined {
  for (let cur = s, i = 0; cur && i < 10; i++) {
    const title = cur.meta()?.title;
    if (typeof title === 'string') return title;
    const def = (cur as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
    cur = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  }
  return undefined;
}

function titleAt(schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  for (let n = path.length; n > 0; n--) {
    const title = ownTitle(schemaAt(schema, path.slice(0, n)));
    if (title) return title;
    if (typeof path[n - 1] === 'string') return undefined;
  }
  return undefined;
}

const HAS_CJK = /[\u3400-\u9fff]/;

/** The field a zod path names: its last known key ("lines.0.qty" → 数量). */
function fieldOf(path: readonly PropertyKey[]): string | null {
  const key = [...path].reverse().find((p): p is string => typeof p === 'string' && p in FIELD_LABEL);
  if (key) return FIELD_LABEL[key];
  const last = path[path.length - 1];
  return last === undefined ? null : String(last);
}

/** The value the client wrote at `path` (undefined when absent). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** What was received, the way a client recognises it: 数字 2, 「abc」, true, 列表. */
function received(v: unknown): string {
  if (typeof v === 'number') return `数字 ${v}`;
  if (typeof v === 'string') return `「${v.length > 40 ? `${v.slice(0, 40)}…` : v}」`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return '列表';
  if (typeof v === 'object') return '对象';
  return String(v);
}

/** Whether the number schema at `s` (under wrappers) only takes integers (z.number().int()). */
function isIntegerField(s: z.ZodType | undefined): boolean {
  for (let cur = s, i = 0; cur && i < 10; i++) {
    const def = (cur as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType; checks?: { _zod: { def: { format?: string } } }[] } } })._zod.def;
    if (def.type === 'number') return (def.checks ?? []).some((c) => c._zod.def.format === 'safeint' || c._zod.def.format === 'int32');
    cur = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  }
  return false;
}

/** "应写成文本，例如 "2"" for one expected type; the example reuses what was sent when it fits. */
function expectation(expected: string | undefined, value: unknown, integer: boolean): string {
  switch (expected) {
    case 'string':
      return `应写成文本，例如 "${typeof value === 'number' || typeof value === 'boolean' ? String(value) : '24'}"`;
    case 'int':
      return '应为整数，例如 50';
    case 'number':
      return integer ? '应为整数，例如 50' : '应为数字，例如 2';
    case 'boolean':
      return '应为 true 或 false';
    case 'array':
      return '应为列表，例如 [...]';
    case 'object':
      return '应为对象 {...}';
    default:
      return '类型不对';
  }
}

/**
 * THE Chinese rule of one zod issue (shared by chat, cards and REST, message and `errors`):
 * what is wrong and how to write it. A schema's own Chinese message wins; otherwise missing →
 * 必填, wrong type → 应写成文本，例如 "2"（收到数字 2）, enum → 只能是 a、b, …
 */
function ruleOf(i: z.core.$ZodIssue, schema: z.ZodType | undefined, input: unknown): string {
  if (HAS_CJK.test(i.message)) return i.message;
  const value = valueAt(input, i.path);
  const got = value === undefined ? '' : `（收到${received(value)}）`;
  const integer = i.code === 'invalid_type' && schema !== undefined && isIntegerField(schemaAt(schema, i.path));
  if (i.code === 'invalid_union') {
    const branches = (i as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
    for (const branch of branches) for (const sub of branch) if (HAS_CJK.test(sub.message)) return sub.message;
    const expected = branches.flatMap((b) => b.filter((sub) => sub.code === 'invalid_type' && sub.path.length === 0).map((sub) => (sub as { expected?: string }).expected));
    if (expected.length === branches.length && expected.length) {
      if (value === undefined) return '必填';
      const words = [...new Set(expected.map((e) => (e === 'number' || e === 'int' ? '整数 id' : e === 'string' ? '文本' : e === 'boolean' ? 'true/false' : e === 'array' ? '列表' : '对象')))];
      return `应为${words.join(' 或 ')}${got}`;
    }
    return `格式不对${got}`;
  }
  const limit = i as { maximum?: unknown; minimum?: unknown; origin?: string; expected?: string; values?: unknown[] };
  if (i.code === 'too_big') return limit.origin === 'string' ? `太长（最多 ${String(limit.maximum)} 个字）` : limit.origin === 'array' ? `太多（最多 ${String(limit.maximum)} 项）` : `太大（最多 ${String(limit.maximum)}）`;
  if (i.code === 'too_small') return limit.origin === 'string' ? '不能为空' : limit.origin === 'array' ? `至少 ${String(limit.minimum)} 项` : `太小（至少 ${String(limit.minimum)}）`;
  if (i.code === 'invalid_type') return value === undefined ? '必填' : `${expectation(limit.expected, value, integer)}${got}`;
  if (i.code === 'invalid_value') {
    // `.meta(enumLabels(...))` on an enum names its codes: sales_issue（销售出库）.
    const labels = (schema ? ownMeta(schemaAt(schema, i.path), ENUM_LABELS) : undefined) as Record<string, string> | undefined;
    return `只能是 ${(limit.values ?? []).map((v) => (labels?.[String(v)] ? `${String(v)}（${labels[String(v)]}）` : String(v))).join('、')}${got}`;
  }
  if (i.code === 'invalid_format') return `格式不对${got}`;
  if (i.code === 'unrecognized_keys') return `没有这些字段：${(i as { keys: string[] }).keys.join('、')}`;
  return `格式不对${got}`;
}

/** "lines.1.qty" → "第 2 行" when a path goes through a list of several lines. */
function rowOf(path: readonly PropertyKey[], input: unknown): string {
  const at = path.findIndex((p) => p === 'lines');
  const idx = at >= 0 ? path[at + 1] : undefined;
  const n = (input as { lines?: unknown[] } | null)?.lines?.length ?? 0;
  return typeof idx === 'number' && n > 1 ? `第 ${idx + 1} 行` : '';
}

/** One input problem: the zod path ("lines.0.qty") and the Chinese message chat would show. */
export interface InputError {
  path: string;
  message: string;
}

/**
 * Each zod issue as a field and a Chinese message (「数量」应写成文本，例如 "2"（收到数字 2））.
 * The ONE place these messages are built: parseInput's message (chat, cards, REST `detail`)
 * and REST's `errors[]` both come from here. `schema` and `input` name fields by their own
 * titles and quote what was received; without them the FIELD_LABEL words are used.
 */
export function inputErrors(issues: readonly z.core.$ZodIssue[], schema?: z.ZodType, input?: unknown): InputError[] {
  return issues.map((i) => {
    const field = (schema && titleAt(schema, i.path)) ?? fieldOf(i.path);
    const rule = ruleOf(i, schema, input);
    return { path: i.path.map(String).join('.'), message: field ? `${rowOf(i.path, input)}「${field}」${rule}` : rule };
  });
}

/**
 * Validate service input with its shared schema; a failure is one DomainError('invalid_input')
 * whose message names each field in Chinese with its rule: "输入有误：「包装换算数量……」最多 6 位
 * 小数（收到「1.1234567」，不会替你四舍五入），例如 24 或 0.5". `details.issues` keeps zod's
 * issues, `details.errors` the same messages per field (inputErrors: REST's `errors`).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const errors = inputErrors(r.error.issues, schema, input);
  const msgs = [...new Set(errors.map((e) => e.message))];
  throw new DomainError('invalid_input', `输入有误：${msgs.slice(0, 5).join('；')}`, { issues: r.error.issues, errors });
}
