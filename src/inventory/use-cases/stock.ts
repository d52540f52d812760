/** Stock queries as use cases: one product's stock, the summary of all, low stock. */
import { z } from 'zod';
import { defineUseCase } from '../../kernel/use-case.js';
import { lowStock } from '../lowstock.js';
import { getStock, stockSummary } from '../queries.js';
import { costFiltered } from './cost-visibility.js';
import { productRef, warehouseRef } from './postings.js';
import { lowStockResultSchema, productStockSchema, stockSummaryResultSchema } from './results.js';

const inWarehouse = { warehouse: warehouseRef.optional().describe('只看这个仓库；不填为全部仓库') };

export const stockUseCase = defineUseCase({
  id: 'inventory.stock',
  kind: 'read',
  permission: 'stock.view',
  label: '库存',
  summary: '一个商品的库存：按仓库和批次，含库存金额与平均成本（需「查看成本」）',
  input: z.strictObject({ product: productRef, ...inWarehouse }),
  output: productStockSchema,
  rest: { method: 'get', path: '/stock/{product}' },
  run: async (ctx, i) => costFiltered(ctx.actor, await getStock(ctx.conn, ctx.actor, i, { references: ctx.references })),
});

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
  summary: '低于安全库存的商品：按仓库和合计，含缺口与采购提前期',
  input: z.strictObject(inWarehouse),
  output: lowStockResultSchema,
  rest: { method: 'get', path: '/low-stock' },
  run: (ctx, i) => lowStock(ctx.conn, ctx.actor, i, { references: ctx.references }),
});
