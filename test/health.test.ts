import { afterAll, describe, expect, it } from 'vitest';
import { buildFullApp } from '../bot/app.js';
import type { AppDeps, Readiness } from '../src/deps.js';
import { silentLogger, type Logger } from '../src/log.js';
import { loadConfig } from '../src/config.js';
import { openPostgres } from '../db/postgres.js';
import { migrateUntilReady } from '../src/startup.js';
import type { Database } from '../db/types.js';
import { describeDb, openTestDatabase } from './helpers/db.js';
import { startTcpProxy } from './helpers/tcp-proxy.js';

function depsFor(database: Database, readiness: Readiness): AppDeps {
  return {
    config: loadConfig({}),
    database,
    readiness,
    logger: silentLogger,
    feishu: null,
    version: '0.0.0-test',
    now: () => new Date(),
    defer: () => {},
  };
}

describeDb('GET /healthz', (t) => {
  it('is 503 "starting" until migrations ran, then 200 with the backend name', async () => {
    const readiness: Readiness = { ready: false, reason: 'migrations not finished' };
    const app = buildFullApp(depsFor(t.database, readiness));
    const before = await app.request('/healthz');
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ status: 'starting', db: t.backend });
    await migrateUntilReady(t.database, readiness, silentLogger);
    const after = await app.request('/healthz');
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ status: 'ok', db: t.backend, version: '0.0.0-test' });
  });
});

if (process.env.TEST_DATABASE_URL) {
  describe('GET /healthz when Postgres goes away [postgres]', () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const c of cleanups.reverse()) await c();
    });

    it('answers 503 with a reason while unreachable and recovers by itself', async () => {
      const target = await openTestDatabase('postgres');
      cleanups.push(() => target.close());
      const real = new URL(process.env.TEST_DATABASE_URL!);
      const proxy = await startTcpProxy(real.hostname, Number(real.port || 5432));
      cleanups.push(() => proxy.close());
      const viaProxy = new URL(process.env.TEST_DATABASE_URL!);
      viaProxy.port = String(proxy.port);
      viaProxy.pathname = new URL(target.url!).pathname;
      await proxy.down();

      // Start while the database is down: not ready, and says why — once the first attempt
      // failed (it logs a warning after recording the reason).
      const database = openPostgres(viaProxy.toString(), { max: 2, connectTimeout: 1 });
      cleanups.push(() => database.close());
      const readiness: Readiness = { ready: false };
      const app = buildFullApp(depsFor(database, readiness));
      let firstFailure!: () => void;
      const failedOnce = new Promise<void>((r) => (firstFailure = r));
      const logger: Logger = { ...silentLogger, warn: () => firstFailure(), child: () => logger };
      const migrated = migrateUntilReady(database, readiness, logger, { maxDelayMs: 200 });
      await failedOnce;
      const starting = await app.request('/healthz');
      expect(starting.status).toBe(503);
      expect(((await starting.json()) as { reason: string }).reason).toMatch(/migrations pending/);

      // It comes up: migrations finish on their own, health turns green.
      await proxy.up();
      await migrated;
      expect((await app.request('/healthz')).status).toBe(200);

      // It goes away again: 503 with a reason (an answer at all: the ping is bounded, no hang).
      await proxy.down();
      const down = await app.request('/healthz');
      expect(down.status).toBe(503);
      expect(((await down.json()) as { reason: string }).reason).toMatch(/database unreachable/);

      // And back: recovers without a restart (the pool reconnects on a later ask); a health
      // check that never turns green again fails on the test's timeout.
      await proxy.up();
      while ((await app.request('/healthz')).status !== 200) await new Promise((r) => setTimeout(r, 50));
    });
  });
}
