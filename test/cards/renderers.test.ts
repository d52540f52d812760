/**
 * Every card renderer is a pure function (data in → Card JSON out: no database, no clock, no
 * random — keys, times and the time zone are passed in), so each is pinned here by a snapshot
 * (grammY-style) with fixed input, and checked against the Card JSON 2.0 schema
 * (test/card-schema.ts). A change to what users see shows up as a snapshot diff to review.
 */
import { describe, expect, it } from 'vitest';
import { assertCard } from '../card-schema.js';
import { menuCard } from '../../bot/cards/menu.js';
import { confirmCard, cancelledCard, pickerCard, type PendingView } from '../../bot/cards/prompts.js';
import { answerCard, documentCard, lowStockCard, messageCard, postingSummaryCard, processingCard, stockCard } from '../../bot/cards/views.js';
import { issueFormView, receiptFormView, transferFormView } from '../../bot/cards/inventory/postings.js';
import { productCreatedCard, productFormView, warehouseCreatedCard, warehouseFormView } from '../../bot/cards/inventory/master-data.js';
import { reverseFormView } from '../../bot/cards/inventory/reversal.js';
import { docFormView, stockFormView } from '../../bot/cards/inventory/queries.js';
import { noVarianceCard, postFailedCard, stocktakeFormView, varianceCard } from '../../bot/cards/inventory/stocktake-views.js';
import { receiptLines } from '../../bot/cards/inventory/receipt-lines.js';
import { costFiltered } from '../../src/inventory/use-cases/cost-visibility.js';
import type { PostingResult } from '../../src/inventory/documents.js';
import type { ProductStock } from '../../src/inventory/queries.js';
import { LOW_STOCK_RULE, type LowStockReport } from '../../src/inventory/lowstock.js';
import type { ProductView } from '../../src/inventory/products.js';
import type { StocktakeReport } from '../../src/inventory/stocktake.js';
import type { Actor } from '../../src/people/roles.js';
import { cardRegistry } from './helpers.js';

const TZ = 'Asia/Shanghai';
const K = 'k0123456789abcdef0123456789abcdef';
const viewer: Actor = { userId: 9, openId: 'ou_v', name: '只读', role: 'viewer' };
const admin: Actor = { userId: 1, openId: 'ou_a', name: '管理员', role: 'admin' };

/** Assert the schema, then pin the card. */
function pin(card: unknown): void {
  assertCard(card);
  expect(card).toMatchSnapshot();
}

const warehouses = { options: [{ label: '主仓库（默认）', value: '1' }, { label: '二号仓', value: '2' }], initial: '2' };
const noWarehouses = { options: [], initial: null };
const products = [
  { label: '螺丝M6（A001）', value: '11' },
  { label: '胶水 500ml（G001）', value: '12' },
];
const batches = [{ label: '胶水 · B2401（12 瓶）', value: '12:B2401' }];

const product: ProductView = {
  id: 11, sku: 'A001', barcode: null, name: '螺丝M6', model: null, spec: null, category: null, aliases: [], unitAliases: {}, baseUnit: '个', packUnit: '盒', packFactor: '100',
  purchasePriceFen: '35', salePriceFen: '80', qtyDecimals: null, safetyStock: '50', leadTimeDays: 0, preferredSupplierId: null, batchTracked: false, archived: false,
};

const receipt: PostingResult = {
  document: {
    id: 5, docNo: 'RK20261125-0001', kind: 'purchase_receipt', kindLabel: '采购入库', warehouseId: 2, warehouseName: '二号仓', toWarehouseId: null, toWarehouseName: null,
    actorId: 1, businessTime: '2026-11-25T06:03:00.000Z', recordedAt: '2026-11-25T06:03:00.000Z', remark: '首批*', totalValueFen: '7000',
    reversesDocId: null, reversesDocNo: null, reversedByDocId: null, reversedByDocNo: null, sourceType: null, sourceId: null, partyType: null, partyId: null,
  },
  lines: [
    {
      lineNo: 1, kind: 'purchase_receipt', kindLabel: '采购入库', productId: 11, sku: 'A001', name: '螺丝M6', baseUnit: '个', warehouseId: 2, warehouseName: '二号仓', batchNo: '',
      qty: '200', qtyText: '200 个（2 盒）', unitCost: '35', valueFen: '7000', packUnit: '盒', packFactor: '100', enteredQty: '2盒', enteredUnitPrice: '35',
    },
  ],
  onHand: [{ productId: 11, sku: 'A001', name: '螺丝M6', warehouseId: 2, warehouseName: '二号仓', qty: '200', qtyText: '200 个（2 盒）', totalQty: '200', totalQtyText: '200 个（2 盒）' }],
  replayed: false,
};

const stock: ProductStock = {
  product,
  rows: [
    { warehouseId: 1, warehouseName: '主仓库', batchNo: '', receivedAt: '2026-11-25T00:00:00.000Z', expiresOn: null, expired: false, qty: '20', qtyText: '20 个', valueFen: '700' },
    { warehouseId: 2, warehouseName: '二号仓', batchNo: 'B2311', receivedAt: '2026-11-25T00:00:00.000Z', expiresOn: '2027-06-30', expired: false, qty: '10', qtyText: '10 个', valueFen: '350' },
  ],
  perWarehouse: [
    { warehouseId: 1, warehouseName: '主仓库', qty: '20', qtyText: '20 个', valueFen: '700' },
    { warehouseId: 2, warehouseName: '二号仓', qty: '10', qtyText: '10 个', valueFen: '350' },
  ],
  totalQty: '30',
  totalQtyText: '30 个',
  totalValueFen: '1050',
  avgCost: '35',
  batchNo: null,
  low: {
    rule: LOW_STOCK_RULE,
    total: { qty: '30', safetyStock: '50', low: true },
    warehouses: [{ warehouseId: 2, warehouseName: '二号仓', qty: '10', safetyStock: '5', low: false }],
  },
};

const lowReport: LowStockReport = {
  rule: LOW_STOCK_RULE,
  perWarehouse: [
    { productId: 11, sku: 'A001', name: '螺丝M6', warehouseId: 2, warehouseName: '二号仓', qty: '3', qtyText: '3 个', safetyStock: '5', shortfall: '2', baseUnit: '个', leadTimeDays: 3, preferredSupplierId: null },
  ],
  perWarehouseJudged: 1,
  total: [{ productId: 11, sku: 'A001', name: '螺丝M6', warehouseId: null, warehouseName: null, qty: '30', qtyText: '30 个', safetyStock: '50', shortfall: '20', baseUnit: '个', leadTimeDays: 3, preferredSupplierId: null }],
  expiring: [
    { productId: 12, sku: 'G001', name: '胶水', warehouseId: 1, warehouseName: '主仓库', batchNo: 'B2401', expiresOn: '2026-11-20', daysLeft: -5, expired: true, qty: '4', qtyText: '4 瓶' },
    { productId: 12, sku: 'G001', name: '胶水', warehouseId: 1, warehouseName: '主仓库', batchNo: 'B2402', expiresOn: '2026-12-01', daysLeft: 6, expired: false, qty: '8', qtyText: '8 瓶' },
  ],
  expiryWindowDays: 30,
  today: '2026-11-25',
};

const report: StocktakeReport = {
  stocktake: {
    id: 3, docNo: 'PD20261125-0001', warehouseId: 1, warehouseName: '主仓库', status: 'open', productIds: null, openedAt: '2026-11-25T01:00:00.000Z', openedAtMoveId: 10,
    postedDocId: null, postedAt: null, complete: false, completeProductIds: [],
  },
  lines: [{ productId: 11, sku: 'A001', name: '螺丝M6', batchNo: '', bookQty: '40', countedQty: '35', varianceQty: '-5', varianceText: '-5 个', varianceValueFen: '-175', assumedZero: false }],
  uncountedBatches: [{ productId: 12, sku: 'G001', name: '胶水', batchNo: 'B2401', bookQty: '12' }],
  uncounted: [{ productId: 13, sku: 'N001', name: '螺母', bookQty: '5' }],
  completeProducts: [],
  moved: [],
  totalGainFen: '0',
  totalLossFen: '175',
};

const pending: PendingView = { label: '入库', qty: '400', input: { lines: [{ product: 11, qty: '400', unitPrice: '0.30', batchNo: 'B1' }] } };

describe('card renderers (pure, snapshot-pinned)', () => {
  it('menu: an admin, a viewer, nobody', () => {
    const registry = cardRegistry();
    pin(menuCard(registry.menuFor(admin, new Set()), '张*三'));
    pin(menuCard(registry.menuFor(viewer, new Set()), null));
    pin(menuCard(registry.menuFor(admin, new Set(['inventory'])), '张三'));
  });

  it('posting forms: selects, the keyword input, no warehouse yet', () => {
    pin(receiptFormView({ k: K, warehouses, products, today: '20261125' }));
    pin(receiptFormView({ k: K, warehouses: noWarehouses, products: null, today: '20261125' }));
    pin(issueFormView({ k: K, warehouses, products, batches }));
    pin(issueFormView({ k: K, warehouses, products: [], batches: null }));
    pin(transferFormView({ k: K, warehouses, products, batches }));
    pin(transferFormView({ k: K, warehouses: noWarehouses, products: null, batches: null }));
  });

  it('master data, reversal and query forms', () => {
    pin(productFormView({ k: K }));
    pin(warehouseFormView({ k: K }));
    pin(reverseFormView({ k: K }));
    pin(stockFormView({ k: K, products, warehouses }));
    pin(docFormView({ k: K }));
  });

  it('the 盘点 card: open stocktakes with the count form, a warehouse free to start one, a notice', () => {
    const open = [{ id: 3, docNo: 'PD20261125-0001', warehouseId: 1, warehouseName: '主仓库', entries: 2 }];
    pin(stocktakeFormView({ open, warehouses, products, countKey: K, openKey: 'k2', notice: '已录入：PD20261125-0001 · 累计实盘 35 个' }));
    pin(stocktakeFormView({ open: [], warehouses: noWarehouses, products: null, openKey: K }));
  });

  it('the multi-line form: empty, and a draft with lines', () => {
    const spec = receiptLines.form;
    pin(spec.view({ k: K, draftId: null, header: {}, lines: [], choices: { warehouses, products } }));
    pin(
      spec.view({
        k: K,
        draftId: 7,
        header: { kind: 'opening', warehouse: 1 },
        lines: [{ text: '螺丝M6（A001） × 200 个（2 盒），单价 6.5/盒' }, { text: '胶水 500ml（G001） × 3 瓶' }],
        choices: { warehouses, products: null },
        notice: '已添加第 2 行：胶水 500ml（G001） × 3 瓶',
      }),
    );
  });

  it('the multi-line confirmation: an unusual line named', () => {
    pin(
      receiptLines.confirmView({
        k: K,
        draftId: 7,
        header: { kind: 'purchase_receipt', warehouse: 2 },
        lines: [{ text: '胶水 500ml（G001） × 3 瓶' }, { text: '螺丝M6（A001） × 200 个（2 盒），单价 6.5/盒' }],
        choices: { warehouses, products },
        reasons: ['第 2 行：数量 200 个（2 盒） 超过这个商品平时单次数量（约 1 个）的 10 倍'],
      }),
    );
  });

  it('prompts: confirmation, picker, cancelled', () => {
    pin(confirmCard(pending, product, ['数量 400 个（4 盒） 超过这个商品平时单次数量（约 32.5 个）的 10 倍'], '确认无误请点「确认」，否则点「取消」后重新填写。', K));
    pin(confirmCard({ label: '入库', qty: '2盒', input: { lines: [{ product: 'A001', qty: '2盒', amount: '13.00' }] } }, product, ['单价偏低'], '还没有记账。', K));
    pin(pickerCard({ label: '出库', qty: '5', input: { lines: [{ product: '螺丝', qty: '5' }] } }, [product, { ...product, id: 12, sku: 'A002', name: '螺丝M8' }], '螺丝', K));
    pin(cancelledCard());
  });

  it('posting summary and document: with costs, with 红冲 and 继续录入, and without costs (no cost.view)', () => {
    pin(postingSummaryCard(receipt, { who: '张三', timeZone: TZ, reverseKey: K, again: 'receipt' }));
    pin(postingSummaryCard(receipt, { who: '张三', timeZone: 'UTC' }));
    pin(documentCard(costFiltered(viewer, receipt), { who: '李四', timeZone: TZ }));
    pin(documentCard(receipt, { who: '李四', timeZone: TZ, reverseKey: K }));
  });

  it('stock, low stock: with and without costs, empty', () => {
    pin(stockCard(stock));
    pin(stockCard(costFiltered(viewer, stock), { scope: '二号仓' }));
    pin(stockCard({ ...stock, rows: [], perWarehouse: [], totalQty: '0', totalQtyText: '0 个', totalValueFen: '0' }));
    pin(lowStockCard(lowReport));
    pin(lowStockCard(lowReport, '二号仓'));
    pin(lowStockCard({ ...lowReport, perWarehouse: [], perWarehouseJudged: 0, total: [], expiring: [] }));
  });

  it('stocktake variance (with 过账, read-only, without costs), no variance, a failed posting', () => {
    pin(varianceCard(report, K, 50));
    pin(varianceCard({ ...report, moved: [{ productId: 11, sku: 'A001', name: '螺丝M6' }], stocktake: { ...report.stocktake, complete: true } }, K, 0));
    pin(varianceCard(costFiltered(viewer, report), undefined, 50));
    pin(noVarianceCard({ docNo: 'PD20261125-0001', warehouseName: '主仓库' }, '张三'));
    pin(postFailedCard('库存不足', 3));
  });

  it('master data answers, and the small cards', () => {
    pin(productCreatedCard(product, { who: '张三', canReceive: true }));
    pin(productCreatedCard(costFiltered(viewer, product), { who: '张三', canReceive: false }));
    pin(warehouseCreatedCard({ code: 'WH01', name: '主仓库', isDefault: true }, { who: '张三' }));
    pin(processingCard(K));
    pin(processingCard());
    pin(messageCard('已处理', 'green', '完成'));
    pin(answerCard({ toast: { type: 'error', content: '库存不足' } }));
    pin(answerCard({ toast: { type: 'success', content: '已保存' } }));
  });

  it('renderers are pure: the same input gives the same card', () => {
    expect(postingSummaryCard(receipt, { who: '张三', timeZone: TZ })).toEqual(postingSummaryCard(receipt, { who: '张三', timeZone: TZ }));
    expect(receiptFormView({ k: K, warehouses, products, today: '20261125' })).toEqual(receiptFormView({ k: K, warehouses, products, today: '20261125' }));
  });
});
