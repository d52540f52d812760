/** Stock queries as use cases: one product's stock, the summary of all, low stock. */
import { z } from 'zod';
import { defineUseCase } from '../../kernel/use-case.js';
import { dayKey } from '../../shared/time.js';
import { expiryWindowSetting, lowStock } from '../lowstock.js';
import { getStock, stockSummary } from '../queries.js';
import { costFiltered } from './cost-visibility.js';
import { productRef, warehouseRef } from './postings.js';
import { lowStockResultSchema, productStockSchema, stockSummaryResultSchema } from './results.js';

const inWarehouse = { warehouse: warehouseRef.optional().describe('只看这个仓库；不填为全部仓库') };

const lowStateSchema = z.object({
  rule: z.string().describe('低库存的定义：现有 ≤ 安全库存'),
  total: z.object({ qty: z.string(), safetyStock: z.string(), low: z.boolean() }).describe('全部仓库合计对商品的安全库存'),
  warehouses: z
    .array(z.object({ warehouseId: z.number().int(), warehouseName: z.string(), qty: z.string(), safetyStock: z.string(), low: z.boolean() }))
    .describe('设了分仓安全库存的仓库'),
});

/** inventory.stock's result: the rows with their batch expiry, the batch asked for, the low-stock state. */
const stockResultSchema = productStockSchema.extend({
  rows: z.array(productStockSchema.shape.rows.element.extend({ expiresOn: z.string().nullable().describe('有效期（YYYY-MM-DD）'), expired: z.boolean().describe('已过期（有效期早于今天）') })),
  batchNo: z.string().nullable().describe('只看的批次；null 为全部批次'),
  low: lowStateSchema,
});

const expiringSchema = z.object({
  productId: z.number().int(),
  sku: z.string(),
  name: z.string(),
  warehouseId: z.number().int(),
  warehouseName: z.string(),
  batchNo: z.string(),
  expiresOn: z.string(),
  daysLeft: z.number().int().describe('距到期天数；负数为已过期'),
  expired: z.boolean(),
  qty: z.string(),
  qtyText: z.string(),
});

/** inventory.low-stock's result (src/inventory/lowstock.ts LowStockReport). */
const lowStockReportSchema = lowStockResultSchema.extend({
  rule: z.string(),
  perWarehouseJudged: z.number().int().describe('按仓库判断的（商品, 仓库）个数：只有设了分仓安全库存的才判断'),
  expiring: z.array(expiringSchema).describe('临期（有效期在 expiryWindowDays 天内）和已过期的批次'),
  expiryWindowDays: z.number().int(),
  today: z.string(),
});
export const stockUseCase = defineUseCase({
  id: 'inventory.stock',
  kind: 'read',
  permission: 'stock.view',
  label: '库存',
  summary: '一个商品的库存：按仓库和批次（含有效期），含库存金额与平均成本（需「查看成本」）',
  input: z.strictObject({ product: productRef, ...inWarehouse, batch: z.string().trim().min(1).max(64).optional().describe('只看这个批次（批次号）') }),
  output: stockResultSchema,
  rest: { method: 'get', path: '/stock/{product}' },
  run: async (ctx, i) => costFiltered(ctx.actor, await getStock(ctx.conn, ctx.actor, i, { references: ctx.references, today: isoToday(ctx) })),
});

/** The unit of work's business day, "2026-11-25", in the company time zone. */
const isoToday = (ctx: { now: Date; timeZone: string }) => dayKey(ctx.now, ctx.timeZone).replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3');

export const stockSummaryUseCase = defineUseCase({
  id: 'inventory.stock-summary',
  kind: 'read',
  permission: 'stock.view',
  label: '库存汇总',
  summary: '有库存的全部商品：数量，金额与平均成本（需「查看成本」）',
  input: z.strictObject(inWarehouse),
  output: stockSummaryResultSchema,
  rest: { method: 'get', path: '/stock-summary' },
  run: async (ctx, i) => costFiltered(ctx.actor, await stockSummary(ctx.conn, ctx.actor, i, { references: ctx.references })),
});

export const lowStockUseCase = defineUseCase({
  id: 'inventory.low-stock',
  kind: 'read',
  permission: 'stock.view',
  label: '低库存',
  summary: '低库存（现有 ≤ 安全库存）：合计按商品的安全库存，分仓按分仓安全库存；含临期和过期批次',
  input: z.strictObject(inWarehouse),
  output: lowStockReportSchema,
  rest: { method: 'get', path: '/low-stock' },
  run: async (ctx, i) =>
    lowStock(ctx.conn, ctx.actor, i, {
      references: ctx.references,
      today: isoToday(ctx),
      expiryWindowDays: await ctx.settings.get(expiryWindowSetting),
    }),
});
