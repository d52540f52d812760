/**
 * Inventory ledger services (issue 3). Adapters (chat, cards, REST, jobs) import from here.
 * Every service: `(db, actor, input)`, input validated by the exported zod schema, permission
 * checked inside, plain JSON-safe result or a DomainError with a Chinese message.
 */
export * from './schemas.js';
export { DOC_KINDS, DOC_KIND_LABEL, DOC_PREFIX, MOVE_KIND_LABEL, RECEIPT_KINDS, ISSUE_KINDS } from './moves.js';
export type { DocKind, MoveKind, ReceiptKind, IssueKind } from './moves.js';
export { createProduct, updateProduct, archiveProduct, getProduct, productLabel } from './products.js';
export { searchProducts, resolveProduct } from './product-lookup.js';
export type { ProductView } from './products.js';
export { createWarehouse, listWarehouses, getDefaultWarehouse, resolveWarehouse, DEFAULT_WAREHOUSE_NAME } from './warehouses.js';
export type { WarehouseView } from './warehouses.js';
export { parseQuantity, formatQty } from './units.js';
export { buildSearchText } from './search.js';
export { postReceipt, postIssue, postTransfer } from './posting.js';
export { reverseDocument } from './reversal.js';
export { adjustCost } from './cost-adjustment.js';
export type { CostAdjustmentResult, CostAdjustmentSide } from './cost-adjustment.js';
export { openStocktake, recordCount, setStocktakeComplete, stocktakeReport, postStocktake, cancelStocktake } from './stocktake.js';
export type { StocktakeView, StocktakeReport, VarianceLine, UncountedBatch, RecordCountResult, PostStocktakeResult } from './stocktake.js';
export { findOpenStocktake } from './stocktake-current.js';
export type { OpenStocktakeRef } from './stocktake-current.js';
export { getDocument } from './documents.js';
export type { DocumentView, PostingLine, OnHand, PostingResult } from './documents.js';
export { getStock, stockSummary } from './queries.js';
export type { ProductStock, StockRow, StockSummaryLine } from './queries.js';
export { lowStock } from './lowstock.js';
export type { LowStockLine, LowStockReport } from './lowstock.js';
export { verifyInventory, INVARIANTS } from './verify.js';
export type { VerifyReport, Violation } from './verify.js';
export { issueValue, receiptValue, applyMove, ruleBreach, valueWithinRules } from './valuation.js';
export type { Valuation, CostRange } from './valuation.js';
export { allocate } from '../shared/allocate.js';
export { productOptions, batchOptions } from './options.js';
export type { ProductOption, BatchOption } from './options.js';
export { usualFacts, type UsualFacts } from './history.js';
export { unusualReasons, checkUnusualPosting, DEFAULT_UNUSUAL_SETTINGS } from './unusual.js';
export type { UnusualSettings, UnusualEntry, PostingFlow } from './unusual.js';
export { receiptLineValue, splitPriceText } from './prices.js';
export type { LineValue, LineValueInput } from './prices.js';
export { UNIT_DECIMALS, COMMON_UNITS, isUnitWord, unitDecimals, qtyDecimalsOf, splitQuantity, unitsHint } from './units.js';
export { listOpenStocktakes } from './stocktake-list.js';
export type { OpenStocktakeLine } from './stocktake-list.js';
