/**
 * Who may call: bearer tokens (missing, malformed, unknown, revoked, creator deactivated),
 * token scopes per module, the creator's role, switched-off modules, last_used_at, and the
 * per-token rate limit on an injected clock.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { createProduct, createWarehouse } from '../../src/inventory/index.js';
import { disabledModulesSetting, writeSetting } from '../../src/kernel/settings.js';
import { grantRole, identify } from '../../src/people/users.js';
import { describeDb } from '../helpers/db.js';
import { T0, useApi } from './helpers.js';

const receipt = { warehouse: '主仓库', lines: [{ product: 'A001', qty: '1', unitPrice: '1' }] };
let n = 0;
const key = () => `k-${++n}`;

describeDb('REST auth', (t) => {
  const api = useApi(t);

  async function stock() {
    const admin = await api.admin();
    await createWarehouse(t.db, admin, { name: '主仓库', makeDefault: true });
    await createProduct(t.db, admin, { name: '螺丝', sku: 'A001' });
  }

  it('401 problem without a token, with a malformed or unknown one, and after revocation', async () => {
    await stock();
    const none = await api.call('POST', '/api/v1/receipts', { key: key(), body: receipt });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="jxc-assistant"');
    expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(none.body).toMatchObject({ code: 'unauthorized', status: 401, title: '未认证', instance: '/api/v1/receipts' });
    expect(none.body.detail).toContain('Authorization: Bearer');

    const malformed = await api.call('POST', '/api/v1/receipts', { token: 'hello', key: key(), body: receipt });
    expect(malformed.status).toBe(401);
    expect(malformed.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const unknown = await api.call('POST', '/api/v1/receipts', { token: `jxc_${'A'.repeat(43)}`, key: key(), body: receipt });
    expect(unknown.status).toBe(401);
    expect(unknown.body.detail).toContain('令牌无效');
    const basic = await api.call('POST', '/api/v1/receipts', { key: key(), body: receipt, headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(401);

    const { secret } = await api.token('erp', ['inventory:write']);
    expect((await api.call('POST', '/api/v1/receipts', { token: secret!, key: key(), body: receipt })).status).toBe(201);
    await api.run('tokens.revoke', { token: 'erp' });
    const revoked = await api.call('POST', '/api/v1/receipts', { token: secret!, key: key(), body: receipt });
    expect(revoked.status).toBe(401);
    expect(revoked.body.detail).toContain('令牌「erp」已被撤销');
    expect((await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from documents`))[0].n).toBe(1);
  });

  it('acts as the creator: a deactivated creator is refused (403), a demoted one is held to the new role', async () => {
    await stock();
    const admin = await api.admin();
    await grantRole(t.db, admin, { openId: 'ou_boss2', name: '老李', role: 'admin' });
    const who = await identify(t.db, 'ou_boss2', { adminOpenIds: [] });
    if (who.kind !== 'known') throw new Error('no boss2');
    const { secret } = await api.token('li', ['inventory:write'], { actor: who.actor });

    const ok = await api.call('POST', '/api/v1/receipts', { token: secret!, key: key(), body: receipt });
    expect(ok.status).toBe(201);
    expect(ok.body.document.actorId).toBe(who.actor.userId);

    await grantRole(t.db, admin, { openId: 'ou_boss2', role: 'viewer' });
    const demoted = await api.call('POST', '/api/v1/receipts', { token: secret!, key: key(), body: receipt });
    expect(demoted.status).toBe(403);
    expect(demoted.body.code).toBe('forbidden');
    expect(demoted.body.detail).toContain('只读不能「入库」');

    await t.db.execute(sql`update users set active = false where open_id = 'ou_boss2'`);
    const inactive = await api.call('POST', '/api/v1/receipts', { token: secret!, key: key(), body: receipt });
    expect(inactive.status).toBe(403);
    expect(inactive.body.code).toBe('unknown_user');
    expect(inactive.body.detail).toContain('已被停用');
  });

  it('403 problem when the token lacks the scope; write implies read; * covers every module', async () => {
    await stock();
    const reader = (await api.token('reader', ['inventory:read'])).secret!;
    const people = (await api.token('people', ['people:write'])).secret!;
    const all = (await api.token('all', ['*:write'])).secret!;
    const r = await api.call('POST', '/api/v1/receipts', { token: reader, key: key(), body: receipt });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ code: 'insufficient_scope', title: '令牌范围不够', details: { required: 'inventory:write', scopes: ['inventory:read'] } });
    expect(r.body.detail).toContain('没有「inventory:write」范围');
    expect((await api.call('POST', '/api/v1/receipts', { token: people, key: key(), body: receipt })).status).toBe(403);
    expect((await api.call('POST', '/api/v1/receipts', { token: all, key: key(), body: receipt })).status).toBe(201);
  });

  it('a switched-off module answers 404 "模块未开通" per request, without rebuilding anything', async () => {
    await stock();
    const token = (await api.token('erp', ['inventory:write'])).secret!;
    await writeSetting(t.db, disabledModulesSetting, ['inventory'], new Date(T0));
    const off = await api.call('POST', '/api/v1/receipts', { token, key: key(), body: receipt });
    expect(off.status).toBe(404);
    expect(off.body).toMatchObject({ code: 'module_disabled', title: '模块未开通' });
    expect(off.body.detail).toContain('模块「库存」未开通');
    const doc = await api.call('GET', '/api/v1/openapi.json');
    expect(Object.keys(doc.body.paths)).not.toContain('/receipts');

    await writeSetting(t.db, disabledModulesSetting, [], new Date(T0));
    expect((await api.call('POST', '/api/v1/receipts', { token, key: key(), body: receipt })).status).toBe(201);
    expect(Object.keys((await api.call('GET', '/api/v1/openapi.json')).body.paths)).toContain('/receipts');
  });

  it('records last_used_at at most once a minute', async () => {
    await stock();
    const token = (await api.token('erp', ['inventory:write'])).secret!;
    const lastUsed = async () => (await execRows<{ at: string | Date | null }>(t.db, sql`select last_used_at as at from api_tokens`))[0].at;
    expect(await lastUsed()).toBeNull();
    await api.call('POST', '/api/v1/receipts', { token, key: key(), body: receipt });
    expect(new Date((await lastUsed())!).getTime()).toBe(T0);
    api.advance(30_000);
    await api.call('POST', '/api/v1/receipts', { token, key: key(), body: receipt });
    expect(new Date((await lastUsed())!).getTime()).toBe(T0);
    api.advance(31_000);
    await api.call('POST', '/api/v1/receipts', { token, key: key(), body: receipt });
    expect(new Date((await lastUsed())!).getTime()).toBe(T0 + 61_000);
  });
});

describeDb('REST rate limit', (t) => {
  // 2 a second, bursts of 3: small numbers so the test sends few requests.
  const api = useApi(t, { rateLimit: { perSecond: 2, burst: 3 } });

  it('answers 429 with Retry-After and RateLimit headers once a token spent its burst; refills with the clock', async () => {
    const a = (await api.token('a', ['inventory:write'])).secret!;
    const b = (await api.token('b', ['inventory:write'])).secret!;
    // A 404 document number is enough: the limit is spent before the use case runs.
    const hit = (token: string) => api.call('POST', '/api/v1/documents/RK20000101-0001/reversal', { token, key: key() });

    const first = await hit(a);
    expect(first.status).toBe(404);
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    await hit(a);
    await hit(a);
    const limited = await hit(a);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({ code: 'rate_limited', title: '请求太频繁', status: 429 });
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(limited.body.detail).toContain('1 秒后重试');

    // Per token: b still has its burst.
    expect((await hit(b)).status).toBe(404);

    api.advance(499);
    expect((await hit(a)).status).toBe(429);
    api.advance(1);
    expect((await hit(a)).status).toBe(404); // 500 ms at 2/s = one request
    expect((await hit(a)).status).toBe(429);
    api.advance(10_000);
    const full = await hit(a);
    expect(full.status).toBe(404);
    expect(full.headers.get('ratelimit-remaining')).toBe('2'); // refilled to the burst, not beyond
  });
});
