/** Posted documents as use cases: one with its lines, or a filtered list of headers. */
import { enumLabels } from '../../kernel/validate.js';
import { z } from 'zod';
import { pageInput } from '../../kernel/canonical.js';
import { defineUseCase } from '../../kernel/use-case.js';
import { getDocument } from '../documents.js';
import { listDocuments } from '../listing.js';
import { DOC_KIND_LABEL, DOC_KINDS } from '../moves.js';
import { timeBound } from './common.js';
import { costFiltered } from './cost-visibility.js';
import { productRef, warehouseRef } from './postings.js';
import { documentHeaderSchema, documentResultSchema, pageOf } from './results.js';

export const documentUseCase = defineUseCase({
  id: 'inventory.document',
  kind: 'read',
  permission: 'stock.view',
  label: '查看单据',
  summary: '按单号查看一张已过账的单据及其明细',
  input: z.strictObject({ docNo: z.string().trim().min(1, '请填写单号').max(40).describe('单号，例如 RK20261125-0001') }),
  output: documentResultSchema,
  rest: { method: 'get', path: '/documents/{docNo}' },
  run: async (ctx, i) => costFiltered(ctx.actor, await getDocument(ctx.conn, ctx.actor, i.docNo)),
});

export const documentsUseCase = defineUseCase({
  id: 'inventory.documents',
  kind: 'read',
  permission: 'stock.view',
  label: '单据列表',
  summary: '已过账单据（表头，含经办人和商品），可按类型、时间、仓库、商品、经办人筛选',
  input: z.strictObject({
    kind: z.enum(DOC_KINDS).meta(enumLabels(DOC_KINDS, DOC_KIND_LABEL)).optional().describe('单据类型'),
    from: timeBound.meta({ title: '起始时间' }).optional(),
    to: timeBound.meta({ title: '截止时间' }).optional(),
    warehouse: warehouseRef.optional().describe('涉及这个仓库的单据（调出或调入）'),
    product: productRef.optional().describe('含有这个商品的单据'),
    actor: z
      .union([z.number().int().positive(), z.string().trim().min(1).max(100)])
      .optional()
      .meta({ title: '经办人' })
      .describe('经办人：用户 id、open_id（ou_…）或名字'),
    ...pageInput,
  }),
  output: pageOf(
    documentHeaderSchema.extend({
      actorName: z.string().nullable().describe('经办人名字（未知时为 open_id）'),
      productsText: z.string().describe('单据上的商品：最多 3 个名字，其余写「等 N 种」'),
      lineCount: z.number().int(),
    }),
  ),
  rest: { method: 'get', path: '/documents' },
  run: async (ctx, i) => costFiltered(ctx.actor, await listDocuments(ctx.conn, ctx.actor, { ...i, timeZone: ctx.timeZone }, { references: ctx.references })),
});
