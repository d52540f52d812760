/**
 * API tokens: scopes, creation (shown once, stored hashed), replays without the secret,
 * listing, revoking, audit rows — and the secret never lands in processed_events, the outbox
 * or the audit log.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { IdempotencyKeyReused, requestHash, restClaim } from '../../src/api/idempotency.js';
import { DomainError } from '../../src/errors.js';
import { createProduct, createWarehouse } from '../../src/inventory/index.js';
import { invoke } from '../../src/kernel/invoke.js';
import { runUnitOfWork } from '../../src/kernel/unit-of-work.js';
import { silentLogger } from '../../src/log.js';
import { forReplay, hashToken, parseScopes, scopeAllows, describeScopes, SCOPE_MODULES } from '../../src/people/tokens.js';
import { grantRole } from '../../src/people/users.js';
import { describeDb } from '../helpers/db.js';
import { useApi } from './helpers.js';

async function domainError(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError, got success');
}

describe('scopes', () => {
  it('normalises English and Chinese, write implies read, wildcards absorb', () => {
    expect(parseScopes(['inventory:read'])).toEqual(['inventory:read']);
    expect(parseScopes(['库存:写', '库存：读', '人员:只读'])).toEqual(['inventory:write', 'people:read']);
    expect(parseScopes(['inventory:read, people:read 销售:读写'])).toEqual(['inventory:read', 'people:read', 'sales:write']);
    expect(parseScopes(['全部:读', 'inventory:read', 'sales:write'])).toEqual(['*:read', 'sales:write']);
    expect(parseScopes(['*:write', 'inventory:read'])).toEqual(['*:write']);
  });

  it('refuses unknown scopes naming them and listing the valid ones', () => {
    const e = (() => {
      try {
        parseScopes(['inventory:delete', 'warehouse:read']);
      } catch (err) {
        return err as DomainError;
      }
      throw new Error('accepted');
    })();
    expect(e.code).toBe('invalid_input');
    expect(e.message).toContain('「inventory:delete」');
    expect(e.message).toContain('「warehouse:read」');
    expect(e.message).toContain('库存（inventory）');
    expect(e.message).toContain('*（全部模块）');
    expect(() => parseScopes([' , '])).toThrow(/至少写一个范围/);
  });

  it('checks access: write implies read, * covers every module', () => {
    expect(scopeAllows(['inventory:write'], 'inventory', 'read')).toBe(true);
    expect(scopeAllows(['inventory:read'], 'inventory', 'write')).toBe(false);
    expect(scopeAllows(['inventory:read'], 'people', 'read')).toBe(false);
    expect(scopeAllows(['*:read'], 'people', 'read')).toBe(true);
    expect(scopeAllows(['*:read'], 'people', 'write')).toBe(false);
    expect(scopeAllows(['*:write'], 'sales', 'write')).toBe(true);
    expect(describeScopes(['inventory:write', 'people:read'])).toBe('库存：读写；人员：只读');
  });

  it('forReplay drops a shown-once secret and leaves other results alone', () => {
    expect(forReplay({ token: { id: 1 }, secret: 'jxc_x', notice: 'n' })).toMatchObject({ token: { id: 1 }, secret: null });
    expect(forReplay({ document: { id: 1 } })).toEqual({ document: { id: 1 } });
    expect(forReplay(null)).toBeNull();
  });
});

describeDb('API tokens', (t) => {
  const api = useApi(t);

  it('creates a token shown once: jxc_ + 43 base64url chars, stored as its SHA-256 with an 8-char prefix', async () => {
    const created = await api.token('erp', ['库存:写', 'people:read']);
    expect(created.secret).toMatch(/^jxc_[A-Za-z0-9_-]{43}$/);
    expect(created.token).toMatchObject({ name: 'erp', scopes: ['inventory:write', 'people:read'], scopeText: '库存：读写；人员：只读', userName: '管理员' });
    expect(created.token.prefix).toBe(`${created.secret!.slice(0, 12)}…`);
    const [row] = await execRows<{ token_hash: string; prefix: string; created_at: Date | string }>(t.db, sql`select token_hash, prefix, created_at from api_tokens`);
    expect(row.token_hash).toBe(await hashToken(created.secret!));
    expect(row.prefix).toBe(created.secret!.slice(4, 12));
    expect(new Date(row.created_at).toISOString()).toBe('2026-11-25T01:00:00.000Z'); // the injected clock
    expect(created.notice).toContain('只显示这一次');
  });

  it('a replay of the creation (same idempotency key) answers "already created" without the secret and creates nothing', async () => {
    const first = await api.token('erp', ['inventory:read'], { idempotencyKey: 'msg:om_1' });
    const again = await api.token('erp', ['inventory:read'], { idempotencyKey: 'msg:om_1' });
    expect(first.secret).toMatch(/^jxc_/);
    expect(again.secret).toBeNull();
    expect(again.token.id).toBe(first.token.id);
    expect(again.notice).toContain('不会再显示');
    expect(await execRows(t.db, sql`select 1 from api_tokens`)).toHaveLength(1);
  });

  it('refuses a duplicate active name, bad names and bad scopes with Chinese messages', async () => {
    await api.token('erp', ['inventory:read']);
    const dup = await domainError(api.token('erp', ['inventory:write']));
    expect(dup.code).toBe('conflict');
    expect(dup.message).toContain('已经有一个叫「erp」的有效令牌');
    expect((await domainError(api.token('erp sync', ['inventory:read']))).message).toContain('不能有空格');
    expect((await domainError(api.token('123', ['inventory:read']))).message).toContain('不能全是数字');
    const scopes = await domainError(api.token('wms', ['库存:删']));
    expect(scopes.code).toBe('invalid_input');
    expect(scopes.message).toContain('不认识的范围：「库存:删」');
    const empty = await domainError(api.token('wms', []));
    expect(empty.message).toContain('「范围」');
  });

  it('only admins (user.manage) manage tokens', async () => {
    await api.admin();
    const { user } = await grantRole(t.db, await api.admin(), { openId: 'ou_clerk', name: '小王', role: 'clerk' });
    const clerk = { userId: user.id, openId: 'ou_clerk', name: '小王', role: 'clerk' as const };
    const e = await domainError(api.token('mine', ['inventory:read'], { actor: clerk }));
    expect(e.code).toBe('forbidden');
    expect(e.message).toContain('新建令牌');
    expect((await domainError(api.run('tokens.list', {}, { actor: clerk }))).code).toBe('forbidden');
  });

  it('lists tokens without secrets or hashes; revokes by id, name or prefix; audits both', async () => {
    const a = await api.token('erp', ['inventory:read']);
    const b = await api.token('wms', ['inventory:write']);
    const c = await api.token('bi', ['*:read']);
    const list = await api.run('tokens.list', {});
    expect(list.items.map((x: { name: string }) => x.name).sort()).toEqual(['bi', 'erp', 'wms']);
    const text = JSON.stringify(list);
    for (const s of [a.secret!, b.secret!, c.secret!]) {
      expect(text).not.toContain(s);
      expect(text).not.toContain(await hashToken(s));
    }

    const byName = await api.run('tokens.revoke', { token: 'erp' });
    expect(byName.token.revokedAt).not.toBeNull();
    await api.run('tokens.revoke', { token: b.token.id });
    await api.run('tokens.revoke', { token: c.secret!.slice(0, 12) });
    expect((await api.run('tokens.list', {})).items).toEqual([]);
    expect((await api.run('tokens.list', { includeRevoked: true })).items).toHaveLength(3);

    const again = await domainError(api.run('tokens.revoke', { token: 'erp' }));
    expect(again.code).toBe('conflict');
    expect(again.message).toContain('已经撤销过了');
    const unknown = await domainError(api.run('tokens.revoke', { token: 'nope' }));
    expect(unknown.code).toBe('not_found');
    expect(unknown.message).toContain('找不到令牌「nope」');

    // A revoked name may be used again.
    expect((await api.token('erp', ['inventory:read'])).secret).toMatch(/^jxc_/);

    const audit = await execRows<{ action: string; entity_id: string; after: Record<string, unknown> }>(t.db, sql`select action, entity_id, after from audit_log where entity = 'api_token' order by id`);
    expect(audit.map((r) => r.action)).toEqual(['token.create', 'token.create', 'token.create', 'token.revoke', 'token.revoke', 'token.revoke', 'token.create']);
    expect(audit[0].after).toMatchObject({ name: 'erp', scopes: ['inventory:read'] });
  });

  it('the secret never lands in processed_events, the outbox or the audit log — not even through a stored REST answer', async () => {
    const admin = await api.admin();
    await createWarehouse(t.db, admin, { name: '主仓库', makeDefault: true });
    await createProduct(t.db, admin, { name: '螺丝', sku: 'A001' });

    // tokens.create has no REST route; run it as an adapter that stores its answer for replays
    // would (the REST claim over processed_events), to prove what gets stored.
    const u = api.useCases.require('tokens.create');
    const key = 'rest:0:create-1';
    const hash = await requestHash('POST', '/tokens', { name: 'erp' });
    const live = await runUnitOfWork(api.deps, restClaim(key, hash), async (uow) => ({
      requestHash: hash,
      status: 201,
      body: await invoke(api.deps, uow.tx, { actor: admin, idempotencyKey: key, logger: silentLogger, now: uow.now }, u, { name: 'erp', scopes: ['inventory:write'] }),
    }));
    const secret = (live.value.body as { secret: string }).secret;
    expect(secret).toMatch(/^jxc_/);
    const replay = await runUnitOfWork(api.deps, restClaim(key, hash), async () => {
      throw new Error('must not run again');
    });
    expect(replay.replayed).toBe(true);
    expect(replay.value.body).toMatchObject({ secret: null, token: { name: 'erp' } });
    expect((replay.value.body as { notice: string }).notice).toContain('不会再显示');
    await expect(runUnitOfWork(api.deps, restClaim(key, 'other'), async () => ({ requestHash: 'other', status: 201, body: null }))).rejects.toBeInstanceOf(IdempotencyKeyReused);

    // Use the token over REST so those tables hold rows of its own calls too.
    const r = await api.call('POST', '/api/v1/receipts', { token: secret, key: 'k1', body: { lines: [{ product: 'A001', qty: '1', unitPrice: '1' }] } });
    expect(r.status).toBe(201);

    const dump = async (table: string) => JSON.stringify(await execRows(t.db, sql.raw(`select * from ${table}`)));
    const stored = { processed_events: await dump('processed_events'), outbox: await dump('outbox'), audit_log: await dump('audit_log') };
    expect(stored.processed_events).toContain('create-1');
    expect(stored.audit_log).toContain('token.create');
    const body = secret.slice(4);
    for (const [, text] of Object.entries(stored)) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(body);
    }
  });

  it('every module that binds use cases to REST can be named in a scope', () => {
    const modules = new Set(api.useCases.all().filter((u) => u.rest).map((u) => u.id.split('.')[0]));
    for (const m of modules) expect(Object.keys(SCOPE_MODULES)).toContain(m);
  });
});
