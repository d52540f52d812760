/**
 * The OpenAPI 3.1 document of /api/v1, generated from the use-case registry: the same zod
 * schemas the kernel validates with (input → parameters and request body, `output` → the
 * success response), so the document cannot drift from what the API accepts.
 *
 * Generated on the first request for it (tens of milliseconds) and kept for the process or
 * isolate: Workers build the app per request, so building it eagerly would cost every request.
 * Then filtered per request: operations of switched-off modules are left out. A schema that
 * cannot be published is a RegistryError naming the use case (test/api/openapi.test.ts
 * generates the application's document, so CI catches it before a client does).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { RegistryError, type UseCaseRegistry } from '../kernel/use-case-registry.js';
import { moduleOf, type AnyUseCase } from '../kernel/use-case.js';
import { moduleLabel } from '../kernel/modules.js';
import { permissionLabel } from '../people/roles.js';
import { problemSchema } from './problem.js';
import { isStrictObject, objectShape } from './request-input.js';
import { accessOf, bodyMethod, pathParams, successStatus } from './routes.js';

type Doc = ReturnType<OpenAPIHono['getOpenAPI31Document']>;
type RouteConfig = Parameters<OpenAPIHono['openAPIRegistry']['registerPath']>[0];
/** `{ $ref: '#/components/schemas/Problem' }`. */
type ProblemRef = { $ref: string };

const idempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(200)
    .describe('必填（写操作）：1–200 个可见 ASCII 字符，建议 UUID。同一个键重发同一请求会得到第一次的结果（响应头 Idempotent-Replayed: true），不会重复记账；同一个键用于不同的请求体 → 422。'),
});

const DESCRIPTION = `进销存助手的 REST API。与飞书里的聊天命令、卡片是同一套用例：权限、校验和中文提示完全一致。

- 认证：\`Authorization: Bearer jxc_…\`。令牌由管理员在飞书里发「令牌 新建 <名称> <范围>」创建，只显示一次；按模块授予 \`<模块>:read\` / \`<模块>:write\`（写包含读）。令牌代表创建它的管理员，其角色权限仍然生效。
- 写操作必须带 \`Idempotency-Key\` 请求头：重发同一请求不会重复记账。
- 输入：金额用元（文本，最多两位小数）；单价用元（文本，最多 6 位小数），按数量所写的单位计，或写明单位 \`"6.5/箱"\`；数量用十进制文本，千位分隔可写 \`"1,000"\`，小数用点号。
- 返回：以 \`Fen\` 结尾的金额字段是**整分**（整数，以文本表示，\`"125000"\` = ¥1250.00）；单价字段（\`purchasePriceFen\`、\`salePriceFen\`、\`unitCost\`、\`avgCost\`、\`enteredUnitPrice\`）是**分/基本单位**，最多 6 位小数（\`"35"\` = ¥0.35，\`"0.2"\` = ¥0.002）；数量是基本单位的十进制文本。
- 入库行不写单价也不写金额时，按商品的进价计价；商品没有进价则按当前平均成本（新商品为 0）。
- 引用（商品、仓库）只做精确匹配：JSON 里写 id（整数）或文本（SKU、条码、仓库编码或完整名称，不区分大小写）；不做模糊或拼音匹配——找不到返回 404 \`not_found\`（\`candidates\` 是相近的记录），多个完全匹配返回 409 \`ambiguous\`。网址（路径、查询参数）里的纯数字先按编码/条码精确匹配，没有匹配再按 id。
- 网址里的中文、空格要做百分号编码（\`?q=%E7%AC%94\` 表示「笔」）。
- 错误按 RFC 9457 返回 \`application/problem+json\`：\`code\` 是稳定的错误代码，\`detail\` 是中文说明。
- 限流：每个令牌突发 30 次，之后每秒 10 次（每个服务实例分别计算）；响应头 RateLimit-Limit / RateLimit-Remaining / RateLimit-Reset，超出返回 429 与 Retry-After。`;

const int = { type: 'integer' } as const;
const rateLimitHeaders = {
  'RateLimit-Limit': { description: '突发上限：令牌桶大小（次）', schema: int },
  'RateLimit-Remaining': { description: '桶里还剩几次', schema: int },
  'RateLimit-Reset': { description: '多少秒后桶重新装满', schema: int },
};
const replayedHeader = {
  'Idempotent-Replayed': { description: '"true"：同一个 Idempotency-Key 的重放，返回第一次的结果，没有重复记账（响应体里的 replayed 也是 true）', schema: { type: 'string', enum: ['true'] } },
};
/** Headers of error responses by status (on top of the RateLimit-* that every authenticated answer has). */
const problemHeaders: Record<number, Record<string, unknown>> = {
  401: { 'WWW-Authenticate': { description: 'Bearer realm="jxc-assistant"；令牌无效时带 error="invalid_token"，格式不对时 error="invalid_request"', schema: { type: 'string' } } },
  405: { Allow: { description: '这个路径支持的方法，例如 "GET, PATCH"', schema: { type: 'string' } } },
  429: { ...rateLimitHeaders, 'Retry-After': { description: '多少秒后可以重试', schema: int } },
};

/**
 * Money fields by name (results are generated from several modules' schemas; the rule is the
 * API's): `…Fen` amounts are whole fen, unit prices are fen per BASE unit with up to 6 decimals.
 */
const UNIT_PRICE_FIELDS = new Set(['purchasePriceFen', 'salePriceFen', 'unitCost', 'avgCost', 'enteredUnitPrice', 'unitCostFen']);
const UNIT_PRICE_TEXT = '单价：分/基本单位，最多 6 位小数（文本，"35" = ¥0.35/基本单位，"0.2" = ¥0.002）';
const AMOUNT_TEXT = '金额：整分（整数，以文本表示，"125000" = ¥1250.00）';

/** Sets the precise money wording on every property named like money (see above), keeping any extra note. */
function describeMoney(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach(describeMoney);
  const o = node as Record<string, unknown>;
  const props = o.properties as Record<string, Record<string, unknown>> | undefined;
  if (props && typeof props === 'object') {
    for (const [name, prop] of Object.entries(props)) {
      if (!prop || typeof prop !== 'object' || '$ref' in prop) continue;
      const text = UNIT_PRICE_FIELDS.has(name) ? UNIT_PRICE_TEXT : name.endsWith('Fen') ? AMOUNT_TEXT : null;
      if (!text) continue;
      const own = typeof prop.description === 'string' && !/^分/.test(prop.description) ? prop.description : '';
      prop.description = own && !own.includes(text) ? `${text}；${own}` : text;
    }
  }
  for (const v of Object.values(o)) describeMoney(v);
}

function problems(codes: number[], problemRef: ProblemRef) {
  const content = { 'application/problem+json': { schema: problemRef } };
  const what: Record<number, string> = {
    400: '请求格式不对（JSON 无效、缺少或不合规的 Idempotency-Key）',
    401: '缺少令牌、令牌无效或已撤销',
    403: '令牌范围不够，或用户没有这个权限',
    404: '找不到（单号、商品…），或模块未开通',
    409: '与现有数据冲突：库存不足、已红冲、有多个匹配（candidates）、需要确认',
    413: '请求体太大',
    405: '这个路径不支持所用的方法（见 Allow）',
    415: '请求体不是 JSON',
    422: '输入有误（errors 逐项说明），或 Idempotency-Key 已用于另一个请求',
    429: '请求太频繁（见 Retry-After）',
    500: '服务器内部错误（reference 为参考编号）',
  };
  // 401 comes before the token is known, 405 before any route: no rate-limit headers there.
  const headersOf = (c: number) => problemHeaders[c] ?? (c === 401 || c === 405 ? undefined : rateLimitHeaders);
  return Object.fromEntries(codes.map((c) => [c, { description: what[c], headers: headersOf(c), content }]));
}

/** The route config of one REST-bound use case (see routes.ts for the HTTP rules). */
function routeOf(u: AnyUseCase, problemRef: ProblemRef): RouteConfig {
  const rest = u.rest!;
  const params = pathParams(rest.path);
  const shape = objectShape(u.input);
  const rest_ = shape ? Object.fromEntries(Object.entries(shape).filter(([k]) => !params.includes(k))) : null;
  const access = accessOf(u);
  const request: Record<string, unknown> = {};
  if (params.length) request.params = z.object(Object.fromEntries(params.map((p) => [p, shape?.[p] ?? z.string()])));
  if (bodyMethod(rest.method)) {
    const body = rest_ ? (isStrictObject(u.input) ? z.strictObject(rest_) : z.object(rest_)) : u.input;
    request.body = { required: true, content: { 'application/json': { schema: body } } };
  } else if (rest_ && Object.keys(rest_).length) {
    request.query = z.object(rest_);
  }
  if (access === 'write') request.headers = idempotencyHeader;
  const status = successStatus(u);
  return {
    method: rest.method,
    path: rest.path,
    operationId: u.id,
    tags: [moduleOf(u)],
    summary: u.label,
    description: `${u.summary}\n\n需要令牌范围 \`${moduleOf(u)}:${access}\`；令牌的创建者需要「${permissionLabel(u.permission)}」权限。`,
    request,
    responses: {
      [status]: {
        description: u.summary,
        headers: access === 'write' ? { ...rateLimitHeaders, ...replayedHeader } : rateLimitHeaders,
        content: { 'application/json': { schema: u.output ?? z.unknown() } },
      },
      ...problems(access === 'write' ? [400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500] : [401, 403, 404, 405, 409, 422, 429, 500], problemRef),
    },
  } as RouteConfig;
}

function generate(list: readonly AnyUseCase[], modules: readonly string[], version: string): Doc {
  const app = new OpenAPIHono();
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: '令牌：jxc_ 开头，管理员在飞书里发「令牌 新建 <名称> <范围>」创建',
  });
  // One component, referenced by every error response (and generated once).
  // Registered as JSON Schema, not with registry.register: that needs the `.openapi()` method
  // @hono/zod-openapi adds to zod schemas, which a schema built before that module loaded
  // (problem.ts is imported early by the handler) does not have.
  const { $schema: _drop, ...problemJson } = z.toJSONSchema(problemSchema) as Record<string, unknown>;
  const problemRef = app.openAPIRegistry.registerComponent('schemas', 'Problem', problemJson as never).ref;
  for (const u of list) app.openAPIRegistry.registerPath(routeOf(u, problemRef));
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: '进销存助手 REST API', version, description: DESCRIPTION },
    servers: [{ url: '/api/v1' }],
    security: [{ bearerAuth: [] }],
    tags: modules.map((m) => ({ name: m, description: moduleLabel(m) })),
  });
}

/**
 * zod-to-openapi writes a regex with flags as its toString ("^…$/u"): cut the "/flags" it
 * appends (a "/" inside a pattern's source is always escaped, so the last unescaped one is it).
 */
function fixPatterns(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach(fixPatterns);
  const o = node as Record<string, unknown>;
  if (typeof o.pattern === 'string') o.pattern = o.pattern.replace(/(?<!\\)\/[dgimsuvy]+$/, '');
  for (const v of Object.values(o)) fixPatterns(v);
}

/** zod-to-openapi throws plain objects ({ message, data }) as well as Errors. */
function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  const m = (e as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m : JSON.stringify(e);
}

/** The document of every REST-bound use case, plus which module each operation belongs to. */
export interface ApiDocument {
  doc: Doc;
  /** Filtered copy without the operations of `disabled` modules, with `serverUrl` as the server. */
  view(disabled: readonly string[], serverUrl: string): Doc;
}

let cached: { version: string; bound: readonly AnyUseCase[]; document: ApiDocument } | undefined;

/**
 * The document of `registry`, generated once per process/isolate for the same use cases and
 * version (the use-case definitions are module constants, so every per-request registry of
 * Workers lists the same objects).
 */
export function apiDocumentOf(registry: UseCaseRegistry, version: string): ApiDocument {
  const bound = registry.all().filter((u) => u.rest);
  const same = cached && cached.version === version && cached.bound.length === bound.length && cached.bound.every((u, i) => u === bound[i]);
  if (!same) cached = { version, bound, document: buildApiDocument(registry, version) };
  return cached!.document;
}

/**
 * Generate and check the document (throws RegistryError naming a use case whose schemas
 * cannot be published).
 */
export function buildApiDocument(registry: UseCaseRegistry, version: string): ApiDocument {
  const bound = registry.all().filter((u) => u.rest);
  const modules = [...new Set(bound.map(moduleOf))];
  let doc: Doc;
  try {
    doc = generate(bound, modules, version);
  } catch (e) {
    for (const u of bound) {
      try {
        generate([u], [moduleOf(u)], version);
      } catch (inner) {
        throw new RegistryError(`use case "${u.id}": its schemas cannot be published in OpenAPI (${describe(inner)})`);
      }
    }
    throw e;
  }
  fixPatterns(doc);
  describeMoney(doc);
  const moduleOfOperation = new Map(bound.map((u) => [u.id, moduleOf(u)]));
  return {
    doc,
    view(disabled, serverUrl) {
      const off = new Set(disabled);
      const paths: Record<string, Record<string, unknown>> = {};
      for (const [path, item] of Object.entries(doc.paths ?? {})) {
        const kept = Object.fromEntries(
          Object.entries(item as Record<string, { operationId?: string }>).filter(([, op]) => !off.has(moduleOfOperation.get(op?.operationId ?? '') ?? '')),
        );
        if (Object.keys(kept).length) paths[path] = kept;
      }
      return { ...doc, servers: [{ url: serverUrl }], paths, tags: (doc.tags ?? []).filter((t) => !off.has(t.name)) } as Doc;
    },
  };
}
