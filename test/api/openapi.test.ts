/**
 * The generated side: the OpenAPI 3.1 document covers every REST-bound use case of the
 * registry and is structurally valid; /api/docs serves the reference page; GET query strings
 * and path parameters are typed by the input schema (pagination, arrays, booleans); an
 * unexpected error is a 500 problem with a reference and no stack.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { fromTextParams } from '../../src/api/request-input.js';
import { PROBLEM_STATUS } from '../../src/api/problem.js';
import { pageInput } from '../../src/kernel/canonical.js';
import { buildUseCaseRegistry, RegistryError } from '../../src/kernel/use-case-registry.js';
import { defineUseCase, type AnyUseCase } from '../../src/kernel/use-case.js';
import { buildApiDocument } from '../../src/api/openapi.js';
import { ALL_USE_CASES } from '../../src/use-cases.js';
import { describeDb } from '../helpers/db.js';
import { useApi } from './helpers.js';

const echoInput = z.strictObject({
  ...pageInput,
  sku: z.array(z.string()).max(5).optional(),
  ids: z.array(z.number().int()).optional(),
  archived: z.boolean().default(false),
  minQty: z.number().optional(),
  warehouse: z.union([z.number().int().positive(), z.string()]).optional(),
  kind: z.enum(['a', 'b']).optional(),
});

/** A read use case with query parameters (the list use cases of other modules look like this). */
const echoList = defineUseCase({
  id: 'inventory.echo-list',
  kind: 'read',
  permission: 'stock.view',
  label: '回显',
  summary: '测试用：返回收到的输入',
  input: echoInput,
  output: z.object({ items: z.array(z.unknown()), nextCursor: z.string().nullable() }),
  rest: { method: 'get', path: '/echo' },
  run: async (_ctx, i) => ({ items: [i], nextCursor: null }),
});

const echoOne = defineUseCase({
  id: 'inventory.echo-one',
  kind: 'read',
  permission: 'stock.view',
  label: '回显一项',
  summary: '测试用：路径参数按类型转换',
  input: z.strictObject({ id: z.number().int().positive(), verbose: z.boolean().default(false) }),
  rest: { method: 'get', path: '/echo/{id}' },
  run: async (_ctx, i) => i,
});

const boom = defineUseCase({
  id: 'inventory.boom',
  kind: 'write',
  permission: 'stock.receive',
  label: '爆炸',
  summary: '测试用：意外错误',
  input: z.strictObject({}),
  rest: { method: 'post', path: '/boom' },
  run: async () => {
    throw new Error('secret internals at db.ts:42');
  },
});

const registry = () => buildUseCaseRegistry([...ALL_USE_CASES, echoList, echoOne, boom]);

describe('query strings → input', () => {
  it('types values by the schema: numbers, booleans, repeated keys as arrays, text stays text, empty is absent', () => {
    const out = fromTextParams(echoInput, {
      limit: ['20'],
      cursor: [''],
      sku: ['A', 'B'],
      'ids[]': ['1', '2'],
      archived: ['是'],
      minQty: ['1.5'],
      warehouse: ['12'],
      kind: ['a'],
    });
    expect(out).toEqual({ limit: '20', sku: ['A', 'B'], ids: [1, 2], archived: true, minQty: 1.5, warehouse: '12', kind: 'a' });
    expect(echoInput.parse(out)).toMatchObject({ limit: 20, archived: true });
    expect(fromTextParams(echoInput, { sku: ['A'], archived: ['false'], minQty: ['x'] })).toEqual({ sku: ['A'], archived: false, minQty: 'x' });
    expect(fromTextParams(echoInput, { limit: ['1', '2'] })).toEqual({ limit: ['1', '2'] });
  });
});

type Op = { operationId: string; parameters?: { name: string; in: string; required?: boolean }[]; requestBody?: { content: Record<string, unknown> }; responses: Record<string, { content?: Record<string, unknown> }>; security?: unknown };

/** Structural checks of an OpenAPI 3.1 document (what a consumer relies on). */
function expectValidOpenApi31(doc: any) {
  expect(doc.openapi).toBe('3.1.0');
  expect(typeof doc.info.title).toBe('string');
  expect(typeof doc.info.version).toBe('string');
  expect(doc.components.securitySchemes.bearerAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
  for (const req of doc.security) for (const name of Object.keys(req)) expect(doc.components.securitySchemes).toHaveProperty(name);
  const ids = new Set<string>();
  for (const [path, item] of Object.entries<Record<string, Op>>(doc.paths)) {
    expect(path.startsWith('/')).toBe(true);
    const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item)) {
      expect(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']).toContain(method);
      expect(ids.has(op.operationId)).toBe(false);
      ids.add(op.operationId);
      const params = op.parameters ?? [];
      for (const p of params) expect(['query', 'header', 'path', 'cookie']).toContain(p.in);
      expect(new Set(params.map((p) => `${p.in}:${p.name}`)).size).toBe(params.length);
      for (const name of templated) expect(params).toContainEqual(expect.objectContaining({ name, in: 'path', required: true }));
      for (const p of params.filter((x) => x.in === 'path')) expect(templated).toContain(p.name);
      expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      for (const code of Object.keys(op.responses)) expect(code).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
    }
  }
  // Every $ref points at a component that exists.
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const o = node as Record<string, unknown>;
    if (typeof o.$ref === 'string') {
      const m = o.$ref.match(/^#\/components\/(\w+)\/(.+)$/);
      expect(m, o.$ref).not.toBeNull();
      expect(doc.components[m![1]]).toHaveProperty(m![2]);
    }
    // Patterns are ECMA-262 regexes in unicode mode (no "/u" tail from a regex's toString).
    if (typeof o.pattern === 'string') expect(() => new RegExp(o.pattern as string, 'u')).not.toThrow();
    if (typeof o.pattern === 'string') expect(o.pattern).not.toMatch(/\/[a-z]+$/);
    Object.values(o).forEach(walk);
  };
  walk(doc);
}

/** Error log lines, for the 500 test. */
const errors: { obj: unknown; msg?: string }[] = [];
const capture: Logger = { ...silentLogger, error: (obj, msg) => void errors.push({ obj, msg }), child: () => capture };

describeDb('OpenAPI document and reference page', (t) => {
  const api = useApi(t, { useCases: registry(), logger: capture });

  it('GET /api/v1/openapi.json: valid 3.1 with every REST-bound use case of the registry', async () => {
    const r = await api.call('GET', '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.body;
    expectValidOpenApi31(doc);
    expect(doc.servers).toEqual([{ url: '/api/v1' }]);
    const bound = api.useCases.all().filter((u) => u.rest);
    expect(bound.length).toBeGreaterThanOrEqual(7);
    for (const u of bound) {
      const op = doc.paths[u.rest!.path]?.[u.rest!.method] as Op | undefined;
      expect(op, u.id).toBeDefined();
      expect(op!.operationId).toBe(u.id);
      const hasKey = (op!.parameters ?? []).some((p) => p.in === 'header' && p.name === 'Idempotency-Key' && p.required);
      expect(hasKey, u.id).toBe(u.kind === 'write');
      const success = Object.keys(op!.responses).find((c) => c.startsWith('2'))!;
      expect(op!.responses[success].content).toHaveProperty(['application/json']);
      expect(op!.responses['401'].content).toHaveProperty(['application/problem+json']);
    }
    // Not REST-bound: absent (tokens are managed in chat only).
    expect(JSON.stringify(doc.paths)).not.toContain('tokens.');
    const receipts = doc.paths['/receipts'].post;
    expect(receipts.requestBody.content['application/json'].schema.properties.lines.items.required).toEqual(['product', 'qty']);
    expect(receipts.responses['201'].content['application/json'].schema.properties.document).toBeDefined();
    const reversal = doc.paths['/documents/{docNo}/reversal'].post;
    expect(Object.keys(reversal.requestBody.content['application/json'].schema.properties)).not.toContain('docNo');
    const echo = doc.paths['/echo'].get;
    expect(echo.requestBody).toBeUndefined();
    expect(echo.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['cursor', 'limit', 'sku', 'archived']));
    expect(echo.parameters.find((p: { name: string }) => p.name === 'limit').schema).toMatchObject({ type: 'integer', maximum: 500 });
    // The problem schema is published.
    expect(doc.components.schemas.Problem ?? receipts.responses['422'].content['application/problem+json'].schema).toBeDefined();
  });

  it('GET /api/docs serves the reference page pointing at the document', async () => {
    const r = await api.call('GET', '/api/docs');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.text).toMatch(/<html/i);
    expect(r.text).toContain('/api/v1/openapi.json');
  });

  it('GET queries and path parameters reach the use case typed; list results pass through', async () => {
    const token = (await api.token('bi', ['inventory:read'])).secret!;
    const r = await api.call('GET', '/api/v1/echo?limit=20&sku=A&sku=B&archived=true&warehouse=WH01', { token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ items: [{ limit: 20, sku: ['A', 'B'], archived: true, warehouse: 'WH01' }], nextCursor: null });
    const defaults = await api.call('GET', '/api/v1/echo', { token });
    expect(defaults.body.items[0]).toEqual({ limit: 50, archived: false });
    const bad = await api.call('GET', '/api/v1/echo?limit=9999&colour=red', { token });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toContain('「每页条数」');
    expect(bad.body.errors.map((e: { message: string }) => e.message).join()).toContain('colour');
    const one = await api.call('GET', '/api/v1/echo/7?verbose=1', { token });
    expect(one.body).toEqual({ id: 7, verbose: true });
    const notId = await api.call('GET', '/api/v1/echo/abc', { token });
    expect(notId.status).toBe(422);
    // Reads need no Idempotency-Key, and a read scope is enough for them.
    expect(r.headers.get('Idempotent-Replayed')).toBeNull();
  });

  it('an unexpected error is a 500 problem with a reference, logged, never the stack; nothing is stored', async () => {
    const token = (await api.token('w', ['inventory:write'])).secret!;
    const r = await api.call('POST', '/api/v1/boom', { token, key: 'b1', body: {} });
    expect(r.status).toBe(500);
    expect(r.body).toMatchObject({ code: 'internal', status: 500 });
    expect(r.body.reference).toMatch(/^E[0-9A-Z]{5}$/);
    expect(r.body.detail).toContain(r.body.reference);
    expect(r.text).not.toContain('secret internals');
    expect(r.text).not.toContain('db.ts');
    const logged = errors.find((e) => JSON.stringify(e.obj).includes(r.body.reference));
    expect(JSON.stringify(logged?.obj)).toContain('secret internals');
    expect(await execRows(t.db, sql`select 1 from processed_events`)).toHaveLength(0);
  });
});

describe('building the document', () => {
  it('a use case that cannot be published in OpenAPI is a RegistryError naming it', () => {
    const odd = defineUseCase({
      id: 'inventory.odd',
      kind: 'read',
      permission: 'stock.view',
      label: '怪',
      summary: '测试用：不能发布的输入',
      input: z.strictObject({ when: z.custom<Date>(() => true) }),
      rest: { method: 'get', path: '/odd' },
      run: async () => ({}),
    }) as AnyUseCase;
    const broken = buildUseCaseRegistry([...ALL_USE_CASES, odd]);
    expect(() => buildApiDocument(broken, 'test')).toThrow(RegistryError);
    expect(() => buildApiDocument(broken, 'test')).toThrow(/use case "inventory\.odd": its schemas cannot be published/);
    expect(() => buildApiDocument(buildUseCaseRegistry(ALL_USE_CASES), 'test')).not.toThrow();
  });

  it('every problem code has a 4xx/5xx status', () => {
    for (const [code, status] of Object.entries(PROBLEM_STATUS)) expect(status, code).toBeGreaterThanOrEqual(400);
  });
});
