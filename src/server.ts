/**
 * Node entry: `npm start`. Serves the Hono app on PORT with the embedded database (or Postgres
 * with DATABASE_URL), applies migrations, runs background jobs, and shuts down cleanly on
 * SIGINT/SIGTERM (server closed, jobs stopped, database closed, lock file released).
 */
import { answerClientError } from './api/client-error.js';
import { serve } from '@hono/node-server';
import pino from 'pino';
import { resolve } from 'node:path';
import { ConfigError, loadConfig, missingFeishuSettings, type Config } from './config.js';
import { openDatabase } from '../db/open.js';
import { DataDirLockedError } from '../db/pglite.js';
import { buildFullApp } from '../bot/app.js';
import type { AppDeps, Readiness } from './deps.js';
import type { Logger } from './log.js';
import { migrateUntilReady } from './startup.js';
import { startBackground } from './background.js';
import { createFeishuClient, invalidateFeishuToken } from '../bot/feishu-client.js';
import { VERSION } from './version.js';
import { trackDeferred } from './deferred.js';
import { nodeBackgroundJobs } from './jobs/node-jobs.js';
import { buildJobs } from './jobs/index.js';
import { setAppTimezone } from './shared/time.js';

function fail(message: string): never {
  process.stderr.write(message + '\n');
  process.exit(1);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  // Business days (document numbers, default batch numbers, digests) follow APP_TIMEZONE.
  setAppTimezone(config.APP_TIMEZONE);
  // Synchronous writes to stdout: pino's default asynchronous stream flushes at exit in a loop
  // that retries a broken pipe forever (sonic-boom flushSync), so `npm start | tee log` and
  // Ctrl-C (tee gone first) left the server hanging after its shutdown. A sync stream reports
  // EPIPE once and pino stops writing.
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'jxc-assistant' } }, pino.destination({ dest: 1, sync: true })) as unknown as Logger;

  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  } catch (e) {
    if (e instanceof DataDirLockedError) fail(e.message);
    fail(`无法打开数据库 / cannot open the database: ${(e as Error).message}`);
  }

  const readiness: Readiness = { ready: false, reason: 'migrations not finished' };
  const deferred = trackDeferred(logger);
  const deps: AppDeps = {
    config,
    database,
    readiness,
    logger,
    feishu: createFeishuClient(config),
    version: VERSION,
    now: () => new Date(),
    invalidateFeishuToken,
    defer: deferred.defer,
  };
  // Registries are built (and validated) before listening: a broken definition stops the start.
  const app = buildFullApp(deps);
  const jobs = buildJobs();
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: '0.0.0.0' });
  // Requests Node's HTTP parser refuses (raw UTF-8 in a URL…) get a problem+json, not a bare 400.
  server.on('clientError', answerClientError);
  await new Promise<void>((res, rej) => {
    server.once('listening', () => res());
    server.once('error', (e: NodeJS.ErrnoException) =>
      rej(e.code === 'EADDRINUSE' ? new Error(`端口 ${config.PORT} 已被占用，请设置 PORT / port ${config.PORT} is in use; set PORT`) : e),
    );
  }).catch(async (e) => {
    await database.close();
    fail((e as Error).message);
  });

  const base = `http://localhost:${config.PORT}`;
  logger.info(
    {
      port: config.PORT,
      db: database.kind,
      data: database.kind === 'pglite' ? resolve(config.DATA_DIR) : 'DATABASE_URL (postgres)',
      version: VERSION,
    },
    `进销存助手已启动 / JXC Assistant listening on ${base}`,
  );
  const missing = missingFeishuSettings(config);
  if (missing.length) {
    logger.warn({ missing }, `未配置的飞书设置 / Feishu settings not set: ${missing.join(', ')} (offline mode for outbound messages until FEISHU_APP_ID/SECRET are set)`);
    // The README's promise: without a Feishu app, the bot can be tried in a terminal.
    logger.info('没有飞书应用也能试用：另开一个终端运行 npm run chat，像在飞书里一样发消息 / no Feishu app? try the bot in a terminal: npm run chat');
  }
  logger.info(
    {
      eventUrl: `https://<your-public-host>/feishu/events`,
      callbackUrl: `https://<your-public-host>/feishu/events`,
      legacyCardUrl: `https://<your-public-host>/feishu/card`,
      local: { events: `${base}/feishu/events`, card: `${base}/feishu/card`, health: `${base}/healthz` },
    },
    // As the README says: events and card callbacks both go to /feishu/events; /feishu/card only
    // for older apps that configure a separate card request URL.
    '在飞书开发者后台填写：事件与卡片回调的请求地址都填 /feishu/events（旧式应用单独配置卡片请求地址时填 /feishu/card） / paste /feishu/events as the event and callback request URL (/feishu/card only for a separate card URL)',
  );

  const aborter = new AbortController();
  const migrated = migrateUntilReady(database, readiness, logger, { signal: aborter.signal }).then((ok) => {
    if (ok) logger.info({ coldStartMs: Date.now() - t0 }, 'ready');
    return ok;
  });
  let stopBackground: () => Promise<void> = async () => {};
  migrated.then((ok) => {
    if (ok && !aborter.signal.aborted) stopBackground = startBackground(deps, nodeBackgroundJobs(jobs));
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, '正在关闭 / shutting down');
    aborter.abort();
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    await new Promise<void>((res) => server.close(() => res()));
    await migrated.catch(() => {});
    await stopBackground();
    // Replies already committed to the outbox finish delivering before the database closes.
    await deferred.settle();
    await database.close();
    logger.info('已关闭 / stopped cleanly');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((e) => fail(`启动失败 / start failed: ${(e as Error).stack ?? e}`));
