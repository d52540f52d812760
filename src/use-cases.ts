/**
 * The application's use cases: every module's list, in order. buildApp builds the registry
 * from this (src/kernel/use-case-registry.ts validates it); adapters reach use cases by id.
 */
import type { AnyUseCase } from './kernel/use-case.js';
import { inventoryUseCases } from './inventory/use-cases/index.js';
import { safetyStockSetUseCase } from './inventory/use-cases/safety-stock.js';
import { tokenUseCases } from './people/token-use-cases.js';
import { peopleUseCases } from './people/use-cases.js';

export const ALL_USE_CASES: readonly AnyUseCase[] = [...inventoryUseCases, safetyStockSetUseCase, ...tokenUseCases, ...peopleUseCases];
