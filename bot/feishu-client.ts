/**
 * The outbound Feishu client: the official SDK pointed at FEISHU_BASE_URL (the real Open API,
 * Lark, or test/fake-feishu). A private token cache per client so a fake and a real client
 * with the same app id never share tokens (protocol notes §8.7).
 */
import * as lark from '@larksuiteoapi/node-sdk';
import axios from 'axios';
import type { Config } from '../src/config.js';
import type { Logger } from '../src/log.js';
import { classifyFailure, FeishuApiError } from '../src/outbox/index.js';

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
    // A plain API token (src/people/tokens.ts) in a failed reply's body: shown once, never logged.
    .replace(/jxc_[A-Za-z0-9_-]{8,}/g, 'jxc_***')
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

// ─────────────── a reply that is never stored ───────────────

/** Attempts of replyNotStored, and the wait before the n-th retry (n × this). */
const DIRECT_ATTEMPTS = 3;
const DIRECT_BACKOFF_MS = 500;

/**
 * Reply `text` to `messageId` straight through the SDK, NOT through the outbox: for what must
 * never be stored (a plain API token, shown once). Retries what the outbox would retry (network,
 * 5xx, rate limits: src/outbox classifyFailure) a few times with the same `uuid` (Feishu drops a
 * duplicate); gives up after that, logging the failure without the text, and resolves either way
 * — whoever sent it told the user what to do if it never arrives.
 */
export async function replyNotStored(client: lark.Client, messageId: string, text: string, opts: { uuid: string; logger: Logger }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = (await client.im.v1.message.reply({
        path: { message_id: messageId },
        data: { content: JSON.stringify({ text }), msg_type: 'text', uuid: opts.uuid },
      })) as { code?: number; msg?: string } | undefined;
      if (typeof r?.code === 'number' && r.code !== 0) throw new FeishuApiError(r.code, r.msg ?? 'error');
      return;
    } catch (e) {
      const v = classifyFailure(e);
      if (!v.retry || attempt >= DIRECT_ATTEMPTS) {
        opts.logger.warn({ messageId, attempt, err: redactSecrets(v.message) }, '只显示一次的回复发送失败（不会重试，也不保存）/ not-stored reply failed');
        return;
      }
      await new Promise((r) => setTimeout(r, Math.max(v.notBeforeMs ?? 0, DIRECT_BACKOFF_MS * attempt)));
    }
  }
}

// ─────────────── the bot's own identity ───────────────

/** What GET /open-apis/bot/v3/info says about this app's bot. */
export interface BotIdentity {
  /** The bot's open_id (ou_…): a group @mention whose id.open_id equals it addresses us. */
  openId: string;
  /** The app name as Feishu shows it (informational: never used to decide addressing). */
  name: string;
  /** 2 = enabled for the tenant; other values are logged, the open_id is still valid. */
  activateStatus?: number;
}

export interface BotIdentitySettings {
  /** Budget for one look-up, tenant token included: the webhook must ack within 3 s. */
  timeoutMs: number;
  /** Wait after the first failure before asking again; doubles per failure up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_BOT_IDENTITY_SETTINGS: BotIdentitySettings = { timeoutMs: 1500, baseDelayMs: 2000, maxDelayMs: 60_000 };

interface IdentityState {
  settings: BotIdentitySettings;
  value?: BotIdentity;
  inflight?: Promise<BotIdentity>;
  failures: number;
  /** Epoch ms before which a failed look-up is not retried. */
  retryAt: number;
  lastError?: string;
}

const identities = new WeakMap<lark.Client, IdentityState>();

function identityState(client: lark.Client): IdentityState {
  let s = identities.get(client);
  if (!s) identities.set(client, (s = { settings: { ...DEFAULT_BOT_IDENTITY_SETTINGS }, failures: 0, retryAt: 0 }));
  return s;
}

/** Tune the look-up for this client (tests shorten the backoff); also forgets a cached failure. */
export function configureBotIdentity(client: lark.Client, settings: Partial<BotIdentitySettings>): void {
  const s = identityState(client);
  s.settings = { ...s.settings, ...settings };
  s.retryAt = 0;
}

/** Forget the cached identity (an app re-created under the same client, tests). */
export function forgetBotIdentity(client: lark.Client): void {
  identities.delete(client);
}

const TOKEN_CODES = new Set([99991661, 99991663, 99991677]);

function failureOf(e: unknown): { message: string; code?: number } {
  const ax = e as { response?: { status?: number; data?: { code?: unknown; msg?: unknown } }; message?: string };
  const code = typeof ax?.response?.data?.code === 'number' ? (ax.response.data.code as number) : undefined;
  if (ax?.response) return { code, message: `HTTP ${ax.response.status}${code !== undefined ? ` code ${code}` : ''}: ${String(ax.response.data?.msg ?? ax.message ?? '')}` };
  return { message: String((e as Error)?.message ?? e) };
}

async function fetchBotIdentity(client: lark.Client, timeoutMs: number): Promise<BotIdentity> {
  // No typed SDK method for bot/v3/info; client.request adds the tenant token like the typed calls
  // (the SDK's own channel module does the same). Note the shape: `bot` at the top, no `data`.
  const r = (await client.request({ url: '/open-apis/bot/v3/info', method: 'GET', timeout: timeoutMs } as never)) as {
    code?: number;
    msg?: string;
    bot?: { open_id?: unknown; app_name?: unknown; activate_status?: unknown };
  };
  if (r?.code !== 0) {
    const err = new Error(`bot/v3/info code ${r?.code}: ${r?.msg ?? ''}`) as Error & { code?: number };
    err.code = r?.code;
    throw err;
  }
  const openId = r.bot?.open_id;
  if (typeof openId !== 'string' || !openId.startsWith('ou_')) throw new Error('bot/v3/info: no bot.open_id (is the bot capability enabled and published?)');
  return {
    openId,
    name: typeof r.bot?.app_name === 'string' ? r.bot.app_name : '',
    ...(typeof r.bot?.activate_status === 'number' ? { activateStatus: r.bot.activate_status } : {}),
  };
}

/**
 * This app's bot identity (GET /open-apis/bot/v3/info with the tenant token), cached per client
 * — one client per app — for the life of the process: a bot's open_id never changes.
 *
 * Lazy: fetched on first need, concurrent callers share one request. Bounded: a caller waits at
 * most `timeoutMs` (the look-up may go on in the background and still fill the cache). After a
 * failure it is not asked again before a backoff (baseDelayMs doubling to maxDelayMs), so a
 * Feishu outage is not hammered by every group message; a stale tenant token (99991663…) is
 * dropped so the next try gets a fresh one.
 *
 * Returns null when the identity is not known now (failure, timeout, or inside the backoff);
 * never throws. The caller decides the fallback (bot/messages.ts).
 */
export async function botIdentity(client: lark.Client, logger?: Logger): Promise<BotIdentity | null> {
  const s = identityState(client);
  if (s.value) return s.value;
  if (!s.inflight) {
    if (Date.now() < s.retryAt) return null;
    const timeoutMs = s.settings.timeoutMs;
    s.inflight = fetchBotIdentity(client, timeoutMs).then(
      (v) => {
        s.value = v;
        s.failures = 0;
        s.inflight = undefined;
        if (v.activateStatus !== undefined && v.activateStatus !== 2) logger?.warn({ activateStatus: v.activateStatus }, '机器人未处于启用状态 / bot is not activated for the tenant');
        logger?.info({ botOpenId: v.openId, appName: v.name }, 'bot identity learned');
        return v;
      },
      (e: unknown) => {
        const f = failureOf(e);
        const code = f.code ?? (e as { code?: unknown }).code;
        if (typeof code === 'number' && TOKEN_CODES.has(code)) invalidateFeishuToken(client);
        s.failures++;
        s.retryAt = Date.now() + Math.min(s.settings.maxDelayMs, s.settings.baseDelayMs * 2 ** (s.failures - 1));
        s.lastError = f.message;
        s.inflight = undefined;
        logger?.warn({ err: redactSecrets(f.message).slice(0, 300), failures: s.failures, retryInMs: s.retryAt - Date.now() }, '无法获取机器人信息 / bot info look-up failed');
        throw e;
      },
    );
    // The background promise must never be an unhandled rejection.
    s.inflight.catch(() => {});
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), s.settings.timeoutMs + 100);
  });
  try {
    return await Promise.race([s.inflight.catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The identity if it is already cached (no request). */
export function cachedBotIdentity(client: lark.Client): BotIdentity | null {
  return identities.get(client)?.value ?? null;
}
