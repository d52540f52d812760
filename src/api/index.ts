/**
 * The REST API, mounted at /api by src/app.ts (`app.route('/api', apiRoutes(deps, useCases))`):
 *
 *   /api/v1/<path>          every use case with a `rest` binding, generated from the registry
 *   /api/v1/openapi.json    OpenAPI 3.1, from the same zod schemas
 *   /api/docs               API reference page (Scalar)
 *
 * Nothing here names a use case: a new domain gets its routes, its OpenAPI operations and its
 * token scope ('<module>:read|write') by defining use cases with `rest` bindings. The HTTP rules
 * are in routes.ts, the pipeline in handler.ts, errors in problem.ts, Idempotency-Key in
 * idempotency.ts, rate limiting in rate-limit.ts. No Node-only imports (Workers runs this too).
 */
import { Scalar } from '@scalar/hono-api-reference';
import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { envSettingDefaults } from '../kernel/invoke.js';
import { disabledModulesSetting, settingsReader } from '../kernel/settings.js';
import type { UseCaseRegistry } from '../kernel/use-case-registry.js';
import { apiDocumentOf } from './openapi.js';
import { canonicalPath, internalError, requestTokenIds, useCaseHandler } from './handler.js';
import { problem, problemResponse } from './problem.js';
import { DEFAULT_RATE_LIMIT, tokenBuckets, type RateLimiter } from './rate-limit.js';
import { honoPath, pathMatcher } from './routes.js';

export interface ApiOptions {
  /**
   * The per-token rate limiter (tokenBuckets(...)). Default: one limiter per process/isolate at
   * 10 requests/s, burst 30 — shared by every app built in it, because Workers build the app
   * per request. Tests pass their own (fresh buckets, their own numbers).
   */
  rateLimiter?: RateLimiter;
}

/**
 * The reference page's script, pinned: the @scalar/api-reference release built on the same
 * @scalar/types (0.6.10) as the installed @scalar/hono-api-reference 0.9.48 (→ @scalar/core
 * 0.3.45). An unpinned CDN URL would load whatever is newest. Bump the two together.
 */
export const SCALAR_CDN = 'https://cdn.jsdelivr.net/npm/@scalar/api-reference@1.46.4';

/** Buckets outlive a Workers request: module scope is the isolate. */
const isolateLimiter = tokenBuckets(DEFAULT_RATE_LIMIT);

/**
 * The /api sub-app. Cheap to build (Workers build it per request): the OpenAPI document is
 * generated on first use and cached (openapi.ts).
 */
export function apiRoutes(deps: AppDeps, useCases: UseCaseRegistry, opts: ApiOptions = {}): Hono {
  const app = new Hono();
  const p = { deps, buckets: opts.rateLimiter ?? isolateLimiter };
  const bound = useCases.all().filter((u) => u.rest);

  app.get('/v1/openapi.json', async (c) => {
    try {
      const off = await settingsReader(deps.database.db, envSettingDefaults(deps)).get(disabledModulesSetting);
      const serverUrl = c.req.path.replace(/\/openapi\.json$/, '');
      return c.json(apiDocumentOf(useCases, deps.version).view(off, serverUrl));
    } catch (e) {
      return internalError(deps, e, c.req.path, 'API 文档');
    }
  });

  // The reference page finds the document next to it, wherever /api is mounted.
  app.get(
    '/docs',
    Scalar((c) => ({ url: c.req.path.replace(/\/docs\/?$/, '/v1/openapi.json'), pageTitle: '进销存助手 REST API', cdn: SCALAR_CDN })),
  );

  // One request log line per call (the token's id, never the token), after everything else ran.
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    deps.logger.info(
      { method: c.req.method, path: canonicalPath(c.req.path), status: c.res.status, ms: Math.round(performance.now() - started), tokenId: requestTokenIds.get(c.req.raw) ?? null },
      'api request',
    );
  });

  // With and without a trailing slash: `/products/` is `/products` (clients differ in how they join URLs).
  for (const u of bound) {
    const path = `/v1${honoPath(u.rest!.path)}`;
    app.on(u.rest!.method.toUpperCase(), [path, `${path}/`], useCaseHandler(p, u));
  }

  const matchers = bound.map((u) => ({ method: u.rest!.method.toUpperCase(), re: pathMatcher(`/v1${u.rest!.path}`) }));
  app.all('/v1/*', (c) => {
    // routePath is '<mount>/v1/*': what follows the mount is matched against the bindings.
    const rel = c.req.path.slice(c.req.routePath.length - '/v1/*'.length);
    const allow = [...new Set(matchers.filter((m) => m.re.test(rel)).map((m) => m.method))];
    if (allow.length) {
      return problemResponse(problem('method_not_allowed', `这个接口不支持 ${c.req.method}，可用：${allow.join('、')}。`, c.req.path), { Allow: allow.join(', ') });
    }
    return problemResponse(problem('route_not_found', `没有这个接口：${c.req.method} ${c.req.path}。接口列表见 API 文档（/api/docs）。`, c.req.path));
  });
  // Everything under /api answers problem+json, also outside /v1 and when something throws.
  app.all('*', (c) =>
    problemResponse(problem('route_not_found', `没有这个接口：${c.req.method} ${c.req.path}。REST 接口在 /api/v1 下，文档见 /api/docs。`, c.req.path)),
  );
  app.onError((e, c) => internalError(deps, e, c.req.path, undefined));
  return app;
}
