/**
 * Stock postings as use cases: 入库 (receipt), 出库 (issue), 调拨 (transfer), 红冲 (reversal).
 * Canonical input (src/kernel/canonical.ts) → the posting services' input; the services keep
 * THE rules (units, the price rule, FIFO, valuation) and parse again. Results leave without
 * cost fields for actors lacking cost.view (a 销售 posting an issue sees no COGS).
 *
 * The unusual-entry rule (../unusual.ts) is part of receive / issue / transfer: unless the input
 * says `confirm: true`, an unusual entry is refused with DomainError('needs_confirmation',
 * details: { reasons, fix: { kind: 'confirm' } }) and nothing is posted. Chat and cards ask the
 * rule themselves first (to show their confirmation card) and invoke with `confirm: true`, so
 * the rule runs once per message.
 */
import { TEXT_MAX } from '../../shared/limits.js';
import { enumLabels } from '../../kernel/validate.js';
import { z } from 'zod';
import { amountFen, isoTime, note, qtyText, refOf, timeOf, yuanPrice, yuanAmount } from '../../kernel/canonical.js';
import { defineUseCase, type ReferenceOptions, type UseCaseContext } from '../../kernel/use-case.js';
import type { PostingResult } from '../documents.js';
import { DOC_KIND_LABEL, ISSUE_KINDS, RECEIPT_KINDS } from '../moves.js';
import { postIssue, postReceipt, postTransfer } from '../posting.js';
import { reverseDocument } from '../reversal.js';
import type { ReceiptInput, TransferInput } from '../schemas.js';
import type { IssueWithSaleInput } from '../sale-price.js';
import { checkUnusualPosting, unusualEntryError, unusualEntrySetting, type PostingFlow } from '../unusual.js';
import { costFiltered } from './cost-visibility.js';
import { documentResultSchema } from './results.js';

export const productRef = refOf('商品', '12 或 "A001" 或 "螺丝M3"');
export const warehouseRef = refOf('仓库', '1 或 "WH01" 或 "主仓库"');

const confirm = z.boolean().default(false).describe('数量或单价异常（远超平时数量、偏离平均成本）时确认照常过账；不确认则返回 needs_confirmation 和原因');

const batchNo = z.string().trim().min(1).max(TEXT_MAX.batchNo).describe('批次号（批次管理的商品）');

export const receiptLine = z.strictObject({
  product: productRef,
  qty: qtyText,
  batchNo: batchNo.optional(),
  expiresOn: z.iso.date('有效期写成 2027-06-30').optional().describe('有效期（YYYY-MM-DD）'),
  unitPrice: yuanPrice.optional(),
  amount: yuanAmount.optional(),
});

export const receiptInput = z.strictObject({
  kind: z.enum(RECEIPT_KINDS).meta(enumLabels(RECEIPT_KINDS, DOC_KIND_LABEL)).default('purchase_receipt').describe('purchase_receipt 采购入库 / production_receipt 生产入库 / opening 期初'),
  warehouse: warehouseRef.optional(),
  lines: z.array(receiptLine).min(1, '至少需要一行商品').max(500),
  confirm,
  businessTime: isoTime.optional(),
  remark: note(TEXT_MAX.remark),
});
export type ReceiptCanonical = z.input<typeof receiptInput>;

/** A line of a transfer: what moves, how much, from which batch. */
export const movedLine = z.strictObject({ product: productRef, qty: qtyText, batchNo: batchNo.optional() });

/** A line of an issue: a sales issue's line may record its selling price (../sale-price.ts). */
export const issueLine = movedLine.extend({
  salePrice: yuanPrice
    .optional()
    .meta({ title: '售价' })
    .describe('销售出库的售价（元，最多 6 位小数），按数量所写的单位计，或写明单位 "36/箱"；领用出库不能填。不填则不记录售价'),
});

export const issueInput = z.strictObject({
  kind: z.enum(ISSUE_KINDS).meta(enumLabels(ISSUE_KINDS, DOC_KIND_LABEL)).default('sales_issue').describe('sales_issue 销售出库 / internal_issue 领用出库'),
  warehouse: warehouseRef.optional(),
  lines: z.array(issueLine).min(1, '至少需要一行商品').max(500),
  confirm,
  businessTime: isoTime.optional(),
  remark: note(TEXT_MAX.remark),
});
export type IssueCanonical = z.input<typeof issueInput>;

export const transferInput = z.strictObject({
  from: warehouseRef.optional(),
  to: warehouseRef,
  lines: z.array(movedLine).min(1, '至少需要一行商品').max(500),
  confirm,
  businessTime: isoTime.optional(),
  remark: note(TEXT_MAX.remark),
});
export type TransferCanonical = z.input<typeof transferInput>;

export const reversalInput = z.strictObject({
  docNo: z.string().trim().min(1, '请填写要红冲的单号').max(40),
  reason: note(TEXT_MAX.reason),
  businessTime: isoTime.optional(),
});
export type ReversalCanonical = z.input<typeof reversalInput>;

/**
 * The unusual-entry rule before posting (see the file comment); thresholds: the company
 * setting. `input`: the service's input without its key.
 */
async function refuseUnusual<F extends PostingFlow>(ctx: UseCaseContext, flow: F, label: string, input: Omit<FlowInputs[F], 'idempotencyKey'>): Promise<void> {
  const { reasons } = await checkUnusualPosting(ctx.conn, ctx.actor, flow, input, await ctx.settings.get(unusualEntrySetting), { references: ctx.references });
  if (reasons.length) throw unusualEntryError(label, reasons);
}

type FlowInputs = { receipt: ReceiptInput; issue: IssueWithSaleInput; transfer: TransferInput };

/**
 * Every posting use case ends the same way: the unusual-entry rule unless confirmed, then the
 * service under the unit's key and reference mode, then the cost filter for the actor.
 */
async function postChecked<F extends PostingFlow>(
  ctx: UseCaseContext,
  rule: { flow: F; label: string; confirm: boolean },
  input: Omit<FlowInputs[F], 'idempotencyKey'>,
  post: (conn: UseCaseContext['conn'], actor: UseCaseContext['actor'], input: FlowInputs[F], opts: ReferenceOptions) => Promise<PostingResult>,
) {
  if (!rule.confirm) await refuseUnusual(ctx, rule.flow, rule.label, input);
  return costFiltered(ctx.actor, await post(ctx.conn, ctx.actor, { ...input, idempotencyKey: ctx.idempotencyKey } as FlowInputs[F], { references: ctx.references }));
}

/** Business time: as given, else the unit of work's clock (never the service's own). */
const at = (ctx: UseCaseContext, iso: string | undefined) => timeOf(iso) ?? ctx.now;

export const receiveStock = defineUseCase({
  id: 'inventory.receive',
  kind: 'write',
  permission: 'stock.receive',
  label: '入库',
  summary: '入库（采购、生产、期初）：按单价或金额计入库存成本',
  input: receiptInput,
  output: documentResultSchema,
  rest: { method: 'post', path: '/receipts' },
  run: async (ctx, i) => {
    const input = {
      kind: i.kind,
      warehouse: i.warehouse,
      lines: i.lines.map((l) => ({
        product: l.product,
        qty: l.qty,
        batchNo: l.batchNo,
        expiresOn: l.expiresOn,
        unitPrice: l.unitPrice,
        amountFen: l.amount === undefined ? undefined : amountFen(l.amount),
      })),
      businessTime: at(ctx, i.businessTime),
      remark: i.remark,
    };
    const label = i.kind === 'production_receipt' ? '生产入库' : i.kind === 'opening' ? '期初入库' : '入库';
    return postChecked(ctx, { flow: 'receipt', label, confirm: i.confirm }, input, postReceipt);
  },
});

export const issueStock = defineUseCase({
  id: 'inventory.issue',
  kind: 'write',
  permission: 'stock.issue',
  label: '出库',
  summary: '出库（销售、领用）：不指定批次时先到期的先出（没有有效期的按先进先出），过期批次不自动出',
  input: issueInput,
  output: documentResultSchema,
  rest: { method: 'post', path: '/issues' },
  run: async (ctx, i) => {
    const input = { kind: i.kind, warehouse: i.warehouse, lines: i.lines, businessTime: at(ctx, i.businessTime), remark: i.remark };
    return postChecked(ctx, { flow: 'issue', label: i.kind === 'internal_issue' ? '领用' : '出库', confirm: i.confirm }, input, postIssue);
  },
});

export const transferStock = defineUseCase({
  id: 'inventory.transfer',
  kind: 'write',
  permission: 'stock.transfer',
  label: '调拨',
  summary: '仓库之间调拨：一张单据，调出与调入同时记账',
  input: transferInput,
  output: documentResultSchema,
  rest: { method: 'post', path: '/transfers' },
  run: async (ctx, i) => {
    const input = { from: i.from, to: i.to, lines: i.lines, businessTime: at(ctx, i.businessTime), remark: i.remark };
    return postChecked(ctx, { flow: 'transfer', label: '调拨', confirm: i.confirm }, input, postTransfer);
  },
});

export const reverseStockDocument = defineUseCase({
  id: 'inventory.reverse',
  kind: 'write',
  permission: 'stock.reverse',
  label: '红冲',
  summary: '红冲一张已过账的单据（唯一的更正方式）：生成反向单据',
  input: reversalInput,
  output: documentResultSchema,
  rest: { method: 'post', path: '/documents/{docNo}/reversal' },
  run: async (ctx, i) =>
    costFiltered(ctx.actor, await reverseDocument(ctx.conn, ctx.actor, { docNo: i.docNo, reason: i.reason, idempotencyKey: ctx.idempotencyKey, businessTime: at(ctx, i.businessTime) })),
});
