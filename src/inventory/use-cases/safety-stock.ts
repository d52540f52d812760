/** 分仓安全库存 as a use case: set (or clear with 0) a product's safety stock in one warehouse. */
import { z } from 'zod';
import { qtyText } from '../../kernel/canonical.js';
import { defineUseCase } from '../../kernel/use-case.js';
import { setWarehouseSafetyStock } from '../safety-stock.js';
import { productRef, warehouseRef } from './postings.js';

const resultSchema = z.object({
  productId: z.number().int(),
  sku: z.string(),
  name: z.string(),
  warehouseId: z.number().int(),
  warehouseName: z.string(),
  safetyStock: z.string().describe('分仓安全库存（基本单位）；"0" 表示已取消'),
  safetyStockText: z.string(),
  previous: z.string().describe('修改前的分仓安全库存（"0" 表示原来没有）'),
  onHand: z.string().describe('该仓库现有（基本单位）'),
  onHandText: z.string(),
  low: z.boolean().describe('按「现有 ≤ 安全库存」是否低库存'),
});

export const safetyStockSetUseCase = defineUseCase({
  id: 'inventory.safety-stock-set',
  kind: 'write',
  permission: 'product.manage',
  label: '设置安全库存',
  summary: '设置一个商品在某个仓库的安全库存（分仓低库存按它判断）；写 0 取消',
  input: z.strictObject({
    product: productRef,
    warehouse: warehouseRef,
    safetyStock: qtyText.meta({ title: '安全库存' }).describe('安全库存数量，例如 "50" 或 "2箱"；"0" 取消该仓库的安全库存'),
  }),
  output: resultSchema,
  rest: { method: 'put', path: '/products/{product}/safety-stocks/{warehouse}' },
  run: (ctx, i) => setWarehouseSafetyStock(ctx.conn, ctx.actor, { product: i.product, warehouse: i.warehouse, qty: i.safetyStock }, { references: ctx.references, now: ctx.now }),
});
