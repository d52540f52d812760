/**
 * The bot end to end on real Postgres: signed, encrypted `出库` events per second at
 * concurrency 32 — ack (HTTP 200 from /feishu/events), issue posted and committed, reply
 * queued in the outbox in the same transaction and delivered to fake-feishu through the
 * official SDK — with p50/p99 ack latency, next to pgbench TPC-B measured in the same run.
 *
 * Fresh database jxc_bench_bot (migrated), 64 products with ample stock, one warehouse; each
 * event issues 1 unit of a product picked round-robin. The app runs on this thread; the fake
 * Open API and the load generator run in a worker thread (bench/bot-load.ts) of the same
 * process. Postgres shares the machine (2 cores), so the figures are a floor.
 *
 *   npx tsx bench/bot.ts          # or `npm run bench -- bot`; BENCH_SECONDS (default 10)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { openPostgres } from '../db/postgres.js';
import { migrate } from '../db/migrate.js';
import { execRows } from '../db/types.js';
import { buildFullApp } from '../bot/app.js';
import { loadConfig } from '../src/config.js';
import type { AppDeps } from '../src/deps.js';
import { silentLogger } from '../src/log.js';
import { configureOutbox, startOutboxDrain } from '../src/outbox/index.js';
import { createProduct, createWarehouse, postReceipt } from '../src/inventory/index.js';
import { identify } from '../src/people/users.js';
import { VERSION } from '../src/version.js';
import { createFeishuClient, invalidateFeishuToken } from '../bot/feishu-client.js';
import { DEFAULT_MAX_MESSAGE_TX } from '../bot/messages.js';
import { Worker } from 'node:worker_threads';
import { recreateDatabase, runPgbench } from './pgbench.js';

const PRODUCTS = 64;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ADMIN = 'ou_bench_admin';

function quantile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] * 100) / 100;
}

export async function benchBot(url: string): Promise<object> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const dbUrl = await recreateDatabase(url, 'jxc_bench_bot');
  // Pool: the message transactions (bot/messages.ts bulkhead, default 16) plus a few for the
  // outbox's mark-sent batches and interval drain, so those never queue behind messages.
  const database = openPostgres(dbUrl, { max: Number(process.env.BENCH_POOL ?? 20) });
  const security = { encryptKey: 'bench-encrypt-key', verificationToken: 'bench-token' };
  // The fake Open API and the load generator live in a worker thread (their own event loop).
  // (tsx's loader is per thread: register it in the worker before importing the TypeScript entry.)
  const entry = new URL('./bot-load.ts', import.meta.url).href;
  const load = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`, { eval: true, workerData: security });
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const on = (m: { type: string }) => {
        if (m.type === type) {
          load.off('message', on);
          resolve(m as T);
        }
      };
      load.on('message', on);
      load.once('error', reject);
    });
  const fake = await next<{ baseUrl: string; appId: string; appSecret: string }>('ready');
  const config = loadConfig({
    FEISHU_APP_ID: fake.appId,
    FEISHU_APP_SECRET: fake.appSecret,
    FEISHU_ENCRYPT_KEY: security.encryptKey,
    FEISHU_VERIFICATION_TOKEN: security.verificationToken,
    FEISHU_BASE_URL: fake.baseUrl,
    FEISHU_ADMIN_OPEN_IDS: ADMIN,
    LOG_LEVEL: 'silent',
  });
  const inflight = new Set<Promise<unknown>>();
  const deps: AppDeps = {
    config,
    database,
    readiness: { ready: true },
    logger: silentLogger,
    feishu: createFeishuClient(config, { logger: silentLogger }),
    version: VERSION,
    now: () => new Date(),
    invalidateFeishuToken,
    defer: (work) => {
      const p = work.catch(() => {});
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    },
  };
  configureOutbox(deps, { baseDelayMs: 50, maxDelayMs: 1000, kick: process.env.BENCH_KICK !== '0', concurrency: Number(process.env.BENCH_SEND_CONCURRENCY ?? 8) });
  const app = buildFullApp(deps);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feishu/events`;
  const stopDrain = startOutboxDrain(deps, { intervalMs: Number(process.env.BENCH_DRAIN_MS ?? 100) });

  let result: Record<string, unknown> = {};
  try {
    await migrate(database.db);
    const who = await identify(database.db, ADMIN, { adminOpenIds: [ADMIN] });
    if (who.kind !== 'known') throw new Error('bench admin not created');
    const actor = who.actor;
    const wh = await createWarehouse(database.db, actor, { name: '主仓库' });
    for (let i = 0; i < PRODUCTS; i++) {
      await createProduct(database.db, actor, { name: `压测商品${i}`, sku: `BENCH${i}` });
      await postReceipt(database.db, actor, { warehouse: wh.id, idempotencyKey: `seed-${i}`, lines: [{ product: `BENCH${i}`, qty: 10_000_000, unitCostFen: 123 }] });
    }

    const run = async (secs: number, tag: string) => {
      const cpu0 = process.cpuUsage();
      const w0 = performance.now();
      load.postMessage({ type: 'run', eventsUrl, seconds: secs, concurrency: CONCURRENCY, products: PRODUCTS, openId: ADMIN, tag });
      const r = await next<{ acks: number[]; events: number; errors: number; ackMs: number; e2eMs: number; delivered: boolean }>('result');
      const cpu = process.cpuUsage(cpu0);
      const acks = r.acks.sort((a, b) => a - b);
      return {
        tag,
        events: r.events,
        errors: r.errors,
        allDelivered: r.delivered,
        ackSeconds: Math.round(r.ackMs / 10) / 100,
        e2eSeconds: Math.round(r.e2eMs / 10) / 100,
        eventsPerSecond: Math.round(r.events / (r.e2eMs / 1000)),
        ackP50ms: quantile(acks, 0.5),
        ackP99ms: quantile(acks, 0.99),
        ackMaxMs: quantile(acks, 1),
        /** CPU of this process (app thread + load worker) as a share of one core. */
        nodeCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - w0)) * 100),
      };
    };

    await run(2, 'warmup');
    const main = await run(seconds, 'main');
    // The last replies reach the fake a moment before the drain records them as sent.
    for (let i = 0; i < 100; i++) {
      const [p] = await execRows<{ n: number }>(database.db, sql`select count(*)::int as n from outbox where status = 'pending'`);
      if (p.n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const [counts] = await execRows<{ docs: number; pending: number; dead: number }>(
      database.db,
      sql`select (select count(*)::int from documents where kind = 'sales_issue') as docs,
                 (select count(*)::int from outbox where status = 'pending') as pending,
                 (select count(*)::int from outbox where status = 'dead') as dead`,
    );
    await stopDrain();
    while (inflight.size) await Promise.all([...inflight]);
    await new Promise<void>((r) => server.close(() => r()));
    load.postMessage({ type: 'close' });
    await next('closed');
    await load.terminate();
    await database.close();

    const pg = await runPgbench(url, { clients: 8, threads: 2, seconds: 10, scale: 1 });
    const ratio = Math.round((main.eventsPerSecond / pg.tps) * 1000) / 10;
    console.log(`\nbot end to end: signed+encrypted 出库 events → ack → posted → reply delivered (concurrency ${CONCURRENCY}, ${PRODUCTS} products)`);
    console.log('events | errors | events/s (e2e) | ack p50 ms | ack p99 ms | ack max ms');
    console.log(
      `${String(main.events).padStart(6)} | ${String(main.errors).padStart(6)} | ${String(main.eventsPerSecond).padStart(14)} | ${String(main.ackP50ms).padStart(10)} | ${String(main.ackP99ms).padStart(10)} | ${String(main.ackMaxMs).padStart(10)}`,
    );
    console.log(`pgbench TPC-B -s 1 -c 8 -j 2 -T 10: ${pg.tps.toFixed(0)} tps`);
    console.log(`bot events/s = ${ratio}% of pgbench (target ≥ 50%); ack p99 ${main.ackP99ms} ms (target < 100 ms)`);
    console.log(`Node process CPU during the run: ${main.nodeCpuPercent}% of one core (app thread + fake/generator worker thread)`);
    console.log(`check: ${counts.docs} issue documents (incl. warmup), outbox pending ${counts.pending}, dead ${counts.dead}`);
    result = {
      at: new Date().toISOString(),
      concurrency: CONCURRENCY,
      products: PRODUCTS,
      seconds,
      command: process.env.BENCH_TEXT ?? '出库 {sku} 1',
      maxMessageTransactions: Number(process.env.JXC_MAX_MESSAGE_TX ?? DEFAULT_MAX_MESSAGE_TX),
      pool: Number(process.env.BENCH_POOL ?? 20),
      loadAverage: (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100),
      ...main,
      pgbench: pg,
      ratioPercent: ratio,
      targets: { ratioPercent: 50, ackP99ms: 100 },
      check: counts,
    };
    const dir = join(import.meta.dirname, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bot.json'), JSON.stringify(result, null, 2));
    return result;
  } catch (e) {
    await stopDrain().catch(() => {});
    await new Promise<void>((r) => server.close(() => r()));
    await load.terminate().catch(() => 0);
    await database.close().catch(() => {});
    throw e;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  await benchBot(url);
  process.exit(0);
}
