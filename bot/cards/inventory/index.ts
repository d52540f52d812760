/**
 * The inventory module's cards: forms, flows, actions and menu entries, as values. A new
 * inventory card is added in its own file and listed here; nothing else changes.
 */
import type { CardModule } from '../registry.js';
import { masterDataActions, masterDataForms } from './master-data.js';
import { postingActions, postingFlows, postingForms } from './postings.js';
import { queryActions, queryFlows, queryForms } from './queries.js';
import { receiptLines } from './receipt-lines.js';
import { reversalActions, reversalForms } from './reversal.js';
import { stocktakeActions, stocktakeFlows, stocktakeForms } from './stocktake.js';

export const inventoryCards: CardModule = {
  module: 'inventory',
  forms: [...postingForms, receiptLines.form, ...stocktakeForms, ...queryForms, ...reversalForms, ...masterDataForms],
  flows: [...postingFlows, ...stocktakeFlows, ...queryFlows],
  actions: [...postingActions, ...receiptLines.actions, ...stocktakeActions, ...queryActions, ...reversalActions, ...masterDataActions],
  // The menu's order (two buttons a row).
  menu: [
    { form: 'receipt', label: '入库', type: 'primary' },
    { form: 'receipt.lines', label: '多行入库' },
    { form: 'issue', label: '出库', type: 'primary' },
    { form: 'transfer', label: '调拨' },
    { form: 'stocktake', label: '盘点' },
    { form: 'stock', label: '查库存' },
    { action: 'lowstock', label: '低库存' },
    { form: 'doc', label: '查单据' },
    { form: 'reverse', label: '红冲', type: 'danger' },
    { form: 'product', label: '新建商品' },
    { form: 'warehouse', label: '新建仓库' },
  ],
};
