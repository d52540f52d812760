/**
 * Inventory chat commands: thin adapters over src/inventory. Each parses words into the
 * service's input (the service validates again with the same zod schemas), calls it with the
 * message's transaction and idempotency key, and renders the result. No SQL here.
 */
import type { Db } from '../../db/types.js';
import * as inv from '../../src/inventory/index.js';
import { formatFen } from '../../src/shared/money.js';
import { Dec, roundFen } from '../../src/shared/decimal.js';
import { checkQty, moneyFen, parseArgs, splitProductAndQty, type ArgSpec } from '../parse/args.js';
import { rememberWarehouse } from '../../src/people/users.js';
import { ambiguousProductReply, documentReply, stockReply, unitCostText, type PickerFlow } from '../cards/replies.js';
import { commands, UsageError, type CommandContext, type Reply } from './registry.js';
import { tidyQty } from './render.js';

type PostingResult = inv.PostingResult;

/** Services take a Db and open their own transaction; given our savepoint they nest (a savepoint again). */
const db = (ctx: CommandContext) => ctx.tx as unknown as Db;

function extra(rest: string[]): void {
  if (rest.length) throw new UsageError(`多余的内容「${rest.join(' ')}」`);
}

export function renderPosting(r: PostingResult, verb: string): string {
  const d = r.document;
  const head = r.replayed ? `（这条消息已处理过，没有重复记账）\n${verb} ${d.docNo}` : `✅ 已${verb} ${d.docNo}（${d.kindLabel}）`;
  const lines = r.lines.map((l) => {
    const sign = l.qty.startsWith('-') ? '' : '+';
    const batch = l.batchNo ? ` 批次 ${l.batchNo}` : '';
    return `• ${l.name}（${l.sku}）${l.kindLabel} ${sign}${tidyQty(l.qtyText)} @${l.warehouseName}${batch}`;
  });
  const onHand = r.onHand.map((o) => `• ${o.name}：${o.warehouseName} 现有 ${tidyQty(o.qtyText)}${o.totalQty !== o.qty ? `；全部仓库 ${tidyQty(o.totalQtyText)}` : ''}`);
  return [head, ...lines, '现有库存：', ...onHand].join('\n');
}

/**
 * Run a posting command: an ambiguous product answers with the numbered candidates and the
 * picker card (tapping one completes this very command); a posting remembers the warehouse
 * the user worked in (the form cards preselect it; chat without @仓库 still uses the default).
 */
async function posting<I extends { lines: { product: number | string }[] }>(
  ctx: CommandContext,
  flow: PickerFlow,
  input: I,
  post: () => Promise<PostingResult>,
  verb: string,
): Promise<Reply> {
  let r: PostingResult;
  try {
    r = await post();
  } catch (e) {
    const picker = await ambiguousProductReply(ctx, flow, input, e);
    if (picker) return picker;
    throw e;
  }
  await remember(ctx, r.document.warehouseId);
  return renderPosting(r, verb);
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
      case '进价': f.purchasePriceFen = moneyFen(v, '进价'); break;
      case '售价': f.salePriceFen = moneyFen(v, '售价'); break;
      case '安全库存': f.safetyStock = checkQty(v, '安全库存').replace(/[^\d.]+$/, ''); break;
      case '包装': {
        const pm = v.match(/^([^\d:=]+):?(\d+(?:\.\d+)?)$/);
        if (!pm) throw new UsageError(`包装「${v}」格式不对，请写成 包装=箱:24（1 箱 = 24 个基本单位）`);
        const [unit, factor] = [pm[1], pm[2]];
        if (Number(factor) <= 0) throw new UsageError('包装数量必须大于 0');
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
  if (p.purchasePriceFen) bits.push(`进价 ${formatFen(p.purchasePriceFen)}`);
  if (p.salePriceFen) bits.push(`售价 ${formatFen(p.salePriceFen)}`);
  if (p.safetyStock !== '0') bits.push(`安全库存 ${p.safetyStock}`);
  if (p.batchTracked) bits.push('批次管理');
  return bits.join('，');
}

const SKU_RE = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/;

commands.register('商品 新增', {
  aliases: ['product add', 'product new', '新增商品', '商品 添加', '商品 新建'],
  permission: 'product.manage',
  summary: '新建商品档案（进价/售价单位：元）',
  usage: '商品 新增 <SKU> <名称> [单位=个] [规格=…] [型号=…] [条码=…] [进价=…] [售价=…] [安全库存=…] [包装=箱:24]',
  example: ['商品 新增 A001 螺丝M6 单位=个 进价=0.35 售价=0.8 包装=盒:100', 'product add B002 扳手 进价=12.5'],
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
    const p = await inv.createProduct(db(ctx), ctx.actor, input);
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
  usage: '商品 修改 <商品> <键=值>…',
  example: ['商品 修改 A001 售价=0.9 安全库存=200', 'product edit A001 名称=螺丝M6不锈钢'],
  parse(args) {
    const a = parseArgs(args, { options: PRODUCT_OPTIONS });
    const product = a.positional.join(' ');
    if (!product) throw new UsageError('缺少要修改的商品');
    if (a.options.size === 0) throw new UsageError('缺少要修改的内容（键=值）');
    return { product, changes: productFields(a.options) };
  },
  async run(ctx, input: { product: string; changes: Record<string, unknown> }) {
    const p = await inv.updateProduct(db(ctx), ctx.actor, { product: input.product, changes: input.changes });
    return `✅ 已修改：${productSummary(p)}`;
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
    const w = await inv.createWarehouse(db(ctx), ctx.actor, input);
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

commands.register('入库', {
  aliases: ['in', 'receive', 'receipt', '收货', '进货'],
  permission: 'stock.receive',
  summary: '收货入库（单价按所写单位，单位：元；加「生产」为生产入库）',
  usage: '入库 <商品> <数量>[单位] [单价] [@仓库] [批次=…] [生产]',
  example: ['入库 A001 2箱 @主仓库', '入库 螺丝M6 500 0.35 批次=B2311', 'in A001 100 生产'],
  parse(args): Omit<inv.ReceiptInput, 'idempotencyKey'> {
    const a = parseArgs(args, {
      options: { 批次: ['batch', '批号'], 单价: ['price', '价格', 'cost'], 金额: ['amount', '总价'], 备注: ['remark', 'note'], 有效期: ['expires', '到期'] },
      flags: { 生产: ['production', '生产入库'], 期初: ['opening'] },
    });
    const { product, rest } = splitProductAndQty(a.positional);
    if (!product) throw new UsageError('缺少商品和数量');
    const qty = checkQty(rest[0]);
    const priceText = a.options.get('单价') ?? rest[1];
    extra(rest.slice(2));
    if (a.options.has('单价') && rest[1]) throw new UsageError('单价写了两次');
    const line: inv.ReceiptInput['lines'][number] = { product, qty };
    if (a.options.get('批次')) line.batchNo = a.options.get('批次');
    if (a.options.get('有效期')) line.expiresOn = a.options.get('有效期');
    if (a.options.get('金额')) {
      if (priceText) throw new UsageError('单价和金额只写一个');
      line.amountFen = moneyFen(a.options.get('金额')!, '金额');
    } else if (priceText) {
      // Price per unit AS WRITTEN: "2箱 120" is 120 元 per 箱 → 240 元. Compound quantities ("2箱3个") need 金额=.
      const nums = qty.match(/\d+(\.\d+)?/g)!;
      if (nums.length > 1) throw new UsageError('数量写成「2箱3个」时请用 金额=… 写总价');
      line.amountFen = roundFen(new Dec(moneyFen(priceText, '单价').toString()).times(nums[0]));
    }
    if (a.flags.has('生产') && a.flags.has('期初')) throw new UsageError('「生产」和「期初」只能选一个');
    return {
      kind: a.flags.has('生产') ? ('production_receipt' as const) : a.flags.has('期初') ? ('opening' as const) : ('purchase_receipt' as const),
      warehouse: oneWarehouse(a.at),
      lines: [line],
      remark: a.options.get('备注') ?? null,
    };
  },
  async run(ctx, input: Omit<inv.ReceiptInput, 'idempotencyKey'>) {
    return posting(ctx, 'receipt', input, () => inv.postReceipt(db(ctx), ctx.actor, { ...input, idempotencyKey: ctx.idempotencyKey }), '入库');
  },
});

commands.register('出库', {
  aliases: ['out', 'issue', 'ship', '发货', '领用'],
  permission: 'stock.issue',
  summary: '出库（默认销售出库；加「领用」为内部领用）',
  usage: '出库 <商品> <数量>[单位] [@仓库] [批次=…] [备注…]',
  example: ['出库 A001 5', '出库 螺丝M6 2盒 @二号仓 客户张三', 'out A001 10 批次=B2311'],
  parse(args) {
    const a = parseArgs(args, {
      options: { 批次: ['batch', '批号'], 备注: ['remark', 'note'] },
      flags: { 领用: ['internal', '内部'] },
    });
    const { product, rest } = splitProductAndQty(a.positional);
    if (!product) throw new UsageError('缺少商品和数量');
    const qty = checkQty(rest[0]);
    const remark = a.options.get('备注') ?? (rest.slice(1).join(' ') || null);
    if (remark && remark.length > 200) throw new UsageError('备注太长（最多 200 字）');
    return {
      kind: a.flags.has('领用') ? ('internal_issue' as const) : ('sales_issue' as const),
      warehouse: oneWarehouse(a.at),
      lines: [{ product, qty, ...(a.options.get('批次') ? { batchNo: a.options.get('批次') } : {}) }],
      remark,
    };
  },
  async run(ctx, input: Omit<inv.IssueInput, 'idempotencyKey'>) {
    return posting(ctx, 'issue', input, () => inv.postIssue(db(ctx), ctx.actor, { ...input, idempotencyKey: ctx.idempotencyKey }), '出库');
  },
});

commands.register('调拨', {
  aliases: ['transfer', 'move', '移库'],
  permission: 'stock.transfer',
  summary: '仓库之间调拨',
  usage: '调拨 <商品> <数量> @<从仓库> @<到仓库>',
  example: ['调拨 A001 10 @主仓库 @二号仓', 'transfer A001 1箱 @主仓库 @门店'],
  parse(args) {
    const a = parseArgs(args, { options: { 批次: ['batch'], 备注: ['remark', 'note'] } });
    const { product, rest } = splitProductAndQty(a.positional);
    if (!product) throw new UsageError('缺少商品和数量');
    const qty = checkQty(rest[0]);
    extra(rest.slice(1));
    if (a.at.length === 0) throw new UsageError('缺少仓库：写成 @从仓库 @到仓库');
    if (a.at.length > 2) throw new UsageError('最多两个仓库：@从仓库 @到仓库');
    const [from, to] = a.at.length === 2 ? a.at : [undefined, a.at[0]];
    return {
      from,
      to,
      lines: [{ product, qty, ...(a.options.get('批次') ? { batchNo: a.options.get('批次') } : {}) }],
      remark: a.options.get('备注') ?? null,
    };
  },
  async run(ctx, input: Omit<inv.TransferInput, 'idempotencyKey'>) {
    return posting(ctx, 'transfer', input, () => inv.postTransfer(db(ctx), ctx.actor, { ...input, idempotencyKey: ctx.idempotencyKey }), '调拨');
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
      ...r.lines.map((l) => `• ${l.name}（${l.sku}）${l.kindLabel} ${l.qtyText} @${l.warehouseName}${l.batchNo ? ` 批次 ${l.batchNo}` : ''} 金额 ${formatFen(l.valueFen)}`),
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
    const r = await inv.reverseDocument(db(ctx), ctx.actor, { ...input, idempotencyKey: ctx.idempotencyKey });
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
        out.push(`• ${w.warehouseName}：${tidyQty(w.qtyText)}`);
        for (const r of s.rows.filter((x) => x.warehouseId === w.warehouseId && x.batchNo)) out.push(`   批次 ${r.batchNo}：${tidyQty(r.qtyText)}`);
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
