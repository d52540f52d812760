/**
 * Stocktake (盘点) as use cases: open, count, declare complete, post, cancel, and the report.
 * The rules (absent count ≠ zero count, append-only entries, moved-since check) live in
 * src/inventory/stocktake.ts; these only map canonical input and the unit of work's clock.
 */
import { z } from 'zod';
import { TEXT_MAX } from '../../shared/limits.js';
import { isoTime, qtyText } from '../../kernel/canonical.js';
import { defineUseCase } from '../../kernel/use-case.js';
import { COUNT_MODES } from '../schemas.js';
import { cancelStocktake, openStocktake, postStocktake, recordCount, setStocktakeComplete, stocktakeReport } from '../stocktake.js';
import { businessTimeOf, stocktakeRef } from './common.js';
import { costFiltered } from './cost-visibility.js';
import { productRef, warehouseRef } from './postings.js';
import { postStocktakeResultSchema, recordCountResultSchema, stocktakeCompleteResultSchema, stocktakeReportSchema, stocktakeSchema } from './results.js';

export const openStocktakeUseCase = defineUseCase({
  id: 'inventory.stocktake-open',
  kind: 'write',
  permission: 'stock.count',
  label: '开始盘点',
  summary: '为一个仓库开始盘点（全部商品或指定商品），可声明全盘',
  input: z.strictObject({
    warehouse: warehouseRef.optional(),
    products: z.array(productRef).max(2000).optional().describe('盘点范围；不填为整个仓库'),
    complete: z.boolean().default(false).describe('全盘：过账时未盘到的按 0 处理'),
  }),
  output: stocktakeSchema,
  rest: { method: 'post', path: '/stocktakes' },
  run: (ctx, i) => openStocktake(ctx.conn, ctx.actor, i, { now: ctx.now, timeZone: ctx.timeZone, references: ctx.references }),
});

export const countStocktakeUseCase = defineUseCase({
  id: 'inventory.stocktake-count',
  kind: 'write',
  permission: 'stock.count',
  label: '盘点录入',
  summary: '录入实盘数量：累加、改为或减去',
  input: z.strictObject({
    stocktake: stocktakeRef,
    product: productRef,
    qty: qtyText.describe('实盘数量（可以是 0）：基本单位或带商品单位，例如 "24"、"2箱"'),
    batchNo: z.string().trim().min(1).max(TEXT_MAX.batchNo).optional().describe('批次号（批次管理的商品必填）'),
    mode: z.enum(COUNT_MODES, { error: '录入方式只能是 add（累加）、set（设为）或 subtract（减）' }).default('add'),
    complete: z.boolean().default(false).describe('同时声明这个商品已盘完：未盘到的批次按 0 处理'),
    newBatch: z.boolean().default(false).describe('账上没有的新批次（货架上发现的）'),
  }),
  output: recordCountResultSchema,
  rest: { method: 'post', path: '/stocktakes/{stocktake}/counts' },
  run: (ctx, i) => recordCount(ctx.conn, ctx.actor, i, { references: ctx.references }),
});

export const completeStocktakeUseCase = defineUseCase({
  id: 'inventory.stocktake-complete',
  kind: 'write',
  permission: 'stock.count',
  label: '盘点完成',
  summary: '声明盘点完成（一个商品，或整单全盘），也可撤回',
  input: z.strictObject({
    stocktake: stocktakeRef,
    product: productRef.optional(),
    complete: z.boolean().default(true),
  }),
  output: stocktakeCompleteResultSchema,
  rest: { method: 'post', path: '/stocktakes/{stocktake}/complete', status: 200 },
  run: (ctx, i) => setStocktakeComplete(ctx.conn, ctx.actor, i, { references: ctx.references }),
});

export const postStocktakeUseCase = defineUseCase({
  id: 'inventory.stocktake-post',
  kind: 'write',
  permission: 'stock.count',
  label: '盘点过账',
  summary: '按实盘过账，生成盘盈盘亏单据；盘点期间有出入库的需要强制过账',
  input: z.strictObject({
    stocktake: stocktakeRef,
    force: z.boolean().default(false).describe('盘点开始后有出入库，仍照常过账'),
    complete: z.boolean().default(false).describe('同时声明全盘'),
    businessTime: isoTime.optional(),
  }),
  output: postStocktakeResultSchema,
  rest: { method: 'post', path: '/stocktakes/{stocktake}/post', status: 200 },
  run: async (ctx, i) =>
    costFiltered(
      ctx.actor,
      await postStocktake(ctx.conn, ctx.actor, {
        stocktake: i.stocktake,
        force: i.force,
        complete: i.complete,
        idempotencyKey: ctx.idempotencyKey,
        businessTime: businessTimeOf(ctx, i.businessTime),
      }),
    ),
});

export const cancelStocktakeUseCase = defineUseCase({
  id: 'inventory.stocktake-cancel',
  kind: 'write',
  permission: 'stock.count',
  label: '取消盘点',
  summary: '取消进行中的盘点（已录入的数量不再使用）',
  input: z.strictObject({ stocktake: stocktakeRef }),
  output: stocktakeSchema,
  rest: { method: 'post', path: '/stocktakes/{stocktake}/cancel', status: 200 },
  run: (ctx, i) => cancelStocktake(ctx.conn, ctx.actor, i.stocktake),
});

export const stocktakeReportUseCase = defineUseCase({
  id: 'inventory.stocktake',
  kind: 'read',
  permission: 'stock.view',
  label: '盘点差异',
  summary: '盘点单的账实对比：差异、未盘到的商品与批次、开盘后变动过的商品',
  input: z.strictObject({ stocktake: stocktakeRef }),
  output: stocktakeReportSchema,
  rest: { method: 'get', path: '/stocktakes/{stocktake}' },
  run: async (ctx, i) => costFiltered(ctx.actor, await stocktakeReport(ctx.conn, ctx.actor, i.stocktake)),
});
