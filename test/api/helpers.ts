/**
 * The REST API in-process: real deps on the test database (offline: no Feishu client), a clock
 * the test steps by hand, the /api routes mounted as src/app.ts mounts them
 * (`app.route('/api', apiRoutes(deps, useCases))`), and requests through Hono's app.request
 * (no server, no sockets).
 *
 *   describeDb('api', (t) => {
 *     const api = useApi(t);
 *     it('…', async () => {
 *       const { secret } = await api.token('erp', ['inventory:write']);
 *       const r = await api.call('POST', '/api/v1/receipts', { token: secret, key: 'k1', body: {...} });
 *     });
 *   });
 */
import { beforeEach } from 'vitest';
import { Hono } from 'hono';
import { apiRoutes } from '../../src/api/index.js';
import { DEFAULT_RATE_LIMIT, tokenBuckets, type RateLimitOptions } from '../../src/api/rate-limit.js';
import { loadConfig } from '../../src/config.js';
import type { AppDeps } from '../../src/deps.js';
import { trackDeferred } from '../../src/deferred.js';
import { invoke } from '../../src/kernel/invoke.js';
import { noClaim, runUnitOfWork } from '../../src/kernel/unit-of-work.js';
import { buildUseCaseRegistry, type UseCaseRegistry } from '../../src/kernel/use-case-registry.js';
import { ALL_USE_CASES } from '../../src/use-cases.js';
import { silentLogger, type Logger } from '../../src/log.js';
import type { CreatedToken } from '../../src/people/tokens.js';
import type { Actor } from '../../src/people/roles.js';
import { identify } from '../../src/people/users.js';
import { VERSION } from '../../src/version.js';
import type { DbTestContext } from '../helpers/db.js';

export const ADMIN = 'ou_api_admin';
/** The test clock starts here (a Shanghai morning); tests move it with `api.advance(ms)`. */
export const T0 = Date.parse('2026-11-25T09:00:00+08:00');

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON (problem+json too); the raw text when it is not JSON. */
  body: any;
  text: string;
}

export interface CallOptions {
  token?: string;
  /** Idempotency-Key header. */
  key?: string;
  body?: unknown;
  /** Raw body text (malformed JSON tests); wins over `body`. */
  raw?: string;
  headers?: Record<string, string>;
}

export interface Api {
  deps: AppDeps;
  useCases: UseCaseRegistry;
  app: Hono;
  /** The stored admin (FEISHU admin open_id, created on first contact). */
  admin(): Promise<Actor>;
  /** Create a token as the admin through the tokens.create use case in a unit of work. */
  token(name: string, scopes: string[], opts?: { idempotencyKey?: string; actor?: Actor }): Promise<CreatedToken>;
  /** Run a use case as `actor` (default the admin): writes in a unit of work. */
  run(id: string, input: unknown, opts?: { actor?: Actor; idempotencyKey?: string }): Promise<any>;
  call(method: string, path: string, o?: CallOptions): Promise<ApiResponse>;
  /** Move the clock forward. */
  advance(ms: number): void;
}

/** Inside describeDb: fresh deps, app and clock before each test (tables are truncated then too). */
export interface ApiTestOptions {
  /** Rate limit of this app's own (fresh) buckets; default the production numbers. */
  rateLimit?: RateLimitOptions;
  /** Serve this registry instead of the application's. */
  useCases?: UseCaseRegistry;
  /** Default: silent. */
  logger?: Logger;
}

export function useApi(t: DbTestContext, opts: ApiTestOptions = {}): Api {
  let api: Api | undefined;
  beforeEach(() => {
    api = makeApi(t, opts);
  });
  return new Proxy({} as Api, {
    get(_target, prop) {
      if (!api) throw new Error('api not built yet (use it inside tests)');
      return (api as unknown as Record<string | symbol, unknown>)[prop];
    },
  });
}

export function makeApi(t: DbTestContext, opts: ApiTestOptions = {}): Api {
  let clock = T0;
  const deferred = trackDeferred(silentLogger);
  const deps: AppDeps = {
    config: loadConfig({ LOG_LEVEL: 'silent', FEISHU_ADMIN_OPEN_IDS: ADMIN }),
    database: t.database,
    readiness: { ready: true },
    logger: opts.logger ?? silentLogger,
    feishu: null,
    version: VERSION,
    now: () => new Date(clock),
    defer: deferred.defer,
  };
  // What buildApp's buildUseCases() builds; src/app.ts is not imported so the bot's wiring stays out of these tests.
  const useCases = opts.useCases ?? buildUseCaseRegistry(ALL_USE_CASES);
  const app = new Hono();
  app.route('/api', apiRoutes(deps, useCases, { rateLimiter: tokenBuckets(opts.rateLimit ?? DEFAULT_RATE_LIMIT) }));

  const admin = async (): Promise<Actor> => {
    const who = await identify(t.db, ADMIN, { adminOpenIds: [ADMIN], name: '管理员' });
    if (who.kind !== 'known') throw new Error('admin not created');
    return who.actor;
  };

  const run = async (id: string, input: unknown, o: { actor?: Actor; idempotencyKey?: string } = {}) => {
    const u = useCases.require(id);
    const actor = o.actor ?? (await admin());
    const caller = { actor, idempotencyKey: o.idempotencyKey ?? '', logger: silentLogger };
    if (u.kind === 'read') return invoke(deps, t.db, caller, u, input);
    const r = await runUnitOfWork(deps, noClaim, (uow) => invoke(deps, uow.tx, { ...caller, idempotencyKey: o.idempotencyKey ?? `test:${id}:${++seq}`, now: uow.now }, u, input));
    return r.value;
  };
  let seq = 0;

  return {
    deps,
    useCases,
    app,
    admin,
    run,
    token: (name, scopes, o = {}) => run('tokens.create', { name, scopes }, { actor: o.actor, idempotencyKey: o.idempotencyKey }) as Promise<CreatedToken>,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token) headers.Authorization = `Bearer ${o.token}`;
      if (o.key !== undefined) headers['Idempotency-Key'] = o.key;
      let body: string | undefined = o.raw;
      if (body === undefined && o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
      const res = await app.request(path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON (the docs page): keep the text
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    advance(ms) {
      clock += ms;
    },
  };
}
