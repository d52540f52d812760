/**
 * Input schemas of every inventory service. Exported so chat, card and REST adapters validate
 * with exactly the rules the services use (services parse again: an adapter cannot skip it).
 */
import { z } from 'zod';
import { ISSUE_KINDS, RECEIPT_KINDS } from './moves.js';

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
/** Whole fen. */
export const fenSchema = z.union([
  z.bigint(),
  z.number().int(),
  trimmed.regex(/^-?\d+$/, '必须是整数（分）'),
]).transform((v) => BigInt(v));

export const idempotencyKeySchema = trimmed.min(1, '缺少幂等键 idempotencyKey').max(200);
const businessTimeSchema = z.coerce.date().optional();
const sourceSchema = z.object({ type: trimmed.min(1).max(50), id: z.number().int() }).optional();
const partySchema = z.object({ type: z.enum(['supplier', 'customer', 'department', 'other']), id: z.number().int() }).optional();

export const receiptLineSchema = z.object({
  product: productRefSchema,
  qty: qtyInputSchema,
  /** Batch-tracked products: the batch received (default: the business day, e.g. "20261125"). */
  batchNo: trimmed.max(64).optional(),
  expiresOn: trimmed.max(20).optional(),
  /** Fen per BASE unit. Omitted: amountFen, else the product's purchase price, else the current average. */
  unitCostFen: decimalSchema.optional(),
  /** The line's total value in fen (wins over unitCostFen): "2箱共480元" → 48000. */
  amountFen: fenSchema.optional(),
});

export const receiptInputSchema = z.object({
  kind: z.enum(RECEIPT_KINDS).default('purchase_receipt'),
  warehouse: warehouseRefSchema.optional(),
  lines: z.array(receiptLineSchema).min(1, '至少需要一行商品').max(500),
  idempotencyKey: idempotencyKeySchema,
  businessTime: businessTimeSchema,
  remark: optText(500),
  source: sourceSchema,
  party: partySchema,
});
export type ReceiptInput = z.input<typeof receiptInputSchema>;

export const issueLineSchema = z.object({
  product: productRefSchema,
  qty: qtyInputSchema,
  /** Omitted: batches are picked FIFO by receipt date. */
  batchNo: trimmed.max(64).optional(),
});

export const issueInputSchema = z.object({
  kind: z.enum(ISSUE_KINDS).default('sales_issue'),
  warehouse: warehouseRefSchema.optional(),
  lines: z.array(issueLineSchema).min(1, '至少需要一行商品').max(500),
  idempotencyKey: idempotencyKeySchema,
  businessTime: businessTimeSchema,
  remark: optText(500),
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
  remark: optText(500),
});
export type TransferInput = z.input<typeof transferInputSchema>;

export const reversalInputSchema = z.object({
  docNo: trimmed.min(1, '请填写要红冲的单号'),
  idempotencyKey: idempotencyKeySchema,
  reason: optText(500),
  businessTime: businessTimeSchema,
});
export type ReversalInput = z.input<typeof reversalInputSchema>;

// ── stocktake ──
export const openStocktakeSchema = z.object({
  warehouse: warehouseRefSchema.optional(),
  /** Omitted or empty: every product in the warehouse. */
  products: z.array(productRefSchema).max(2000).optional(),
});
export type OpenStocktakeInput = z.input<typeof openStocktakeSchema>;

export const stocktakeRefSchema = z.union([z.number().int().positive(), trimmed.min(1)]);

export const recordCountSchema = z.object({
  stocktake: stocktakeRefSchema,
  product: productRefSchema,
  /** Counted quantity; several entries for the same product/batch add up (counting shelf by shelf). */
  qty: z.union([z.number().nonnegative().finite(), trimmed.min(1).max(50)]),
  batchNo: trimmed.max(64).optional(),
});
export type RecordCountInput = z.input<typeof recordCountSchema>;

export const postStocktakeSchema = z.object({
  stocktake: stocktakeRefSchema,
  idempotencyKey: idempotencyKeySchema,
  /** Post even though products moved after the count opened (the user saw the warning). */
  force: z.boolean().default(false),
  businessTime: businessTimeSchema,
});
export type PostStocktakeInput = z.input<typeof postStocktakeSchema>;

// ── master data ──
const unitName = trimmed.min(1).max(10);
const qtyText = z.union([z.number().nonnegative().finite(), trimmed.regex(/^\d+(\.\d+)?$/, '必须是不小于 0 的数字')]).transform(String);

/**
 * The product fields as they are stored, WITHOUT defaults. Creation adds the defaults below;
 * an update takes a partial of these. (zod 4's `.partial()` keeps `.default()`: a partial of
 * a schema with defaults would fill omitted keys and silently reset unit, safety stock, lead
 * time and batch tracking on every edit.)
 */
const productFieldShape = {
  name: trimmed.min(1, '请填写商品名称').max(200),
  model: optText(100),
  spec: optText(200),
  category: optText(100),
  barcode: optText(64),
  baseUnit: unitName,
  packUnit: unitName.optional().nullable(),
  packFactor: z
    .union([z.number().positive().finite(), trimmed.regex(/^\d+(\.\d+)?$/)])
    .transform(String)
    .optional()
    .nullable(),
  purchasePriceFen: fenSchema.optional().nullable(),
  salePriceFen: fenSchema.optional().nullable(),
  safetyStock: qtyText,
  leadTimeDays: z.number().int().min(0).max(3650),
  preferredSupplierId: z.number().int().positive().optional().nullable(),
  batchTracked: z.boolean(),
};

/** A new product: omitted unit, safety stock, lead time and batch tracking get their defaults. */
export const productFieldsSchema = z.object({
  ...productFieldShape,
  baseUnit: productFieldShape.baseUnit.default('个'),
  safetyStock: productFieldShape.safetyStock.default('0'),
  leadTimeDays: productFieldShape.leadTimeDays.default(0),
  batchTracked: productFieldShape.batchTracked.default(false),
});

export const createProductSchema = productFieldsSchema.extend({
  /** Omitted: generated as P00001 from the product id. */
  sku: trimmed.min(1).max(64).optional(),
});
export type CreateProductInput = z.input<typeof createProductSchema>;

/** What an edit may change: only the keys given; an omitted key keeps the stored value (no defaults here). */
export const productChangesSchema = z.object(productFieldShape).partial().extend({ sku: trimmed.min(1).max(64).optional() });

export const updateProductSchema = z.object({
  product: productRefSchema,
  changes: productChangesSchema,
});
export type UpdateProductInput = z.input<typeof updateProductSchema>;

export const archiveProductSchema = z.object({ product: productRefSchema });

export const createWarehouseSchema = z.object({
  name: trimmed.min(1, '请填写仓库名称').max(100),
  /** Omitted: WH01, WH02, … */
  code: trimmed.min(1).max(32).optional(),
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
export { parseInput } from './validate.js';
