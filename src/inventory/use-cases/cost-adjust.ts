/**
 * 成本调整 (cost adjustment) as a use case: revalue the stock on hand against a product (new
 * average per base unit, or new total value) or a receipt (the price it should have had).
 * Canonical money: unitPrice in yuan per base unit (≤ 6 decimals), totalValue in yuan (≤ 2).
 */
import { TEXT_MAX } from '../../shared/limits.js';
import { z } from 'zod';
import { amountFen, isoTime, note, yuanAmount } from '../../kernel/canonical.js';
import { defineUseCase } from '../../kernel/use-case.js';
import { priceYuanToFen } from '../../shared/money.js';
import { adjustCost } from '../cost-adjustment.js';
import { DOC_PERMISSION } from '../moves.js';
import { baseUnitPrice, businessTimeOf } from './common.js';
import { costFiltered } from './cost-visibility.js';
import { productRef } from './postings.js';
import { costAdjustmentResultSchema } from './results.js';

export const costAdjustInput = z.strictObject({
  product: productRef.optional().describe('按商品调整；按入库单调整且单上有多个商品时也要写'),
  docNo: z.string().trim().min(1).max(40).optional().describe('按入库单调整：入库单号（RK/SC/QC 开头）'),
  unitPrice: baseUnitPrice
    .optional()
    .describe('新单价（元/基本单位，最多 6 位小数）；按入库单时是正确的入库单价'),
  totalValue: yuanAmount.optional().describe('现有库存的新总金额（元，最多两位小数）；只用于按商品调整'),
  reason: note(TEXT_MAX.reason),
  businessTime: isoTime.optional(),
});

export const costAdjustUseCase = defineUseCase({
  id: 'inventory.cost-adjust',
  kind: 'write',
  permission: DOC_PERMISSION.cost_adjustment,
  label: '成本调整',
  summary: '调整现有库存的成本：按商品（新单价或新总金额）或按入库单（正确单价）',
  input: costAdjustInput,
  output: costAdjustmentResultSchema,
  rest: { method: 'post', path: '/cost-adjustments' },
  run: async (ctx, i) =>
    costFiltered(
      ctx.actor,
      await adjustCost(ctx.conn, ctx.actor, {
        product: i.product,
        docNo: i.docNo,
        unitCostFen: i.unitPrice === undefined ? undefined : priceYuanToFen(i.unitPrice).toFixed(),
        totalValueFen: i.totalValue === undefined ? undefined : amountFen(i.totalValue),
        reason: i.reason,
        idempotencyKey: ctx.idempotencyKey,
        businessTime: businessTimeOf(ctx, i.businessTime),
      }, { references: ctx.references }),
    ),
});
