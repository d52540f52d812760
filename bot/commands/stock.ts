/**
 * 库存 and 单据: pure queries, over the read use cases inventory.stock (with
 * inventory.stock-summary and inventory.low-stock when no product is named) and
 * inventory.document (one document) / inventory.documents (a list: doc-list.ts). Values and
 * costs are shown only when the use case returned them (the 'cost.view' permission,
 * src/inventory/use-cases/cost-visibility.ts). Quantities are 现有 (on hand): there are no
 * reservations yet, so nothing here is called 可用. Low stock is the one definition of
 * src/inventory/lowstock.ts, stated in the reply.
 */
import type { LowStockReport } from '../../src/inventory/lowstock.js';
import { productLabel } from '../../src/inventory/products.js';
import type { ProductStock, StockSummaryLine } from '../../src/inventory/queries.js';
import type { CostFiltered } from '../../src/inventory/use-cases/cost-visibility.js';
import { formatFen } from '../../src/shared/money.js';
import { saleLineText, saleTotalText } from '../cards/echo.js';
import { documentReply, stockReply, unitCostText } from '../cards/replies.js';
import { oneWarehouse, parseArgs } from '../parse/args.js';
import { docNoArg, type Posting } from './postings.js';
import { docListText, parseDocList, type DocListQuery } from './doc-list.js';
import { lowStockLines } from './lowstock.js';
import { lowStateLines } from '../cards/views.js';
import { command, UsageError, type CommandSpec } from './registry.js';
import { postedProductText, tidyQty } from './render.js';

type Stock = CostFiltered<ProductStock>;
type Summary = CostFiltered<{ lines: StockSummaryLine[]; totalValueFen: string }>;

function extra(rest: string[]): void {
  if (rest.length) throw new UsageError(`多余的内容「${rest.join(' ')}」`);
}


/** " · ¥12.00" when the value was returned, else nothing. */
const valueText = (fen: string | undefined) => (fen === undefined ? '' : ` · ${formatFen(fen)}`);

/** A batch line: which warehouse holds it, how much, its expiry (and how near it is). */
function batchLine(r: Stock['rows'][number], withWarehouse: boolean): string {
  const exp = r.expiresOn ? `，有效期 ${r.expiresOn}${r.expired ? '（已过期）' : ''}` : '';
  return `   批次 ${r.batchNo}${withWarehouse ? ` @${r.warehouseName}` : ''}：${tidyQty(r.qtyText)}${exp}${valueText(r.valueFen)}`;
}

function stockText(s: Stock, warehouse: string | undefined): string {
  const p = s.product;
  const out = [`📦 ${productLabel(p)}${warehouse ? ` @${warehouse}` : ''}${s.batchNo ? ` 批次 ${s.batchNo}` : ''}`];
  if (s.rows.length === 0) out.push(s.batchNo ? `批次 ${s.batchNo} 暂无库存。` : '暂无库存。');
  for (const w of s.perWarehouse) {
    // Values are parts of the exact total (allocated by quantity): they add up to 库存金额.
    out.push(`• ${w.warehouseName}：${tidyQty(w.qtyText)}${valueText(w.valueFen)}`);
    for (const r of s.rows.filter((x) => x.warehouseId === w.warehouseId && x.batchNo)) out.push(batchLine(r, true));
  }
  out.push(`现有：${tidyQty(s.totalQtyText)}`);
  if (s.totalValueFen !== undefined && s.avgCost !== undefined) out.push(`库存金额：${formatFen(s.totalValueFen)}（平均成本 ${unitCostText(s.avgCost, p.baseUnit)}）`);
  const low = lowStateLines(s);
  if (low.length) out.push(...low, `（${s.low.rule}）`);
  return out.join('\n');
}

function summaryText(sum: Summary, low: LowStockReport, warehouse: string | undefined): string {
  const total = sum.totalValueFen === undefined ? '' : `，金额合计 ${formatFen(sum.totalValueFen)}`;
  const out = [`📊 库存汇总${warehouse ? ` @${warehouse}` : ''}：${sum.lines.length} 个商品${total}`];
  const top = sum.lines.slice(0, 30);
  for (const l of top) out.push(`• ${l.name}（${l.sku}）现有 ${tidyQty(l.qtyText)}${valueText(l.valueFen)}`);
  if (sum.lines.length > top.length) out.push(`…还有 ${sum.lines.length - top.length} 个商品，用「库存 <商品>」查看单个`);
  out.push(...lowStockLines(low, warehouse));
  return out.join('\n');
}

export const stockCommands: readonly CommandSpec[] = [
  command({
    name: '单据',
    aliases: ['doc', 'document', '查单'],
    useCase: 'inventory.document',
    takesPerson: true,
    hint: '写单号看一张；写期间、商品或人看列表（分页）',
    usage: '单据 <单号> | 单据 [今天|昨天|本周|本月|<日期>|<期间>] [商品|人|@某人] [@仓库] [页=N]',
    example: ['单据 CK20261125-0001', '单据 今天', '单据 昨天 @张三', '单据 螺丝M6 本月', '单据 2026-11-01~2026-11-15 页=2'],
    parse(args, ctx): { docNo: string } | { list: DocListQuery } {
      if (args.length && /^[A-Za-z]{2}\d{8}-\d{1,6}$/.test(args[0])) {
        const docNo = docNoArg(args);
        extra(args.slice(1));
        return { docNo };
      }
      return { list: parseDocList(args, ctx) };
    },
    async run(ctx, input) {
      if ('list' in input) return docListText(ctx, input.list);
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
        // A sales issue's selling price (src/inventory/sale-price.ts): per line and in total; 毛利 only with costs.
        ...r.lines.flatMap((l) => (saleLineText(l) ? [`  第 ${l.lineNo} 行 ${saleLineText(l)}`] : [])),
        ...[saleTotalText(r.lines)].filter((x) => x !== null),
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
    hint: '不写商品则看全部商品的汇总、低库存和临期批次；数量都是现有',
    usage: '库存 [商品] [@仓库] [批次=…]',
    example: ['库存 A001', '库存 @主仓库', '库存 R001 批次=B2311', '库存'],
    parse(args) {
      const a = parseArgs(args, { options: { 批次: ['batch', '批号'] } });
      if (a.mentions.length) throw new UsageError('库存不需要 @某人');
      const product = a.positional.join(' ') || undefined;
      if (product && product.length > 100) throw new UsageError('商品名太长');
      const batch = a.options.get('批次');
      if (batch !== undefined && !product) throw new UsageError('查批次要写商品，例如 库存 R001 批次=B2311');
      return { product, warehouse: oneWarehouse(a.at), batch };
    },
    async run(ctx, { product, warehouse, batch }) {
      const inWarehouse = warehouse !== undefined ? { warehouse } : {};
      if (product) {
        const s = await ctx.invoke<Stock>({ product, ...inWarehouse, ...(batch !== undefined ? { batch } : {}) });
        return stockReply(s, stockText(s, warehouse), warehouse ? (s.perWarehouse[0]?.warehouseName ?? warehouse) : null);
      }
      const sum = await ctx.invoke<Summary>(inWarehouse, 'inventory.stock-summary');
      const low = await ctx.invoke<LowStockReport>(inWarehouse, 'inventory.low-stock');
      return summaryText(sum, low, warehouse);
    },
  }),
];
