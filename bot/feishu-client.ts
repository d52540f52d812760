/**
 * The outbound Feishu client: the official SDK pointed at FEISHU_BASE_URL (the real Open API,
 * Lark, or test/fake-feishu). A private token cache per client so a fake and a real client
 * with the same app id never share tokens (protocol notes §8.7).
 */
import * as lark from '@larksuiteoapi/node-sdk';
import axios from 'axios';
import type { Config } from '../src/config.js';
import type { Logger } from '../src/log.js';

const caches = new WeakMap<lark.Client, lark.DefaultCache>();

/**
 * The SDK's default axios instance has no timeout: a Feishu that accepts the connection and
 * never answers would hold an outbox lease forever. Same instance (and its body-returning
 * interceptor), with a per-request timeout.
 */
function withTimeout(ms: number): lark.HttpInstance {
  const base = lark.defaultHttpInstance;
  const t = <C extends object | undefined>(c: C) => ({ timeout: ms, ...(c ?? {}) });
  return {
    request: (opts) => base.request(t(opts)),
    get: (url, opts) => base.get(url, t(opts)),
    delete: (url, opts) => base.delete(url, t(opts)),
    head: (url, opts) => base.head(url, t(opts)),
    options: (url, opts) => base.options(url, t(opts)),
    post: (url, data, opts) => base.post(url, data, t(opts)),
    put: (url, data, opts) => base.put(url, data, t(opts)),
    patch: (url, data, opts) => base.patch(url, data, t(opts)),
  } as lark.HttpInstance;
}

/**
 * Workers have neither XHR nor Node http: an axios instance on the fetch adapter, with the
 * same body-returning interceptor the SDK's default instance has (protocol notes §7.7).
 */
function fetchInstance(ms: number): lark.HttpInstance {
  const http = axios.create({ adapter: 'fetch', timeout: ms });
  http.interceptors.response.use((resp) =>
    (resp.config as { $return_headers?: boolean }).$return_headers ? ({ data: resp.data, headers: resp.headers } as never) : resp.data,
  );
  return http as unknown as lark.HttpInstance;
}

/** app_secret, tenant tokens and bearer headers out of a log line. */
export function redactSecrets(line: string): string {
  return line
    .replace(/("?(?:app_secret|appSecret|tenant_access_token|app_access_token|encrypt_key|encryptKey)"?\s*[:=]\s*)"[^"]*"/gi, '$1"***"')
    .replace(/Bearer\s+[A-Za-z0-9._-]+/g, 'Bearer ***')
    .replace(/\bt-[A-Za-z0-9]{16,}\b/g, 't-***');
}

/** Adapts our pino-shaped logger to the SDK's (...msg) logger, one level down (the SDK is chatty on errors we handle). */
function sdkLogger(logger: Logger): NonNullable<ConstructorParameters<typeof lark.Client>[0]['logger']> {
  // The SDK logs failed requests with their body: the token request carries app_secret. Never log it.
  const fmt = (msg: unknown[]) => ({ sdk: redactSecrets(msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ')).slice(0, 500) });
  return {
    error: (...m: unknown[]) => logger.warn(fmt(m), 'feishu sdk'),
    warn: (...m: unknown[]) => logger.warn(fmt(m), 'feishu sdk'),
    info: (...m: unknown[]) => logger.debug(fmt(m), 'feishu sdk'),
    debug: (...m: unknown[]) => logger.debug(fmt(m), 'feishu sdk'),
    trace: (...m: unknown[]) => logger.debug(fmt(m), 'feishu sdk'),
  };
}

export function createFeishuClient(
  config: Config,
  opts: { httpInstance?: lark.HttpInstance; logger?: Logger; timeoutMs?: number; fetchAdapter?: boolean } = {},
): lark.Client | null {
  if (!config.FEISHU_APP_ID || !config.FEISHU_APP_SECRET) return null;
  const cache = new lark.DefaultCache();
  const client = new lark.Client({
    appId: config.FEISHU_APP_ID,
    appSecret: config.FEISHU_APP_SECRET,
    appType: lark.AppType.SelfBuild,
    domain: config.FEISHU_BASE_URL,
    cache,
    loggerLevel: lark.LoggerLevel.warn,
    httpInstance: opts.httpInstance ?? (opts.fetchAdapter ? fetchInstance(opts.timeoutMs ?? 15_000) : withTimeout(opts.timeoutMs ?? 15_000)),
    ...(opts.logger ? { logger: sdkLogger(opts.logger) } : {}),
  });
  caches.set(client, cache);
  return client;
}

/** Forget the cached tenant token (the SDK does not recover from 99991663 by itself). */
export function invalidateFeishuToken(client: lark.Client): void {
  const cache = caches.get(client) as unknown as { values?: Map<unknown, unknown> } | undefined;
  cache?.values?.clear();
}
