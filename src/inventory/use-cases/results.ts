/**
 * Published result shapes of the inventory use cases (OpenAPI). They describe what the
 * services return (src/inventory/documents.ts); money is fen as decimal text, quantities are
 * base-unit decimal text.
 */
import { z } from 'zod';

const fenText = z.string().describe('分（整数，文本）');
const qty = z.string().describe('数量（基本单位，十进制文本）');

export const documentSchema = z.object({
  id: z.number().int(),
  docNo: z.string().describe('单号，例如 RK20261125-0001'),
  kind: z.string(),
  kindLabel: z.string(),
  warehouseId: z.number().int().nullable(),
  warehouseName: z.string().nullable(),
  toWarehouseId: z.number().int().nullable(),
  toWarehouseName: z.string().nullable(),
  actorId: z.number().int().nullable(),
  businessTime: z.string(),
  recordedAt: z.string(),
  remark: z.string().nullable(),
  totalValueFen: fenText,
  reversesDocId: z.number().int().nullable(),
  reversesDocNo: z.string().nullable(),
  reversedByDocId: z.number().int().nullable(),
  reversedByDocNo: z.string().nullable(),
  sourceType: z.string().nullable(),
  sourceId: z.number().int().nullable(),
  partyType: z.string().nullable(),
  partyId: z.number().int().nullable(),
});

export const postingLineSchema = z.object({
  lineNo: z.number().int(),
  kind: z.string(),
  kindLabel: z.string(),
  productId: z.number().int(),
  sku: z.string(),
  name: z.string(),
  baseUnit: z.string(),
  warehouseId: z.number().int(),
  warehouseName: z.string(),
  batchNo: z.string(),
  qty: qty,
  qtyText: z.string(),
  unitCost: z.string().describe('分/基本单位'),
  valueFen: fenText,
  enteredQty: z.string().nullable().optional(),
  enteredUnitPrice: z.string().nullable().optional(),
  salePrice: z.string().optional().describe('销售出库的售价，分/基本单位（最多 6 位小数）；没填售价时不返回'),
  saleAmountFen: fenText.optional().describe('这一行的销售金额（分）；没填售价时不返回'),
});

export const onHandSchema = z.object({
  productId: z.number().int(),
  sku: z.string(),
  name: z.string(),
  warehouseId: z.number().int(),
  warehouseName: z.string(),
  qty,
  qtyText: z.string(),
  totalQty: qty,
  totalQtyText: z.string(),
});

export const postingResultSchema = z.object({
  document: documentSchema,
  lines: z.array(postingLineSchema),
  onHand: z.array(onHandSchema),
  replayed: z.boolean().describe('true：同一幂等键已处理过，这是第一次的结果，没有重复记账'),
});

// ── shapes of the other inventory use cases ──
// Cost fields are optional: without 'cost.view' they are left out (use-cases/cost-visibility.ts).

const costFen = z.string().optional().describe('分（整数，文本）；需要「查看成本」权限，否则不返回');
const costPerUnit = z.string().optional().describe('分/基本单位（最多 6 位小数，文本）；需要「查看成本」权限，否则不返回');
const baseQty = z.string().describe('数量（基本单位，十进制文本）');
const isoText = z.string().describe('时间（ISO 8601）');

/** `{ items, nextCursor }`: one page of a list; nextCursor null on the last page. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('下一页的游标；null 表示没有更多') });

export const productSchema = z.object({
  id: z.number().int(),
  sku: z.string(),
  barcode: z.string().nullable(),
  name: z.string(),
  model: z.string().nullable(),
  spec: z.string().nullable(),
  category: z.string().nullable(),
  aliases: z.array(z.string()).describe('别名（其他叫法）'),
  unitAliases: z.record(z.string(), z.string()).describe('单位别名：{别名: 商品的单位}'),
  baseUnit: z.string(),
  packUnit: z.string().nullable(),
  packFactor: z.string().nullable().describe('1 包装单位 = 多少基本单位'),
  purchasePriceFen: costPerUnit.nullable(),
  salePriceFen: z.string().nullable().describe('分/基本单位（最多 6 位小数，文本）'),
  qtyDecimals: z.number().int().nullable(),
  safetyStock: baseQty,
  leadTimeDays: z.number().int(),
  preferredSupplierId: z.number().int().nullable(),
  batchTracked: z.boolean(),
  archived: z.boolean(),
});

export const warehouseSchema = z.object({ id: z.number().int(), code: z.string(), name: z.string(), isDefault: z.boolean(), archived: z.boolean() });

export const productStockSchema = z.object({
  product: productSchema,
  rows: z.array(
    z.object({ warehouseId: z.number().int(), warehouseName: z.string(), batchNo: z.string(), receivedAt: isoText, qty: baseQty, qtyText: z.string(), valueFen: costFen }),
  ),
  perWarehouse: z.array(z.object({ warehouseId: z.number().int(), warehouseName: z.string(), qty: baseQty, qtyText: z.string(), valueFen: costFen })),
  totalQty: baseQty,
  totalQtyText: z.string(),
  totalValueFen: costFen,
  avgCost: costPerUnit,
});

export const stockSummaryResultSchema = z.object({
  lines: z.array(
    z.object({ productId: z.number().int(), sku: z.string(), name: z.string(), baseUnit: z.string(), qty: baseQty, qtyText: z.string(), avgCost: costPerUnit, valueFen: costFen }),
  ),
  totalValueFen: costFen,
});

const lowStockLineSchema = z.object({
  productId: z.number().int(),
  sku: z.string(),
  name: z.string(),
  warehouseId: z.number().int().nullable(),
  warehouseName: z.string().nullable(),
  qty: baseQty,
  qtyText: z.string(),
  safetyStock: baseQty,
  shortfall: baseQty.describe('安全库存 − 现有'),
  baseUnit: z.string().describe('qty、safetyStock、shortfall 的单位（基本单位）'),
  leadTimeDays: z.number().int(),
  preferredSupplierId: z.number().int().nullable(),
});
export const lowStockResultSchema = z.object({ perWarehouse: z.array(lowStockLineSchema), total: z.array(lowStockLineSchema) });

export const balanceItemSchema = z.object({
  productId: z.number().int(),
  sku: z.string(),
  name: z.string(),
  baseUnit: z.string(),
  warehouseId: z.number().int(),
  warehouseName: z.string(),
  batchNo: z.string().describe('批次号；不按批次管理的商品为空串'),
  receivedAt: isoText,
  expiresOn: z.string().nullable(),
  qty: baseQty,
  qtyText: z.string(),
  avgCost: costPerUnit,
  valueFen: costFen,
});

export const moveItemSchema = postingLineSchema
  .pick({ lineNo: true, kind: true, kindLabel: true, productId: true, sku: true, name: true, baseUnit: true, warehouseId: true, warehouseName: true, batchNo: true, qtyText: true })
  .extend({
    id: z.number().int(),
    documentId: z.number().int(),
    docNo: z.string(),
    docKind: z.string(),
    qty: baseQty.describe('带符号：入为正，出为负'),
    unitCost: costPerUnit,
    valueFen: costFen,
    businessTime: isoText,
    recordedAt: isoText,
    actorId: z.number().int().nullable(),
    reversesMoveId: z.number().int().nullable(),
    enteredQty: z.string().nullable(),
    enteredUnitPrice: costPerUnit.nullable(),
  });

/** A document header as lists show it (cost fields optional). */
export const documentHeaderSchema = documentSchema.extend({ totalValueFen: costFen });

/** One document with its lines, as `inventory.document` returns it (cost fields optional). */
export const documentResultSchema = z.object({
  document: documentHeaderSchema,
  lines: z.array(postingLineSchema.extend({ unitCost: costPerUnit, valueFen: costFen, enteredUnitPrice: costPerUnit.nullable() })),
  onHand: z.array(onHandSchema),
  replayed: z.boolean(),
});

export const stocktakeSchema = z.object({
  id: z.number().int(),
  docNo: z.string().describe('盘点单号，例如 PD20261125-0001（也是过账单据的单号）'),
  warehouseId: z.number().int(),
  warehouseName: z.string(),
  status: z.enum(['open', 'posted', 'cancelled']),
  productIds: z.array(z.number().int()).nullable().describe('盘点范围；null 表示整个仓库'),
  openedAt: isoText,
  openedAtMoveId: z.number().int(),
  postedDocId: z.number().int().nullable(),
  postedAt: isoText.nullable(),
  complete: z.boolean().describe('全盘：未盘到的按 0 处理'),
  completeProductIds: z.array(z.number().int()),
});

const productBrief = { productId: z.number().int(), sku: z.string(), name: z.string() };

export const stocktakeReportSchema = z.object({
  stocktake: stocktakeSchema,
  lines: z.array(
    z.object({
      ...productBrief,
      batchNo: z.string(),
      bookQty: baseQty,
      countedQty: baseQty,
      varianceQty: baseQty.describe('实盘 − 账面：正为盘盈，负为盘亏'),
      varianceText: z.string(),
      varianceValueFen: costFen,
      assumedZero: z.boolean().describe('没人盘点，因声明「完成」按 0 处理'),
    }),
  ),
  uncountedBatches: z.array(z.object({ ...productBrief, batchNo: z.string(), bookQty: baseQty })),
  uncounted: z.array(z.object({ ...productBrief, bookQty: baseQty })),
  completeProducts: z.array(z.object(productBrief)),
  moved: z.array(z.object(productBrief)),
  totalGainFen: costFen,
  totalLossFen: costFen,
});

export const recordCountResultSchema = z.object({
  stocktake: stocktakeSchema,
  ...productBrief,
  batchNo: z.string(),
  mode: z.enum(['add', 'set', 'subtract']),
  entryQty: baseQty,
  previousQty: baseQty,
  countedQty: baseQty,
  countedText: z.string(),
  complete: z.boolean(),
});

export const stocktakeCompleteResultSchema = z.object({
  stocktake: stocktakeSchema,
  product: z.object({ id: z.number().int(), sku: z.string(), name: z.string() }).nullable(),
  complete: z.boolean(),
});

export const postStocktakeResultSchema = z.object({
  stocktake: stocktakeSchema,
  posting: documentResultSchema.nullable().describe('盘点差异单据；没有差异时为 null'),
});

export const costAdjustmentResultSchema = z.object({
  posting: documentResultSchema,
  product: z.object({ id: z.number().int(), sku: z.string(), name: z.string(), baseUnit: z.string() }),
  qty: baseQty,
  qtyText: z.string(),
  before: z.object({ valueFen: costFen, avgCost: costPerUnit }),
  after: z.object({ valueFen: costFen, avgCost: costPerUnit }),
  diffFen: costFen,
  unitCostFen: costPerUnit.nullable(),
  receipt: z.object({ docNo: z.string(), qty: z.string(), originalUnitCost: costPerUnit, revaluedQty: z.string() }).nullable(),
  replayed: z.boolean(),
});
