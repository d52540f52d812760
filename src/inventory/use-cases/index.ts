/**
 * Every inventory use case, in the order help and the API reference list them. A new one is
 * added to its file and to this list; adapters find it by id.
 */
import type { AnyUseCase } from '../../kernel/use-case.js';
import { costAdjustUseCase } from './cost-adjust.js';
import { documentsUseCase, documentUseCase } from './documents.js';
import { balancesUseCase, movesUseCase } from './ledger.js';
import { issueStock, receiveStock, reverseStockDocument, transferStock } from './postings.js';
import { archiveProductUseCase, createProductUseCase, getProductUseCase, listProductsUseCase, updateProductUseCase } from './products.js';
import { lowStockUseCase, stockSummaryUseCase, stockUseCase } from './stock.js';
import {
  cancelStocktakeUseCase,
  completeStocktakeUseCase,
  countStocktakeUseCase,
  openStocktakeUseCase,
  postStocktakeUseCase,
  stocktakeReportUseCase,
} from './stocktakes.js';
import { createWarehouseUseCase, listWarehousesUseCase } from './warehouses.js';

export const inventoryUseCases: readonly AnyUseCase[] = [
  // postings
  receiveStock,
  issueStock,
  transferStock,
  reverseStockDocument,
  costAdjustUseCase,
  // stocktake
  openStocktakeUseCase,
  countStocktakeUseCase,
  completeStocktakeUseCase,
  postStocktakeUseCase,
  cancelStocktakeUseCase,
  stocktakeReportUseCase,
  // stock and ledger
  stockUseCase,
  stockSummaryUseCase,
  lowStockUseCase,
  balancesUseCase,
  movesUseCase,
  documentUseCase,
  documentsUseCase,
  // master data
  createProductUseCase,
  updateProductUseCase,
  archiveProductUseCase,
  getProductUseCase,
  listProductsUseCase,
  createWarehouseUseCase,
  listWarehousesUseCase,
];
