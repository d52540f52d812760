/**
 * Read-only inventory cards: 查库存 (a flow: the product may need the picker; inventory.stock),
 * 查单据 (inventory.document) and 低库存 (inventory.low-stock).
 */
import type { CostFiltered } from '../../../src/inventory/use-cases/cost-visibility.js';
import type { PostingResult } from '../../../src/inventory/documents.js';
import type { LowStockReport } from '../../../src/inventory/lowstock.js';
import type { ProductStock } from '../../../src/inventory/queries.js';
import { stockQuerySchema } from '../../../src/inventory/schemas.js';
import type { WarehouseView } from '../../../src/inventory/warehouses.js';
import { userDisplayName } from '../../../src/people/display-name.js';
import { card, form, input, select, submitButton, markdown, type Card } from '../card.js';
import { check, id, read, text, type FieldReader } from '../fields.js';
import { flowSubmit } from '../flow-forms.js';
import { who } from '../flows.js';
import { backToMenu, formKey, loadProducts, loadWarehouses, productField, type ProductChoice, type WarehouseChoice } from '../forms.js';
import { toast, type ActionContext, type CardAction, type CardAnswer, type CardFlow, type CardForm } from '../registry.js';
import { invokeIn, invokeRead } from '../use-cases.js';
import { documentCard, lowStockCard, stockCard } from '../views.js';
import { reverseKeyFor } from './shared.js';

export const STOCK = 'inventory.stock';
export const DOCUMENT = 'inventory.document';
export const LOW_STOCK = 'inventory.low-stock';

type StockInput = { product: number | string; warehouse?: number };

/** 全部仓库 ('all') or a warehouse id. */
const warehouseOrAll: FieldReader = (fv, name) => (text(fv, name) === 'all' ? undefined : id(fv, name));

export function stockFormView(d: { k: string; products: ProductChoice; warehouses: WarehouseChoice }): Card {
  return card('查库存', 'blue', [
    markdown('选择商品，查看各仓库、各批次的库存。'),
    form('f_stock', [
      ...productField(d.products),
      ...(d.warehouses.options.length ? select('warehouse', '仓库', [{ label: '全部仓库', value: 'all' }, ...d.warehouses.options], { initial: 'all' }) : []),
      submitButton('submit', '查询', { a: 'stock.submit', k: d.k }),
    ]),
    backToMenu(),
  ]);
}

export function docFormView(d: { k: string }): Card {
  return card('查单据', 'blue', [
    form('f_doc', [input('doc_no', '单号', { required: true, placeholder: '例如 RK20261125-0001', maxLength: 40 }), submitButton('submit', '查询', { a: 'doc.submit', k: d.k })]),
    backToMenu(),
  ]);
}

const stockFlow: CardFlow<StockInput, CostFiltered<ProductStock>> = {
  name: 'stock',
  useCase: STOCK,
  label: '查库存',
  productRef: (i) => i.product,
  setProduct: (i, pid) => void (i.product = pid),
  qty: () => '1',
  readOnly: true,
  validate: (i) => {
    const v = check(stockQuerySchema, i);
    return v.ok ? null : v.message;
  },
  async summary(uow, c, s, p) {
    let scope: string | null = null;
    if (p.input.warehouse !== undefined) {
      const { items } = await invokeIn<{ items: WarehouseView[] }>(uow, c, 'inventory.warehouses', { includeArchived: true }, '');
      scope = items.find((w) => w.id === p.input.warehouse)?.name ?? null;
    }
    return { card: stockCard(s, { scope }) };
  },
};

export const queryFlows: CardFlow[] = [stockFlow];

export const queryForms: CardForm[] = [
  {
    name: 'stock',
    title: '查库存',
    useCase: STOCK,
    fields: {
      product: { path: 'product', read: read.id },
      product_q: { path: 'product', read: read.text },
      warehouse: { path: 'warehouse', read: warehouseOrAll },
    },
    load: async (f) => ({ products: await loadProducts(f), warehouses: await loadWarehouses(f), k: await formKey(f, 'stock') }),
    view: stockFormView,
  },
  {
    name: 'doc',
    title: '查单据',
    useCase: DOCUMENT,
    fields: { doc_no: { path: 'docNo', read: read.text } },
    load: async (f) => ({ k: await formKey(f, 'doc') }),
    view: docFormView,
  },
];

/** A document as a card, with 红冲 for those who may reverse it. */
async function docAnswer(c: ActionContext, docNo: string): Promise<CardAnswer> {
  const db = c.deps.database.db;
  const r = await invokeRead<PostingResult>(c, DOCUMENT, { docNo });
  const reverseKey = await reverseKeyFor(db, c, c.user.id, r.document);
  const by = r.document.actorId === c.user.id ? who(c) : await userDisplayName(db, r.document.actorId);
  return { card: documentCard(r, { who: by, timeZone: c.timeZone, reverseKey }) };
}

export const queryActions: CardAction[] = [
  // Through the flow (an ambiguous name gets the picker); the key is spent like a form's, so the
  // same form submitted again answers its first result.
  flowSubmit({ action: 'stock.submit', form: 'stock', flow: 'stock', useCase: STOCK }),
  {
    name: 'doc.submit',
    useCase: DOCUMENT,
    async run(c) {
      const docNo = text(c.form, 'doc_no');
      if (!docNo) return toast('error', '请修改：「单号」请填写单号，例如 RK20261125-0001');
      return docAnswer(c, docNo);
    },
  },
  {
    name: 'doc.view',
    useCase: DOCUMENT,
    run: (c) => docAnswer(c, String(c.value.doc ?? '')),
  },
  {
    name: 'lowstock',
    useCase: LOW_STOCK,
    async run(c) {
      // The same report and card as chat's 低库存 (one definition: src/inventory/lowstock.ts).
      return { card: lowStockCard(await invokeRead<LowStockReport>(c, LOW_STOCK, {})) };
    },
  },
];
