/**
 * 入库 / 出库 / 调拨 on cards: the three form cards, their flows (picker, unusual-entry
 * confirmation, posting through inventory.receive / issue / transfer) and their submit actions.
 * The forms' fields land on the use cases' canonical input (checked when the registry is built).
 */
import type { z } from 'zod';
import { dayKey } from '../../../src/shared/time.js';
import type { PostingResult } from '../../../src/inventory/documents.js';
import { receiptInputSchema, transferInputSchema } from '../../../src/inventory/schemas.js';
import { issueWithSaleInputSchema } from '../../../src/inventory/sale-price.js';
import { checkUnusualPosting, type PostingFlow } from '../../../src/inventory/unusual.js';
import { yuanToFen } from '../../../src/shared/money.js';
import { input, markdown, select, datePicker, type Card } from '../card.js';
import { batchSelect, check, read } from '../fields.js';
import { flowSubmit } from '../flow-forms.js';
import {
  batchField,
  formCard,
  formKey,
  kindOptions,
  loadBatches,
  loadProducts,
  loadWarehouses,
  productField,
  warehouseField,
  type BatchChoice,
  type ProductChoice,
  type WarehouseChoice,
} from '../forms.js';
import { canonicalPosting } from '../normalise.js';
import type { CardAction, CardFlow, CardForm, FormField } from '../registry.js';
import { unusualThresholds } from '../settings.js';
import { afterPosting } from './shared.js';

type Line = { product: number | string; qty: string; batchNo?: string; unitPrice?: string; amount?: string; expiresOn?: string; salePrice?: string };
type PostingInput = { lines: Line[]; kind?: string; warehouse?: number | string; from?: number | string; to?: number | string; remark?: string | null };

/** Canonical → the shape the unusual-entry rule reads (amount in yuan → amountFen). */
function forUnusualCheck(i: PostingInput): never {
  return { ...i, lines: i.lines.map(({ amount, ...l }) => (amount === undefined ? l : { ...l, amountFen: yuanToFen(amount) })) } as never;
}

/** The human-rule check before anything is read: the services' own schemas and messages (请填写数量). */
const humanCheck = (schema: z.ZodObject) => {
  const s = schema.omit({ idempotencyKey: true });
  return (i: PostingInput): string | null => {
    const v = check(s, i);
    return v.ok ? null : v.message;
  };
};

function postingFlow(name: PostingFlow, useCase: string, schema: z.ZodObject): CardFlow<PostingInput, PostingResult> {
  return {
    name,
    useCase,
    productRef: (i) => i.lines[0].product,
    setProduct: (i, id) => void (i.lines[0].product = id),
    qty: (i) => String(i.lines[0].qty),
    validate: humanCheck(schema),
    // The services' reading of quantity and price (units, decimal places, the price rule), then
    // the unusual-entry rule chat uses too.
    async inspect(c, _product, p) {
      const { reasons } = await checkUnusualPosting(c.deps.database.db, c.actor, name, forUnusualCheck(p.input), await unusualThresholds(c.deps, c.deps.database.db, c.logger));
      return reasons;
    },
    summary: (uow, c, r, p) => afterPosting(uow, c, r, p.flow),
  };
}

export const RECEIVE = 'inventory.receive';
export const ISSUE = 'inventory.issue';
export const TRANSFER = 'inventory.transfer';

export const postingFlows: CardFlow[] = [
  postingFlow('receipt', RECEIVE, receiptInputSchema),
  postingFlow('issue', ISSUE, issueWithSaleInputSchema),
  postingFlow('transfer', TRANSFER, transferInputSchema),
];

// ───────────── fields ─────────────

const product: Record<string, FormField> = {
  product: { path: 'lines.product', read: read.id },
  // More products than fit a select: a keyword the server resolves (picker when ambiguous).
  product_q: { path: 'lines.product', read: read.text },
};
const qty: FormField = { path: 'lines.qty', read: read.text };
const batch: Record<string, FormField> = {
  batch: { path: 'lines.batchNo', read: read.batch },
  batch_no: { path: 'lines.batchNo', read: read.opt },
};
const remark: FormField = { path: 'remark', read: read.note };

// ───────────── views (pure) ─────────────

export interface ReceiptFormData {
  k: string;
  warehouses: WarehouseChoice;
  products: ProductChoice;
  /** Business day shown as the default batch number ("20261125"). */
  today: string;
}

export function receiptFormView(d: ReceiptFormData): Card {
  return formCard({
    formName: 'receipt',
    title: '入库单',
    intro: '填写入库信息后点「提交入库」。数量可写 24、24个 或 2箱；单价按数量所写的单位计（数量写 2箱、单价 6.5 = 每箱 ¥6.5；也可写 6.5/箱 或 0.27/个），最多 6 位小数；留空按采购价或平均成本。',
    fields: [
      ...select('kind', '入库类型', kindOptions(['purchase_receipt', 'production_receipt', 'opening']), { required: true, initial: 'purchase_receipt' }),
      ...warehouseField('warehouse', '仓库', d.warehouses),
      ...productField(d.products),
      input('qty', '数量', { required: true, placeholder: '例如 24 或 2箱', maxLength: 50 }),
      input('unit_price', '单价（元，按数量所写单位；可写 6.5/箱）', { placeholder: '例如 6.5、0.002 或 6.5/箱', maxLength: 40 }),
      input('batch_no', '批次号（按批次管理的商品，可选）', { placeholder: `留空则用当天日期 ${d.today}`, maxLength: 64 }),
      ...datePicker('expires_on', '有效期（可选）'),
      input('remark', '备注（可选）', { maxLength: 500 }),
    ],
    submitText: '提交入库',
    k: d.k,
  });
}

export interface IssueFormData {
  k: string;
  warehouses: WarehouseChoice;
  products: ProductChoice;
  batches: BatchChoice;
}

export function issueFormView(d: IssueFormData): Card {
  return formCard({
    formName: 'issue',
    title: '出库单',
    intro: '填写出库信息后点「提交出库」。不选批次时先到期的先出（没有有效期的按先进先出），过期批次不自动出。',
    fields: [
      ...select('kind', '出库类型', kindOptions(['sales_issue', 'internal_issue']), { required: true, initial: 'sales_issue' }),
      ...warehouseField('warehouse', '仓库', d.warehouses),
      ...productField(d.products),
      input('qty', '数量', { required: true, placeholder: '例如 5 或 1箱', maxLength: 50 }),
      input('sale_price', '售价（元，可选，只用于销售出库；按数量所写单位，可写 36/箱）', { placeholder: '例如 1.5 或 36/箱', maxLength: 40 }),
      ...batchField(d.batches, '留空：先到期的先出'),
      input('remark', '备注（可选）', { maxLength: 500 }),
    ],
    submitText: '提交出库',
    k: d.k,
  });
}

export function transferFormView(d: IssueFormData): Card {
  const other = d.warehouses.options.find((o) => o.value !== d.warehouses.initial)?.value ?? null;
  return formCard({
    formName: 'transfer',
    title: '调拨单',
    intro: '把库存从一个仓库移到另一个仓库，两边同时记账。',
    fields: [
      ...warehouseField('from', '调出仓库', d.warehouses),
      ...(d.warehouses.options.length ? select('to', '调入仓库', d.warehouses.options, { required: true, initial: other }) : [markdown('**调入仓库**：请先新建仓库。')]),
      ...productField(d.products),
      input('qty', '数量', { required: true, placeholder: '例如 10', maxLength: 50 }),
      ...batchField(d.batches, '留空：先到期的先出'),
      input('remark', '备注（可选）', { maxLength: 500 }),
    ],
    submitText: '提交调拨',
    k: d.k,
  });
}

// ───────────── forms and actions ─────────────

/** What an outgoing form (出库, 调拨) shows: warehouses, products, their batches and the form's key. */
async function loadOutgoing(f: Parameters<typeof formKey>[0], form: 'issue' | 'transfer'): Promise<IssueFormData> {
  return { warehouses: await loadWarehouses(f), products: await loadProducts(f), batches: await loadBatches(f), k: await formKey(f, form) };
}

export const postingForms: CardForm[] = [
  {
    name: 'receipt',
    title: '入库',
    useCase: RECEIVE,
    fields: {
      kind: { path: 'kind', read: read.opt },
      warehouse: { path: 'warehouse', read: read.id },
      ...product,
      qty,
      unit_price: { path: 'lines.unitPrice', read: read.opt },
      batch_no: { path: 'lines.batchNo', read: read.opt },
      expires_on: { path: 'lines.expiresOn', read: read.date },
      remark,
    },
    load: async (f): Promise<ReceiptFormData> => ({
      warehouses: await loadWarehouses(f),
      products: await loadProducts(f),
      today: dayKey(f.now, f.timeZone),
      k: await formKey(f, 'receipt'),
    }),
    view: receiptFormView,
  },
  {
    name: 'issue',
    title: '出库',
    useCase: ISSUE,
    fields: {
      kind: { path: 'kind', read: read.opt },
      warehouse: { path: 'warehouse', read: read.id },
      ...product,
      qty,
      // A sales issue's selling price (src/inventory/sale-price.ts); 领用 refuses one.
      sale_price: { path: 'lines.salePrice', read: read.opt },
      ...batch,
      remark,
    },
    load: (f) => loadOutgoing(f, 'issue'),
    view: issueFormView,
  },
  {
    name: 'transfer',
    title: '调拨',
    useCase: TRANSFER,
    fields: {
      from: { path: 'from', read: read.id },
      // Absent → '' so the check names 调入仓库 in its message.
      to: { path: 'to', read: read.idOrEmpty },
      ...product,
      qty,
      ...batch,
      remark,
    },
    load: (f) => loadOutgoing(f, 'transfer'),
    view: transferFormView,
  },
];

const batchOf = (fv: Record<string, unknown>) => ({ batchOf: batchSelect(fv, 'batch').batchOf });

export const postingActions: CardAction[] = [
  flowSubmit({ action: 'receipt.submit', form: 'receipt', flow: 'receipt', useCase: RECEIVE, normalise: canonicalPosting }),
  flowSubmit({ action: 'issue.submit', form: 'issue', flow: 'issue', useCase: ISSUE, normalise: canonicalPosting, extra: batchOf }),
  flowSubmit({ action: 'transfer.submit', form: 'transfer', flow: 'transfer', useCase: TRANSFER, normalise: canonicalPosting, extra: batchOf }),
];
