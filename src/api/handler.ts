/**
 * One generic request pipeline for every REST-bound use case:
 *
 *   authenticate → rate limit → module switched on? → token scope → input (path + query | body)
 *   → read: invoke on the pool │ write: Idempotency-Key → unit of work (claim, invoke, store) → JSON
 *
 * Every failure is a problem+json (problem.ts). Results are serialised with src/shared/json.ts
 * (bigint fen → decimal text, Date → ISO text).
 */
import type { Context } from 'hono';
import type { AppDeps } from '../deps.js';
import { errorReference, isDomainError, unexpectedErrorText } from '../errors.js';
import { envSettingDefaults, invoke } from '../kernel/invoke.js';
import { disabledModulesSetting, settingsReader } from '../kernel/settings.js';
import { runUnitOfWork } from '../kernel/unit-of-work.js';
import { moduleOf, type AnyUseCase } from '../kernel/use-case.js';
import { moduleLabel } from '../kernel/modules.js';
import { jsonSafe } from '../shared/json.js';
import { authenticate, scopeProblem, type RestCaller } from './auth.js';
import { IDEMPOTENCY_KEY, IdempotencyKeyReused, requestHash, restClaim, restKey, type StoredResponse } from './idempotency.js';
import { domainProblem, problem, problemResponse, type Problem } from './problem.js';
import { rateLimitHeaders, type RateLimiter } from './rate-limit.js';
import { fromTextParams, referenceModeOf } from './request-input.js';
import { accessOf, bodyMethod, successStatus } from './routes.js';

/** Largest JSON body accepted (a 500-line document is far below it). */
export const MAX_BODY_BYTES = 1_000_000;

/** The token id of each authenticated request, for the request log line (never the secret). */
export const requestTokenIds = new WeakMap<Request, number>();

/** The request path as the API names it: a trailing slash is the same resource (/products/ = /products). */
export const canonicalPath = (path: string): string => path.replace(/(?<=.)\/+$/, '');

/** What the pipeline needs besides the use case. */
export interface PipelineDeps {
  deps: AppDeps;
  buckets: RateLimiter;
}

/** A problem that ends the pipeline early (thrown inside, answered by the handler). */
class Stop {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {}
}

function json(status: number, body: unknown, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } });
}

/**
 * Where JSON.parse stopped, in Chinese（第 1 行第 7 个字符附近）: the engine's English text is
 * not shown, only the position it names (or the token, or the end of the text).
 */
function jsonErrorPlace(text: string, e: unknown): string {
  const msg = e instanceof Error ? e.message : '';
  const pos = msg.match(/position (\d+)/);
  if (pos) {
    const before = text.slice(0, Number(pos[1]));
    const line = before.split('\n').length;
    return `（第 ${line} 行第 ${before.length - before.lastIndexOf('\n')} 个字符附近）`;
  }
  if (/end of JSON|Unterminated/i.test(msg)) return '（内容不完整：缺少右括号或引号？）';
  const token = msg.match(/Unexpected token '?(.)'?/);
  return token ? `（在「${token[1]}」附近）` : '';
}

/** The JSON object body of a POST/PUT/PATCH ({} when empty). */
async function readBody(c: Context, instance: string): Promise<Record<string, unknown>> {
  const length = Number(c.req.header('content-length') ?? '0');
  if (length > MAX_BODY_BYTES) throw new Stop(problem('payload_too_large', `请求体太大（最多 ${MAX_BODY_BYTES} 字节）。一张单据最多 500 行，请分几次提交。`, instance));
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) throw new Stop(problem('payload_too_large', `请求体太大（最多 ${MAX_BODY_BYTES} 字节）。一张单据最多 500 行，请分几次提交。`, instance));
  if (!text.trim()) return {};
  const type = c.req.header('content-type') ?? '';
  if (type && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new Stop(problem('unsupported_media_type', `请求体要用 JSON：请加请求头 Content-Type: application/json（收到「${type.slice(0, 60)}」）。`, instance));
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new Stop(problem('malformed_json', `请求体不是有效的 JSON${jsonErrorPlace(text, e)}：请检查引号（要用英文双引号）、逗号和括号，例如 {"lines": [{"product": "A001", "qty": "2"}]}。`, instance));
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new Stop(problem('malformed_json', '请求体必须是一个 JSON 对象，例如 {"lines": [...]}。', instance));
  }
  return body as Record<string, unknown>;
}

/**
 * A replayed answer says so in its body too when the result has a `replayed` field (postings):
 * the stored body is the first answer, written before anyone knew it would be replayed.
 */
function markReplayed(body: unknown): unknown {
  if (body && typeof body === 'object' && !Array.isArray(body) && typeof (body as { replayed?: unknown }).replayed === 'boolean') return { ...body, replayed: true };
  return body;
}

/** Path parameters merged into the input; a body naming the same field differently is refused. */
function withPathParams(input: Record<string, unknown>, params: Record<string, unknown>, instance: string): Record<string, unknown> {
  for (const [k, v] of Object.entries(params)) {
    if (k in input && input[k] !== v) {
      throw new Stop(problem('invalid_input', `「${k}」在路径里是「${String(v)}」，请求体里却是「${String(input[k])}」：请只在路径里写它。`, instance, { errors: [{ path: k, message: '与路径参数不一致' }] }));
    }
  }
  return { ...input, ...params };
}

async function checkModule(p: PipelineDeps, u: AnyUseCase, instance: string): Promise<void> {
  const settings = settingsReader(p.deps.database.db, envSettingDefaults(p.deps));
  const off = await settings.get(disabledModulesSetting);
  const mod = moduleOf(u);
  if (off.includes(mod)) throw new Stop(problem('module_disabled', `模块「${moduleLabel(mod)}」未开通，这个接口暂不可用。需要时请联系管理员开通。`, instance));
}

async function run(c: Context, p: PipelineDeps, u: AnyUseCase, caller: RestCaller, instance: string, headers: Record<string, string>): Promise<Response> {
  const { deps } = p;
  const method = u.rest!.method;
  const logger = deps.logger.child({ api: u.id, tokenId: caller.tokenId });
  const params = fromTextParams(u.input, Object.fromEntries(Object.entries(c.req.param() as Record<string, string>).map(([k, v]) => [k, [v]])));
  const body = bodyMethod(method) ? await readBody(c, instance) : null;
  const input = withPathParams(body ?? fromTextParams(u.input, c.req.queries()), params, instance);
  // Machine clients get exact references only (no fuzzy match: nobody sees an echo to reverse).
  const references = referenceModeOf(u.input, body);

  if (u.kind === 'read') {
    const value = await invoke(deps, deps.database.db, { actor: caller.actor, idempotencyKey: '', logger, references }, u, input);
    return json(successStatus(u), jsonSafe(value), headers);
  }

  const key = c.req.header('idempotency-key');
  if (key === undefined || key === '') {
    throw new Stop(problem('missing_idempotency_key', '写操作必须带请求头 Idempotency-Key（1–200 个可见 ASCII 字符，建议每个新请求用一个新的 UUID；重试时用同一个）。', instance));
  }
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new Stop(
      problem(
        'invalid_idempotency_key',
        `Idempotency-Key 不合规${key.length > 200 ? `（${key.length} 个字符，太长）` : '（含空格、中文或其他非 ASCII 字符）'}：只能用 1–200 个可见 ASCII 字符——字母、数字和 - _ . : 等符号，不能有空格。建议用 UUID，例如 7f1c6a9e-2c1b-4a53-9a57-0d1f0a4b1e21。`,
        instance,
      ),
    );
  }
  const hash = await requestHash(method, instance, body);
  const uowKey = restKey(caller.tokenId, key);
  const status = successStatus(u);
  try {
    const r = await runUnitOfWork<StoredResponse>(deps, restClaim(uowKey, hash), async (uow) => {
      const value = await invoke(deps, uow.tx, { actor: caller.actor, idempotencyKey: uowKey, logger, now: uow.now, references }, u, input);
      return { requestHash: hash, status, body: jsonSafe(value) };
    });
    return r.replayed ? json(r.value.status, markReplayed(r.value.body), { ...headers, 'Idempotent-Replayed': 'true' }) : json(r.value.status, r.value.body, headers);
  } catch (e) {
    if (e instanceof IdempotencyKeyReused) {
      throw new Stop(problem('idempotency_key_reused', `Idempotency-Key「${key}」已经用于另一个请求（请求体或路径不同）。新的请求请用新的键；重试时请求体必须完全相同。`, instance));
    }
    throw e;
  }
}

/** The Hono handler of one REST-bound use case. */
export function useCaseHandler(p: PipelineDeps, u: AnyUseCase) {
  return async (c: Context): Promise<Response> => {
    const instance = canonicalPath(c.req.path);
    let headers: Record<string, string> = {};
    try {
      const now = p.deps.now();
      const auth = await authenticate(p.deps.database, c.req.header('authorization'), now, instance);
      if (!auth.ok) return problemResponse(auth.problem, auth.headers);
      requestTokenIds.set(c.req.raw, auth.caller.tokenId);
      const rate = p.buckets.take(String(auth.caller.tokenId), now.getTime());
      headers = rateLimitHeaders(rate);
      if (!rate.allowed) {
        return problemResponse(problem('rate_limited', `请求太频繁：每个令牌最多连续 ${rate.limit} 次，之后每秒 ${rate.perSecond} 次。请 ${rate.retryAfterSeconds} 秒后重试。`, instance), headers);
      }
      await checkModule(p, u, instance);
      const denied = scopeProblem(auth.caller, moduleOf(u), accessOf(u), instance);
      if (denied) return problemResponse(denied, headers);
      return await run(c, p, u, auth.caller, instance, headers);
    } catch (e) {
      if (e instanceof Stop) return problemResponse(e.problem, { ...headers, ...e.headers });
      if (isDomainError(e)) return problemResponse(domainProblem(e, instance), headers);
      return internalError(p.deps, e, instance, u.label, headers);
    }
  };
}

/** 500 with a reference: logged with the error, shown to the client, never the stack. */
export function internalError(deps: AppDeps, e: unknown, instance: string, what: string | undefined, headers: Record<string, string> = {}): Response {
  const reference = errorReference();
  deps.logger.error({ reference, path: instance, err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e) }, 'api: unexpected error');
  return problemResponse(problem('internal', unexpectedErrorText(reference, what), instance, { reference }), headers);
}
