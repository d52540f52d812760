/**
 * Errors of the REST API as RFC 9457 problem details (`application/problem+json`):
 *
 *   { "type": "tag:jxc-assistant,2026:problem/insufficient_stock", "title": "库存不足",
 *     "status": 409, "code": "insufficient_stock", "detail": "<the Chinese message>",
 *     "instance": "/api/v1/issues", … }
 *
 * `detail` is the same Chinese message chat shows (what was wrong and how to write it);
 * `code` is stable (a DomainError code, or one of the adapter's own below) and is what clients
 * branch on. Extensions: `errors` (invalid_input: one entry per field, path + Chinese message),
 * `candidates` (ambiguous), `details` (structured facts of the error, e.g. available stock;
 * never cost figures), `reference` (500: quote it to the admin; it is in the log).
 */
import { z } from 'zod';
import type { DomainError, DomainErrorCode } from '../errors.js';
import { inputErrors, type InputError } from '../kernel/validate.js';
import { jsonSafe } from '../shared/json.js';

/** Codes of errors the REST adapter raises itself (besides DomainError codes). */
export type ApiErrorCode =
  | 'unauthorized'
  | 'insufficient_scope'
  | 'module_disabled'
  | 'malformed_json'
  | 'malformed_request'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'missing_idempotency_key'
  | 'invalid_idempotency_key'
  | 'idempotency_key_reused'
  | 'rate_limited'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'internal';

export type ProblemCode = DomainErrorCode | ApiErrorCode;

const STATUS: Record<ProblemCode, number> = {
  invalid_input: 422,
  not_found: 404,
  ambiguous: 409,
  conflict: 409,
  already_reversed: 409,
  stale: 409,
  insufficient_stock: 409,
  needs_confirmation: 409,
  forbidden: 403,
  unknown_user: 403,
  unauthorized: 401,
  insufficient_scope: 403,
  module_disabled: 404,
  malformed_json: 400,
  malformed_request: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  missing_idempotency_key: 400,
  invalid_idempotency_key: 400,
  idempotency_key_reused: 422,
  rate_limited: 429,
  route_not_found: 404,
  method_not_allowed: 405,
  internal: 500,
};

const TITLE: Record<ProblemCode, string> = {
  invalid_input: '输入有误',
  not_found: '找不到',
  ambiguous: '有多个匹配',
  conflict: '与现有数据冲突',
  already_reversed: '已经红冲过',
  stale: '数据已变化',
  insufficient_stock: '库存不足',
  needs_confirmation: '需要确认',
  forbidden: '没有权限',
  unknown_user: '用户未授权',
  unauthorized: '未认证',
  insufficient_scope: '令牌范围不够',
  module_disabled: '模块未开通',
  malformed_json: '请求体不是有效的 JSON',
  malformed_request: '请求无法解析',
  unsupported_media_type: '请求体类型不支持',
  payload_too_large: '请求体太大',
  missing_idempotency_key: '缺少 Idempotency-Key',
  invalid_idempotency_key: 'Idempotency-Key 不合规',
  idempotency_key_reused: 'Idempotency-Key 已用于另一个请求',
  rate_limited: '请求太频繁',
  route_not_found: '没有这个接口',
  method_not_allowed: '不支持这个方法',
  internal: '服务器内部错误',
};

/** Every problem code with its HTTP status (README and tests list them from here). */
export const PROBLEM_STATUS: Readonly<Record<ProblemCode, number>> = STATUS;

/** `type` of a problem: a tag URI (RFC 4151), stable and not meant to be fetched. */
export const problemType = (code: ProblemCode) => `tag:jxc-assistant,2026:problem/${code}`;

export const problemSchema = z
  .object({
    type: z.string().describe('问题类型（tag URI，按 code 区分）'),
    title: z.string().describe('简短标题'),
    status: z.number().int().describe('HTTP 状态码'),
    detail: z.string().describe('中文说明：哪里不对、应该怎么写'),
    code: z.enum(Object.keys(STATUS) as [ProblemCode, ...ProblemCode[]]).describe('稳定的错误代码（按它判断，不要按 detail 的文字）'),
    instance: z.string().describe('出错的请求路径'),
    errors: z
      .array(z.object({ path: z.string().describe('字段路径，例如 lines.0.qty'), message: z.string().describe('中文说明') }))
      .optional()
      .describe('invalid_input：逐个字段的问题'),
    candidates: z.array(z.record(z.string(), z.unknown())).optional().describe('ambiguous：可能的匹配'),
    details: z.record(z.string(), z.unknown()).optional().describe('结构化信息，例如可用库存'),
    reference: z.string().optional().describe('500：参考编号，请发给管理员'),
  })
  .describe('RFC 9457 problem details');

export type Problem = z.infer<typeof problemSchema>;

/** A problem+json response. `headers` adds e.g. Retry-After or WWW-Authenticate. */
export function problemResponse(p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(p), { status: p.status, headers: { 'Content-Type': 'application/problem+json; charset=utf-8', ...headers } });
}

/** A problem of `code` with a Chinese `detail`. */
export function problem(code: ProblemCode, detail: string, instance: string, extra: Partial<Problem> = {}): Problem {
  return { type: problemType(code), title: TITLE[code], status: STATUS[code], detail, code, instance, ...extra };
}

// Keys that may carry cost or money figures: not every REST caller may see cost (cost.view).
const COSTLY = /fen|cost|price|value|amount/i;

function candidateView(c: unknown): Record<string, unknown> {
  const o = (c ?? {}) as Record<string, unknown>;
  const keep = ['id', 'sku', 'code', 'name', 'model', 'spec', 'prefix'];
  return Object.fromEntries(keep.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

function safeDetails(d: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!d) return undefined;
  const out = Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'issues' && k !== 'errors' && k !== 'candidates' && !COSTLY.test(k)));
  return Object.keys(out).length ? (jsonSafe(out) as Record<string, unknown>) : undefined;
}

/** A DomainError as a problem: the Chinese message is the detail; see the file comment for extensions. */
export function domainProblem(e: DomainError, instance: string): Problem {
  const p = problem(e.code, e.message, instance);
  // `errors` are the very messages `detail` was made of (kernel inputErrors), never a second wording.
  const errors = e.details?.errors;
  const issues = e.details?.issues;
  if (e.code === 'invalid_input' && Array.isArray(errors)) p.errors = errors as InputError[];
  else if (e.code === 'invalid_input' && Array.isArray(issues)) p.errors = inputErrors(issues as z.core.$ZodIssue[]);
  // A refusal about one line of a document (src/inventory/line-errors.ts): point at it.
  else if (typeof e.details?.line === 'number') p.errors = [{ path: `lines.${e.details.line - 1}`, message: e.message }];
  const candidates = e.details?.candidates;
  if (Array.isArray(candidates)) p.candidates = candidates.map(candidateView);
  const details = safeDetails(e.details);
  if (details) p.details = details;
  return p;
}
