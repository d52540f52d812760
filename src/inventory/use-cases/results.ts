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
