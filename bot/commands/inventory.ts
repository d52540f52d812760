/**
 * Inventory chat commands: thin adapters over src/inventory. Each parses words into the
 * service's input (the service validates again with the same zod schemas), calls it with the
 * message's transaction and idempotency key, and renders the result. No SQL here.
 */
import type { Db } from '../../db/types.js';
import * as inv from '../../src/inventory/index.js';
import { DomainError } from '../../src/errors.js';
import { formatFen, formatPrice } from '../../src/shared/money.js';
import { Dec } from '../../src/shared/decimal.js';
import { checkQty, looksLikePrice, looksLikeUnit, moneyFen, parseArgs, priceFen, readQty, remarkWords, splitProductAndQty, type ArgSpec } from '../parse/args.js';
import { rememberWarehouse } from '../../src/people/users.js';
import { ambiguousProductReply, documentReply, settleConfirmedByCommand, stockReply, unitCostText, unusualEntryReply, type PickerFlow } from '../cards/replies.js';
import { linePriceText, postingTotalText } from '../cards/echo.js';
import { commands, UsageError, type CommandContext, type Reply } from './registry.js';
import { postedProductText, tidyQty } from './render.js';

type PostingResult = inv.PostingResult;

/** Services take a Db and open their own transaction; given our savepoint they nest (a savepoint again). */

function extra(rest: string[]): void {
  if (rest.length) throw new UsageError(`多余的内容「${rest.join(' ')}」`);
}

/**
 * A posting's reply: what was understood, line by line — the quantity in base and pack units
 * ("+48 个（2 箱）"), the unit price per base unit and, when the quantity was written in packs,
 * per pack, the line amount — then the document total and what is on hand now (cards/echo.ts,
 * shared with the summary card).
 */
export function renderPosting(r: PostingResult, verb: string): string {
  const d = r.document;
  const head = r.replayed ? `（这条消息已处理过，没有重复记账）\n${verb} ${d.docNo}` : `✅ 已${verb} ${d.docNo}（${d.kindLabel}）`;
  const lines = r.lines.map((l) => {
    // A value-only move (a reversal's correction, valuation.ts): "成本调整 +¥20.00", no quantity.
    if (l.kind === 'cost_adjustment') return `• ${l.name}（${l.sku}）成本调整 ${l.valueFen.startsWith('-') ? '' : '+'}${formatFen(l.valueFen)} @${l.warehouseName}${l.batchNo ? ` 批次 ${l.batchNo}` : ''}`;
    const sign = l.qty.startsWith('-') ? '' : '+';
    const batch = l.batchNo ? ` 批次 ${l.batchNo}` : '';
    return `• ${l.name}（${l.sku}）${l.kindLabel} ${sign}${tidyQty(l.qtyText)} @${l.warehouseName}${batch}\n  ${linePriceText(l)}`;
  });
  const onHand = r.onHand.map((o) => `• ${o.name}：${o.warehouseName} 现有 ${tidyQty(o.qtyText)}${o.totalQty !== o.qty ? `；全部仓库 ${tidyQty(o.totalQtyText)}` : ''}`);
  return [head, ...lines, `合计金额：${postingTotalText(r)}`, '现有库存：', ...onHand].join('\n');
}

/**
 * Run a posting command: an ambiguous product answers with the numbered candidates and the
 * picker card (tapping one completes this very command); an unusual entry (src/inventory/
 * unusual.ts) is NOT posted unless the command carried 确认 — the answer is the confirmation
 * card the forms use; a posting remembers the warehouse the user worked in (the form cards
 * preselect it; chat without @仓库 still uses the default).
 */
async function posting<I extends { lines: { product: number | string; qty: string | number }[] }>(
  ctx: CommandContext,
  flow: PickerFlow,
  input: I & { confirmed?: boolean },
  post: () => Promise<PostingResult>,
  verb: string,
): Promise<Reply> {
  let r: PostingResult;
  try {
    if (!input.confirmed) {
      const unusual = await unusualEntryReply(ctx, flow, stripConfirmed(input), verb);
      if (unusual) return unusual;
    }
    r = await post();
  } catch (e) {
    const picker = await ambiguousProductReply(ctx, flow, input, e);
    if (picker) return picker;
    throw e;
  }
  await remember(ctx, r.document.warehouseId);
  // The same entry may wait on a confirmation card from the first try: close it (no double post).
  if (input.confirmed) await settleConfirmedByCommand(ctx, flow, stripConfirmed(input), r);
  return renderPosting(r, verb);
}

/** The service input without the chat-only 确认 flag. */
function stripConfirmed<I extends { confirmed?: boolean }>(input: I): Omit<I, 'confirmed'> {
  const { confirmed: _c, ...rest } = input;
  return rest;
}

/** The warehouse the user last posted in (users.last_warehouse_id), in the message's transaction. */
export async function remember(ctx: CommandContext, warehouseId: number | null | undefined): Promise<void> {
  if (ctx.actor.userId && warehouseId) await rememberWarehouse(ctx.tx, ctx.actor.userId, warehouseId);
}

// ───────────── 商品 ─────────────

const PRODUCT_OPTIONS: ArgSpec['options'] = {
  名称: ['name'],
  单位: ['unit', '基本单位'],
  规格: ['spec'],
  型号: ['model'],
  条码: ['barcode', 'ean'],
  分类: ['category', '类别'],
  进价: ['cost', 'purchase', '采购价', '成本'],
  售价: ['price', 'sale', '销售价'],
  小数位: ['decimals', 'dp', '数量小数位'],
  安全库存: ['safety', 'min', '最低库存'],
  包装: ['pack', '箱规'],
  批次管理: ['batch', 'batches', '批次'],
  编码: ['sku'],
  提前期: ['leadtime', 'lead'],
};

function productFields(options: Map<string, string>): Record<string, unknown> {
  const f: Record<string, unknown> = {};
  for (const [k, v] of options) {
    switch (k) {
      case '名称': f.name = v; break;
      case '单位': f.baseUnit = v; break;
      case '规格': f.spec = v; break;
      case '型号': f.model = v; break;
      case '条码':
        if (!/^[0-9A-Za-z-]{4,64}$/.test(v)) throw new UsageError(`条码「${v}」格式不对（4–64 位数字或字母）`);
        f.barcode = v;
        break;
      case '分类': f.category = v; break;
      // Unit prices: yuan per BASE unit, up to 6 decimals (进价=0.002 for a ¥0.002 part).
      case '进价': f.purchasePriceFen = priceFen(v, '进价'); break;
      case '售价': f.salePriceFen = priceFen(v, '售价'); break;
      case '小数位': {
        if (!/^[0-6]$/.test(v) && !/^(默认|default)$/i.test(v)) throw new UsageError(`小数位「${v}」要写 0–6 的整数（个/台/箱 常用 0，千克/米 常用 3），或 小数位=默认`);
        f.qtyDecimals = /^\d$/.test(v) ? Number(v) : null;
        break;
      }
      case '安全库存': f.safetyStock = checkQty(v, '安全库存').replace(/[^\d.]+$/, ''); break;
      case '包装': {
        const pm = v.match(/^([^\d:=]+):?(\d+(?:\.\d+)?)$/);
        if (!pm) throw new UsageError(`包装「${v}」格式不对，请写成 包装=箱:24（1 箱 = 24 个基本单位）`);
        const [unit, factor] = [pm[1], pm[2]];
        // Zero, a 7th decimal, too large: the shared schema refuses it (src/shared/limits.ts), never rounds.
        f.packUnit = unit.trim();
        f.packFactor = factor;
        break;
      }
      case '批次管理': {
        const yes = ['是', 'y', 'yes', 'true', '1', '开', '启用'];
        const no = ['否', 'n', 'no', 'false', '0', '关', '停用'];
        if (yes.includes(v.toLowerCase())) f.batchTracked = true;
        else if (no.includes(v.toLowerCase())) f.batchTracked = false;
        else throw new UsageError('批次管理=是 或 批次管理=否');
        break;
      }
      case '编码': f.sku = v; break;
      case '提前期': {
        if (!/^\d{1,4}$/.test(v)) throw new UsageError('提前期写天数，例如 提前期=7');
        f.leadTimeDays = Number(v);
        break;
      }
    }
  }
  return f;
}

function productSummary(p: inv.ProductView): string {
  const bits = [`${inv.productLabel(p)}`, `单位 ${p.baseUnit}${p.packUnit ? `（1 ${p.packUnit} = ${p.packFactor} ${p.baseUnit}）` : ''}`];
  if (p.barcode) bits.push(`条码 ${p.barcode}`);
  if (p.purchasePriceFen) bits.push(`进价 ${formatPrice(p.purchasePriceFen)}/${p.baseUnit}`);
  if (p.salePriceFen) bits.push(`售价 ${formatPrice(p.salePriceFen)}/${p.baseUnit}`);
  if (p.qtyDecimals != null) bits.push(`数量小数位 ${p.qtyDecimals}`);
  if (p.safetyStock !== '0') bits.push(`安全库存 ${p.safetyStock}`);
  if (p.batchTracked) bits.push('批次管理');
  return bits.join('，');
}

const SKU_RE = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/;

commands.register('商品 新增', {
  aliases: ['product add', 'product new', '新增商品', '商品 添加', '商品 新建'],
  permission: 'product.manage',
  summary: '新建商品档案（进价/售价：元/基本单位，最多 6 位小数；小数位：数量可带几位小数，个/台/箱 默认 0，千克/米/升 默认 3）',
  usage: '商品 新增 <SKU> <名称> [单位=个] [规格=…] [型号=…] [条码=…] [进价=…] [售价=…] [安全库存=…] [包装=箱:24] [小数位=0-6]',
  example: ['商品 新增 A001 螺丝M6 单位=个 进价=0.35 售价=0.8 包装=盒:100', '商品 新增 R001 贴片电阻 进价=0.002 包装=盘:5000', '商品 新增 W01 电线 单位=米 小数位=2'],
  parse(args) {
    const a = parseArgs(args, { options: PRODUCT_OPTIONS });
    const [sku, ...nameParts] = a.positional;
    if (!sku) throw new UsageError('缺少 SKU（商品编码）和名称');
    if (!SKU_RE.test(sku)) throw new UsageError(`SKU「${sku.slice(0, 30)}」只能用字母、数字和 - _ . /，最长 64 位`);
    const name = a.options.get('名称') ?? nameParts.join(' ');
    if (!name) throw new UsageError('缺少商品名称');
    if (name.length > 100) throw new UsageError('商品名称太长（最多 100 字）');
    if (a.at.length || a.mentions.length) throw new UsageError('新增商品不需要 @');
    return { ...productFields(a.options), sku, name };
  },
  async run(ctx, input: inv.CreateProductInput) {
    const p = await inv.createProduct(ctx.tx, ctx.actor, input);
    return `✅ 已新增商品：${productSummary(p)}\n现有库存：0 ${p.baseUnit}。入库请发：入库 ${p.sku} 10`;
  },
});

commands.register('商品 查询', {
  aliases: ['product find', 'product search', 'find', '查商品', '商品 搜索'],
  permission: 'stock.view',
  summary: '按编码、条码、名称或拼音查商品',
  usage: '商品 查询 <关键词>',
  example: ['商品 查询 螺丝', '商品 查询 ls'],
  parse(args) {
    const q = args.join(' ').trim();
    if (!q) throw new UsageError('缺少关键词');
    if (q.length > 100) throw new UsageError('关键词太长');
    return { q };
  },
  async run(ctx, { q }: { q: string }) {
    const list = await inv.searchProducts(ctx.tx, q, 10);
    // An exact SKU or barcode is found even when the fuzzy haystack does not contain it.
    const exact = await inv.resolveProduct(ctx.tx, q).catch(() => null);
    if (exact && !list.some((p) => p.id === exact.id)) list.unshift(exact);
    if (list.length === 0) return `没有找到和「${q}」相关的商品。新商品请发：商品 新增 <SKU> <名称>`;
    return [`找到 ${list.length} 个商品：`, ...list.map((p, i) => `${i + 1}. ${productSummary(p)}`)].join('\n');
  },
});

commands.register('商品 修改', {
  aliases: ['product edit', 'product update', '修改商品', '商品 编辑'],
  permission: 'product.manage',
  summary: '修改商品档案',
  usage: '商品 修改 <商品> <键=值>… [确认]',
  example: ['商品 修改 A001 售价=0.9 安全库存=200', 'product edit A001 名称=螺丝M6不锈钢', '商品 修改 A001 包装=箱:100 确认'],
  parse(args) {
    const a = parseArgs(args, { options: PRODUCT_OPTIONS, flags: { 确认: ['confirm', '确定'] } });
    const product = a.positional.join(' ');
    if (!product) throw new UsageError('缺少要修改的商品');
    if (a.options.size === 0) throw new UsageError('缺少要修改的内容（键=值）');
    const confirm = a.flags.has('确认');
    // The command as written, to show how to confirm it ("商品 修改 A001 包装=箱:100 确认").
    const again = `商品 修改 ${args.filter((t) => !['确认', 'confirm', '确定'].includes(t.toLowerCase())).join(' ')} 确认`;
    return { product, changes: productFields(a.options), confirm, again };
  },
  async run(ctx, input: { product: string; changes: Record<string, unknown>; confirm: boolean; again: string }) {
    let p: inv.ProductView;
    try {
      p = await inv.updateProduct(ctx.tx, ctx.actor, { product: input.product, changes: input.changes, confirm: input.confirm });
    } catch (e) {
      // A new pack size under stock: the service says how stock reads before and after; we add the exact line to send.
      if (e instanceof DomainError && e.code === 'needs_confirmation') return `${e.message}\n请发送：${input.again}`;
      throw e;
    }
    const packNote = input.changes.packUnit !== undefined || input.changes.packFactor !== undefined ? '\n已过账的单据仍按过账时的包装显示。' : '';
    return `✅ 已修改：${productSummary(p)}${packNote}`;
  },
});

// ───────────── 仓库 ─────────────

commands.register('仓库 新增', {
  aliases: ['warehouse add', '新增仓库', '仓库 新建', '仓库 添加'],
  permission: 'warehouse.manage',
  summary: '新建仓库（第一个自动成为默认仓库）',
  usage: '仓库 新增 <名称> [编码=…] [默认]',
  example: ['仓库 新增 二号仓', 'warehouse add 门店 默认'],
  parse(args) {
    const a = parseArgs(args, { options: { 编码: ['code'] }, flags: { 默认: ['default'] } });
    const name = a.positional.join(' ') || a.at.join(' ');
    if (!name) throw new UsageError('缺少仓库名称');
    if (name.length > 50) throw new UsageError('仓库名称太长（最多 50 字）');
    return { name, code: a.options.get('编码'), makeDefault: a.flags.has('默认') };
  },
  async run(ctx, input: inv.CreateWarehouseInput) {
    const w = await inv.createWarehouse(ctx.tx, ctx.actor, input);
    return `✅ 已新增仓库：${w.name}（编码 ${w.code}）${w.isDefault ? '，默认仓库' : ''}`;
  },
});

commands.register('仓库 列表', {
  aliases: ['warehouse list', 'warehouses', '仓库'],
  permission: 'stock.view',
  summary: '列出所有仓库',
  usage: '仓库 列表',
  example: '仓库 列表',
  parse: (args) => (extra(args), {}),
  async run(ctx) {
    const list = await inv.listWarehouses(ctx.tx, ctx.actor);
    if (!list.length) return '还没有仓库。新建请发：仓库 新增 主仓库';
    return ['仓库：', ...list.map((w, i) => `${i + 1}. ${w.name}（${w.code}）${w.isDefault ? ' · 默认' : ''}`)].join('\n');
  },
});

// ───────────── 入库 / 出库 / 调拨 ─────────────

function oneWarehouse(at: string[]): string | undefined {
  if (at.length > 1) throw new UsageError(`只能指定一个仓库，收到了 ${at.map((x) => '@' + x).join(' ')}`);
  return at[0];
}

/** What the chat parser read so far, for a refusal that shows it ("我理解为：商品 螺丝，数量 3盒"). */
function understood(product: string, qty: string, price?: string): string {
  return `商品 ${product}，数量 ${qty}${price ? `，单价 ${price}` : ''}`;
}

const CONFIRM_FLAG = { 确认: ['confirm', '确定'] };

/** THE price rule, as help and usage say it (src/inventory/prices.ts implements it). */
const PRICE_RULE = '单价按数量所写的单位计（元，最多 6 位小数）：2箱 6.5 = 每箱 ¥6.5；48 0.27 = 每个 ¥0.27；也可写明单位 6.5/箱、0.27/个；「2箱3个」这样的数量请写明单价单位或用 金额=…';

type ReceiptCmdInput = Omit<inv.ReceiptInput, 'idempotencyKey'> & { confirmed?: boolean };
type IssueCmdInput = Omit<inv.IssueInput, 'idempotencyKey'> & { confirmed?: boolean };
type TransferCmdInput = Omit<inv.TransferInput, 'idempotencyKey'> & { confirmed?: boolean };

/**
 * 入库 and its kind-fixed aliases (生产入库, 期初). The price stays text: the service applies
 * the price rule with the product's units (prices.ts receiptLineValue), exactly as for cards.
 */
function parseReceipt(args: string[], fixed?: inv.ReceiptKind): ReceiptCmdInput {
  const a = parseArgs(args, {
    options: { 批次: ['batch', '批号'], 单价: ['price', '价格', 'cost'], 金额: ['amount', '总价'], 备注: ['remark', 'note'], 有效期: ['expires', '到期'] },
    flags: { 生产: ['production', '生产入库'], 期初: ['opening'], ...CONFIRM_FLAG },
  });
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
  const line: inv.ReceiptInput['lines'][number] = { product, qty: q.qty };
  if (a.options.get('批次')) line.batchNo = a.options.get('批次');
  if (a.options.get('有效期')) line.expiresOn = a.options.get('有效期');
  if (a.options.get('金额')) {
    if (priceText) throw new UsageError('单价和金额只写一个：单价按数量所写的单位（6.5 或 6.5/箱），金额是这一行的总价（金额=13）');
    line.amountFen = moneyFen(a.options.get('金额')!, '金额');
  } else if (priceText) {
    // Syntax only here (a clear usage answer); the unit and the amount are the service's rule.
    priceFen(inv.splitPriceText(priceText).yuan, '单价');
    line.unitPrice = priceText;
  }
  if (a.flags.has('生产') && a.flags.has('期初')) throw new UsageError('「生产」和「期初」只能选一个');
  const flagged = a.flags.has('生产') ? ('production_receipt' as const) : a.flags.has('期初') ? ('opening' as const) : null;
  if (fixed && flagged && flagged !== fixed) throw new UsageError(`这个命令已经是${inv.DOC_KIND_LABEL[fixed]}，不能再加「${a.flags.has('生产') ? '生产' : '期初'}」`);
  return {
    kind: fixed ?? flagged ?? 'purchase_receipt',
    warehouse: oneWarehouse(a.at),
    lines: [line],
    remark: a.options.get('备注') ?? null,
    confirmed: a.flags.has('确认'),
  };
}

async function runReceipt(ctx: CommandContext, input: ReceiptCmdInput): Promise<Reply> {
  const body = stripConfirmed(input);
  const verb = input.kind === 'production_receipt' ? '生产入库' : input.kind === 'opening' ? '期初入库' : '入库';
  return posting(ctx, 'receipt', input, () => inv.postReceipt(ctx.tx, ctx.actor, { ...body, idempotencyKey: ctx.idempotencyKey }), verb);
}

const RECEIPT_USAGE = '<商品> <数量>[单位] [单价[/单位]] [@仓库] [批次=…] [金额=…] [备注=…] [确认]';

commands.register('入库', {
  aliases: ['in', 'receive', 'receipt', '收货', '进货', '采购入库'],
  permission: 'stock.receive',
  summary: `收货入库（采购入库 RK；加「生产」为生产入库，加「期初」为期初）。${PRICE_RULE}`,
  usage: `入库 ${RECEIPT_USAGE} [生产|期初]`,
  example: ['入库 A001 2箱 6.5 @主仓库', '入库 螺丝M6 500 0.35 批次=B2311', '入库 电阻 1000 0.002', '入库 A001 2箱3个 金额=15.6', 'in A001 100 生产'],
  parse: (args) => parseReceipt(args),
  run: runReceipt,
});

commands.register('生产入库', {
  aliases: ['生产', 'production'],
  permission: 'stock.receive',
  summary: '生产入库（SC），写法同「入库」',
  usage: `生产入库 ${RECEIPT_USAGE}`,
  example: ['生产入库 A001 100', '生产 A001 2箱'],
  parse: (args) => parseReceipt(args, 'production_receipt'),
  run: runReceipt,
});

commands.register('期初', {
  aliases: ['期初入库', 'opening'],
  permission: 'stock.receive',
  summary: '期初库存（QC），写法同「入库」',
  usage: `期初 ${RECEIPT_USAGE}`,
  example: ['期初 A001 300 0.35', '期初入库 A002 5箱 60'],
  parse: (args) => parseReceipt(args, 'opening'),
  run: runReceipt,
});

/**
 * 出库 and 领用. A number followed by a unit is the quantity, spaces or not (3 盒 = 3盒); words
 * after the quantity are the remark only when none looks like a number, a unit or a price.
 */
function parseIssue(args: string[], fixed?: inv.IssueKind): IssueCmdInput {
  const a = parseArgs(args, {
    options: { 批次: ['batch', '批号'], 备注: ['remark', 'note'] },
    flags: { 领用: ['internal', '内部'], ...CONFIRM_FLAG },
  });
  const { product, rest } = splitProductAndQty(a.positional);
  if (!product) throw new UsageError('缺少商品和数量');
  const q = readQty(rest);
  const hint = `出库不写单价；备注请写成 备注=…（例如 出库 ${product} ${q.qty} 备注=客户张三）。`;
  const words = remarkWords(q.rest, understood(product, q.qty), hint);
  if (words && a.options.has('备注')) throw new UsageError(`我理解为：${understood(product, q.qty)}；「${words}」多余（备注已写在 备注= 里）`);
  const remark = a.options.get('备注') ?? words;
  if (remark && remark.length > 200) throw new UsageError('备注太长（最多 200 字）');
  return {
    kind: fixed ?? (a.flags.has('领用') ? ('internal_issue' as const) : ('sales_issue' as const)),
    warehouse: oneWarehouse(a.at),
    lines: [{ product, qty: q.qty, ...(a.options.get('批次') ? { batchNo: a.options.get('批次') } : {}) }],
    remark,
    confirmed: a.flags.has('确认'),
  };
}

async function runIssue(ctx: CommandContext, input: IssueCmdInput): Promise<Reply> {
  const body = stripConfirmed(input);
  const verb = input.kind === 'internal_issue' ? '领用' : '出库';
  return posting(ctx, 'issue', input, () => inv.postIssue(ctx.tx, ctx.actor, { ...body, idempotencyKey: ctx.idempotencyKey }), verb);
}

commands.register('出库', {
  aliases: ['out', 'issue', 'ship', '发货', '销售出库'],
  permission: 'stock.issue',
  summary: '出库（默认销售出库 CK；加「领用」为领用出库 LY）。数量后的单位可以空格分开（3 盒）；数量异常时先请你确认，命令后加「确认」直接出库',
  usage: '出库 <商品> <数量>[单位] [@仓库] [批次=…] [备注…] [领用] [确认]',
  example: ['出库 A001 5', '出库 螺丝M6 2盒 @二号仓 客户张三', '出库 A001 3 盒 领用', 'out A001 10 批次=B2311'],
  parse: (args) => parseIssue(args),
  run: runIssue,
});

commands.register('领用', {
  aliases: ['领用出库', '领料', '内部领用'],
  permission: 'stock.issue',
  summary: '领用出库（LY，内部领用），写法同「出库」',
  usage: '领用 <商品> <数量>[单位] [@仓库] [批次=…] [备注…] [确认]',
  example: ['领用 A001 1', '领用 螺丝M6 2盒 维修用'],
  parse: (args) => parseIssue(args, 'internal_issue'),
  run: runIssue,
});

commands.register('调拨', {
  aliases: ['transfer', 'move', '移库'],
  permission: 'stock.transfer',
  summary: '仓库之间调拨（DB）；数量异常时先请你确认，命令后加「确认」直接调拨',
  usage: '调拨 <商品> <数量>[单位] @<从仓库> @<到仓库> [批次=…] [备注=…] [确认]',
  example: ['调拨 A001 10 @主仓库 @二号仓', 'transfer A001 1箱 @主仓库 @门店'],
  parse(args): TransferCmdInput {
    const a = parseArgs(args, { options: { 批次: ['batch'], 备注: ['remark', 'note'] }, flags: CONFIRM_FLAG });
    const { product, rest } = splitProductAndQty(a.positional);
    if (!product) throw new UsageError('缺少商品和数量');
    const q = readQty(rest);
    if (q.rest.length) throw new UsageError(`我理解为：${understood(product, q.qty)}；「${q.rest.join(' ')}」看不懂。调拨的写法：调拨 <商品> <数量>[单位] @从仓库 @到仓库；备注请写成 备注=…`);
    if (a.at.length === 0) throw new UsageError('缺少仓库：写成 @从仓库 @到仓库');
    if (a.at.length > 2) throw new UsageError('最多两个仓库：@从仓库 @到仓库');
    const [from, to] = a.at.length === 2 ? a.at : [undefined, a.at[0]];
    return {
      from,
      to,
      lines: [{ product, qty: q.qty, ...(a.options.get('批次') ? { batchNo: a.options.get('批次') } : {}) }],
      remark: a.options.get('备注') ?? null,
      confirmed: a.flags.has('确认'),
    };
  },
  async run(ctx, input: TransferCmdInput) {
    const body = stripConfirmed(input);
    return posting(ctx, 'transfer', input, () => inv.postTransfer(ctx.tx, ctx.actor, { ...body, idempotencyKey: ctx.idempotencyKey }), '调拨');
  },
});

// ───────────── 单据 / 红冲 ─────────────

const DOC_NO_RE = /^[A-Za-z]{2}\d{8}-\d{1,6}$/;

function docNoArg(args: string[]): string {
  const no = args[0];
  if (!no) throw new UsageError('缺少单号');
  if (!DOC_NO_RE.test(no)) throw new UsageError(`「${no.slice(0, 30)}」不是单号，单号形如 CK20261125-0001`);
  return no.toUpperCase();
}

commands.register('单据', {
  aliases: ['doc', 'document', '查单'],
  permission: 'stock.view',
  summary: '查看一张单据',
  usage: '单据 <单号>',
  example: '单据 CK20261125-0001',
  parse(args) {
    const docNo = docNoArg(args);
    extra(args.slice(1));
    return { docNo };
  },
  async run(ctx, { docNo }: { docNo: string }) {
    const r = await inv.getDocument(ctx.tx, ctx.actor, docNo);
    const d = r.document;
    const lines = [
      `单据 ${d.docNo}（${d.kindLabel}）`,
      `时间：${new Date(d.businessTime).toLocaleString('zh-CN', { timeZone: ctx.deps.config.APP_TIMEZONE, hour12: false })}`,
      ...(d.warehouseName ? [`仓库：${d.warehouseName}${d.toWarehouseName ? ` → ${d.toWarehouseName}` : ''}`] : []),
      // As posted: name, SKU, units and pack factor from the move's snapshot (src/inventory/documents.ts).
      // A 成本调整 move changes value only: "—" for its quantity, the amount with its sign.
      ...r.lines.map((l) =>
        l.kind === 'cost_adjustment'
          ? `• ${postedProductText(l)}${l.kindLabel} — @${l.warehouseName}${l.batchNo ? ` 批次 ${l.batchNo}` : ''} 金额 ${l.valueFen.startsWith('-') ? '' : '+'}${formatFen(l.valueFen)}`
          : `• ${postedProductText(l)}${l.kindLabel} ${l.qtyText} @${l.warehouseName}${l.batchNo ? ` 批次 ${l.batchNo}` : ''} 金额 ${formatFen(l.valueFen)}`,
      ),
      `合计金额：${formatFen(d.totalValueFen)}`,
    ];
    if (d.remark) lines.push(`备注：${d.remark}`);
    if (d.reversesDocNo) lines.push(`红冲了：${d.reversesDocNo}`);
    if (d.reversedByDocNo) lines.push(`已被红冲：${d.reversedByDocNo}`);
    return documentReply(ctx, r, lines.join('\n'));
  },
});

commands.register('红冲', {
  aliases: ['reverse', 'void', '冲销'],
  permission: 'stock.reverse',
  summary: '冲销一张已过账的单据（生成反向单据）',
  usage: '红冲 <单号> [原因]',
  example: ['红冲 CK20261125-0001', '红冲 RK20261125-0003 数量录错'],
  parse(args) {
    const docNo = docNoArg(args);
    const reason = args.slice(1).join(' ') || null;
    if (reason && reason.length > 200) throw new UsageError('原因太长（最多 200 字）');
    return { docNo, reason };
  },
  async run(ctx, input: { docNo: string; reason: string | null }) {
    const r = await inv.reverseDocument(ctx.tx, ctx.actor, { ...input, idempotencyKey: ctx.idempotencyKey });
    return renderPosting(r, '红冲');
  },
});

// ───────────── 库存 ─────────────

commands.register('库存', {
  aliases: ['stock', 'inventory', 'inv', '查库存', '存货'],
  permission: 'stock.view',
  summary: '查一个商品的库存（各仓库/批次、可用、按均价估值）；不写商品则看汇总和低库存',
  usage: '库存 [商品] [@仓库]',
  example: ['库存 A001', '库存 @主仓库', '库存'],
  parse(args) {
    const a = parseArgs(args);
    if (a.mentions.length) throw new UsageError('库存不需要 @某人');
    const product = a.positional.join(' ') || undefined;
    if (product && product.length > 100) throw new UsageError('商品名太长');
    return { product, warehouse: oneWarehouse(a.at) };
  },
  async run(ctx, input: { product?: string; warehouse?: string }) {
    if (input.product) {
      const s = await inv.getStock(ctx.tx, ctx.actor, { product: input.product, ...(input.warehouse ? { warehouse: input.warehouse } : {}) });
      const p = s.product;
      const out = [`📦 ${inv.productLabel(p)}${input.warehouse ? ` @${input.warehouse}` : ''}`];
      if (s.rows.length === 0) out.push('暂无库存。');
      for (const w of s.perWarehouse) {
        // Values are parts of the exact total (allocated by quantity): they add up to 库存金额.
        out.push(`• ${w.warehouseName}：${tidyQty(w.qtyText)} · ${formatFen(w.valueFen)}`);
        for (const r of s.rows.filter((x) => x.warehouseId === w.warehouseId && x.batchNo)) out.push(`   批次 ${r.batchNo}：${tidyQty(r.qtyText)} · ${formatFen(r.valueFen)}`);
      }
      out.push(`可用：${tidyQty(s.totalQtyText)}`);
      out.push(`库存金额：${formatFen(s.totalValueFen)}（平均成本 ${unitCostText(s.avgCost, p.baseUnit)}）`);
      if (p.safetyStock !== '0' && new Dec(s.totalQty).lessThanOrEqualTo(p.safetyStock)) out.push(`⚠️ 低于安全库存 ${p.safetyStock} ${p.baseUnit}`);
      return stockReply(s, out.join('\n'), input.warehouse ? (s.perWarehouse[0]?.warehouseName ?? input.warehouse) : null);
    }
    const sum = await inv.stockSummary(ctx.tx, ctx.actor, input.warehouse ? { warehouse: input.warehouse } : {});
    const low = await inv.lowStock(ctx.tx, ctx.actor, input.warehouse ? { warehouse: input.warehouse } : {});
    const out = [`📊 库存汇总${input.warehouse ? ` @${input.warehouse}` : ''}：${sum.lines.length} 个商品，金额合计 ${formatFen(sum.totalValueFen)}`];
    const top = sum.lines.slice(0, 30);
    for (const l of top) out.push(`• ${l.name}（${l.sku}）${tidyQty(l.qtyText)} · ${formatFen(l.valueFen)}`);
    if (sum.lines.length > top.length) out.push(`…还有 ${sum.lines.length - top.length} 个商品，用「库存 <商品>」查看单个`);
    const lowLines = input.warehouse ? low.perWarehouse : low.total;
    if (lowLines.length) {
      out.push(`⚠️ 低库存（${lowLines.length}）：`);
      for (const l of lowLines.slice(0, 30)) out.push(`• ${l.name}（${l.sku}）${l.qtyText}${l.warehouseName ? ` @${l.warehouseName}` : ''}，安全库存 ${l.safetyStock}，缺 ${l.shortfall}`);
    } else out.push('没有低于安全库存的商品。');
    return out.join('\n');
  },
});
