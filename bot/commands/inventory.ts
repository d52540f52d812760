/**
 * The inventory module's chat commands, in 帮助 order: master data (商品, 仓库), postings
 * (入库 … 红冲), queries (单据, 库存). 成本调整 and 盘点 have their own files (cost.ts, stocktake.ts).
 */
import { postingCommands } from './postings.js';
import { productCommands } from './products.js';
import type { CommandSpec } from './registry.js';
import { stockCommands } from './stock.js';

export const inventoryCommands: readonly CommandSpec[] = [...productCommands, ...postingCommands, ...stockCommands];
