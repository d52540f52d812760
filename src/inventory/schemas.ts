/**
 * Input schemas of every inventory service. Exported so chat, card and REST adapters validate
 * with exactly the rules the services use (services parse again: an adapter cannot skip it).
 */
import { z } from 'zod';
import { ISSUE_KINDS, RECEIPT_KINDS } from './moves.js';
import { AMOUNT_RANGE_MESSAGE, amountInRange, decimalField, qtyField, COST_SCALE, TEXT_MAX, UNIT_COST_MAX_FEN } from '../shared/limits.js';

const trimmed = z.string().trim();
const optText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .nullable()
    .transform((s) => (s ? s : null));

/** A product by id, or by text (SKU, barcode, name, pinyin — see resolveProduct). */
export const productRefSchema = z.union([z.number().int().positive(), trimmed.min(1, '请填写商品（SKU、条码或名称）').max(200)]);
/** A warehouse by id, or by code / name. Omitted = the default warehouse. */
export const warehouseRefSchema = z.union([z.number().int().positive(), trimmed.min(1).max(100)]);
/** "24", 24, "24个", "2箱", "2箱3个": parsed against the product's units (src/inventory/units.ts). */
export const qtyInputSchema = z.union([
  z.number().positive('数量必须大于 0').finite(),
  trimmed.min(1, '请填写数量').max(50),
]);
/** Decimal text or number: fen per base unit (may have decimals; values are rounded to whole fen). */
export const decimalSchema = z.union([
  z.number().finite().nonnegative(),
  trimmed.regex(/^\d+(\.\d+)?$/, '必须是不小于 0 的数字'),
]);
/**
 * A unit price in fen per BASE unit, up to 6 decimals (¥0.002 = "0.2"): products' 进价/售价.
 * Stored as numeric(24,6); the output is canonical text. Adapters type yuan (≤ 6 decimals).
 */
export const priceFenSchema = z
  .union([z.bigint().transform((v) => v.toString()), z.number(), z.string()])
  .pipe(decimalField({ scale: COST_SCALE, max: UNIT_COST_MAX_FEN, allowZero: true, example: '35 或 0.2（分/基本单位：0.2 分 = ¥0.002）' }));
/** Yuan per the unit the quantity was written in ("6.5"), or per a named unit ("6.5/箱"): see prices.ts. */
export const unitPriceTextSchema = trimmed.min(1, '请填写单价').max(40);

/** Whole fen. */
export const fenSchema = z.union([
  z.bigint(),
  z.number().int(),
  trimmed.regex(/^-?\d+$/, '必须是整数（分）'),
]).transform((v) => BigInt(v)).refine(amountInRange, AMOUNT_RANGE_MESSAGE); // bigint column: see src/shared/limits.ts

export const idempotencyKeySchema = trimmed.min(1, '缺少幂等键 idempotencyKey').max(200);
const businessTimeSchema = z.coerce.date().optional();
const sourceSchema = z.object({ type: trimmed.min(1).max(50), id: z.number().int() }).optional();
const partySchema = z.object({ type: z.enum(['supplier', 'customer', 'department', 'other']), id: z.number().int() }).optional();

export const receiptLineSchema = z.object({
  product: productRefSchema,
  qty: qtyInputSchema,
  /** Batch-tracked products: the batch received (default: the business day, e.g. "20261125"). */
  batchNo: trimmed.max(TEXT_MAX.batchNo).optional(),
  expiresOn: trimmed.max(20).optional(),
  /** Fen per BASE unit. Omitted: amountFen, else the product's purchase price, else the current average. */
  unitCostFen: decimalSchema.pipe(decimalField({ scale: COST_SCALE, max: UNIT_COST_MAX_FEN, allowZero: true, example: '35 或 0.2（分/基本单位）' })).optional(),
  /**
   * The price as typed, yuan per the unit the quantity was written in ("6.5" with "2箱" = ¥6.5
   * per 箱), or per the unit named ("6.5/箱"). Turned into fen per base unit and the line amount
   * by prices.ts receiptLineValue (THE price rule). At most one of unitPrice/unitCostFen/amountFen.
   */
  unitPrice: unitPriceTextSchema.optional(),
  /** The line's total value in fen: "2箱共480元" → 48000. */
  amountFen: fenSchema.optional(),
});

export const receiptInputSchema = z.object({
  kind: z.enum(RECEIPT_KINDS).default('purchase_receipt'),
  warehouse: warehouseRefSchema.optional(),
  lines: z.array(receiptLineSchema).min(1, '至少需要一行商品').max(500),
  idempotencyKey: idempotencyKeySchema,
  businessTime: businessTimeSchema,
  remark: optText(TEXT_MAX.remark),
  source: sourceSchema,
  party: partySchema,
});
export type ReceiptInput = z.input<typeof receiptInputSchema>;

export const issueLineSchema = z.object({
  product: productRefSchema,
  qty: qtyInputSchema,
  /** Omitted: batches are picked FIFO by receipt date. */
  batchNo: trimmed.max(TEXT_MAX.batchNo).optional(),
});

export const issueInputSchema = z.object({
  kind: z.enum(ISSUE_KINDS).default('sales_issue'),
  warehouse: warehouseRefSchema.optional(),
  lines: z.array(issueLineSchema).min(1, '至少需要一行商品').max(500),
  idempotencyKey: idempotencyKeySchema,
  businessTime: businessTimeSchema,
  remark: optText(TEXT_MAX.remark),
  source: sourceSchema,
  party: partySchema,
});
export type IssueInput = z.input<typeof issueInputSchema>;

export const transferInputSchema = z.object({
  from: warehouseRefSchema.optional(),
  to: warehouseRefSchema,
  lines: z.array(issueLineSchema).min(1, '至少需要一行商品').max(500),
  idempotencyKey: idempotencyKeySchema,
  businessTime: businessTimeSchema,
  remark: optText(TEXT_MAX.remark),
});
export type TransferInput = z.input<typeof transferInputSchema>;

export const reversalInputSchema = z.object({
  docNo: trimmed.min(1, '请填写要红冲的单号'),
  idempotencyKey: idempotencyKeySchema,
  reason: optText(TEXT_MAX.reason),
  businessTime: businessTimeSchema,
});
export type ReversalInput = z.input<typeof reversalInputSchema>;

// ── stocktake ──
export const openStocktakeSchema = z.object({
  warehouse: warehouseRefSchema.optional(),
  /** Omitted or empty: every product in the warehouse. */
  products: z.array(productRefSchema).max(2000).optional(),
  /**
   * 全盘 declared up front: everything in scope nobody counted counts as 0 at posting. Default
   * false: an absent count is not a zero count (it can also be declared later, or at posting).
   */
  complete: z.boolean().default(false),
});
export type OpenStocktakeInput = z.input<typeof openStocktakeSchema>;

export const stocktakeRefSchema = z.union([z.number().int().positive(), trimmed.min(1)]);

/**
 * How a count entry changes the running total of its product/batch. Entries are append-only:
 * add = one more entry of qty (counting shelf by shelf); subtract (减) = an entry of −qty, a
 * correction, refused when the total would go below 0; set (设为) = an entry of the difference,
 * so the total becomes qty.
 */
export const COUNT_MODES = ['add', 'set', 'subtract'] as const;
export type CountMode = (typeof COUNT_MODES)[number];

export const recordCountSchema = z.object({
  stocktake: stocktakeRefSchema,
  product: productRefSchema,
  /** Quantity in the product's units, never negative (a correction downwards is mode 'subtract'). */
  qty: z.union([z.number().nonnegative('实盘数量不能是负数（要减去请用「减」）').finite(), trimmed.min(1, '请填写实盘数量（可以是 0）').max(50)]),
  batchNo: trimmed.max(TEXT_MAX.batchNo).optional(),
  mode: z.enum(COUNT_MODES, { error: '录入方式只能是 add（累加）、set（设为）或 subtract（减）' }).default('add'),
  /** Also declare the product complete: its batches nobody counted count as 0 at posting. */
  complete: z.boolean().default(false),
  /**
   * The batch is not in the books of this warehouse: found on the shelf (a gain in a new batch).
   * Without it a batch number the books do not know is refused — a typo must not create stock.
   */
  newBatch: z.boolean().default(false),
});
export type RecordCountInput = z.input<typeof recordCountSchema>;

export const postStocktakeSchema = z.object({
  stocktake: stocktakeRefSchema,
  idempotencyKey: idempotencyKeySchema,
  /** Post even though products moved after the count opened (the user saw the warning). */
  force: z.boolean().default(false),
  /** 全盘 declared with the posting: everything in scope nobody counted counts as 0. */
  complete: z.boolean().default(false),
  businessTime: businessTimeSchema,
});
export type PostStocktakeInput = z.input<typeof postStocktakeSchema>;

/**
 * Declare (or withdraw, complete: false) that counting is complete: for one product (its
 * uncounted batches count as 0) or, without a product, for the whole stocktake (全盘: every
 * product and batch in scope nobody counted counts as 0).
 */
export const stocktakeCompleteSchema = z.object({
  stocktake: stocktakeRefSchema,
  product: productRefSchema.optional(),
  complete: z.boolean().default(true),
});
export type StocktakeCompleteInput = z.input<typeof stocktakeCompleteSchema>;

// ── master data ──
const unitName = trimmed.min(1, '请填写单位').max(TEXT_MAX.unit);

/**
 * Other names of a product (别名: 杜邦线20, DP20): found by search and by name like the name
 * itself (src/inventory/product-lookup.ts). Each ≤ TEXT_MAX.alias characters, at most
 * TEXT_MAX.aliasCount; duplicates (case-insensitive) are dropped. That no alias is another
 * product's SKU, name or alias is the service's check (products.ts).
 */
export const aliasesSchema = z
  .array(trimmed.min(1, '别名不能为空').max(TEXT_MAX.alias, `每个别名最多 ${TEXT_MAX.alias} 个字`))
  .max(TEXT_MAX.aliasCount, `别名最多 ${TEXT_MAX.aliasCount} 个`)
  .transform((list) => list.filter((a, i) => list.findIndex((b) => b.toLowerCase() === a.toLowerCase()) === i));

/**
 * The product's own unit words: {alias: one of its units} ({pcs: 个, 条: 根}); how a written
 * unit is read is units.ts unitRole. That each target is one of the product's units is the
 * service's check (it knows the units after an edit).
 */
export const unitAliasesSchema = z
  .record(trimmed.min(1, '单位别名不能为空').max(TEXT_MAX.unit, `单位别名最多 ${TEXT_MAX.unit} 个字`), unitName)
  .refine((m) => Object.keys(m).length <= TEXT_MAX.unitAliasCount, `单位别名最多 ${TEXT_MAX.unitAliasCount} 个`);
const qtyText = qtyField({ allowZero: true, example: '0、100 或 2.5' });

/**
 * The product fields as they are stored, WITHOUT defaults. Creation adds the defaults below;
 * an update takes a partial of these. (zod 4's `.partial()` keeps `.default()`: a partial of
 * a schema with defaults would fill omitted keys and silently reset unit, safety stock, lead
 * time and batch tracking on every edit.)
 */
const productFieldShape = {
  name: trimmed.min(1, '请填写商品名称').max(TEXT_MAX.name),
  model: optText(TEXT_MAX.model),
  spec: optText(TEXT_MAX.spec),
  category: optText(TEXT_MAX.category),
  barcode: optText(TEXT_MAX.barcode),
  aliases: aliasesSchema,
  unitAliases: unitAliasesSchema,
  baseUnit: unitName,
  packUnit: unitName.optional().nullable(),
  // numeric(20,6) and CHECK > 0: 0.0000001 would round to 0, 1.1234567 to 1.123457 (src/shared/limits.ts).
  packFactor: qtyField({ allowZero: false, example: '24 或 0.5' }).optional().nullable(),
  /** Fen per base unit, ≤ 6 decimals (¥0.002 → "0.2"). */
  purchasePriceFen: priceFenSchema.optional().nullable(),
  salePriceFen: priceFenSchema.optional().nullable(),
  /** Decimal places a quantity may have (0–6); null = the base unit's default (units.ts UNIT_DECIMALS). */
  qtyDecimals: z.number().int('小数位必须是 0–6 的整数，例如 2').min(0, '小数位必须是 0–6 的整数，例如 2').max(6, '小数位必须是 0–6 的整数，例如 2').optional().nullable(),
  safetyStock: qtyText,
  leadTimeDays: z.number().int('必须是整数天数，例如 7').min(0, '不能是负数，例如 7').max(3650, '最多 3650 天（10 年），例如 7'),
  preferredSupplierId: z.number().int().positive().optional().nullable(),
  batchTracked: z.boolean(),
};

/** A new product: omitted unit, safety stock, lead time and batch tracking get their defaults. */
export const productFieldsSchema = z.object({
  ...productFieldShape,
  aliases: productFieldShape.aliases.default([]),
  unitAliases: productFieldShape.unitAliases.default({}),
  baseUnit: productFieldShape.baseUnit.default('个'),
  safetyStock: productFieldShape.safetyStock.default('0'),
  leadTimeDays: productFieldShape.leadTimeDays.default(0),
  batchTracked: productFieldShape.batchTracked.default(false),
});

export const createProductSchema = productFieldsSchema.extend({
  /** Omitted: generated as P00001 from the product id. */
  sku: trimmed.min(1).max(TEXT_MAX.sku).optional(),
});
export type CreateProductInput = z.input<typeof createProductSchema>;

/** What an edit may change: only the keys given; an omitted key keeps the stored value (no defaults here). */
export const productChangesSchema = z.object(productFieldShape).partial().extend({ sku: trimmed.min(1).max(TEXT_MAX.sku).optional() });

export const updateProductSchema = z.object({
  product: productRefSchema,
  changes: productChangesSchema,
  /**
   * The user saw what a new pack size does to the stock on hand and confirmed it (chat: 确认).
   * Without it a pack-size change under stock is refused with 'needs_confirmation'.
   */
  confirm: z.boolean().default(false),
});
export type UpdateProductInput = z.input<typeof updateProductSchema>;

export const archiveProductSchema = z.object({ product: productRefSchema });

export const createWarehouseSchema = z.object({
  name: trimmed.min(1, '请填写仓库名称').max(TEXT_MAX.warehouseName),
  /** Omitted: WH01, WH02, … */
  code: trimmed.min(1).max(TEXT_MAX.warehouseCode).optional(),
  makeDefault: z.boolean().default(false),
});
export type CreateWarehouseInput = z.input<typeof createWarehouseSchema>;

export const stockQuerySchema = z.object({
  product: productRefSchema,
  warehouse: warehouseRefSchema.optional(),
});
export const stockSummarySchema = z.object({ warehouse: warehouseRefSchema.optional() });
export const lowStockSchema = z.object({ warehouse: warehouseRefSchema.optional() });

/** Parse with a schema and turn zod issues into one Chinese DomainError('invalid_input'). */
export { parseInput } from '../kernel/validate.js';

// ── cost adjustment (成本调整 / 调价, src/inventory/cost-adjustment.ts) ──
/** A receipt's number: only receipts (采购入库 RK, 生产入库 SC, 期初 QC) carry a unit cost to correct. */
const receiptDocNoSchema = trimmed
  .regex(/^(RK|SC|QC)\d{8}-\d{1,6}$/i, '应为入库单号（RK/SC/QC 开头），例如 RK20261125-0001')
  .transform((s) => s.toUpperCase());

/**
 * Revalue the stock on hand. Against a product: `unitCostFen` = its new average (fen per base
 * unit, ≤ 6 decimals) or `totalValueFen` = the new value of all of it (whole fen). Against a
 * receipt (`docNo`, plus `product` when the receipt has several products): `unitCostFen` = the
 * price the receipt should have had, fen per base unit.
 */
export const costAdjustmentInputSchema = z
  .object({
    product: productRefSchema.optional(),
    docNo: receiptDocNoSchema.optional(),
    unitCostFen: priceFenSchema.optional(),
    totalValueFen: fenSchema.refine((v) => v >= 0n, '不能为负数').optional(),
    reason: optText(TEXT_MAX.reason),
    idempotencyKey: idempotencyKeySchema,
    businessTime: businessTimeSchema,
  })
  .superRefine((v, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message, path: [] });
    // Only REST reaches this (chat's 成本调整 and no card leave both out): the canonical fields.
    if (v.product === undefined && v.docNo === undefined) fail('请指定商品（product）或入库单号（docNo），例如 {"product": "A001", "unitPrice": "2.5"}（新单价，元/基本单位）或 {"docNo": "RK20261125-0001", "unitPrice": "2.5"}（正确单价）');
    if (v.unitCostFen !== undefined && v.totalValueFen !== undefined) fail('新单价和新总金额只写一个');
    if (v.unitCostFen === undefined && v.totalValueFen === undefined) fail('请写新单价（元/基本单位），例如 2.5');
    if (v.docNo !== undefined && v.totalValueFen !== undefined) fail('按入库单调整时请写正确的单价（元/基本单位），不是总金额');
  });
export type CostAdjustmentInput = z.input<typeof costAdjustmentInputSchema>;
