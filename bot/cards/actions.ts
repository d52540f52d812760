/**
 * Every card action, registered next to its handler. Forms post through flows.ts (one-time
 * key consumed in the posting transaction); read-only cards answer directly.
 */
import type { Db, Tx } from '../../db/types.js';
import { DomainError } from '../../src/errors.js';
import { issueCardToken, peekCardToken, releaseCardToken } from '../../src/interaction/card-tokens.js';
import { claimCardToken, finishClaimedCardToken } from '../../src/interaction/spend-card-token.js';
import { userDisplayName } from '../../src/people/display-name.js';
import { can } from '../../src/people/roles.js';
import { createProduct } from '../../src/inventory/products.js';
import { createWarehouse } from '../../src/inventory/warehouses.js';
import { getDocument } from '../../src/inventory/documents.js';
import { lowStock } from '../../src/inventory/lowstock.js';
import { reverseDocument } from '../../src/inventory/reversal.js';
import { openStocktake, postStocktake, setStocktakeComplete, stocktakeReport } from '../../src/inventory/stocktake.js';
import { createProductSchema, createWarehouseSchema, openStocktakeSchema, reversalInputSchema, stockQuerySchema, type CountMode } from '../../src/inventory/schemas.js';
import { rememberWarehouse } from '../../src/people/users.js';
import { formatFen, formatPrice } from '../../src/shared/money.js';
import { button, buttonRow, card, hr, markdown, md, table, value, type Card, type El } from './card.js';
import { deferUpdate } from './delayed.js';
import { check, date, decimals, FieldError, id, list, opt, price, text, yesNo } from './fields.js';
import { cancelledCard, commitPending, expiredAnswer, pendingOf, proceed, stage, submitFlow, summaryFor, usedAnswer, who, type Pending } from './flows.js';
import { FORMS, menuCard, renderForm } from './forms.js';
import { onCardAction, toast, type ActionContext, type CardAnswer } from './registry.js';
import { cardSettings } from './settings.js';
import { documentCard, lowStockCard, messageCard, processingCard } from './views.js';
import { explainError } from '../commands/render.js';
import { isReversible } from '../../src/inventory/reversal.js';

const formCtx = (c: ActionContext) => ({ conn: c.deps.database.db, actor: c.actor, user: c.user, selectMax: cardSettings(c.deps).selectMax });

/** FieldError → error toast (the form stays). */
async function guarded(fn: () => Promise<CardAnswer>): Promise<CardAnswer> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof FieldError) return toast('error', `请修改：${e.message}`);
    throw e;
  }
}

const key = (c: ActionContext) => (typeof c.value.k === 'string' ? c.value.k : undefined);

// ───────────── navigation ─────────────

onCardAction('menu', {
  async run(c) {
    return { card: menuCard(c.actor, c.user.name) };
  },
});

onCardAction('open', {
  async run(c) {
    const f = typeof c.value.f === 'string' ? c.value.f : '';
    if (!FORMS[f]) return expiredAnswer();
    return { card: await renderForm(f, formCtx(c)) };
  },
});

onCardAction('refresh', {
  async run(c) {
    const row = await peekCardToken(c.deps.database.db, key(c) ?? '');
    const r = (row?.result ?? null) as { card?: Card; pending?: boolean } | null;
    if (!row || !row.consumedAt || !r?.card) return toast('info', '还没有结果，请稍候再点「刷新结果」。');
    if (r.pending) return toast('info', '仍在处理中，请稍候再点「刷新结果」。');
    return { card: r.card };
  },
});

// ───────────── postings from forms ─────────────

function productOf(c: ActionContext): number | string {
  const chosen = id(c.form, 'product');
  if (chosen !== undefined) return chosen;
  return text(c.form, 'product_q');
}

/** batch select ("productId:batchNo" or "-") or batch_no input. */
function batchOf(c: ActionContext): { batchNo?: string; batchOf?: number } {
  const sel = opt(c.form, 'batch');
  if (sel && sel !== '-') {
    const m = sel.match(/^(\d+):(.*)$/);
    if (!m) throw new FieldError('batch_no', '不是可选的值，请重新选择');
    return { batchNo: m[2], batchOf: Number(m[1]) };
  }
  return { batchNo: opt(c.form, 'batch_no') };
}

onCardAction('receipt.submit', {
  permission: 'stock.receive',
  run: (c) =>
    guarded(async () => {
      const k = key(c);
      if (!k) return expiredAnswer();
      const batch = batchOf(c);
      const p: Pending<'receipt'> = {
        flow: 'receipt',
        origin: k,
        input: {
          kind: (opt(c.form, 'kind') ?? 'purchase_receipt') as 'purchase_receipt',
          warehouse: id(c.form, 'warehouse'),
          lines: [{ product: productOf(c), qty: text(c.form, 'qty'), batchNo: batch.batchNo, expiresOn: date(c.form, 'expires_on'), unitPrice: opt(c.form, 'unit_price') }],
          idempotencyKey: `card:${k}`,
          remark: opt(c.form, 'remark') ?? null,
        },
      };
      return submitFlow(c, k, p);
    }),
});

onCardAction('issue.submit', {
  permission: 'stock.issue',
  run: (c) =>
    guarded(async () => {
      const k = key(c);
      if (!k) return expiredAnswer();
      const batch = batchOf(c);
      const p: Pending<'issue'> = {
        flow: 'issue',
        origin: k,
        batchOf: batch.batchOf,
        input: {
          kind: (opt(c.form, 'kind') ?? 'sales_issue') as 'sales_issue',
          warehouse: id(c.form, 'warehouse'),
          lines: [{ product: productOf(c), qty: text(c.form, 'qty'), batchNo: batch.batchNo }],
          idempotencyKey: `card:${k}`,
          remark: opt(c.form, 'remark') ?? null,
        },
      };
      return submitFlow(c, k, p);
    }),
});

onCardAction('transfer.submit', {
  permission: 'stock.transfer',
  run: (c) =>
    guarded(async () => {
      const k = key(c);
      if (!k) return expiredAnswer();
      const batch = batchOf(c);
      const to = id(c.form, 'to');
      const p: Pending<'transfer'> = {
        flow: 'transfer',
        origin: k,
        batchOf: batch.batchOf,
        input: {
          from: id(c.form, 'from'),
          // Absent → '' so the schema names 调入仓库 in its message.
          to: to ?? '',
          lines: [{ product: productOf(c), qty: text(c.form, 'qty'), batchNo: batch.batchNo }],
          idempotencyKey: `card:${k}`,
          remark: opt(c.form, 'remark') ?? null,
        },
      };
      return submitFlow(c, k, p);
    }),
});

onCardAction('count.submit', {
  permission: 'stock.count',
  run: (c) =>
    guarded(async () => {
      const k = key(c);
      if (!k) return expiredAnswer();
      const st = id(c.form, 'stocktake');
      const p: Pending<'count'> = {
        flow: 'count',
        origin: k,
        input: {
          stocktake: st ?? '',
          product: productOf(c),
          qty: text(c.form, 'qty'),
          batchNo: opt(c.form, 'batch_no'),
          // An unknown mode reaches the schema as is, whose message names the three choices.
          mode: (opt(c.form, 'mode') ?? 'add') as CountMode,
          complete: yesNo(c.form, 'complete'),
          newBatch: yesNo(c.form, 'new_batch'),
        },
      };
      return submitFlow(c, k, p);
    }),
});

onCardAction('stock.submit', {
  permission: 'stock.view',
  run: (c) =>
    guarded(async () => {
      const k = key(c);
      if (!k) return expiredAnswer();
      const wh = opt(c.form, 'warehouse');
      const p: Pending<'stock'> = {
        flow: 'stock',
        origin: k,
        input: { product: productOf(c), ...(wh && wh !== 'all' ? { warehouse: id(c.form, 'warehouse') } : {}) },
      };
      // A query is read-only: it does not use the key up (the same form may be asked again).
      const v = check(stockQuerySchema, p.input);
      if (!v.ok) return toast('error', v.message);
      return proceed(c, k, p);
    }),
});

// ───────────── confirmation, picker ─────────────

onCardAction('confirm', {
  async run(c) {
    const k = key(c);
    const used = await usedAnswer(c, k);
    if (used) return used;
    const p = pendingOf(await peekCardToken(c.deps.database.db, k!));
    if (!p) return expiredAnswer();
    const perm = p.flow === 'receipt' ? 'stock.receive' : p.flow === 'issue' ? 'stock.issue' : p.flow === 'transfer' ? 'stock.transfer' : p.flow === 'count' ? 'stock.count' : 'stock.view';
    if (!can(c.actor, perm)) return toast('error', '你没有这个操作的权限，请联系管理员授权。');
    return commitPending(c, k!, p);
  },
});

onCardAction('cancel', {
  async run(c) {
    return stage(c, key(c), async () => ({ toast: { type: 'info', content: '已取消' }, card: cancelledCard() }));
  },
});

onCardAction('pick', {
  async run(c) {
    const k = key(c);
    const used = await usedAnswer(c, k);
    if (used) return used;
    const p = pendingOf(await peekCardToken(c.deps.database.db, k!));
    const chosen = Number(c.value.p);
    if (!p || !Number.isInteger(chosen)) return expiredAnswer();
    if (p.candidates && !p.candidates.includes(chosen)) return toast('error', '这个商品不在候选列表中，请重新选择。');
    const perm = p.flow === 'receipt' ? 'stock.receive' : p.flow === 'issue' ? 'stock.issue' : p.flow === 'transfer' ? 'stock.transfer' : p.flow === 'count' ? 'stock.count' : 'stock.view';
    if (!can(c.actor, perm)) return toast('error', '你没有这个操作的权限，请联系管理员授权。');
    const input = p.input as { lines?: { product: number | string }[]; product?: number | string };
    if (input.lines) input.lines[0].product = chosen;
    else input.product = chosen;
    return proceed(c, k!, { ...p, candidates: undefined });
  },
});

// ───────────── master data ─────────────

onCardAction('product.submit', {
  permission: 'product.manage',
  run: (c) =>
    guarded(async () => {
      const k = key(c);
      const used = await usedAnswer(c, k);
      if (used) return used;
      const f = c.form;
      const leadTime = opt(f, 'lead_time_days');
      const input = {
        name: text(f, 'name'),
        sku: opt(f, 'sku'),
        barcode: opt(f, 'barcode') ?? null,
        model: opt(f, 'model') ?? null,
        spec: opt(f, 'spec') ?? null,
        category: opt(f, 'category') ?? null,
        baseUnit: opt(f, 'base_unit') ?? '个',
        packUnit: opt(f, 'pack_unit') ?? null,
        packFactor: opt(f, 'pack_factor') ?? null,
        // Unit prices: yuan per base unit with up to 6 decimals (0.002).
        purchasePriceFen: price(f, 'purchase_price') ?? null,
        salePriceFen: price(f, 'sale_price') ?? null,
        qtyDecimals: decimals(f, 'qty_decimals') ?? null,
        safetyStock: opt(f, 'safety_stock') ?? '0',
        ...(leadTime ? { leadTimeDays: Number(leadTime) } : {}),
        batchTracked: yesNo(f, 'batch_tracked'),
      };
      const v = check(createProductSchema, input);
      if (!v.ok) return toast('error', v.message);
      return stage(c, k, async (tx) => {
        const p = await createProduct(tx, c.actor, input);
        const lines = [
          `**编码**：${md(p.sku)}`,
          `**名称**：${md([p.name, p.model, p.spec].filter(Boolean).join(' '))}`,
          `**单位**：${md(p.baseUnit)}${p.packUnit ? `（1 ${md(p.packUnit)} = ${md(p.packFactor)} ${md(p.baseUnit)}）` : ''}`,
          p.purchasePriceFen ? `**采购价**：${formatPrice(p.purchasePriceFen)}/${md(p.baseUnit)}` : null,
          p.salePriceFen ? `**售价**：${formatPrice(p.salePriceFen)}/${md(p.baseUnit)}` : null,
          `**批次管理**：${p.batchTracked ? '是' : '否'}`,
          `**经办**：${md(who(c))}`,
        ].filter(Boolean);
        return {
          toast: { type: 'success', content: `已新建商品 ${p.sku}` },
          card: card(`已新建商品 · ${p.name}`.slice(0, 60), 'green', [
            markdown(lines.join('\n')),
            buttonRow([button('继续新建', value('open', { f: 'product' }), { type: 'primary' }), ...(can(c.actor, 'stock.receive') ? [button('入库', value('open', { f: 'receipt' }))] : []), button('菜单', value('menu'))]),
          ]),
        };
      });
    }),
});

onCardAction('warehouse.submit', {
  permission: 'warehouse.manage',
  run: (c) =>
    guarded(async () => {
      const k = key(c);
      const used = await usedAnswer(c, k);
      if (used) return used;
      const input = { name: text(c.form, 'name'), code: opt(c.form, 'code'), makeDefault: yesNo(c.form, 'make_default') };
      const v = check(createWarehouseSchema, input);
      if (!v.ok) return toast('error', v.message);
      return stage(c, k, async (tx) => {
        const w = await createWarehouse(tx, c.actor, input);
        return {
          toast: { type: 'success', content: `已新建仓库 ${w.name}` },
          card: card(`已新建仓库 · ${w.name}`.slice(0, 60), 'green', [
            markdown(`**编码**：${md(w.code)}\n**名称**：${md(w.name)}\n**默认仓库**：${w.isDefault ? '是' : '否'}\n**经办**：${md(who(c))}`),
            buttonRow([button('继续新建', value('open', { f: 'warehouse' }), { type: 'primary' }), button('菜单', value('menu'))]),
          ]),
        };
      });
    }),
});

// ───────────── reversal ─────────────

async function reverseAnswer(c: ActionContext, k: string, docNo: string, reason: string | null): Promise<CardAnswer> {
  return stage(c, k, async (tx) => {
    const r = await reverseDocument(tx, c.actor, { docNo, idempotencyKey: `card:${k}`, reason });
    return { toast: { type: 'success', content: `已红冲 ${docNo}，红冲单 ${r.document.docNo}` }, card: await summaryFor(tx, c, r) };
  });
}

/** The 红冲 button on a summary card: its own one-time key, context {docNo}. */
onCardAction('reverse', {
  permission: 'stock.reverse',
  async run(c) {
    const k = key(c);
    const used = await usedAnswer(c, k);
    if (used) return used;
    const row = await peekCardToken(c.deps.database.db, k!);
    const docNo = (row?.context as { docNo?: string } | null)?.docNo;
    if (!docNo) return expiredAnswer();
    return reverseAnswer(c, k!, docNo, `卡片红冲（${who(c)}）`);
  },
});

onCardAction('reverse.submit', {
  permission: 'stock.reverse',
  async run(c) {
    const k = key(c);
    const used = await usedAnswer(c, k);
    if (used) return used;
    const input = { docNo: text(c.form, 'doc_no'), idempotencyKey: `card:${k}`, reason: opt(c.form, 'reason') ?? null };
    const v = check(reversalInputSchema, input);
    if (!v.ok) return toast('error', v.message);
    return reverseAnswer(c, k!, input.docNo, input.reason);
  },
});

// ───────────── queries ─────────────

onCardAction('doc.submit', {
  permission: 'stock.view',
  async run(c) {
    const docNo = text(c.form, 'doc_no');
    if (!docNo) return toast('error', '请修改：「单号」请填写单号，例如 RK20261125-0001');
    return docAnswer(c, docNo);
  },
});

onCardAction('doc.view', {
  permission: 'stock.view',
  async run(c) {
    return docAnswer(c, String(c.value.doc ?? ''));
  },
});

async function docAnswer(c: ActionContext, docNo: string): Promise<CardAnswer> {
  const db = c.deps.database.db;
  const r = await getDocument(db, c.actor, docNo);
  const reversible = can(c.actor, 'stock.reverse') && isReversible(r.document);
  const reverseKey = reversible ? await issueCardToken(db, 'reverse', c.user.id, { docNo: r.document.docNo }) : undefined;
  return { card: documentCard(r, { who: r.document.actorId === c.user.id ? who(c) : await userDisplayName(db, r.document.actorId), reverseKey }) };
}

onCardAction('lowstock', {
  permission: 'stock.view',
  async run(c) {
    const r = await lowStock(c.deps.database.db, c.actor, {});
    const rows = r.perWarehouse.map((l) => ({ name: l.name, sku: l.sku, warehouse: l.warehouseName, qtyText: l.qtyText, safetyText: l.safetyStock }));
    return { card: lowStockCard(rows, '各仓库') };
  },
});

// ───────────── stocktake ─────────────

onCardAction('stocktake.open.submit', {
  permission: 'stock.count',
  run: (c) =>
    guarded(async () => {
      const k = key(c);
      const used = await usedAnswer(c, k);
      if (used) return used;
      const wh = id(c.form, 'open_warehouse');
      const products = list(c.form, 'open_products').map(Number).filter((n) => Number.isInteger(n) && n > 0);
      const input = { warehouse: wh, products: products.length ? products : undefined };
      const v = check(openStocktakeSchema, input);
      if (!v.ok) return toast('error', v.message);
      return stage(c, k, async (tx) => {
        const st = await openStocktake(tx, c.actor, input);
        if (c.user.id) await rememberWarehouse(tx, c.user.id, st.warehouseId);
        const next = await renderForm('stocktake', { conn: tx, actor: c.actor, user: { ...c.user, lastWarehouseId: st.warehouseId }, selectMax: cardSettings(c.deps).selectMax });
        next.body.elements.unshift(markdown(`<font color="green">✓ 已开始盘点 ${md(st.docNo)}（${md(st.warehouseName)}）</font>`));
        return { toast: { type: 'success', content: `已开始盘点 ${st.docNo}` }, card: next };
      });
    }),
});

function varianceCard(rep: Awaited<ReturnType<typeof stocktakeReport>>, postKey: string | undefined, largeLines: number): Card {
  const st = rep.stocktake;
  const ub = rep.uncountedBatches;
  const ubSkus = [...new Set(ub.map((b) => b.sku))];
  const els: El[] = [
    markdown(
      [
        `**盘点单**：${md(st.docNo)}　**仓库**：${md(st.warehouseName)}`,
        `**差异行**：${rep.lines.filter((l) => l.varianceQty !== '0').length} / ${rep.lines.length}　**盘盈**：${formatFen(rep.totalGainFen)}　**盘亏**：${formatFen(rep.totalLossFen)}`,
        st.complete ? '**全盘**：范围内没有录入的商品和批次过账时按 0 计（表中「未盘，按 0 计」）。' : null,
        // What posting will NOT change, apart from the table: an absent count is not a zero count.
        ub.length
          ? `**未盘批次**：${ub.slice(0, 10).map((b) => `${md(b.name)}（${md(b.sku)}）批次 ${md(b.batchNo)} 账面 ${md(b.bookQty)}`).join('；')}${ub.length > 10 ? ' 等' : ''}，不调整（如已全部清点，请发「盘点 完成 ${md(ubSkus.length === 1 ? ubSkus[0] : '<商品>')}」或「全盘」）`
          : null,
        rep.uncounted.length ? `**未清点**：${rep.uncounted.slice(0, 10).map((u) => md(u.name)).join('、')}${rep.uncounted.length > 10 ? ' 等' : ''}（过账时不调整）` : null,
        rep.completeProducts.length && !st.complete ? `**已声明清点完成**：${rep.completeProducts.map((p) => md(p.name)).join('、')}（未录入的批次按 0 计）` : null,
        rep.moved.length ? `<font color="orange">开始盘点后有出入库：${rep.moved.map((m) => md(m.name)).join('、')}，账面数已变化。</font>` : null,
        rep.lines.length > largeLines ? `行数较多（${rep.lines.length} 行），过账将在后台完成，卡片会自动更新。` : null,
      ]
        .filter(Boolean)
        .join('\n'),
    ),
  ];
  if (rep.lines.length) {
    els.push(
      table(
        [
          { name: 'p', title: '商品' },
          { name: 'b', title: '批次' },
          { name: 'book', title: '账面', align: 'right' },
          { name: 'cnt', title: '实盘', align: 'right' },
          { name: 'd', title: '差异', align: 'right' },
        ],
        rep.lines.slice(0, 100).map((l) => ({ p: `${l.name}（${l.sku}）`, b: l.batchNo || '—', book: l.bookQty, cnt: l.assumedZero ? '未盘，按 0 计' : l.countedQty, d: l.varianceText })),
      ),
    );
  }
  const buttons: El[] = [];
  if (postKey) {
    buttons.push(
      button(rep.moved.length ? '强制过账' : '过账', value('stocktake.post', { k: postKey }), {
        type: 'primary_filled',
        confirm: { title: '确认过账？', text: `盘点单 ${st.docNo} 过账后按实盘数调整库存，不能修改（可红冲）。` },
      }),
    );
    if (st.complete) buttons.push(button('撤销全盘', value('stocktake.complete', { s: st.id, undo: 1 })));
    else if (ub.length || rep.uncounted.length) {
      buttons.push(
        button('全盘（未录入按 0 计）', value('stocktake.complete', { s: st.id }), {
          confirm: { title: '声明全盘？', text: `盘点单 ${st.docNo} 范围内没有录入的商品和批次，过账时都按 0 计（盘亏）。可以撤销。` },
        }),
      );
    }
  }
  buttons.push(button('继续录入', value('open', { f: 'stocktake' })), button('菜单', value('menu')));
  els.push(hr(), buttonRow(buttons));
  return card(`盘点差异 · ${st.docNo}`, 'purple', els);
}

async function varianceAnswer(c: ActionContext, s: number): Promise<CardAnswer> {
  const db = c.deps.database.db;
  const rep = await stocktakeReport(db, c.actor, s);
  if (rep.stocktake.status !== 'open') return toast('info', `盘点单 ${rep.stocktake.docNo} 已${rep.stocktake.status === 'posted' ? '过账' : '取消'}。`);
  const postKey = can(c.actor, 'stock.count') ? await issueCardToken(db, 'stocktake.post', c.user.id, { s, force: rep.moved.length > 0, lines: rep.lines.length }) : undefined;
  return { card: varianceCard(rep, postKey, cardSettings(c.deps).largeStocktakeLines) };
}

onCardAction('count.report', {
  permission: 'stock.view',
  async run(c) {
    const s = Number(c.value.s);
    if (!Number.isInteger(s)) return expiredAnswer();
    return varianceAnswer(c, s);
  },
});

/** 全盘 from the variance card (or 撤销全盘): a flag on the open stocktake, then the view again. */
onCardAction('stocktake.complete', {
  permission: 'stock.count',
  async run(c) {
    const s = Number(c.value.s);
    if (!Number.isInteger(s)) return expiredAnswer();
    const complete = !c.value.undo;
    await setStocktakeComplete(c.deps.database.db, c.actor, { stocktake: s, complete });
    const out = await varianceAnswer(c, s);
    return { ...out, toast: { type: 'success', content: complete ? '已声明全盘：未录入的按 0 计' : '已撤销全盘' } };
  },
});

async function stocktakeSummary(tx: Tx, c: ActionContext, s: number, k: string, force: boolean): Promise<Card> {
  const r = await postStocktake(tx, c.actor, { stocktake: s, idempotencyKey: `card:${k}`, force });
  if (c.user.id) await rememberWarehouse(tx, c.user.id, r.stocktake.warehouseId);
  if (!r.posting) {
    return messageCard(`盘点已过账 · ${r.stocktake.docNo}`, 'green', `**${md(r.stocktake.warehouseName)}** 实盘与账面一致，没有差异。\n**经办**：${md(who(c))}`, [
      buttonRow([button('菜单', value('menu'))]),
    ]);
  }
  return summaryFor(tx, c, r.posting);
}

/**
 * Post a stocktake. Small: inside the callback. Large (> largeStocktakeLines lines): the key
 * is consumed at once with a 处理中 answer, the posting runs after the response (deps.defer)
 * and its summary replaces the card through the delayed-update API (and is stored with the key,
 * so 刷新结果 or a second tap shows it).
 */
onCardAction('stocktake.post', {
  permission: 'stock.count',
  async run(c) {
    const k = key(c);
    const used = await usedAnswer(c, k);
    if (used) return used;
    const row = await peekCardToken(c.deps.database.db, k!);
    const ctx = row?.context as { s?: number; force?: boolean; lines?: number } | null;
    if (!ctx?.s) return expiredAnswer();
    const s = ctx.s;
    const force = Boolean(ctx.force);
    const rep = await stocktakeReport(c.deps.database.db, c.actor, s);
    if (rep.lines.length <= cardSettings(c.deps).largeStocktakeLines) {
      return stage(c, k, async (tx) => ({ toast: { type: 'success', content: `盘点 ${rep.stocktake.docNo} 已过账` }, card: await stocktakeSummary(tx, c, s, k!, force) }));
    }
    const db = c.deps.database.db;
    // Claim the key now (a second tap meanwhile gets 处理中), post after answering Feishu.
    const claimed = await claimCardToken(db, k!, { card: processingCard(k), pending: true });
    if (claimed.status === 'missing') return expiredAnswer();
    if (claimed.status === 'used') return { ...toast('info', '正在处理中，完成后卡片会自动更新。'), card: (claimed.row.result as { card?: Card } | null)?.card };
    const work = (async (): Promise<Card> => {
      try {
        return await finishClaimedCardToken(db, k!, async (tx) => {
          const out = await stocktakeSummary(tx, c, s, k!, force);
          return { value: out, stored: { card: out } };
        });
      } catch (e) {
        // Mapped constraint → its message; a bug → logged with a reference the user can quote.
        const msg = explainError(e, c.logger, '盘点过账').message;
        const out = messageCard('盘点过账未完成', 'red', md(msg), [buttonRow([button('查看差异', value('count.report', { s })), button('菜单', value('menu'))])]);
        // Nothing was posted: release the key so 查看差异 → 过账 can try again.
        await releaseCardToken(db, k!);
        return out;
      }
    })();
    deferUpdate(c.deps, c.logger, c.eventToken, work);
    return { toast: { type: 'info', content: `盘点 ${rep.stocktake.docNo} 共 ${rep.lines.length} 行，正在后台过账。` }, card: processingCard(k) };
  },
});

