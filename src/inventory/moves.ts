/**
 * The vocabulary of the ledger: document kinds, move kinds, their document-number prefixes
 * and Chinese labels. One place, so chat replies, cards, sheets and reports say the same thing.
 */
import type { DocumentNumberPrefix } from '../kernel/numbering.js';
export const DOC_KINDS = [
  'purchase_receipt',
  'production_receipt',
  'opening',
  'sales_issue',
  'internal_issue',
  'transfer',
  'stocktake',
  'reversal',
  'cost_adjustment',
] as const;
export type DocKind = (typeof DOC_KINDS)[number];

export const RECEIPT_KINDS = ['purchase_receipt', 'production_receipt', 'opening'] as const;
export type ReceiptKind = (typeof RECEIPT_KINDS)[number];
export const ISSUE_KINDS = ['sales_issue', 'internal_issue'] as const;
export type IssueKind = (typeof ISSUE_KINDS)[number];

/**
 * Moves: receipts/issues use their document kind; transfers and stocktakes have two signs.
 * 'cost_adjustment' (成本调整) moves value only (qty 0): posted by a 成本调整 document (TZ), and
 * by a reversal whose opposite moves alone would break the valuation rules (valuation.ts).
 */
export type MoveKind = ReceiptKind | IssueKind | 'transfer_out' | 'transfer_in' | 'stocktake_gain' | 'stocktake_loss' | 'reversal' | 'cost_adjustment';

/** Which numbering series each stock document kind uses (src/kernel/numbering.ts declares them all). */
export const DOC_PREFIX: Record<DocKind, DocumentNumberPrefix> = {
  purchase_receipt: 'RK', // 入库
  production_receipt: 'SC', // 生产入库
  opening: 'QC', // 期初
  sales_issue: 'CK', // 出库
  internal_issue: 'LY', // 领用 / 内部出库
  transfer: 'DB', // 调拨
  stocktake: 'PD', // 盘点
  reversal: 'HC', // 红冲
  cost_adjustment: 'TZ', // 成本调整 / 调价
};

export const DOC_KIND_LABEL: Record<DocKind, string> = {
  purchase_receipt: '采购入库',
  production_receipt: '生产入库',
  opening: '期初',
  sales_issue: '销售出库',
  internal_issue: '领用出库',
  transfer: '调拨',
  stocktake: '盘点',
  reversal: '红冲',
  cost_adjustment: '成本调整',
};

export const MOVE_KIND_LABEL: Record<MoveKind, string> = {
  purchase_receipt: '采购入库',
  production_receipt: '生产入库',
  opening: '期初',
  sales_issue: '销售出库',
  internal_issue: '领用出库',
  transfer_out: '调出',
  transfer_in: '调入',
  stocktake_gain: '盘盈',
  stocktake_loss: '盘亏',
  reversal: '红冲',
  cost_adjustment: '成本调整',
};

/** Which permission posts which document kind. */
export const DOC_PERMISSION = {
  purchase_receipt: 'stock.receive',
  production_receipt: 'stock.receive',
  opening: 'stock.receive',
  sales_issue: 'stock.issue',
  internal_issue: 'stock.issue',
  transfer: 'stock.transfer',
  stocktake: 'stock.count',
  reversal: 'stock.reverse',
  // A cost adjustment corrects posted values, like a reversal: the same people may do it.
  cost_adjustment: 'stock.reverse',
} as const;
