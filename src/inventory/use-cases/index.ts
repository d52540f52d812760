/**
 * Every inventory use case, in the order help and the API reference list them. A new one is
 * added to its file and to this list; adapters find it by id.
 */
import type { AnyUseCase } from '../../kernel/use-case.js';
import { issueStock, receiveStock, reverseStockDocument, transferStock } from './postings.js';

export const inventoryUseCases: readonly AnyUseCase[] = [receiveStock, issueStock, transferStock, reverseStockDocument];
