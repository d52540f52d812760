/**
 * 盘点 on cards: the 盘点 card (open / count forms), the count flow (picker for an ambiguous
 * product; inventory.stocktake-count), 开始盘点 (inventory.stocktake-open), 查看差异
 * (inventory.stocktake), 全盘 (inventory.stocktake-complete) and 过账
 * (inventory.stocktake-post; a large one is answered 处理中 and finished after the response).
 */
import { issueCardToken, peekCardToken, releaseCardToken } from '../../../src/interaction/card-tokens.js';
import { claimCardToken, finishClaimedCardToken } from '../../../src/interaction/spend-card-token.js';
import { noClaim, runUnitOfWork, type UnitOfWork } from '../../../src/kernel/unit-of-work.js';
import { recordCountSchema } from '../../../src/inventory/schemas.js';
import { listOpenStocktakes } from '../../../src/inventory/stocktake-list.js';
import type { PostStocktakeResult, RecordCountResult, StocktakeReport, StocktakeView } from '../../../src/inventory/stocktake.js';
import type { CostFiltered } from '../../../src/inventory/use-cases/cost-visibility.js';
import { parseQuantity } from '../../../src/inventory/units.js';
import { explainError } from '../../commands/render.js';
import { mayUse } from '../access.js';
import type { Card } from '../card.js';
import { deferUpdate } from '../delayed.js';
import { check, read } from '../fields.js';
import { flowSubmit, useCaseSubmit } from '../flow-forms.js';
import { expiredAnswer, keyOf, stage, usedAnswer, who } from '../flows.js';
import { formKey, loadProducts, loadWarehouses } from '../forms.js';
import { canonicalQty } from '../normalise.js';
import { toast, type ActionContext, type CardAction, type CardAnswer, type CardFlow, type CardForm, type FlowAnswer, type FormContext } from '../registry.js';
import { cardSettings, formContext } from '../settings.js';
import { invokeIn, invokeRead } from '../use-cases.js';
import { processingCard } from '../views.js';
import { remember, summaryFor } from './shared.js';
import { noVarianceCard, postFailedCard, stocktakeFormView, varianceCard, type StocktakeFormData } from './stocktake-views.js';

export const OPEN = 'inventory.stocktake-open';
export const COUNT = 'inventory.stocktake-count';
export const COMPLETE = 'inventory.stocktake-complete';
export const POST = 'inventory.stocktake-post';
export const REPORT = 'inventory.stocktake';

/** What the 盘点 card shows, with fresh keys for the forms it renders. */
async function loadStocktakeForm(f: FormContext, notice?: string): Promise<StocktakeFormData> {
  const open = await listOpenStocktakes(f.conn, f.actor);
  const warehouses = await loadWarehouses(f);
  const products = await loadProducts(f);
  const used = new Set(open.map((s) => String(s.warehouseId)));
  const free = warehouses.options.some((o) => !used.has(o.value)) || !warehouses.options.length;
  return {
    open,
    warehouses,
    products,
    notice,
    countKey: open.length ? await formKey(f, 'stocktake') : undefined,
    openKey: free ? await formKey(f, 'stocktake.open') : undefined,
  };
}

/** The 盘点 card again after a tap, in the unit's transaction, the warehouse just used preselected. */
async function stocktakeCardAfter(uow: UnitOfWork, c: ActionContext, warehouseId: number, notice: string): Promise<Card> {
  const f = formContext(c, uow.tx, { ...c.user, lastWarehouseId: warehouseId });
  return stocktakeFormView(await loadStocktakeForm(f, notice));
}

type CountInput = { stocktake: number | string; product: number | string; qty: string; batchNo?: string; mode?: string; complete?: boolean; newBatch?: boolean };

const countFlow: CardFlow<CountInput, RecordCountResult> = {
  name: 'count',
  useCase: COUNT,
  productRef: (i) => i.product,
  setProduct: (i, id) => void (i.product = id),
  qty: (i) => i.qty,
  validate: (i) => {
    const v = check(recordCountSchema, i);
    return v.ok ? null : v.message;
  },
  // The same unit parsing the service uses; its message names 数量 and the units. Nothing to confirm.
  async inspect(_c, product, p) {
    parseQuantity(product, p.input.qty, { allowZero: true });
    return [];
  },
  async summary(uow, c, r) {
    await remember(uow.tx, c, r.stocktake.warehouseId);
    const note = `已录入：${r.stocktake.docNo} · ${r.batchNo ? `批次 ${r.batchNo} · ` : ''}累计实盘 ${r.countedText}`;
    return { toast: { type: 'success', content: note }, card: await stocktakeCardAfter(uow, c, r.stocktake.warehouseId, note) };
  },
};

export const stocktakeFlows: CardFlow[] = [countFlow];

const sharedView = { load: (f: FormContext) => loadStocktakeForm(f), view: stocktakeFormView };

export const stocktakeForms: CardForm[] = [
  // The card the menu opens; it holds the two forms below.
  { name: 'stocktake', title: '盘点', useCase: COUNT, ...sharedView },
  {
    name: 'count',
    title: '盘点录入',
    useCase: COUNT,
    fields: {
      stocktake: { path: 'stocktake', read: read.idOrEmpty },
      product: { path: 'product', read: read.id },
      product_q: { path: 'product', read: read.text },
      qty: { path: 'qty', read: read.text },
      batch_no: { path: 'batchNo', read: read.opt },
      // An unknown mode reaches the check as is, whose message names the three choices.
      mode: { path: 'mode', read: read.opt },
      complete: { path: 'complete', read: read.yesNo },
      new_batch: { path: 'newBatch', read: read.yesNo },
    },
    ...sharedView,
  },
  {
    name: 'stocktake.open',
    title: '开始盘点',
    useCase: OPEN,
    fields: {
      open_warehouse: { path: 'warehouse', read: read.id },
      open_products: { path: 'products', read: read.ids },
    },
    ...sharedView,
  },
];

/** 查看差异: the variance card, with a 过账 key for those who may post. */
async function varianceAnswer(c: ActionContext, s: number): Promise<CardAnswer> {
  const rep = await invokeRead<CostFiltered<StocktakeReport>>(c, REPORT, { stocktake: s });
  if (rep.stocktake.status !== 'open') return toast('info', `盘点单 ${rep.stocktake.docNo} 已${rep.stocktake.status === 'posted' ? '过账' : '取消'}。`);
  const postKey = mayUse(c, POST) ? await issueCardToken(c.deps.database.db, 'stocktake.post', c.user.id, { s, force: rep.moved.length > 0, lines: rep.lines.length }) : undefined;
  return { card: varianceCard(rep, postKey, cardSettings(c.deps).largeStocktakeLines) };
}

/** The posting of stocktake `s` under `card:<k>` in `uow`, and its summary. */
async function postIn(uow: UnitOfWork, c: ActionContext, s: number, k: string, force: boolean): Promise<Card> {
  const r = await invokeIn<PostStocktakeResult>(uow, c, POST, { stocktake: s, force }, `card:${k}`);
  await remember(uow.tx, c, r.stocktake.warehouseId);
  if (!r.posting) return noVarianceCard(r.stocktake, who(c));
  return summaryFor(uow.tx, c, r.posting);
}

/**
 * 过账. Small: inside the callback. Large (> largeStocktakeLines lines): the key is claimed at
 * once with a 处理中 answer, the posting runs after the response (deps.defer) and its summary
 * replaces the card through the delayed-update API (and is stored with the key, so 刷新结果
 * or a second tap shows it).
 */
async function postAnswer(c: ActionContext): Promise<CardAnswer> {
  const k = keyOf(c);
  const used = await usedAnswer(c, k);
  if (used) return used;
  const db = c.deps.database.db;
  const ctx = (await peekCardToken(db, k!))?.context as { s?: number; force?: boolean } | null;
  if (!ctx?.s) return expiredAnswer();
  const s = ctx.s;
  const force = Boolean(ctx.force);
  const rep = await invokeRead<StocktakeReport>(c, REPORT, { stocktake: s });
  if (rep.lines.length <= cardSettings(c.deps).largeStocktakeLines) {
    return stage(c, k, async (uow): Promise<FlowAnswer> => ({ toast: { type: 'success', content: `盘点 ${rep.stocktake.docNo} 已过账` }, card: await postIn(uow, c, s, k!, force) }));
  }
  // Claim the key now (a second tap meanwhile gets 处理中), post after answering Feishu.
  const claimed = await claimCardToken(c.deps, k!, { card: processingCard(k), pending: true });
  if (claimed.status === 'missing') return expiredAnswer();
  if (claimed.status === 'used') return { ...toast('info', '正在处理中，完成后卡片会自动更新。'), card: (claimed.row.result as { card?: Card } | null)?.card };
  const work = (async (): Promise<Card> => {
    try {
      return await finishClaimedCardToken(c.deps, k!, async (uow) => {
        const out = await postIn(uow, c, s, k!, force);
        return { value: out, stored: { card: out } };
      });
    } catch (e) {
      // Mapped constraint → its message; a bug → logged with a reference the user can quote.
      const out = postFailedCard(explainError(e, c.logger, '盘点过账').message, s);
      // Nothing was posted: release the key so 查看差异 → 过账 can try again.
      await releaseCardToken(db, k!);
      return out;
    }
  })();
  deferUpdate(c.deps, c.logger, c.eventToken, work);
  return { toast: { type: 'info', content: `盘点 ${rep.stocktake.docNo} 共 ${rep.lines.length} 行，正在后台过账。` }, card: processingCard(k) };
}

export const stocktakeActions: CardAction[] = [
  flowSubmit({ action: 'count.submit', form: 'count', flow: 'count', useCase: COUNT, normalise: (i) => (typeof i.qty === 'string' ? { ...i, qty: canonicalQty(i.qty) } : i) }),
  useCaseSubmit<StocktakeView>({
    action: 'stocktake.open.submit',
    form: 'stocktake.open',
    useCase: OPEN,
    async summary(uow, c, st) {
      await remember(uow.tx, c, st.warehouseId);
      return { toast: { type: 'success', content: `已开始盘点 ${st.docNo}` }, card: await stocktakeCardAfter(uow, c, st.warehouseId, `已开始盘点 ${st.docNo}（${st.warehouseName}）`) };
    },
  }),
  {
    name: 'count.report',
    useCase: REPORT,
    async run(c) {
      const s = Number(c.value.s);
      return Number.isInteger(s) ? varianceAnswer(c, s) : expiredAnswer();
    },
  },
  /** 全盘 from the variance card (or 撤销全盘): a flag on the open stocktake, then the view again. */
  {
    name: 'stocktake.complete',
    useCase: COMPLETE,
    async run(c) {
      const s = Number(c.value.s);
      if (!Number.isInteger(s)) return expiredAnswer();
      const complete = !c.value.undo;
      await runUnitOfWork(c.deps, noClaim, (uow) => invokeIn(uow, c, COMPLETE, { stocktake: s, complete }, ''));
      const out = await varianceAnswer(c, s);
      return { ...out, toast: { type: 'success', content: complete ? '已声明全盘：未录入的按 0 计' : '已撤销全盘' } };
    },
  },
  { name: 'stocktake.post', useCase: POST, run: postAnswer },
];
