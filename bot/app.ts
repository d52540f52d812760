/**
 * The whole app with the Feishu adapter: what the runtimes, the chat CLI, the bench and the
 * tests start. src/app.ts stays free of bot/ (the adapter is passed in).
 */
import type { Hono } from 'hono';
import { buildApp, prepareApp, type Adapter, type PrepareOptions, type PreparedApp } from '../src/app.js';
import type { AppDeps } from '../src/deps.js';
import { buildBotRegistries } from './registries.js';
import { feishuRoutes } from './routes.js';

/** POST /feishu/events and /feishu/card, over the bot registries built once. */
export const feishuAdapter: Adapter = {
  path: '/feishu',
  prepare(useCases) {
    const registries = buildBotRegistries(useCases);
    return (deps) => feishuRoutes(deps, registries);
  },
};

/** Registries of the full app, built and validated once (start; per isolate on Workers). */
export function prepareFullApp(opts: PrepareOptions = {}): PreparedApp {
  return prepareApp([feishuAdapter], opts);
}

/** prepareFullApp + buildApp, for a process that builds its app once (Node, tests, the CLI). */
export function buildFullApp(deps: AppDeps, opts: PrepareOptions = {}): Hono {
  return buildApp(deps, prepareFullApp(opts));
}
