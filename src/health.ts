import { Hono } from 'hono';
import type { AppDeps } from './deps.js';

const PING_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

/** GET /healthz: 200 once migrations ran and the database answers; 503 with a reason otherwise. */
export function healthRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/healthz', async (c) => {
    const base = { db: deps.database.kind, version: deps.version };
    if (!deps.readiness.ready) {
      return c.json({ status: 'starting', ...base, reason: deps.readiness.reason ?? 'migrations not finished' }, 503);
    }
    try {
      await withTimeout(deps.database.ping(), PING_TIMEOUT_MS);
    } catch (e) {
      return c.json({ status: 'unavailable', ...base, reason: `database unreachable: ${(e as Error).message}` }, 503);
    }
    return c.json({ status: 'ok', ...base });
  });
  return app;
}
