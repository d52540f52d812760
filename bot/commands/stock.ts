/**
 * 库存 and 单据: pure queries, over the read use cases inventory.stock (with
 * inventory.stock-summary and inventory.low-stock when no product is named) and
 * inventory.document. Values and costs are shown only when the use case returned them (the
 * 'cost.view' permission, src/inventory/use-cases/cost-visibility.ts).
 */
import type { LowStockReport } from '../../src/inventory/lowstock.js';
import { productLabel } from '../../src/inventory/products.js';
import type { ProductStock, StockSummaryLine } from '../../src/inventory/queries.js';
import type { CostFiltered } from '../../src/inventory/use-cases/cost-visibility.js';
import { Dec } from '../../src/shared/decimal.js';
import { formatFen } from '../../src/shared/money.js';
import { documentReply, stockReply, unitCostText } from '../cards/replies.js';
import { parseArgs } from '../parse/args.js';
import { docNoArg, type Posting } from './postings.js';
import { command, UsageError, type CommandSpec } from './registry.js';
import { postedProductText, tidyQty } from './render.js';

type Stock = CostFiltered<ProductStock>;
type Summary = CostFiltered<{ lines: StockSummaryLine[]; totalValueFen: string }>;

function extra(rest: string[]): void {
  if (rest.length) throw new UsageError(`多余的内容「${rest.join(' ')}」`);
}

function oneWarehouse(at: string[]): string | undefined {
  if (at.length > 1) throw new UsageError(`只能指定一个仓库，收到了 ${at.map((x) => '@' + x).join(' ')}`);
  return at[0];
}

/** " · ¥12.00" when the value was returned, else nothing. */
const valueText = (fen: string | undefined) => (fen === undefined ? '' : ` · ${formatFen(fen)}`);

function stockText(s: Stock, warehouse: string | undefined): string {
  const p = s.product;
  const out = [`📦 ${productLabel(p)}${warehouse ? ` @${warehouse}` : ''}`];
  if (s.rows.length === 0) out.push('暂无库存。');
  for (const w of s.perWarehouse) {
    // Values are parts of the exact total (allocated by quantity): they add up to 库存金额.
    out.push(`• ${w.warehouseName}：${tidyQty(w.qtyText)}${valueText(w.valueFen)}`);
    for (const r of s.rows.filter((x) => x.warehouseId === w.warehouseId && x.batchNo)) out.push(`   批次 ${r.batchNo}：${tidyQty(r.qtyText)}${valueText(r.valueFen)}`);
  }
  out.push(`可用：${tidyQty(s.totalQtyText)}`);
  if (s.totalValueFen !== undefined && s.avgCost !== undefined) out.push(`库存金额：${formatFen(s.totalValueFen)}（平均成本 ${unitCostText(s.avgCost, p.baseUnit)}）`);
  if (p.safetyStock !== '0' && new Dec(s.totalQty).lessThanOrEqualTo(p.safetyStock)) out.push(`⚠️ 低于安全库存 ${p.safetyStock} ${p.baseUnit}`);
  return out.join('\n');
}

function summaryText(sum: Summary, low: LowStockReport, warehouse: string | undefined): string {
  const total = sum.totalValueFen === undefined ? '' : `，金额合计 ${formatFen(sum.totalValueFen)}`;
  const out = [`📊 库存汇总${warehouse ? ` @${warehouse}` : ''}：${sum.lines.length} 个商品${total}`];
  const top = sum.lines.slice(0, 30);
  for (const l of top) out.push(`• ${l.name}（${l.sku}）${tidyQty(l.qtyText)}${valueText(l.valueFen)}`);
  if (sum.lines.length > top.length) out.push(`…还有 ${sum.lines.length - top.length} 个商品，用「库存 <商品>」查看单个`);
  const lowLines = warehouse ? low.perWarehouse : low.total;
  if (lowLines.length) {
    out.push(`⚠️ 低库存（${lowLines.length}）：`);
    for (const l of lowLines.slice(0, 30)) out.push(`• ${l.name}（${l.sku}）${l.qtyText}${l.warehouseName ? ` @${l.warehouseName}` : ''}，安全库存 ${l.safetyStock}，缺 ${l.shortfall}`);
  } else out.push('没有低于安全库存的商品。');
  return out.join('\n');
}

export const stockCommands: readonly CommandSpec[] = [
  command({
    name: '单据',
    aliases: ['doc', 'document', '查单'],
    useCase: 'inventory.document',
    usage: '单据 <单号>',
    example: '单据 CK20261125-0001',
    parse(args) {
      const docNo = docNoArg(args);
      extra(args.slice(1));
      return { docNo };
    },
    async run(ctx, input) {
      const r = await ctx.invoke<Posting>(input);
      const d = r.document;
      const amount = (fen: string | undefined, signed: boolean) => (fen === undefined ? '' : ` 金额 ${signed && !fen.startsWith('-') ? '+' : ''}${formatFen(fen)}`);
      const lines = [
        `单据 ${d.docNo}（${d.kindLabel}）`,
        `时间：${new Date(d.businessTime).toLocaleString('zh-CN', { timeZone: ctx.deps.config.APP_TIMEZONE, hour12: false })}`,
        ...(d.warehouseName ? [`仓库：${d.warehouseName}${d.toWarehouseName ? ` → ${d.toWarehouseName}` : ''}`] : []),
        // As posted: name, SKU, units and pack factor from the move's snapshot (src/inventory/documents.ts).
        // A 成本调整 move changes value only: "—" for its quantity, the amount with its sign.
        ...r.lines.map((l) =>
          l.kind === 'cost_adjustment'
            ? `• ${postedProductText(l)}${l.kindLabel} — @${l.warehouseName}${l.batchNo ? ` 批次 ${l.batchNo}` : ''}${amount(l.valueFen, true)}`
            : `• ${postedProductText(l)}${l.kindLabel} ${l.qtyText} @${l.warehouseName}${l.batchNo ? ` 批次 ${l.batchNo}` : ''}${amount(l.valueFen, false)}`,
        ),
        ...(d.totalValueFen === undefined ? [] : [`合计金额：${formatFen(d.totalValueFen)}`]),
      ];
      if (d.remark) lines.push(`备注：${d.remark}`);
      if (d.reversesDocNo) lines.push(`红冲了：${d.reversesDocNo}`);
      if (d.reversedByDocNo) lines.push(`已被红冲：${d.reversedByDocNo}`);
      return documentReply(ctx, r, lines.join('\n'));
    },
  }),
  command({
    name: '库存',
    aliases: ['stock', 'inventory', 'inv', '查库存', '存货'],
    useCase: 'inventory.stock',
    hint: '不写商品则看全部商品的汇总和低库存',
    usage: '库存 [商品] [@仓库]',
    example: ['库存 A001', '库存 @主仓库', '库存'],
    parse(args) {
      const a = parseArgs(args);
      if (a.mentions.length) throw new UsageError('库存不需要 @某人');
      const product = a.positional.join(' ') || undefined;
      if (product && product.length > 100) throw new UsageError('商品名太长');
      return { product, warehouse: oneWarehouse(a.at) };
    },
    async run(ctx, { product, warehouse }) {
      const inWarehouse = warehouse !== undefined ? { warehouse } : {};
      if (product) {
        const s = await ctx.invoke<Stock>({ product, ...inWarehouse });
        return stockReply(s, stockText(s, warehouse), warehouse ? (s.perWarehouse[0]?.warehouseName ?? warehouse) : null);
      }
      const sum = await ctx.invoke<Summary>(inWarehouse, 'inventory.stock-summary');
      const low = await ctx.invoke<LowStockReport>(inWarehouse, 'inventory.low-stock');
      return summaryText(sum, low, warehouse);
    },
  }),
];
