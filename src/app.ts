/**
 * Builds the Hono app. No Node-only imports: src/server.ts (Node) and src/worker.ts (Workers)
 * both call this with their own deps.
 */
import { Hono } from 'hono';
import type { AppDeps } from './deps.js';
import { healthRoutes } from './health.js';
import { feishuRoutes } from '../bot/routes.js';

export function buildApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.route('/', healthRoutes(deps));
  app.route('/feishu', feishuRoutes(deps));
  app.notFound((c) => c.json({ error: 'not_found', message: '没有这个地址 / no such route' }, 404));
  app.onError((err, c) => {
    deps.logger.error({ err: { message: err.message, stack: err.stack }, path: c.req.path }, 'unhandled error');
    return c.json({ error: 'internal', message: '服务器内部错误，请稍后重试 / internal error' }, 500);
  });
  return app;
}
