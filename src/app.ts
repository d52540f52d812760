/**
 * Builds the Hono app. No Node-only imports: src/server.ts (Node) and src/worker.ts (Workers)
 * both call this with their own deps.
 *
 * The registries are values built here, once, from the modules' lists, and validated while
 * built: a duplicate command, a form that does not match its use case's schema or an unknown
 * permission stops the start instead of answering wrongly later.
 */
import { Hono } from 'hono';
import type { AppDeps } from './deps.js';
import { healthRoutes } from './health.js';
import { feishuRoutes } from '../bot/routes.js';
import { apiRoutes } from './api/index.js';
import { buildUseCaseRegistry, type UseCaseRegistry } from './kernel/use-case-registry.js';
import type { AnyUseCase } from './kernel/use-case.js';
import { ALL_USE_CASES } from './use-cases.js';

export interface BuildOptions {
  /** The use cases to serve (tests pass extra or broken ones); default every module's. */
  useCases?: readonly AnyUseCase[];
}

/** The validated use-case registry of an app (exported for adapters built outside buildApp: the chat CLI). */
export function buildUseCases(opts: BuildOptions = {}): UseCaseRegistry {
  return buildUseCaseRegistry(opts.useCases ?? ALL_USE_CASES);
}

export function buildApp(deps: AppDeps, opts: BuildOptions = {}): Hono {
  const useCases = buildUseCases(opts);
  const app = new Hono();
  app.route('/', healthRoutes(deps));
  app.route('/feishu', feishuRoutes(deps, useCases));
  app.route('/api', apiRoutes(deps, useCases));
  app.notFound((c) => c.json({ error: 'not_found', message: '没有这个地址 / no such route' }, 404));
  app.onError((err, c) => {
    deps.logger.error({ err: { message: err.message, stack: err.stack }, path: c.req.path }, 'unhandled error');
    return c.json({ error: 'internal', message: '服务器内部错误，请稍后重试 / internal error' }, 500);
  });
  return app;
}
