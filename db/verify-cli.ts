/**
 * `npm run verify`: check every inventory invariant (src/inventory/verify.ts) against the live
 * database — Postgres at DATABASE_URL, else the embedded PGlite under DATA_DIR (stop the
 * server first: PGlite is single-process). Prints violations and exits 1, or a clean summary.
 * A DATA_DIR without a database is refused (找不到数据库, exit 2) without creating anything.
 */
import { loadConfig } from '../src/config.js';
import { sql } from 'drizzle-orm';
import { openDatabase } from './open.js';
import { hasPgliteDatabase, pglitePath } from './data-dir.js';
import { execRows } from './types.js';
import { verifyInventory, INVARIANTS } from '../src/inventory/verify.js';
import { formatFen } from '../src/shared/money.js';

async function main(): Promise<number> {
  const config = loadConfig(process.env);
  // Opening PGlite on a missing directory would create an empty database there (a mistyped
  // DATA_DIR "verifies" nothing): refuse before opening, creating nothing.
  if (!config.DATABASE_URL && !hasPgliteDatabase(config.DATA_DIR)) {
    console.log(`找不到数据库：${pglitePath(config.DATA_DIR)}（DATA_DIR=${config.DATA_DIR}；npm start 用 ./data，npm run chat 用 ./data-chat）/ no database found; check DATA_DIR.`);
    return 2;
  }
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    const where = config.DATABASE_URL ? 'Postgres (DATABASE_URL)' : `PGlite (${config.DATA_DIR})`;
    // Read-only: an uninitialised database is reported, not migrated.
    const [t] = await execRows<{ ok: boolean }>(database.db, sql`select to_regclass('public.stock_moves') is not null as ok`);
    if (!t?.ok) {
      console.log(`数据库尚未初始化（没有库存表）：先启动一次服务以执行迁移 / ${where}: not initialised (no inventory tables); start the server once to migrate.`);
      return 2;
    }
    const report = await verifyInventory(database.db);
    const s = report.summary;
    console.log(`库存校验 / inventory verify — ${where}`);
    console.log(`  商品 products ${s.products}, 仓库 warehouses ${s.warehouses}, 单据 documents ${s.documents}, 流水 moves ${s.moves}, 余额行 balances ${s.balances}, 库存金额 value ${formatFen(s.totalValueFen)}`);
    if (report.ok) {
      console.log(`  ✓ ${INVARIANTS.length} 项不变量全部成立 / all ${INVARIANTS.length} invariants hold:`);
      for (const i of INVARIANTS) console.log(`    - ${i.name}`);
      return 0;
    }
    console.log(`  ✗ ${report.violations.length} 处违反 / violations:`);
    for (const v of report.violations) console.log(`    [${v.check}] ${v.message}: ${JSON.stringify(v.row)}`);
    const valuation = new Set(['valuation_value_nonnegative', 'zero_qty_zero_value', 'valuation_cost_range', 'average_within_entered_costs']);
    if (report.violations.some((v) => valuation.has(v.check))) {
      // A value written before the valuation rules were enforced is repaired by a cost adjustment.
      console.log('  修复库存金额 / to repair a stock value: 在机器人里发「成本调整 <商品> <正确单价>」(数量为 0 时金额调整为 0) / send 成本调整 <SKU> <unit cost> to the bot.');
    }
    return 1;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
