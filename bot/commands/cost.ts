/**
 * 成本调整 (cost adjustment, 调价): the chat normaliser of inventory.cost-adjust
 * (src/inventory/use-cases/cost-adjust.ts). The rules (who may, what is refused, how a receipt's
 * part still on hand is revalued) live in the service; this file reads words into the canonical
 * input (prices and amounts in yuan text) and echoes the before/after average and value.
 *
 *   成本调整 <商品> <新单价>              new average, 元 per base unit (≤ 6 decimals)
 *   成本调整 <商品> 金额=<新库存金额>      new total value of the stock on hand, 元
 *   成本调整 <入库单号> [商品] <正确单价>   the receipt's correct price, 元 per base unit: only the
 *                                          receipt's goods still on hand (first-in-first-out, per
 *                                          batch and warehouse) are revalued
 */
import { TEXT_MAX, tooLongText } from '../../src/shared/limits.js';
import type { CostAdjustmentResult } from '../../src/inventory/cost-adjustment.js';
import type { PostingLine } from '../../src/inventory/documents.js';
import type { CostFiltered } from '../../src/inventory/use-cases/cost-visibility.js';
import { formatFen, formatPrice } from '../../src/shared/money.js';
import { parseArgs } from '../parse/args.js';
import { amountYuan, priceYuan } from '../parse/canonical.js';
import { command, UsageError, type CommandSpec } from './registry.js';
import { tidyQty } from './render.js';

const DOC_NO_RE = /^[A-Za-z]{2}\d{8}-\d{1,6}$/;

/** "+¥20.00" / "-¥5.00": a signed amount, as a 成本调整 line shows it. */
export function signedFen(fen: string | bigint): string {
  const s = formatFen(fen);
  return s.startsWith('-') ? s : `+${s}`;
}

/** One 成本调整 move of a posting reply (value only, no quantity): "• 螺丝（A001）成本调整 +¥20.00 @主仓库". */
export function costAdjustmentLine(l: PostingLine): string {
  const batch = l.batchNo ? ` 批次 ${l.batchNo}` : '';
  return `• ${l.name}（${l.sku}）成本调整 ${signedFen(l.valueFen)} @${l.warehouseName}${batch}`;
}

/** inventory.cost-adjust's canonical input. */
interface CostInput {
  product?: string;
  docNo?: string;
  unitPrice?: string;
  totalValue?: string;
  reason: string | null;
}

/** A unit price per BASE unit in yuan text; "/箱" is refused with the way to write it. */
function unitPrice(text: string, what: string): string {
  if (text.includes('/')) throw new UsageError(`${what}「${text}」请按基本单位写（元/基本单位），不要带「/单位」，例如 2.5`);
  return priceYuan(text, what);
}

const avgText = (fen: string | null, unit: string) => (fen == null ? '—' : `${formatPrice(fen)} / ${unit}`);

/**
 * The reply: what changed, before → after, and the document. Only roles that may see costs can
 * adjust them (stock.reverse is held by admin and manager, who hold cost.view): a result
 * without its values says so rather than print absent fields.
 */
export function renderCostAdjustment(filtered: CostFiltered<CostAdjustmentResult>): string {
  const d = filtered.posting.document;
  const head = filtered.replayed ? `（这条消息已处理过，没有重复记账）\n成本调整 ${d.docNo}` : `✅ 已成本调整 ${d.docNo}（${d.kindLabel}）`;
  if (filtered.diffFen === undefined) return `${head}\n• ${filtered.product.name}（${filtered.product.sku}）现有 ${tidyQty(filtered.qtyText)}`;
  const r = filtered as CostAdjustmentResult;
  const u = r.product.baseUnit;
  const out = [head, `• ${r.product.name}（${r.product.sku}）现有 ${tidyQty(r.qtyText)}`];
  out.push(`平均成本：${avgText(r.before.avgCost, u)} → ${avgText(r.after.avgCost, u)}`);
  out.push(`库存金额：${formatFen(r.before.valueFen)} → ${formatFen(r.after.valueFen)}（成本调整 ${signedFen(r.diffFen)}）`);
  if (r.receipt && r.receipt.originalUnitCost && r.unitCostFen) {
    out.push(
      `按入库单 ${r.receipt.docNo}：原单价 ${formatPrice(r.receipt.originalUnitCost)} / ${u}，正确单价 ${formatPrice(r.unitCostFen)} / ${u}；` +
        `这张单仍在库的 ${r.receipt.revaluedQty} ${u}（按先进先出、分批次和仓库计）按正确单价重新计价（已出库部分的成本不变）。`,
    );
  } else if (r.receipt) out.push(`按入库单 ${r.receipt.docNo}`);
  if (r.posting.lines.length > 1 || r.receipt) out.push(...r.posting.lines.map(costAdjustmentLine));
  if (d.remark) out.push(`原因：${d.remark}`);
  return out.join('\n');
}

export const costCommands: readonly CommandSpec[] = [
  command({
    name: '成本调整',
    aliases: ['调价', '调整成本', 'cost', 'revalue'],
    useCase: 'inventory.cost-adjust',
    hint: '按商品写新单价（或 金额= 新库存金额），或按入库单写正确单价；单位：元/基本单位',
    usage: '成本调整 <商品> <新单价> | 成本调整 <商品> 金额=<新库存金额> | 成本调整 <入库单号> [商品] <正确单价> [原因=…]',
    example: ['成本调整 A001 2.5', '调价 螺丝M6 0.002', '成本调整 RK20261125-0001 3', '成本调整 A001 金额=120'],
    takesProduct: true,
    parse(args): CostInput {
      const a = parseArgs(args, { options: { 金额: ['amount', '总金额', '库存金额'], 原因: ['reason', '备注', 'remark'] } });
      if (a.at.length) throw new UsageError('成本调整不分仓库：调整的是这个商品全部库存的金额，请去掉 @仓库');
      const pos = [...a.positional];
      const reason = a.options.get('原因') ?? null;
      if (reason && [...reason].length > TEXT_MAX.reason) throw new UsageError(tooLongText('原因', 'reason', reason));
      const amount = a.options.get('金额');
      if (pos.length && DOC_NO_RE.test(pos[0])) {
        const docNo = pos.shift()!.toUpperCase();
        if (!/^(RK|SC|QC)/.test(docNo)) throw new UsageError(`「${docNo}」不是入库单：只能按入库单（RK/SC/QC 开头）调整成本；要调整商品的单价请写 成本调整 <商品> <新单价>`);
        if (amount) throw new UsageError('按入库单调整时请写正确的单价（元/基本单位），不是金额，例如 成本调整 RK20261125-0001 3');
        const price = pos.pop();
        if (!price) throw new UsageError(`缺少正确单价（元/基本单位），例如 成本调整 ${docNo} 3`);
        const product = pos.join(' ') || undefined;
        return { docNo, ...(product ? { product } : {}), unitPrice: unitPrice(price, '正确单价'), reason };
      }
      if (!pos.length) throw new UsageError('缺少商品和新单价，例如 成本调整 A001 2.5');
      if (amount) return { product: pos.join(' '), totalValue: amountYuan(amount, '金额'), reason };
      if (pos.length < 2) throw new UsageError(`缺少新单价（元/基本单位），例如 成本调整 ${pos[0]} 2.5`);
      const price = pos.pop()!;
      return { product: pos.join(' '), unitPrice: unitPrice(price, '新单价'), reason };
    },
    async run(ctx, input) {
      return renderCostAdjustment(await ctx.invoke<CostFiltered<CostAdjustmentResult>>(input));
    },
  }),
];
