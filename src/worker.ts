/**
 * Cloudflare Workers entry: `fetch` serves the same Hono app; `scheduled` runs the cron jobs
 * (outbox drain, digest, sheet sync). Postgres through a Hyperdrive binding (postgres.js);
 * PGlite is not available here. Bindings are validated with the same zod config as Node.
 *
 * Workers forbid I/O objects from crossing requests, so each request (and each cron run)
 * opens its own small postgres.js client — Hyperdrive pools the real connections — and
 * closes it once the response and any deferred work (outbox delivery) are done.
 */
import { buildApp } from './app.js';
import { prepareFullApp } from '../bot/app.js';
import { loadConfig, type Config } from './config.js';
import { openPostgres } from '../db/postgres.js';
import { migrate } from '../db/migrate.js';
import type { AppDeps } from './deps.js';
import { consoleLogger, type Logger } from './log.js';
import { createFeishuClient, invalidateFeishuToken } from '../bot/feishu-client.js';
import { runScheduled } from './jobs/scheduled.js';
import { buildJobs } from './jobs/index.js';
import { VERSION } from './version.js';
import { setAppTimezone } from './shared/time.js';

export interface Env {
  HYPERDRIVE?: { connectionString: string };
  [key: string]: unknown;
}

/** Per isolate: migrations are applied once (under the advisory lock), config parsed once. */
let migrated = false;
let cached: { config: Config; logger: Logger } | undefined;

function configure(env: Env): { config: Config; logger: Logger } {
  if (cached) return cached;
  const config = loadConfig({ ...env, DATABASE_URL: env.HYPERDRIVE?.connectionString ?? env.DATABASE_URL });
  if (!config.DATABASE_URL) {
    throw new Error('Workers 需要 Hyperdrive 绑定 HYPERDRIVE 或 DATABASE_URL / Workers need a HYPERDRIVE binding or DATABASE_URL');
  }
  setAppTimezone(config.APP_TIMEZONE);
  cached = { config, logger: consoleLogger({ service: 'jxc-assistant', runtime: 'workers' }, config.LOG_LEVEL) };
  return cached;
}

function requestDeps(env: Env, ctx: ExecutionContext): { deps: AppDeps; finish(): void } {
  const { config, logger } = configure(env);
  const database = openPostgres(config.DATABASE_URL!, { max: 2, connectTimeout: 5 });
  const pending: Promise<unknown>[] = [];
  const deps: AppDeps = {
    config,
    database,
    readiness: { ready: migrated },
    logger,
    feishu: createFeishuClient(config, { fetchAdapter: true }),
    version: VERSION,
    now: () => new Date(),
    invalidateFeishuToken,
    defer: (work) => {
      pending.push(work.catch((e) => logger.error({ err: (e as Error).message }, 'deferred work failed')));
    },
  };
  return {
    deps,
    finish: () => ctx.waitUntil(Promise.allSettled(pending).then(() => database.close())),
  };
}

async function ensureMigrated(deps: AppDeps): Promise<void> {
  if (migrated) return;
  try {
    await migrate(deps.database.db);
    migrated = true;
    deps.readiness.ready = true;
  } catch (e) {
    deps.readiness.reason = `migrations pending: ${(e as Error).message}`;
    deps.logger.error({ err: (e as Error).message }, 'migration failed');
  }
}

function misconfigured(e: unknown): Response {
  return new Response(JSON.stringify({ status: 'misconfigured', reason: (e as Error).message }), {
    status: 503,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/** Built once per isolate (validated: a broken job list fails the first request loudly). */
const jobs = buildJobs();
/** The app's registries, built and validated once per isolate; per request only the routes are mounted. */
const prepared = prepareFullApp();

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    let r: ReturnType<typeof requestDeps>;
    try {
      r = requestDeps(env, ctx);
    } catch (e) {
      return misconfigured(e);
    }
    try {
      await ensureMigrated(r.deps);
      // Not ready: /healthz says why; everything else is refused rather than run on an old schema.
      if (!r.deps.readiness.ready && new URL(request.url).pathname !== '/healthz') {
        return new Response(JSON.stringify({ status: 'starting', reason: r.deps.readiness.reason }), {
          status: 503,
          headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': '5' },
        });
      }
      return await buildApp(r.deps, prepared).fetch(request, env, ctx);
    } finally {
      r.finish();
    }
  },

  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    const r = requestDeps(env, ctx);
    try {
      await ensureMigrated(r.deps);
      if (r.deps.readiness.ready) await runScheduled(r.deps, jobs, controller.cron, new Date(controller.scheduledTime));
    } finally {
      r.finish();
    }
  },
};
