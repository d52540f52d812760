/**
 * 入库 / 生产入库 / 期初, 出库 / 领用, 调拨, 红冲: the chat normalisers of the posting use cases
 * (src/inventory/use-cases/postings.ts). `parse` turns words into the use case's canonical input
 * (quantities as written, "2箱"; prices in yuan text, "6.5/箱"; amounts in yuan, "13.00") plus the
 * chat-only 确认 flag; `run` invokes the use case and echoes what was understood. Several lines
 * of one message make one document (bot/parse/lines.ts, readDocument below), and a product name
 * with spaces or digits is joined before parse (bot/parse/product-words.ts: the commands say
 * `lines` and `takesProduct`).
 */
import { TEXT_MAX, tooLongText } from '../../src/shared/limits.js';
import type { PostingLine, PostingResult } from '../../src/inventory/documents.js';
import { DOC_KIND_LABEL, type IssueKind, type ReceiptKind } from '../../src/inventory/moves.js';
import type { CostFiltered } from '../../src/inventory/use-cases/cost-visibility.js';
import type { IssueCanonical, ReceiptCanonical, ReversalCanonical, TransferCanonical } from '../../src/inventory/use-cases/postings.js';
import { amountFen } from '../../src/kernel/canonical.js';
import { rememberWarehouse } from '../../src/people/users.js';
import { formatFen } from '../../src/shared/money.js';
import { linePriceText, postingTotalText, saleLineText, saleTotalText } from '../cards/echo.js';
import { ambiguousProductReply, settleConfirmedByCommand, unusualEntryReply, type PickerFlow } from '../cards/replies.js';
import { type Args, type ArgSpec, looksLikePrice, looksLikeUnit, oneWarehouse, parseArgs, readQty, remarkWords, splitProductAndQty } from '../parse/args.js';
import { splitArgLines } from '../parse/lines.js';
import { amountYuan, unitPriceYuan } from '../parse/canonical.js';
import { command, UsageError, type CommandContext, type CommandSpec, type Reply } from './registry.js';
import { tidyQty } from './render.js';

/** A posting as the use cases return it: cost fields absent for those who may not see costs. */
export type Posting = CostFiltered<PostingResult>;

/**
 * A posting's reply: what was understood, line by line — the quantity in base and pack units
 * ("+48 个（2 箱）"), the unit price per base unit and, when the quantity was written in packs,
 * per pack, the line amount — then the document total and what is on hand now (cards/echo.ts,
 * shared with the summary card). Prices and amounts only for those who may see costs; a sales
 * issue's selling price and sale amount for everyone, its gross profit with the costs.
 */
export function renderPosting(r: Posting, verb: string): string {
  const d = r.document;
  const head = r.replayed ? `（这条消息已处理过，没有重复记账）\n${verb} ${d.docNo}` : `✅ 已${verb} ${d.docNo}（${d.kindLabel}）`;
  const lines = r.lines.map((l) => {
    const batch = l.batchNo ? ` 批次 ${l.batchNo}` : '';
    // A value-only move (a reversal's correction, valuation.ts): "成本调整 +¥20.00", no quantity.
    if (l.kind === 'cost_adjustment') return `• ${l.name}（${l.sku}）成本调整${l.valueFen === undefined ? '' : ` ${l.valueFen.startsWith('-') ? '' : '+'}${formatFen(l.valueFen)}`} @${l.warehouseName}${batch}`;
    const sign = l.qty.startsWith('-') ? '' : '+';
    const price = l.valueFen === undefined ? '' : `\n  ${linePriceText(l as PostingLine)}`;
    const sale = saleLineText(l);
    return `• ${l.name}（${l.sku}）${l.kindLabel} ${sign}${tidyQty(l.qtyText)} @${l.warehouseName}${batch}${price}${sale ? `\n  ${sale}` : ''}`;
  });
  const total = d.totalValueFen === undefined ? [] : [`合计金额：${postingTotalText(r as PostingResult)}`];
  const sold = saleTotalText(r.lines);
  if (sold) total.push(sold);
  const onHand = r.onHand.map((o) => `• ${o.name}：${o.warehouseName} 现有 ${tidyQty(o.qtyText)}${o.totalQty !== o.qty ? `；全部仓库 ${tidyQty(o.totalQtyText)}` : ''}`);
  // The remark as recorded: words after the quantity become it, so the user sees what was kept.
  const remark = d.remark ? [`备注：${d.remark}`] : [];
  return [head, ...lines, ...total, ...remark, '现有库存：', ...onHand].join('\n');
}

/** The warehouse the user last posted in (users.last_warehouse_id), in the message's transaction. */
export async function remember(ctx: CommandContext, warehouseId: number | null | undefined): Promise<void> {
  if (ctx.actor.userId && warehouseId) await rememberWarehouse(ctx.tx, ctx.actor.userId, warehouseId);
}

/** What a posting command parsed: the use case's canonical input, and the chat-only 确认. */
interface PostingCommand<I> {
  input: I;
  confirmed: boolean;
}

/**
 * The input a pending card action (picker, confirmation: bot/cards/replies.ts) keeps and posts
 * later: the posting services' form, which differs from the canonical one only in a receipt
 * line's amount (yuan text → whole fen).
 */
function pendingInput(flow: PickerFlow, input: ReceiptCanonical | IssueCanonical | TransferCanonical): { lines: { product: number | string; qty: string }[] } {
  if (flow !== 'receipt') return input as IssueCanonical;
  const r = input as ReceiptCanonical;
  return { ...r, lines: r.lines.map(({ amount, ...l }) => (amount === undefined ? l : { ...l, amountFen: amountFen(amount) })) };
}

/**
 * Run a posting command: an ambiguous product answers with the numbered candidates and the
 * picker card (tapping one completes this very command); an unusual entry (src/inventory/
 * unusual.ts) is NOT posted unless the command carried 确认 — the answer is the confirmation
 * card the forms use; a posting remembers the warehouse the user worked in (the form cards
 * preselect it; chat without @仓库 still uses the default).
 */
async function posting(ctx: CommandContext, flow: PickerFlow, cmd: PostingCommand<ReceiptCanonical | IssueCanonical | TransferCanonical>, verb: string): Promise<Reply> {
  const pending = pendingInput(flow, cmd.input);
  let r: Posting;
  try {
    if (!cmd.confirmed) {
      const unusual = await unusualEntryReply(ctx, flow, pending, verb);
      if (unusual) return unusual;
    }
    // Asked above (or 确认 was typed): the use case need not ask the rule again.
    r = await ctx.invoke<Posting>({ ...cmd.input, confirm: true });
  } catch (e) {
    // The picker completes a one-line entry; several lines answer with the line and its candidates.
    const picker = pending.lines.length === 1 ? await ambiguousProductReply(ctx, flow, pending, e) : null;
    if (picker) return picker;
    throw e;
  }
  await remember(ctx, r.document.warehouseId);
  // The same entry may wait on a confirmation card from the first try: close it (no double post).
  if (cmd.confirmed) await settleConfirmedByCommand(ctx, flow, pending, r as PostingResult);
  return renderPosting(r, verb);
}


/** What the chat parser read so far, for a refusal that shows it ("我理解为：商品 螺丝，数量 3盒"). */
function understood(product: string, qty: string, price?: string): string {
  return `商品 ${product}，数量 ${qty}${price ? `，单价 ${price}` : ''}`;
}

const CONFIRM_FLAG = { 确认: ['confirm', '确定'] };

/** THE price rule, as help and usage say it (src/inventory/prices.ts implements it). */
const PRICE_RULE = '单价按数量所写的单位计（元，最多 6 位小数）：2箱 6.5 = 每箱 ¥6.5；48 0.27 = 每个 ¥0.27；也可写明单位 6.5/箱、0.27/个；「2箱3个」这样的数量请写明单价单位或用 金额=…';

/** How several lines are written, as help says it (bot/parse/lines.ts). */
const LINES_RULE = '一次多行：每行一个商品，换行或用 ；分开，@仓库、备注=、确认 写在任意一行';

/** Options of the whole document: written on any line (or the command's own line), once. */
const DOC_OPTIONS = new Set(['备注']);

/**
 * A posting command's words, line by line (bot/parse/lines.ts): each line with a product is a
 * document line, with its own options (批次=, 单价, 金额=, 售价=); @仓库, 备注= and the flags
 * (确认, 领用…) belong to the document wherever they are written. A line of options only (the
 * command's own line: 出库 @主仓库) adds document options; a per-line option there is refused.
 */
function readDocument(args: string[], spec: ArgSpec, example: string): { lines: Args[]; doc: Args } {
  const doc: Args = { positional: [], options: new Map(), at: [], mentions: [], flags: new Set() };
  const lines: Args[] = [];
  for (const words of splitArgLines(args)) {
    const a = parseArgs(words, spec);
    doc.at.push(...a.at);
    for (const f of a.flags) doc.flags.add(f);
    for (const [k, v] of [...a.options]) {
      if (!DOC_OPTIONS.has(k)) continue;
      if (doc.options.has(k)) throw new UsageError(`${k}写了两次（一张单据只有一个${k}）`);
      doc.options.set(k, v);
      a.options.delete(k);
    }
    if (a.positional.length) lines.push(a);
    else if (a.options.size) throw new UsageError(`「${[...a.options.keys()].map((k) => k + '=').join(' ')}」要写在它所属的商品那一行，例如 ${example}`);
  }
  if (!lines.length) throw new UsageError('缺少商品和数量');
  return { lines, doc };
}

/** Read each document line; a refusal of a document with several lines names its line (第 2 行：…). */
function eachLine<T>(lines: Args[], read: (a: Args) => T): T[] {
  return lines.map((a, i) => {
    try {
      return read(a);
    } catch (e) {
      if (e instanceof UsageError && lines.length > 1) throw new UsageError(`第 ${i + 1} 行：${e.message}`);
      throw e;
    }
  });
}

/** One receipt line's words → its canonical line: product, quantity, then the price (see parseReceipt). */
function receiptLine(a: Args): ReceiptCanonical['lines'][number] {
  const { product, rest } = splitProductAndQty(a.positional);
  if (!product) throw new UsageError('缺少商品和数量');
  const q = readQty(rest);
  let after = q.rest;
  let priceText = a.options.get('单价');
  // A number-looking word after the quantity is the price: checked below, never a remark.
  if (after.length && (looksLikePrice(after[0]) || /^[-−+]?[¥￥]?\.?\d/.test(after[0]))) {
    if (priceText) throw new UsageError('单价写了两次');
    priceText = after[0];
    after = after.slice(1);
    if (after[0] === '元' || after[0] === '块钱') after = after.slice(1);
  }
  if (after.length) {
    throw new UsageError(
      `我理解为：${understood(product, q.qty, priceText)}；「${after.join(' ')}」看不懂。${looksLikeUnit(after[0]) ? '单位请紧跟数量（例如 3盒），单价的单位写成 6.5/箱。' : '备注请写成 备注=…。'}`,
    );
  }
  const line: ReceiptCanonical['lines'][number] = { product, qty: q.qty };
  if (a.options.get('批次')) line.batchNo = a.options.get('批次');
  if (a.options.get('有效期')) line.expiresOn = a.options.get('有效期');
  if (a.options.get('金额')) {
    if (priceText) throw new UsageError('单价和金额只写一个：单价按数量所写的单位（6.5 或 6.5/箱），金额是这一行的总价（金额=13）');
    line.amount = amountYuan(a.options.get('金额')!, '金额');
  } else if (priceText) {
    // Syntax only here (a clear usage answer); the unit and the amount are the use case's rule.
    line.unitPrice = unitPriceYuan(priceText, '单价');
  }
  return line;
}

/**
 * 入库 and its kind-fixed aliases (生产入库, 期初). The price stays per the unit written: the use
 * case applies the price rule with the product's units (prices.ts receiptLineValue), exactly as
 * for cards and REST. Several lines make one receipt (readDocument).
 */
function parseReceipt(args: string[], fixed?: ReceiptKind): PostingCommand<ReceiptCanonical> {
  const { lines, doc } = readDocument(
    args,
    {
      options: { 批次: ['batch', '批号'], 单价: ['price', '价格', 'cost'], 金额: ['amount', '总价'], 备注: ['remark', 'note'], 有效期: ['expires', '到期'] },
      flags: { 生产: ['production', '生产入库'], 期初: ['opening'], ...CONFIRM_FLAG },
    },
    '螺丝 100 0.35 批次=B1',
  );
  const read = eachLine(lines, receiptLine);
  if (doc.flags.has('生产') && doc.flags.has('期初')) throw new UsageError('「生产」和「期初」只能选一个');
  const flagged = doc.flags.has('生产') ? ('production_receipt' as const) : doc.flags.has('期初') ? ('opening' as const) : null;
  if (fixed && flagged && flagged !== fixed) throw new UsageError(`这个命令已经是${DOC_KIND_LABEL[fixed]}，不能再加「${doc.flags.has('生产') ? '生产' : '期初'}」`);
  const warehouse = oneWarehouse(doc.at);
  return {
    input: {
      kind: fixed ?? flagged ?? 'purchase_receipt',
      ...(warehouse !== undefined ? { warehouse } : {}),
      lines: read,
      remark: doc.options.get('备注') ?? null,
    },
    confirmed: doc.flags.has('确认'),
  };
}

async function runReceipt(ctx: CommandContext, cmd: PostingCommand<ReceiptCanonical>): Promise<Reply> {
  const verb = cmd.input.kind === 'production_receipt' ? '生产入库' : cmd.input.kind === 'opening' ? '期初入库' : '入库';
  return posting(ctx, 'receipt', cmd, verb);
}

const RECEIPT_USAGE = '<商品> <数量>[单位] [单价[/单位]] [@仓库] [批次=…] [金额=…] [备注=…] [确认]；多行：每行 <商品> <数量> [单价]';

/**
 * 出库 and 领用. A number followed by a unit is the quantity, spaces or not (3 盒 = 3盒); words
 * after the quantity are the remark only when none looks like a number, a unit or a price.
 * 售价=… (per line) is the selling price of a sales issue, per the unit the quantity was
 * written in or the unit named (12/箱): the use case stores it and refuses it on 领用.
 */
function parseIssue(args: string[], fixed?: IssueKind): PostingCommand<IssueCanonical> {
  const { lines, doc } = readDocument(
    args,
    {
      options: { 批次: ['batch', '批号'], 备注: ['remark', 'note'], 售价: ['sale', 'saleprice', '销售价', '卖价', '销售单价'] },
      flags: { 领用: ['internal', '内部'], ...CONFIRM_FLAG },
      unknownOptionsAreWords: true,
    },
    '螺丝 10 批次=B1 售价=0.5',
  );
  const remarks: string[] = [];
  const read = eachLine(lines, (a): IssueCanonical['lines'][number] => {
    const { product, rest } = splitProductAndQty(a.positional);
    if (!product) throw new UsageError('缺少商品和数量');
    const q = readQty(rest);
    const hint = `出库不写单价（售价写成 售价=…）；备注请写成 备注=…（例如 出库 ${product} ${q.qty} 备注=客户张三）。`;
    const words = remarkWords(q.rest, understood(product, q.qty), hint);
    if (words && doc.options.has('备注')) throw new UsageError(`我理解为：${understood(product, q.qty)}；「${words}」多余（备注已写在 备注= 里）`);
    if (words) remarks.push(words);
    const sale = a.options.get('售价');
    return {
      product,
      qty: q.qty,
      ...(a.options.get('批次') ? { batchNo: a.options.get('批次') } : {}),
      ...(sale ? { salePrice: unitPriceYuan(sale, '售价') } : {}),
    };
  });
  if (remarks.length > 1) throw new UsageError(`备注只写一次：「${remarks.join('」「')}」请合成一个 备注=…`);
  const remark = doc.options.get('备注') ?? remarks[0] ?? null;
  if (remark && [...remark].length > TEXT_MAX.remark) throw new UsageError(tooLongText('备注', 'remark', remark));
  const warehouse = oneWarehouse(doc.at);
  return {
    input: {
      kind: fixed ?? (doc.flags.has('领用') ? ('internal_issue' as const) : ('sales_issue' as const)),
      ...(warehouse !== undefined ? { warehouse } : {}),
      lines: read,
      remark,
    },
    confirmed: doc.flags.has('确认'),
  };
}

async function runIssue(ctx: CommandContext, cmd: PostingCommand<IssueCanonical>): Promise<Reply> {
  return posting(ctx, 'issue', cmd, cmd.input.kind === 'internal_issue' ? '领用' : '出库');
}

function parseTransfer(args: string[]): PostingCommand<TransferCanonical> {
  const { lines, doc } = readDocument(args, { options: { 批次: ['batch'], 备注: ['remark', 'note'] }, flags: CONFIRM_FLAG }, '螺丝 10 批次=B1');
  const read = eachLine(lines, (a): TransferCanonical['lines'][number] => {
    const { product, rest } = splitProductAndQty(a.positional);
    if (!product) throw new UsageError('缺少商品和数量');
    const q = readQty(rest);
    if (q.rest.length) throw new UsageError(`我理解为：${understood(product, q.qty)}；「${q.rest.join(' ')}」看不懂。调拨的写法：调拨 <商品> <数量>[单位] @从仓库 @到仓库；备注请写成 备注=…`);
    return { product, qty: q.qty, ...(a.options.get('批次') ? { batchNo: a.options.get('批次') } : {}) };
  });
  if (doc.at.length === 0) throw new UsageError('缺少仓库：写成 @从仓库 @到仓库');
  if (doc.at.length > 2) throw new UsageError('最多两个仓库：@从仓库 @到仓库');
  const [from, to] = doc.at.length === 2 ? doc.at : [undefined, doc.at[0]];
  return {
    input: {
      ...(from !== undefined ? { from } : {}),
      to,
      lines: read,
      remark: doc.options.get('备注') ?? null,
    },
    confirmed: doc.flags.has('确认'),
  };
}

const DOC_NO_RE = /^[A-Za-z]{2}\d{8}-\d{1,6}$/;

/** The document number of 单据 / 红冲 (upper case), or UsageError with its shape. */
export function docNoArg(args: string[]): string {
  const no = args[0];
  if (!no) throw new UsageError('缺少单号');
  if (!DOC_NO_RE.test(no)) throw new UsageError(`「${no.slice(0, 30)}」不是单号，单号形如 CK20261125-0001`);
  return no.toUpperCase();
}

export const postingCommands: readonly CommandSpec[] = [
  command({
    name: '入库',
    aliases: ['in', 'receive', 'receipt', '收货', '进货', '采购入库'],
    useCase: 'inventory.receive',
    hint: `采购入库 RK；加「生产」为生产入库，加「期初」为期初。${PRICE_RULE}。${LINES_RULE}`,
    usage: `入库 ${RECEIPT_USAGE} [生产|期初]`,
    example: ['入库 A001 2箱 6.5 @主仓库', '入库 螺丝M6 500 0.35 批次=B2311', '入库 电阻 1000 0.002', '入库 A001 2箱3个 金额=15.6', '入库 螺丝 100 0.35；垫片 200 0.1 @主仓库', 'in A001 100 生产'],
    lines: true,
    takesProduct: true,
    parse: (args) => parseReceipt(args),
    run: runReceipt,
  }),
  command({
    name: '生产入库',
    aliases: ['生产', 'production'],
    useCase: 'inventory.receive',
    hint: '生产入库（SC），写法同「入库」',
    usage: `生产入库 ${RECEIPT_USAGE}`,
    example: ['生产入库 A001 100', '生产 A001 2箱'],
    lines: true,
    takesProduct: true,
    parse: (args) => parseReceipt(args, 'production_receipt'),
    run: runReceipt,
  }),
  command({
    name: '期初',
    aliases: ['期初入库', 'opening'],
    useCase: 'inventory.receive',
    hint: '期初库存（QC），写法同「入库」',
    usage: `期初 ${RECEIPT_USAGE}`,
    example: ['期初 A001 300 0.35', '期初入库 A002 5箱 60'],
    lines: true,
    takesProduct: true,
    parse: (args) => parseReceipt(args, 'opening'),
    run: runReceipt,
  }),
  command({
    name: '出库',
    aliases: ['out', 'issue', 'ship', '发货', '销售出库'],
    useCase: 'inventory.issue',
    hint: `默认销售出库 CK；加「领用」为领用出库 LY。数量后的单位可以空格分开（3 盒）；售价=… 记下销售单价（按数量所写的单位，或写明 12/箱）；数量异常时先请你确认，命令后加「确认」直接出库。${LINES_RULE}`,
    usage: '出库 <商品> <数量>[单位] [售价=…] [@仓库] [批次=…] [备注…] [领用] [确认]；多行：每行 <商品> <数量> [售价=…]',
    example: ['出库 A001 5', '出库 螺丝M6 2盒 @二号仓 客户张三', '出库 A001 2箱 售价=36/箱', '出库 A001 3 盒 领用', '出库 螺丝 10；垫片 20 @主仓库', 'out A001 10 批次=B2311'],
    lines: true,
    takesProduct: true,
    parse: (args) => parseIssue(args),
    run: runIssue,
  }),
  command({
    name: '领用',
    aliases: ['领用出库', '领料', '内部领用'],
    useCase: 'inventory.issue',
    hint: '领用出库（LY，内部领用），写法同「出库」',
    usage: '领用 <商品> <数量>[单位] [@仓库] [批次=…] [备注…] [确认]',
    example: ['领用 A001 1', '领用 螺丝M6 2盒 维修用'],
    lines: true,
    takesProduct: true,
    parse: (args) => parseIssue(args, 'internal_issue'),
    run: runIssue,
  }),
  command({
    name: '调拨',
    aliases: ['transfer', 'move', '移库', '调拨单'],
    useCase: 'inventory.transfer',
    hint: 'DB 单；数量异常时先请你确认，命令后加「确认」直接调拨',
    usage: '调拨 <商品> <数量>[单位] @<从仓库> @<到仓库> [批次=…] [备注=…] [确认]',
    example: ['调拨 A001 10 @主仓库 @二号仓', 'transfer A001 1箱 @主仓库 @门店', '调拨 螺丝 10；垫片 20 @主仓库 @二号仓'],
    lines: true,
    takesProduct: true,
    parse: parseTransfer,
    run: (ctx, cmd) => posting(ctx, 'transfer', cmd, '调拨'),
  }),
  command({
    name: '红冲',
    aliases: ['reverse', 'void', '冲销'],
    useCase: 'inventory.reverse',
    usage: '红冲 <单号> [原因]',
    example: ['红冲 CK20261125-0001', '红冲 RK20261125-0003 数量录错'],
    parse(args): ReversalCanonical {
      const docNo = docNoArg(args);
      const reason = args.slice(1).join(' ') || null;
      if (reason && [...reason].length > TEXT_MAX.reason) throw new UsageError(tooLongText('原因', 'reason', reason));
      return { docNo, reason };
    },
    async run(ctx, input) {
      return renderPosting(await ctx.invoke<Posting>(input), '红冲');
    },
  }),
];
