/**
 * Inventory posting throughput on real Postgres: single-line issue postings per second at
 * concurrency 1, 8 and 32, next to pgbench TPC-B (-c 8 -j 2) measured in the same run on the
 * same server. Fresh database jxc_bench_inv, migrated with db/migrate.ts, seeded with enough
 * stock that no issue is refused. Each issue is a full service call (validation, permission,
 * idempotency check, locks, one write statement, commit).
 *
 *   npx tsx bench/inventory.ts            # or via `npm run bench -- inventory`
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPostgres } from '../db/postgres.js';
import { migrate } from '../db/migrate.js';
import type { Actor } from '../src/people/roles.js';
import { createProduct, createWarehouse, postIssue, postReceipt } from '../src/inventory/index.js';
import { recreateDatabase, runPgbench } from './pgbench.js';

const ACTOR: Actor = { userId: null, openId: null, name: 'bench', role: 'admin' };
const PRODUCTS = 64;

interface Level {
  concurrency: number;
  ops: number;
  seconds: number;
  tps: number;
  p50ms: number;
  p99ms: number;
}

async function measure(db: Parameters<typeof postIssue>[0], productIds: number[], warehouseId: number, concurrency: number, seconds: number, tag: string): Promise<Level> {
  const lat: number[] = [];
  const until = performance.now() + seconds * 1000;
  let n = 0;
  const started = performance.now();
  async function worker(w: number) {
    let i = 0;
    while (performance.now() < until) {
      const pid = productIds[(w * 7919 + i++) % productIds.length];
      const t0 = performance.now();
      await postIssue(db, ACTOR, { warehouse: warehouseId, idempotencyKey: `${tag}-${w}-${i}`, lines: [{ product: pid, qty: 1 }] });
      lat.push(performance.now() - t0);
      n++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const elapsed = (performance.now() - started) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] * 100) / 100;
  return { concurrency, ops: n, seconds: Math.round(elapsed * 100) / 100, tps: Math.round(n / elapsed), p50ms: q(0.5), p99ms: q(0.99) };
}

export async function benchInventory(url: string): Promise<object> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  // pgbench before AND after our levels (mean used): on a shared box the load drifts, and a
  // single reference run taken at another moment would skew the ratio either way.
  const pgBefore = await runPgbench(url, { clients: 8, threads: 2, seconds: 10, scale: 1 });
  const dbUrl = await recreateDatabase(url, 'jxc_bench_inv');
  const database = openPostgres(dbUrl, { max: 40 });
  const levels: Level[] = [];
  try {
    await migrate(database.db);
    const wh = await createWarehouse(database.db, ACTOR, { name: '主仓库' });
    const ids: number[] = [];
    for (let i = 0; i < PRODUCTS; i++) {
      const p = await createProduct(database.db, ACTOR, { name: `压测商品${i}`, sku: `BENCH${i}` });
      ids.push(p.id);
      await postReceipt(database.db, ACTOR, { warehouse: wh.id, idempotencyKey: `seed-${i}`, lines: [{ product: p.id, qty: 10_000_000, unitCostFen: 123 }] });
    }
    await measure(database.db, ids, wh.id, 8, 1, 'warmup');
    for (const c of [1, 8, 32]) {
      const l = await measure(database.db, ids, wh.id, c, seconds, `c${c}`);
      levels.push(l);
    }
  } finally {
    await database.close();
  }
  const pgAfter = await runPgbench(url, { clients: 8, threads: 2, seconds: 10, scale: 1 });
  const pg = { ...pgAfter, tps: Math.round((pgBefore.tps + pgAfter.tps) / 2), runs: [pgBefore.tps, pgAfter.tps] };
  const at8 = levels.find((l) => l.concurrency === 8)!;
  const ratio = Math.round((at8.tps / pg.tps) * 1000) / 10;
  console.log('\nsingle-line issue postings (service call → commit), 64 products, one warehouse');
  console.log('concurrency |    ops |   tps | p50 ms | p99 ms');
  for (const l of levels) console.log(`${String(l.concurrency).padStart(11)} | ${String(l.ops).padStart(6)} | ${String(l.tps).padStart(5)} | ${String(l.p50ms).padStart(6)} | ${String(l.p99ms).padStart(6)}`);
  console.log(`pgbench TPC-B -s 1 -c 8 -j 2 -T 10: ${pg.tps} tps (mean of ${pg.runs.map((x) => x.toFixed(0)).join(' before, ')} after)`);
  console.log(`issue tps at concurrency 8 = ${ratio}% of pgbench (target ≥ 70%)`);
  const result = { at: new Date().toISOString(), products: PRODUCTS, secondsPerLevel: seconds, levels, pgbench: pg, ratioAt8Percent: ratio, target: 70 };
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'inventory.json'), JSON.stringify(result, null, 2));
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  await benchInventory(url);
  process.exit(0);
}
