/**
 * 多行入库: a receipt with several lines on one card (the generic multi-line form,
 * bot/cards/lines.ts), posted through inventory.receive as ONE document.
 */
import type { PostingResult } from '../../../src/inventory/documents.js';
import { DOC_KIND_LABEL } from '../../../src/inventory/moves.js';
import { receiptLineValue } from '../../../src/inventory/prices.js';
import { productLabel } from '../../../src/inventory/products.js';
import { resolveProduct } from '../../../src/inventory/product-lookup.js';
import { receiptLineSchema } from '../../../src/inventory/schemas.js';
import { formatQty } from '../../../src/inventory/units.js';
import { datePicker, input, md, select } from '../card.js';
import { read } from '../fields.js';
import { kindOptions, loadProducts, loadWarehouses, productField, warehouseField, type ProductChoice, type WarehouseChoice } from '../forms.js';
import { lineForm } from '../lines.js';
import { canonicalPrice, canonicalQty } from '../normalise.js';
import { RECEIVE } from './postings.js';
import { afterPosting } from './shared.js';

interface Choices {
  warehouses: WarehouseChoice;
  products: ProductChoice;
}

const header = (h: Record<string, unknown>) => ({ kind: typeof h.kind === 'string' ? h.kind : 'purchase_receipt', warehouse: typeof h.warehouse === 'number' ? String(h.warehouse) : null });

export const receiptLines = lineForm<Choices, PostingResult>({
  name: 'receipt.lines',
  title: '多行入库',
  intro: '一张入库单录入多个商品：每填一行点「添加一行」，全部添加后点「过账」。类型和仓库随「添加一行」保存；单价按数量所写的单位计（可写 6.5/箱），留空按采购价或平均成本。',
  useCase: RECEIVE,
  fields: {
    kind: { path: 'kind', read: read.opt },
    warehouse: { path: 'warehouse', read: read.id },
    product: { path: 'lines.product', read: read.id },
    product_q: { path: 'lines.product', read: read.text },
    qty: { path: 'lines.qty', read: read.text },
    unit_price: { path: 'lines.unitPrice', read: read.opt },
    batch_no: { path: 'lines.batchNo', read: read.opt },
    expires_on: { path: 'lines.expiresOn', read: read.date },
  },
  lineSchema: receiptLineSchema,
  loadChoices: async (f) => ({ warehouses: await loadWarehouses(f), products: await loadProducts(f) }),
  formFields(c, h) {
    const { kind, warehouse } = header(h);
    return [
      ...select('kind', '入库类型', kindOptions(['purchase_receipt', 'production_receipt', 'opening']), { required: true, initial: kind }),
      ...warehouseField('warehouse', '仓库', warehouse ? { ...c.warehouses, initial: warehouse } : c.warehouses),
      ...productField(c.products),
      input('qty', '数量', { required: true, placeholder: '例如 24 或 2箱', maxLength: 50 }),
      input('unit_price', '单价（元，按数量所写单位；可写 6.5/箱）', { placeholder: '例如 6.5、0.002 或 6.5/箱', maxLength: 40 }),
      input('batch_no', '批次号（按批次管理的商品，可选）', { maxLength: 64 }),
      // As on the one-line 入库 card: the expiry makes the batch leave first (先到期先出).
      ...datePicker('expires_on', '有效期（可选）'),
    ];
  },
  headerText(c, h) {
    const { kind, warehouse } = header(h);
    const wh = c.warehouses.options.find((o) => o.value === warehouse)?.label ?? (warehouse ? `#${warehouse}` : '默认仓库');
    return `**类型**：${DOC_KIND_LABEL[kind as keyof typeof DOC_KIND_LABEL] ?? md(kind)}　**仓库**：${md(wh)}`;
  },
  normaliseLine: (l) => ({
    ...l,
    ...(typeof l.qty === 'string' ? { qty: canonicalQty(l.qty) } : {}),
    ...(typeof l.unitPrice === 'string' ? { unitPrice: canonicalPrice(l.unitPrice) } : {}),
  }),
  async checkLine(conn, _c, line) {
    const product = await resolveProduct(conn, line.product as number | string);
    // THE price rule and the product's units, as the posting will read them.
    const v = receiptLineValue(product, line.qty as string, { unitPrice: line.unitPrice as string | undefined });
    const text = [`${productLabel(product)} × ${formatQty(product, v.qtyBase)}`, line.unitPrice ? `单价 ${String(line.unitPrice)}` : null, line.batchNo ? `批次 ${String(line.batchNo)}` : null, line.expiresOn ? `有效期 ${String(line.expiresOn)}` : null].filter(Boolean).join('，');
    return { line: { ...line, product: product.id }, text };
  },
  summary: (uow, c, r) => afterPosting(uow, c, r, 'receipt.lines'),
  postedRef: (r) => r.document.docNo,
});
