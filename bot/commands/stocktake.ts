/**
 * 盘点 commands: open, record counts (add, or correct with 设为 / 减), declare a product
 * (盘点 完成) or the whole count (全盘) complete, show variances, post, cancel — the chat
 * normalisers of the inventory.stocktake-* use cases. Chat names no PD number: the open
 * stocktake of the @仓库 (or the only open one) is looked up first (findOpenStocktake). No SQL
 * here; what an absent count means is decided in src/inventory/stocktake.ts.
 */
import type { CountMode } from '../../src/inventory/schemas.js';
import type { PostStocktakeResult, RecordCountResult, StocktakeReport, StocktakeView } from '../../src/inventory/stocktake.js';
import { findOpenStocktake } from '../../src/inventory/stocktake-current.js';
import type { CostFiltered } from '../../src/inventory/use-cases/cost-visibility.js';
import { formatFen } from '../../src/shared/money.js';
import { looksLikeQty, numberText, oneWarehouse, parseArgs } from '../parse/args.js';
import { remember, renderPosting } from './postings.js';
import { command, UsageError, type CommandContext, type CommandSpec } from './registry.js';
import { tidyQty } from './render.js';

type Report = CostFiltered<StocktakeReport>;

/** The open stocktake the user means (of the @仓库, or the only open one). DomainError when none or several. */
function openStocktake(ctx: CommandContext, warehouse: string | undefined) {
  return findOpenStocktake(ctx.tx, ctx.actor, warehouse);
}

/** The stocktake's report (inventory.stocktake), as the actor may see it. */
function report(ctx: CommandContext, stocktake: string): Promise<Report> {
  return ctx.invoke<Report>({ stocktake }, 'inventory.stocktake');
}



function countQty(t: string | undefined): string {
  if (t === undefined || t === '') throw new UsageError('缺少实盘数量（可以是 0），例如：盘点 录入 A001 98');
  t = numberText(t, '实盘数量'); // 1,000 → 1000; 2,5 refused (小数请用点号)
  if (/^[-−]/.test(t)) throw new UsageError(`实盘数量「${t}」不能是负数。要把录多了的减掉，请写：盘点 录入 <商品> 减 2`);
  if (!/^\d+(\.\d+)?[^\d\s.]*(\d+(\.\d+)?[^\d\s.]*)*$/.test(t)) throw new UsageError(`实盘数量「${t}」看不懂，请写成 98、2箱 或 0`);
  if ((t.match(/\d+/g) ?? []).some((x) => x.replace(/^0+/, '').length > 12)) throw new UsageError(`实盘数量「${t}」太大了`);
  return t;
}

type Mode = CountMode;

/**
 * A correction word before the quantity: 设为/改为/= (set the total), 减/减去/- (subtract),
 * 加/+ (add, the default). Also attached to the number (=8, 减2). A word that merely starts
 * with one (减速机) is not one: the rest must be empty or start with a digit.
 */
function modeToken(t: string): { mode: Mode; rest: string } | null {
  // A leading minus is NOT 减: "-3" is refused by countQty with the way to write a correction.
  const m = /^(设为|改为|=|＝|减去|减|加|\+)(.*)$/.exec(t);
  if (!m || (m[2] !== '' && !/^\d/.test(m[2]))) return null;
  const mode: Mode = /^(设为|改为|=|＝)$/.test(m[1]) ? 'set' : /^(减去|减)$/.test(m[1]) ? 'subtract' : 'add';
  return { mode, rest: m[2] };
}

/** "A001 98", "试剂 设为 8", "试剂 减2", "螺丝M6 1盒 20个" → product, mode, quantity text. */
function splitCount(pos: string[]): { product: string; mode: Mode; qty: string } {
  if (!pos.length) throw new UsageError('缺少商品和实盘数量，例如：盘点 录入 A001 98');
  // The first word is always part of the product (a SKU like 3M-001 or a name starting with a digit).
  let i = 1;
  while (i < pos.length && !modeToken(pos[i]) && !looksLikeQty(pos[i])) i++;
  const product = pos.slice(0, i).join(' ');
  const rest = pos.slice(i);
  let mode: Mode = 'add';
  const m = rest.length ? modeToken(rest[0]) : null;
  if (m) {
    mode = m.mode;
    rest.splice(0, 1, ...(m.rest ? [m.rest] : []));
  }
  // "1盒 20个" / "3 盒": the parts of one quantity, read by the product's units in the service
  // (a stray word is refused there, naming the units; it never becomes a remark).
  return { product, mode, qty: countQty(rest.join('')) };
}

const BATCH_KEYS = ['batch', '批号'];

/**
 * The chat normaliser glues "A001 = 8" into "A001=8" (for key=value options). When the part
 * before '=' is not an option of this command and a number follows, it is the product and a
 * 设为: ["A001", "=8"].
 */
function unglueSet(tokens: string[]): string[] {
  const keys = new Set(['批次', ...BATCH_KEYS].map((k) => k.toLowerCase()));
  return tokens.flatMap((t) => {
    const m = /^([^=]+)=(\d.*)$/.exec(t);
    return m && !keys.has(m[1].toLowerCase()) ? [m[1], `=${m[2]}`] : [t];
  });
}

const MODE_WORD: Record<Mode, string> = { add: '本次', set: '设为', subtract: '减' };

function hintComplete(sku: string): string {
  return `如已全部清点，请发「盘点 完成 ${sku}」或「盘点 全盘」`;
}

/** "（约 ¥12.00）" when the value was returned (cost.view), else nothing. */
const aboutValue = (fen: string | undefined) => (fen === undefined ? '' : `（约 ${formatFen(fen.replace(/^-/, ''))}）`);

function writeOffs(r: Report, productId?: number): string[] {
  const ls = r.lines.filter((l) => l.assumedZero && (productId === undefined || l.productId === productId) && l.varianceQty !== '0');
  const out = ls.slice(0, 20).map((l) => `• ${l.name}（${l.sku}）${l.batchNo ? `批次 ${l.batchNo} ` : ''}账面 ${l.bookQty} → 0${aboutValue(l.varianceValueFen)}`);
  if (ls.length > 20) out.push(`…… 共 ${ls.length} 行`);
  return out;
}

function reportText(r: Report): string {
  const st = r.stocktake;
  const state = st.status === 'open' ? '进行中' : st.status === 'posted' ? '已过账' : '已取消';
  const out = [`盘点 ${st.docNo} @${st.warehouseName}（${state}${st.complete ? '；全盘：未录入的按 0 计' : ''}）`];
  if (r.lines.length === 0 && r.uncountedBatches.length === 0) out.push('还没有录入任何商品。');
  for (const l of r.lines) {
    const v = l.varianceQty;
    const tag = v.startsWith('-') ? '盘亏' : v === '0' ? '相符' : '盘盈';
    const counted = l.assumedZero ? '未盘，按 0 计' : `实盘 ${l.countedQty}`;
    out.push(`• ${l.name}（${l.sku}）${l.batchNo ? `批次 ${l.batchNo} ` : ''}账面 ${l.bookQty} ${counted} → ${tag}${v === '0' ? '' : ` ${v.replace(/^-/, '')}`}${v === '0' ? '' : aboutValue(l.varianceValueFen)}`);
  }
  if (r.uncountedBatches.length) {
    const skus = [...new Set(r.uncountedBatches.map((b) => b.sku))];
    const list = r.uncountedBatches.slice(0, 20).map((b) => `${b.name}（${b.sku}）批次 ${b.batchNo} 账面 ${b.bookQty}`).join('；');
    out.push(`未盘批次：${list}${r.uncountedBatches.length > 20 ? ' …' : ''}，不调整（${hintComplete(skus.length === 1 ? skus[0] : '<商品>')}）`);
  }
  if (r.uncounted.length) {
    out.push(`未盘商品（不调整）：${r.uncounted.slice(0, 20).map((u) => `${u.name}（${u.sku}）账面 ${u.bookQty}`).join('、')}${r.uncounted.length > 20 ? ' …' : ''}（如已全部清点、其余都没有，请发「盘点 全盘」）`);
  }
  if (r.completeProducts.length && !st.complete) out.push(`已声明清点完成：${r.completeProducts.map((p) => `${p.name}（${p.sku}）`).join('、')}（未录入的批次按 0 计）`);
  if (r.moved.length) out.push(`⚠️ 盘点开始后有出入库：${r.moved.map((m) => `${m.name}（${m.sku}）`).join('、')}。请重新清点，或用「盘点 过账 强制」。`);
  if (r.totalGainFen !== undefined && r.totalLossFen !== undefined) out.push(`盘盈合计 ${formatFen(r.totalGainFen)}，盘亏合计 ${formatFen(r.totalLossFen)}`);
  return out.join('\n');
}


export const stocktakeCommands: readonly CommandSpec[] = [
  command({
    name: '盘点 开始',
    aliases: ['count start', 'stocktake start', '开始盘点'],
    useCase: 'inventory.stocktake-open',
    hint: '加「全盘」= 未录入的按 0 计',
    usage: '盘点 开始 [@仓库] [商品…] [全盘]',
    example: ['盘点 开始 @主仓库', '盘点 开始 A001 A002', '盘点 开始 @二号仓 全盘'],
    parse(args) {
      const a = parseArgs(args, { flags: { 全盘: ['complete'] } });
      const warehouse = oneWarehouse(a.at);
      return { ...(warehouse !== undefined ? { warehouse } : {}), ...(a.positional.length ? { products: a.positional } : {}), complete: a.flags.has('全盘') };
    },
    async run(ctx, input) {
      const st = await ctx.invoke<StocktakeView>(input);
      await remember(ctx, st.warehouseId);
      return [
        `✅ 已开始盘点 ${st.docNo} @${st.warehouseName}${st.productIds ? `（${st.productIds.length} 个商品）` : '（全部商品）'}`,
        '逐个录入实盘数量：盘点 录入 A001 98（同一商品多次录入会累加；录错了可「盘点 录入 A001 设为 95」或「盘点 录入 A001 减 3」）',
        st.complete
          ? '全盘：过账时，范围内没有录入的商品和批次都按 0 计（盘亏）。'
          : '没录入的商品和批次不调整；某个商品的批次都清点完了发「盘点 完成 <商品>」，整单都清点完了发「盘点 全盘」（未录入的按 0 计）。',
        '看差异：盘点 差异；确认后：盘点 过账',
      ].join('\n');
    },
  }),
  command({
    name: '盘点 录入',
    aliases: ['count', 'count add', 'stocktake count', '录入'],
    useCase: 'inventory.stocktake-count',
    hint: '多次录入累加；录错了用「设为」或「减」更正',
    usage: '盘点 录入 <商品> [设为|减] <实盘数量> [@仓库] [批次=…] [新批次] [完成]',
    takesProduct: true,
    example: ['盘点 录入 A001 98', '盘点 录入 螺丝M6 1盒20个 @二号仓', '盘点 录入 A001 设为 95', '盘点 录入 A001 减 3', '盘点 录入 试剂 8 批次=L1 完成'],
    parse(args) {
      const a = parseArgs(unglueSet(args), { options: { 批次: BATCH_KEYS }, flags: { 完成: ['done'], 新批次: ['new', 'newbatch'] } });
      const { product, mode, qty } = splitCount(a.positional);
      return { product, mode, qty, warehouse: oneWarehouse(a.at), batchNo: a.options.get('批次'), complete: a.flags.has('完成'), newBatch: a.flags.has('新批次') };
    },
    async run(ctx, input) {
      const st = await openStocktake(ctx, input.warehouse);
      const r = await ctx.invoke<RecordCountResult>({
        stocktake: st.docNo,
        product: input.product,
        qty: input.qty,
        mode: input.mode,
        complete: input.complete,
        newBatch: input.newBatch,
        ...(input.batchNo ? { batchNo: input.batchNo } : {}),
      });
      await remember(ctx, st.warehouseId);
      const what = `${r.name}（${r.sku}）${r.batchNo ? ` 批次 ${r.batchNo}` : ''}`;
      const out = [
        input.mode === 'add'
          ? `✅ 已录入 ${st.docNo} @${st.warehouseName}：${what} 本次 ${input.qty}，累计实盘 ${tidyQty(r.countedText)}`
          : `✅ 已更正 ${st.docNo} @${st.warehouseName}：${what} ${MODE_WORD[input.mode]} ${input.qty}（原累计 ${r.previousQty}，记一笔 ${r.entryQty.startsWith('-') ? r.entryQty : `+${r.entryQty}`}），累计实盘 ${tidyQty(r.countedText)}`,
      ];
      if (r.batchNo) {
        out.push(r.complete ? `「${r.name}」已声明清点完成：没有录入的批次过账时按 0 计。` : `「${r.name}」没有录入的批次不调整（${hintComplete(r.sku)}）。`);
      }
      return out.join('\n');
    },
  }),
  command({
    name: '盘点 差异',
    aliases: ['count diff', 'stocktake report', '盘点 报告', '盘点 查看'],
    useCase: 'inventory.stocktake',
    usage: '盘点 差异 [@仓库]',
    example: '盘点 差异',
    parse(args) {
      const a = parseArgs(args);
      if (a.positional.length) throw new UsageError(`多余的内容「${a.positional.join(' ')}」`);
      return { warehouse: oneWarehouse(a.at) };
    },
    async run(ctx, input) {
      const st = await openStocktake(ctx, input.warehouse);
      return reportText(await report(ctx, st.docNo));
    },
  }),
  command({
    name: '盘点 完成',
    aliases: ['count done', 'stocktake done'],
    useCase: 'inventory.stocktake-complete',
    hint: '一个商品：没有录入的批次过账时按 0 计；加「撤销」收回',
    usage: '盘点 完成 <商品> [@仓库] [撤销]',
    example: ['盘点 完成 试剂', '盘点 完成 试剂 撤销'],
    parse(args) {
      const a = parseArgs(args, { flags: { 撤销: ['undo'] } });
      if (!a.positional.length) throw new UsageError('缺少商品，例如：盘点 完成 A001。整张盘点单都清点完了请发「盘点 全盘」');
      return { product: a.positional.join(' '), warehouse: oneWarehouse(a.at), complete: !a.flags.has('撤销') };
    },
    async run(ctx, input) {
      const st = await openStocktake(ctx, input.warehouse);
      const r = await ctx.invoke<{ product: { id: number; sku: string; name: string } | null }>({ stocktake: st.docNo, product: input.product, complete: input.complete });
      await remember(ctx, st.warehouseId);
      const p = r.product!;
      if (!input.complete) return `已撤销：盘点 ${st.docNo} 中「${p.name}」没有录入的批次不再按 0 计，过账时不调整。`;
      const offs = writeOffs(await report(ctx, st.docNo), p.id);
      return [
        `✅ 已声明盘点 ${st.docNo} 中「${p.name}」（${p.sku}）清点完成：没有录入的批次过账时按 0 计。`,
        ...(offs.length ? ['将盘亏：', ...offs] : ['没有要按 0 计的批次。']),
        '确认无误后发「盘点 过账」；要收回发「盘点 完成 ' + p.sku + ' 撤销」。',
      ].join('\n');
    },
  }),
  command({
    name: '盘点 全盘',
    aliases: ['全盘', 'count complete', 'stocktake complete'],
    useCase: 'inventory.stocktake-complete',
    hint: '整张盘点单：范围内没有录入的商品和批次过账时按 0 计；加「撤销」收回',
    usage: '盘点 全盘 [@仓库] [撤销]',
    example: ['盘点 全盘', '盘点 全盘 撤销'],
    parse(args) {
      const a = parseArgs(args, { flags: { 撤销: ['undo'] } });
      if (a.positional.length) throw new UsageError(`多余的内容「${a.positional.join(' ')}」。只声明一个商品清点完成请用「盘点 完成 <商品>」`);
      return { warehouse: oneWarehouse(a.at), complete: !a.flags.has('撤销') };
    },
    async run(ctx, input) {
      const st = await openStocktake(ctx, input.warehouse);
      await ctx.invoke({ stocktake: st.docNo, complete: input.complete });
      await remember(ctx, st.warehouseId);
      if (!input.complete) return `已撤销全盘：盘点 ${st.docNo} 中没有录入的商品和批次过账时不调整。`;
      const offs = writeOffs(await report(ctx, st.docNo));
      return [
        `✅ 已声明全盘 ${st.docNo} @${st.warehouseName}：范围内没有录入的商品和批次过账时都按 0 计。`,
        ...(offs.length ? ['将盘亏：', ...offs] : ['没有要按 0 计的商品或批次。']),
        '确认无误后发「盘点 过账」；要收回发「盘点 全盘 撤销」。',
      ].join('\n');
    },
  }),
  command({
    name: '盘点 过账',
    aliases: ['count post', 'stocktake post', '盘点 确认'],
    useCase: 'inventory.stocktake-post',
    hint: '加「强制」照常过账，加「全盘」= 未录入的按 0 计',
    usage: '盘点 过账 [@仓库] [强制] [全盘]',
    example: ['盘点 过账', '盘点 过账 @二号仓 强制', '盘点 过账 全盘'],
    parse(args) {
      const a = parseArgs(args, { flags: { 强制: ['force', '-f'], 全盘: ['complete'] } });
      if (a.positional.length) throw new UsageError(`多余的内容「${a.positional.join(' ')}」`);
      return { warehouse: oneWarehouse(a.at), force: a.flags.has('强制'), complete: a.flags.has('全盘') };
    },
    async run(ctx, input) {
      const st = await openStocktake(ctx, input.warehouse);
      const r = await ctx.invoke<CostFiltered<PostStocktakeResult>>({ stocktake: st.docNo, force: input.force, complete: input.complete });
      await remember(ctx, r.stocktake.warehouseId);
      if (!r.posting) return `✅ 盘点 ${r.stocktake.docNo} 已过账：账实相符，库存没有变化。`;
      return renderPosting(r.posting, '盘点过账');
    },
  }),
  command({
    name: '盘点 取消',
    aliases: ['count cancel', 'stocktake cancel'],
    useCase: 'inventory.stocktake-cancel',
    usage: '盘点 取消 [@仓库]',
    example: '盘点 取消',
    parse(args) {
      const a = parseArgs(args);
      return { warehouse: oneWarehouse(a.at) };
    },
    async run(ctx, input) {
      const st = await openStocktake(ctx, input.warehouse);
      const v = await ctx.invoke<StocktakeView>({ stocktake: st.docNo });
      return `已取消盘点 ${v.docNo} @${v.warehouseName}，库存没有变化。`;
    },
  }),
];
