/**
 * Builds the Hono app. No Node-only imports: src/server.ts (Node) and src/worker.ts (Workers)
 * both call this with their own deps.
 *
 * Two steps, because Workers build the app per request (deps hold a per-request database
 * client) while registries must be built once:
 * - `prepareApp(adapters, opts)` — at start (per isolate on Workers): builds the use-case
 *   registry and every adapter's registries, validating them (a duplicate command, a form that
 *   does not match its use case's schema or an unknown permission stops the start);
 * - `buildApp(deps, prepared)` — mounts the routes over `deps`: cheap, no validation.
 * src/ does not know the Feishu adapter: bot/app.ts passes it in (src never imports bot).
 */
import { Hono } from 'hono';
import type { AppDeps } from './deps.js';
import { healthRoutes } from './health.js';
import { apiRoutes } from './api/index.js';
import { buildUseCaseRegistry, type UseCaseRegistry } from './kernel/use-case-registry.js';
import type { AnyUseCase } from './kernel/use-case.js';
import { ALL_USE_CASES } from './use-cases.js';

/** An adapter mounted under `path`; `prepare` builds (and validates) its registries once. */
export interface Adapter {
  path: string;
  prepare(useCases: UseCaseRegistry): (deps: AppDeps) => Hono;
}

export interface PreparedApp {
  useCases: UseCaseRegistry;
  mounts: { path: string; routes: (deps: AppDeps) => Hono }[];
}

export interface PrepareOptions {
  /** The use cases to serve (tests pass extra or broken ones); default every module's. */
  useCases?: readonly AnyUseCase[];
}

/** The validated use-case registry (exported for adapters built outside the app: the chat CLI). */
export function buildUseCases(opts: PrepareOptions = {}): UseCaseRegistry {
  return buildUseCaseRegistry(opts.useCases ?? ALL_USE_CASES);
}

/** Build and validate every registry once. Throws RegistryError with the reason. */
export function prepareApp(adapters: readonly Adapter[], opts: PrepareOptions = {}): PreparedApp {
  const useCases = buildUseCases(opts);
  return {
    useCases,
    mounts: [
      ...adapters.map((a) => ({ path: a.path, routes: a.prepare(useCases) })),
      { path: '/api', routes: (deps: AppDeps) => apiRoutes(deps, useCases) },
    ],
  };
}

export function buildApp(deps: AppDeps, prepared: PreparedApp): Hono {
  const app = new Hono();
  app.route('/', healthRoutes(deps));
  for (const m of prepared.mounts) app.route(m.path, m.routes(deps));
  app.notFound((c) => c.json({ error: 'not_found', message: '没有这个地址 / no such route' }, 404));
  app.onError((err, c) => {
    deps.logger.error({ err: { message: err.message, stack: err.stack }, path: c.req.path }, 'unhandled error');
    return c.json({ error: 'internal', message: '服务器内部错误，请稍后重试 / internal error' }, 500);
  });
  return app;
}
