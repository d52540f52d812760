import { openPostgres } from './db/postgres.ts';
import { migrate } from './db/migrate.ts';
import { createProduct, createWarehouse, postIssue, postReceipt } from './src/inventory/index.ts';
import { recreateDatabase } from './bench/pgbench.ts';
const ACTOR = { userId: null, openId: null, name: 'bench', role: 'admin' } as any;
const url = await recreateDatabase('postgres://postgres@127.0.0.1:5432/test', 'jxc_fi_' + process.argv[2]);
const d = openPostgres(url, { max: 4 });
await migrate(d.db);
const wh = await createWarehouse(d.db, ACTOR, { name: '主仓库' });
const ids: number[] = [];
for (let k = 0; k < 64; k++) { const p = await createProduct(d.db, ACTOR, { name: 'x' + k, sku: 'X' + k }); ids.push(p.id);
await postReceipt(d.db, ACTOR, { warehouse: wh.id, idempotencyKey: 's' + k, lines: [{ product: p.id, qty: 10_000_000, unitCostFen: 123 }] }); }
for (const round of [1, 2, 3]) {
  const t0 = performance.now();
  for (let i = 0; i < 1500; i++) await postIssue(d.db, ACTOR, { warehouse: wh.id, idempotencyKey: `r${round}-${i}`, lines: [{ product: ids[i % 64], qty: 1 }] });
  console.log(process.argv[2], 'ms/op', ((performance.now() - t0) / 1500).toFixed(3));
}
await d.close();
process.exit(0);
