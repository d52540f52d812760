/** The ledger a page at a time, as use cases: balances and moves (src/inventory/listing.ts). */
import { enumLabels } from '../../kernel/validate.js';
import { z } from 'zod';
import { pageInput } from '../../kernel/canonical.js';
import { defineUseCase } from '../../kernel/use-case.js';
import { listBalances, listMoves } from '../listing.js';
import { MOVE_KIND_LABEL, type MoveKind } from '../moves.js';
import { timeBound } from './common.js';
import { costFiltered } from './cost-visibility.js';
import { productRef, warehouseRef } from './postings.js';
import { balanceItemSchema, moveItemSchema, pageOf } from './results.js';

const MOVE_KINDS = Object.keys(MOVE_KIND_LABEL) as [MoveKind, ...MoveKind[]];

const balanceSchema = z.object({ qty: z.string().describe('基本单位'), qtyText: z.string() });

export const balancesUseCase = defineUseCase({
  id: 'inventory.balances',
  kind: 'read',
  permission: 'stock.view',
  label: '库存明细',
  summary: '库存余额（商品 × 仓库 × 批次），可按商品、仓库、批次筛选',
  input: z.strictObject({
    product: productRef.optional(),
    warehouse: warehouseRef.optional(),
    batch: z.string().trim().max(64).optional().describe('批次号'),
    nonzero: z.boolean().default(false).describe('只列有库存的行'),
    ...pageInput,
  }),
  output: pageOf(balanceItemSchema),
  rest: { method: 'get', path: '/balances' },
  run: async (ctx, i) => costFiltered(ctx.actor, await listBalances(ctx.conn, ctx.actor, i, { references: ctx.references })),
});

export const movesUseCase = defineUseCase({
  id: 'inventory.moves',
  kind: 'read',
  permission: 'stock.view',
  label: '出入库流水',
  summary: '库存流水（按记账顺序或业务时间，商品流水带结存），可按商品、仓库、单号、类型、时间筛选',
  input: z.strictObject({
    product: productRef.optional(),
    warehouse: warehouseRef.optional(),
    docNo: z.string().trim().min(1).max(40).optional().describe('单号，例如 RK20261125-0001'),
    kind: z.enum(MOVE_KINDS).meta(enumLabels(MOVE_KINDS, MOVE_KIND_LABEL)).optional().describe('流水类型'),
    from: timeBound.meta({ title: '起始时间' }).optional(),
    to: timeBound.meta({ title: '截止时间' }).optional(),
    order: z
      .enum(['posting', 'time'])
      .default('posting')
      .describe('posting：按记账顺序；time：按业务时间——指定商品（且不按单号、类型筛选）时每行带结存 balanceAfter，并返回期初 opening'),
    ...pageInput,
  }),
  output: pageOf(moveItemSchema.extend({ balanceAfter: balanceSchema.optional().describe('这一行之后的结存（商品，或商品在所选仓库）') })).extend({
    opening: balanceSchema.optional().describe('本页第一行之前的结存（期初）'),
  }),
  rest: { method: 'get', path: '/moves' },
  run: async (ctx, i) => costFiltered(ctx.actor, await listMoves(ctx.conn, ctx.actor, { ...i, timeZone: ctx.timeZone }, { references: ctx.references })),
});
