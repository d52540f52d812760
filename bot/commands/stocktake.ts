/** 盘点 commands: open, record counts, show variances, post, cancel. No SQL here. */
import type { Db } from '../../db/types.js';
import * as inv from '../../src/inventory/index.js';
import { formatFen } from '../../src/shared/money.js';
import { parseArgs, splitProductAndQty } from '../parse/args.js';
import { commands, UsageError, type CommandContext } from './registry.js';
import { remember, renderPosting } from './inventory.js';
import { tidyQty } from './render.js';

const db = (ctx: CommandContext) => ctx.tx as unknown as Db;

function oneWarehouse(at: string[]): string | undefined {
  if (at.length > 1) throw new UsageError('只能指定一个仓库');
  return at[0];
}

function countQty(t: string | undefined): string {
  if (t === undefined) throw new UsageError('缺少实盘数量（可以是 0）');
  if (/^[-−]/.test(t)) throw new UsageError('实盘数量不能是负数');
  if (!/^\d+(\.\d+)?[^\d\s.]*(\d+(\.\d+)?[^\d\s.]*)*$/.test(t)) throw new UsageError(`实盘数量「${t}」看不懂，请写成 98、2箱 或 0`);
  if ((t.match(/\d+/g) ?? []).some((x) => x.replace(/^0+/, '').length > 12)) throw new UsageError(`实盘数量「${t}」太大了`);
  return t;
}

commands.register('盘点 开始', {
  aliases: ['count start', 'stocktake start', '开始盘点'],
  permission: 'stock.count',
  summary: '开始盘点一个仓库（可只盘指定商品）',
  usage: '盘点 开始 [@仓库] [商品…]',
  example: ['盘点 开始 @主仓库', '盘点 开始 A001 A002'],
  parse(args) {
    const a = parseArgs(args);
    return { warehouse: oneWarehouse(a.at), products: a.positional.length ? a.positional : undefined };
  },
  async run(ctx, input: { warehouse?: string; products?: string[] }) {
    const st = await inv.openStocktake(db(ctx), ctx.actor, input);
    await remember(ctx, st.warehouseId);
    return [
      `✅ 已开始盘点 ${st.docNo} @${st.warehouseName}${st.productIds ? `（${st.productIds.length} 个商品）` : '（全部商品）'}`,
      '逐个录入实盘数量：盘点 录入 A001 98（同一商品多次录入会累加）',
      '看差异：盘点 差异；确认后：盘点 过账',
    ].join('\n');
  },
});

commands.register('盘点 录入', {
  aliases: ['count', 'count add', 'stocktake count', '录入'],
  permission: 'stock.count',
  summary: '录入一个商品的实盘数量（多次录入累加）',
  usage: '盘点 录入 <商品> <实盘数量> [@仓库] [批次=…]',
  example: ['盘点 录入 A001 98', '盘点 录入 螺丝M6 1盒20个 @二号仓'],
  parse(args) {
    const a = parseArgs(args, { options: { 批次: ['batch', '批号'] } });
    const { product, rest } = splitProductAndQty(a.positional);
    if (!product) throw new UsageError('缺少商品和实盘数量');
    const qty = countQty(rest[0]);
    if (rest.length > 1) throw new UsageError(`多余的内容「${rest.slice(1).join(' ')}」`);
    return { product, qty, warehouse: oneWarehouse(a.at), batchNo: a.options.get('批次') };
  },
  async run(ctx, input: { product: string; qty: string; warehouse?: string; batchNo?: string }) {
    const st = await inv.findOpenStocktake(ctx.tx, ctx.actor, input.warehouse);
    const r = await inv.recordCount(db(ctx), ctx.actor, {
      stocktake: st.docNo,
      product: input.product,
      qty: input.qty,
      ...(input.batchNo ? { batchNo: input.batchNo } : {}),
    });
    await remember(ctx, st.warehouseId);
    return `✅ 已录入 ${st.docNo} @${st.warehouseName}：${input.product}${r.batchNo ? ` 批次 ${r.batchNo}` : ''} 本次 ${input.qty}，累计实盘 ${tidyQty(r.countedText)}`;
  },
});

function reportText(r: inv.StocktakeReport): string {
  const st = r.stocktake;
  const out = [`盘点 ${st.docNo} @${st.warehouseName}（${st.status === 'open' ? '进行中' : st.status === 'posted' ? '已过账' : '已取消'}）`];
  if (r.lines.length === 0) out.push('还没有录入任何商品。');
  for (const l of r.lines) {
    const v = l.varianceQty;
    const tag = v.startsWith('-') ? '盘亏' : v === '0' ? '相符' : '盘盈';
    out.push(`• ${l.name}（${l.sku}）${l.batchNo ? `批次 ${l.batchNo} ` : ''}账面 ${l.bookQty} 实盘 ${l.countedQty} → ${tag}${v === '0' ? '' : ` ${v.replace(/^-/, '')}`}${v === '0' ? '' : `（约 ${formatFen(l.varianceValueFen.replace(/^-/, ''))}）`}`);
  }
  if (r.uncounted.length) out.push(`未盘（不会调整）：${r.uncounted.slice(0, 20).map((u) => `${u.name}（${u.sku}）账面 ${u.bookQty}`).join('、')}${r.uncounted.length > 20 ? ' …' : ''}`);
  if (r.moved.length) out.push(`⚠️ 盘点开始后有出入库：${r.moved.map((m) => `${m.name}（${m.sku}）`).join('、')}。请重新清点，或用「盘点 过账 强制」。`);
  out.push(`盘盈合计 ${formatFen(r.totalGainFen)}，盘亏合计 ${formatFen(r.totalLossFen)}`);
  return out.join('\n');
}

commands.register('盘点 差异', {
  aliases: ['count diff', 'stocktake report', '盘点 报告'],
  permission: 'stock.view',
  summary: '查看盘点差异（账面 vs 实盘）',
  usage: '盘点 差异 [@仓库]',
  example: '盘点 差异',
  parse(args) {
    const a = parseArgs(args);
    if (a.positional.length) throw new UsageError(`多余的内容「${a.positional.join(' ')}」`);
    return { warehouse: oneWarehouse(a.at) };
  },
  async run(ctx, input: { warehouse?: string }) {
    const st = await inv.findOpenStocktake(ctx.tx, ctx.actor, input.warehouse);
    return reportText(await inv.stocktakeReport(ctx.tx, ctx.actor, st.docNo));
  },
});

commands.register('盘点 过账', {
  aliases: ['count post', 'stocktake post', '盘点 确认'],
  permission: 'stock.count',
  summary: '确认盘点结果，按差异调整库存',
  usage: '盘点 过账 [@仓库] [强制]',
  example: ['盘点 过账', '盘点 过账 @二号仓 强制'],
  parse(args) {
    const a = parseArgs(args, { flags: { 强制: ['force', '-f'] } });
    if (a.positional.length) throw new UsageError(`多余的内容「${a.positional.join(' ')}」`);
    return { warehouse: oneWarehouse(a.at), force: a.flags.has('强制') };
  },
  async run(ctx, input: { warehouse?: string; force: boolean }) {
    const st = await inv.findOpenStocktake(ctx.tx, ctx.actor, input.warehouse);
    const r = await inv.postStocktake(db(ctx), ctx.actor, { stocktake: st.docNo, idempotencyKey: ctx.idempotencyKey, force: input.force });
    await remember(ctx, r.stocktake.warehouseId);
    if (!r.posting) return `✅ 盘点 ${r.stocktake.docNo} 已过账：账实相符，库存没有变化。`;
    return renderPosting(r.posting, '盘点过账');
  },
});

commands.register('盘点 取消', {
  aliases: ['count cancel', 'stocktake cancel'],
  permission: 'stock.count',
  summary: '取消进行中的盘点（不调整库存）',
  usage: '盘点 取消 [@仓库]',
  example: '盘点 取消',
  parse(args) {
    const a = parseArgs(args);
    return { warehouse: oneWarehouse(a.at) };
  },
  async run(ctx, input: { warehouse?: string }) {
    const st = await inv.findOpenStocktake(ctx.tx, ctx.actor, input.warehouse);
    const v = await inv.cancelStocktake(db(ctx), ctx.actor, st.docNo);
    return `已取消盘点 ${v.docNo} @${v.warehouseName}，库存没有变化。`;
  },
});
