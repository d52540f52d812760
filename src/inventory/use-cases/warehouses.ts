/** Warehouses (仓库) as use cases: create one, list them. */
import { z } from 'zod';
import { TEXT_MAX } from '../../shared/limits.js';
import { defineUseCase } from '../../kernel/use-case.js';
import { createWarehouse, listWarehouses } from '../warehouses.js';
import { warehouseSchema } from './results.js';

export const createWarehouseUseCase = defineUseCase({
  id: 'inventory.warehouse-create',
  kind: 'write',
  permission: 'warehouse.manage',
  label: '新增仓库',
  summary: '新建仓库；第一个仓库（或指定为默认的）成为默认仓库',
  input: z.strictObject({
    name: z.string().trim().min(1, '请填写仓库名称').max(TEXT_MAX.warehouseName),
    code: z.string().trim().min(1).max(TEXT_MAX.warehouseCode).optional().describe('仓库编码；不填则自动生成 WH01、WH02…'),
    makeDefault: z.boolean().default(false).describe('设为默认仓库'),
  }),
  output: warehouseSchema,
  rest: { method: 'post', path: '/warehouses' },
  run: (ctx, i) => createWarehouse(ctx.conn, ctx.actor, i),
});

export const listWarehousesUseCase = defineUseCase({
  id: 'inventory.warehouses',
  kind: 'read',
  permission: 'stock.view',
  label: '仓库列表',
  summary: '所有仓库（默认不含已停用的）',
  input: z.strictObject({ includeArchived: z.boolean().default(false).describe('包含已停用的仓库') }),
  output: z.object({ items: z.array(warehouseSchema) }),
  rest: { method: 'get', path: '/warehouses' },
  run: async (ctx, i) => ({ items: await listWarehouses(ctx.conn, ctx.actor, i) }),
});
