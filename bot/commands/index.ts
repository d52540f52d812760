/**
 * Every domain's chat commands, as values (nothing registers itself on import). The order of
 * chatCommandLists is the order in 帮助; bot/registries.ts builds the registry from them.
 */
import { coreCommands } from './core.js';
import { costCommands } from './cost.js';
import { inventoryCommands } from './inventory.js';
import { ledgerCommands } from './ledger.js';
import { lowStockCommands } from './lowstock.js';
import type { CommandSpec } from './registry.js';
import { stocktakeCommands } from './stocktake.js';
import { tokenCommands } from './tokens.js';
import { userCommands } from './users.js';

export { coreCommands, costCommands, inventoryCommands, ledgerCommands, lowStockCommands, stocktakeCommands, tokenCommands, userCommands };

/** The chat adapter's own command lists, in 帮助 order (the cards' 菜单 is appended by bot/registries.ts). */
export const chatCommandLists: readonly (readonly CommandSpec[])[] = [
  coreCommands,
  inventoryCommands,
  // the clerk's questions (issue 10): 低库存, 安全库存, 流水 — next to 库存 and 单据
  lowStockCommands,
  ledgerCommands,
  costCommands,
  stocktakeCommands,
  userCommands,
  tokenCommands,
];
