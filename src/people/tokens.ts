/**
 * REST API tokens (src/api): created by an admin in chat (`令牌 新建 erp 库存:写`), stored as
 * the SHA-256 of the token only, shown once, scoped per module, listed and revoked.
 *
 * - Plain token: "jxc_" + 32 random bytes in base64url (43 characters), from WebCrypto (the
 *   same on Node and Workers). Only its SHA-256 (hex) and a prefix (the first 8 characters after
 *   "jxc_", so admins can tell tokens apart in 令牌 列表) are stored.
 * - Scopes: '<module>:read' / '<module>:write' ('*' for every module); write implies read.
 *   Chinese module and access names are accepted and normalised (库存:写 → inventory:write).
 * - A token acts as the user who created it (their role still applies), limited to its scopes.
 * - Shown once: the live result of a creation carries `secret`; a replay of the same creation
 *   (same idempotency key) answers "already created" with `secret: null`. Adapters that keep a
 *   result for replays store `forReplay(result)`, never the result itself.
 */
import { MODULE_LABELS } from '../kernel/modules.js';
import { and, asc, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { apiTokens, auditLog, users } from '../../db/schema.js';
import type { Conn } from '../../db/types.js';
import { writeAudit } from '../audit/index.js';
import { DomainError } from '../errors.js';
import { requirePermission, type Actor } from './roles.js';
import type { UserRow } from './users.js';

export const TOKEN_PREFIX = 'jxc_';
const TOKEN_SHAPE = /^jxc_[A-Za-z0-9_-]{43}$/;
const PREFIX_LENGTH = 8;

/**
 * The modules a scope can name, with the Chinese names admins type. Every module that binds
 * use cases to REST must be listed here (test/api checks the registry against it).
 */
export const SCOPE_MODULES: Readonly<Record<string, string>> = Object.freeze(
  // Tokens are managed in chat only (a token must not mint tokens): no scope for them.
  Object.fromEntries(Object.entries(MODULE_LABELS).filter(([m]) => m !== 'tokens')),
);

const MODULE_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  ...Object.fromEntries(Object.entries(SCOPE_MODULES).flatMap(([m, zh]) => [[m, m], [zh, m]])),
  用户: 'people',
  '*': '*',
  all: '*',
  全部: '*',
  所有: '*',
});

export type Access = 'read' | 'write';

const ACCESS_ALIASES: Readonly<Record<string, Access>> = Object.freeze({
  read: 'read',
  读: 'read',
  只读: 'read',
  查看: 'read',
  write: 'write',
  写: 'write',
  读写: 'write',
  写入: 'write',
});

/** Every scope an admin may grant, for messages and help ("inventory:read（库存只读）", …). */
export function validScopes(): string[] {
  const modules = [...Object.keys(SCOPE_MODULES), '*'];
  return modules.flatMap((m) => [`${m}:read`, `${m}:write`]);
}

function scopeHelp(): string {
  const zh = Object.entries(SCOPE_MODULES)
    .map(([m, name]) => `${name}（${m}）`)
    .join('、');
  return `范围写成「模块:读」或「模块:写」（写包含读），例如 库存:读、库存:写、全部:读；模块可用：${zh}，或 全部 / *（全部模块）；英文也可以，例如 inventory:read、*:read。`;
}

/**
 * Normalise scopes as admins write them ("库存:写", "inventory:read,people:read", "全部：读")
 * into canonical, sorted, non-redundant scopes (['inventory:write', 'people:read']).
 * Items may hold several scopes separated by commas or spaces.
 * Throws DomainError('invalid_input') naming each scope it does not know, with the valid ones.
 */
export function parseScopes(items: readonly string[]): string[] {
  const parts = items.flatMap((s) => s.split(/[,，、;；\s]+/)).filter(Boolean);
  const bad: string[] = [];
  const moduleOnly = new Set<string>();
  const level = new Map<string, Access>();
  for (const raw of parts) {
    const m = raw.trim().match(/^([^:：]+)[:：](.+)$/);
    const mod = m ? MODULE_ALIASES[m[1].trim().toLowerCase()] ?? MODULE_ALIASES[m[1].trim()] : undefined;
    const access = m ? ACCESS_ALIASES[m[2].trim().toLowerCase()] ?? ACCESS_ALIASES[m[2].trim()] : undefined;
    if (!mod || !access) {
      // A module named without its access ("库存"): say the two ways it can be written.
      const alone = MODULE_ALIASES[raw.trim().toLowerCase()] ?? MODULE_ALIASES[raw.trim()];
      bad.push(raw);
      if (alone) moduleOnly.add(raw);
      continue;
    }
    if (access === 'write' || !level.has(mod)) level.set(mod, access);
  }
  if (bad.length) throw new DomainError('invalid_input', `不认识的范围：${bad.map((b) => (moduleOnly.has(b) ? `「${b}」（要写成「${b}:读」或「${b}:写」）` : `「${b}」`)).join('、')}。${scopeHelp()}`, { invalid: bad, valid: validScopes() });
  if (level.size === 0) throw new DomainError('invalid_input', `请至少写一个范围。${scopeHelp()}`, { valid: validScopes() });
  const all = level.get('*');
  const out: string[] = [];
  for (const [mod, access] of level) {
    // Redundant under a wildcard: '*:write' covers everything, '*:read' every read.
    if (mod !== '*' && (all === 'write' || (all === 'read' && access === 'read'))) continue;
    out.push(`${mod}:${access}`);
  }
  return out.sort();
}

/** Does a token with `scopes` allow `access` to `module`? Write implies read; '*' is every module. */
export function scopeAllows(scopes: readonly string[], module: string, access: Access): boolean {
  const ok = (m: string) => scopes.includes(`${m}:write`) || (access === 'read' && scopes.includes(`${m}:read`));
  return ok(module) || ok('*');
}

/** "库存：读写；人员：只读" — scopes as admins read them. */
export function describeScopes(scopes: readonly string[]): string {
  return scopes
    .map((s) => {
      const [m, a] = s.split(':');
      const name = m === '*' ? '全部模块' : SCOPE_MODULES[m] ?? m;
      return `${name}：${a === 'write' ? '读写' : '只读'}`;
    })
    .join('；');
}

const toHex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** SHA-256 of a plain token, lower-case hex (what api_tokens.token_hash holds). */
export async function hashToken(plain: string): Promise<string> {
  return toHex(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(plain)));
}

/** A new plain token: "jxc_" + 32 random bytes, base64url without padding. */
export function newPlainToken(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  const b64 = btoa(String.fromCharCode(...bytes));
  return TOKEN_PREFIX + b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** What lists, audit rows and results show of a token: never its hash, never the token. */
export interface TokenView {
  id: number;
  name: string;
  /** "jxc_AbCd1234…": enough to recognise it, useless to call with. */
  prefix: string;
  scopes: string[];
  /** Chinese summary of the scopes ("库存：读写"). */
  scopeText: string;
  /** The user the token acts as (its creator). */
  userId: number;
  userName: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

type TokenRow = typeof apiTokens.$inferSelect;

function viewOf(t: TokenRow, userName: string | null): TokenView {
  return {
    id: t.id,
    name: t.name,
    prefix: `${TOKEN_PREFIX}${t.prefix}…`,
    scopes: t.scopes,
    scopeText: describeScopes(t.scopes),
    userId: t.userId,
    userName,
    createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt,
    revokedAt: t.revokedAt,
  };
}

const SHOWN_NOW = '请立即复制保存：令牌只显示这一次，之后无法再查看。调用时放在请求头 Authorization: Bearer <令牌>。';
const NOT_SHOWN_AGAIN = '这个令牌已经创建过，明文只在创建时显示一次，不会再显示。丢失了请撤销后重新创建。';

/** Result of a creation. `secret` is the plain token on the live result only; null on a replay. */
export interface CreatedToken {
  token: TokenView;
  secret: string | null;
  notice: string;
}

/**
 * What an adapter may keep of a result to answer a replay (processed_events, stored replies):
 * a top-level `secret` becomes null with the "not shown again" notice. Any other value is
 * returned unchanged. Every adapter that stores results must store this, never the result.
 */
export function forReplay<T>(result: T): T {
  if (result && typeof result === 'object' && !Array.isArray(result) && 'secret' in result) {
    return { ...result, secret: null, notice: NOT_SHOWN_AGAIN };
  }
  return result;
}

export interface CreateTokenInput {
  name: string;
  scopes: readonly string[];
}

/** Names are typed in chat (`令牌 撤销 <名称>`) and must not look like an id or a token. */
function checkName(raw: string): string {
  const name = raw.trim();
  if (!name) throw new DomainError('invalid_input', '请给令牌起个名称，例如 令牌 新建 erp 库存:写。');
  if (name.length > 60) throw new DomainError('invalid_input', `令牌名称太长（最多 60 个字）：「${name.slice(0, 20)}…」。`);
  if (/\s/.test(name)) throw new DomainError('invalid_input', `令牌名称不能有空格：「${name}」。请写成一个词，例如 erp-sync。`);
  if (/^\d+$/.test(name)) throw new DomainError('invalid_input', `令牌名称不能全是数字（「${name}」会和编号混淆），例如 erp1。`);
  if (name.toLowerCase().startsWith(TOKEN_PREFIX)) throw new DomainError('invalid_input', `令牌名称不能以 ${TOKEN_PREFIX} 开头：那是令牌本身的写法。`);
  return name;
}

/** The acting user as admins know them: the name, else the open_id (a user without a name yet). */
async function userNameOf(conn: Conn, id: number): Promise<string | null> {
  const [u] = await conn.select({ name: users.name, openId: users.openId }).from(users).where(eq(users.id, id));
  return u?.name ?? u?.openId ?? null;
}

/**
 * Create a token acting as `actor` (needs user.manage; the actor must be a stored user).
 * `opts.idempotencyKey` (the unit of work's key): the same key again answers the first
 * creation with `secret: null` ("already created, not shown again"), creating nothing.
 * Errors (DomainError): invalid_input (name, scopes — the message lists the valid scopes),
 * conflict (an active token already has this name), forbidden.
 */
export async function createToken(conn: Conn, actor: Actor, input: CreateTokenInput, opts: { now: Date; idempotencyKey?: string }): Promise<CreatedToken> {
  requirePermission(actor, 'user.manage', '新建令牌');
  if (actor.userId == null) throw new DomainError('forbidden', '令牌必须由一位管理员创建（系统不能创建令牌）。');
  const key = opts.idempotencyKey ?? '';
  if (key) {
    const [done] = await conn
      .select({ entityId: auditLog.entityId })
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'api_token'), eq(auditLog.action, 'token.create'), sql`${auditLog.after}->>'idempotencyKey' = ${key}`))
      .limit(1);
    if (done?.entityId) {
      const [row] = await conn.select().from(apiTokens).where(eq(apiTokens.id, Number(done.entityId)));
      if (row) return { token: viewOf(row, await userNameOf(conn, row.userId)), secret: null, notice: NOT_SHOWN_AGAIN };
    }
  }
  const name = checkName(input.name);
  const scopes = parseScopes(input.scopes);
  // Names are unique among active tokens; two admins creating the same name at once queue here.
  await conn.execute(sql`select pg_advisory_xact_lock(hashtext('api_tokens.name'))`);
  const [same] = await conn
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(and(eq(apiTokens.name, name), isNull(apiTokens.revokedAt)))
    .limit(1);
  if (same) throw new DomainError('conflict', `已经有一个叫「${name}」的有效令牌。请换个名称，或先撤销它：令牌 撤销 ${name}。`, { name, tokenId: same.id });
  const secret = newPlainToken();
  const [row] = await conn
    .insert(apiTokens)
    .values({
      name,
      tokenHash: await hashToken(secret),
      prefix: secret.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + PREFIX_LENGTH),
      scopes,
      userId: actor.userId,
      createdAt: opts.now,
    })
    .returning();
  const token = viewOf(row, actor.name ?? (await userNameOf(conn, row.userId)));
  await writeAudit(conn, actor, {
    action: 'token.create',
    entity: 'api_token',
    entityId: row.id,
    after: { name, prefix: token.prefix, scopes, userId: row.userId, ...(key ? { idempotencyKey: key } : {}) },
  });
  return { token, secret, notice: SHOWN_NOW };
}

/** Tokens, active first (newest first), then revoked ones if asked. Needs user.manage. */
export async function listTokens(conn: Conn, actor: Actor, opts: { includeRevoked?: boolean } = {}): Promise<TokenView[]> {
  requirePermission(actor, 'user.manage', '查看令牌');
  const rows = await conn
    .select({ t: apiTokens, userName: sql<string | null>`coalesce(${users.name}, ${users.openId})` })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(opts.includeRevoked ? undefined : isNull(apiTokens.revokedAt))
    .orderBy(sql`${apiTokens.revokedAt} is not null`, desc(apiTokens.createdAt), asc(apiTokens.id));
  return rows.map((r) => viewOf(r.t, r.userName));
}

/**
 * Revoke a token by id (number, or digits), by name (active tokens), or by its prefix
 * ("jxc_AbCd1234", with or without jxc_ and the trailing …). Needs user.manage.
 * Errors (DomainError): not_found (lists the active tokens), ambiguous (a prefix of several),
 * conflict (already revoked).
 */
export async function revokeToken(conn: Conn, actor: Actor, ref: number | string, opts: { now: Date }): Promise<TokenView> {
  requirePermission(actor, 'user.manage', '撤销令牌');
  const text = typeof ref === 'number' ? String(ref) : ref.trim().replace(/…$/, '');
  let rows: TokenRow[] = [];
  if (/^\d+$/.test(text)) {
    rows = await conn.select().from(apiTokens).where(eq(apiTokens.id, Number(text)));
  } else {
    rows = await conn.select().from(apiTokens).where(and(eq(apiTokens.name, text), isNull(apiTokens.revokedAt)));
    if (!rows.length) {
      const prefix = text.startsWith(TOKEN_PREFIX) ? text.slice(TOKEN_PREFIX.length) : text;
      if (prefix.length >= 4 && prefix.length <= PREFIX_LENGTH) {
        const like = sql`${apiTokens.prefix} like ${prefix.replace(/[\\%_]/g, (c) => '\\' + c) + '%'}`;
        rows = await conn.select().from(apiTokens).where(and(like, isNull(apiTokens.revokedAt)));
        // Only revoked ones match: say so (below) rather than "not found".
        if (!rows.length) rows = await conn.select().from(apiTokens).where(like).orderBy(desc(apiTokens.revokedAt)).limit(1);
      }
    }
    if (!rows.length) rows = await conn.select().from(apiTokens).where(eq(apiTokens.name, text)).orderBy(desc(apiTokens.revokedAt)).limit(1);
  }
  if (rows.length > 1) {
    throw new DomainError('ambiguous', `「${text}」对应 ${rows.length} 个令牌，请用名称或编号：${rows.map((r) => `#${r.id} ${r.name}`).join('、')}。`, {
      candidates: rows.map((r) => ({ id: r.id, name: r.name, prefix: `${TOKEN_PREFIX}${r.prefix}…` })),
    });
  }
  const row = rows[0];
  if (!row) {
    const active = await listTokens(conn, actor);
    const names = active.length ? `现有令牌：${active.map((t) => `#${t.id} ${t.name}`).join('、')}。` : '现在没有有效的令牌。';
    throw new DomainError('not_found', `找不到令牌「${text}」。${names}发「令牌 列表」查看。`, { token: text });
  }
  if (row.revokedAt) {
    throw new DomainError('conflict', `令牌「${row.name}」（#${row.id}）已经撤销过了。`, { tokenId: row.id });
  }
  const [updated] = await conn
    .update(apiTokens)
    .set({ revokedAt: opts.now, revokedBy: actor.userId })
    .where(and(eq(apiTokens.id, row.id), isNull(apiTokens.revokedAt)))
    .returning();
  if (!updated) throw new DomainError('conflict', `令牌「${row.name}」（#${row.id}）刚刚已被撤销。`, { tokenId: row.id });
  await writeAudit(conn, actor, {
    action: 'token.revoke',
    entity: 'api_token',
    entityId: row.id,
    before: { name: row.name, prefix: `${TOKEN_PREFIX}${row.prefix}…`, scopes: row.scopes, revokedAt: null },
    after: { revokedAt: opts.now, revokedBy: actor.userId },
  });
  return viewOf(updated, await userNameOf(conn, updated.userId));
}

/** What a bearer token turned out to be. */
export type TokenAuth =
  | { kind: 'ok'; tokenId: number; name: string; scopes: string[]; lastUsedAt: Date | null; user: UserRow }
  | { kind: 'invalid' }
  | { kind: 'revoked'; tokenId: number; name: string }
  | { kind: 'inactive_user'; tokenId: number; name: string };

/**
 * Look a plain bearer token up by its hash (one query, with its user). Malformed text is
 * 'invalid' without a query. The caller decides what each kind answers.
 */
export async function authenticateToken(conn: Conn, plain: string): Promise<TokenAuth> {
  if (!TOKEN_SHAPE.test(plain)) return { kind: 'invalid' };
  const [r] = await conn
    .select({ t: apiTokens, u: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, await hashToken(plain)))
    .limit(1);
  if (!r) return { kind: 'invalid' };
  if (r.t.revokedAt) return { kind: 'revoked', tokenId: r.t.id, name: r.t.name };
  if (!r.u.active) return { kind: 'inactive_user', tokenId: r.t.id, name: r.t.name };
  return { kind: 'ok', tokenId: r.t.id, name: r.t.name, scopes: r.t.scopes, lastUsedAt: r.t.lastUsedAt, user: r.u };
}

/** Record a use of the token, at most once a minute (the WHERE skips fresher rows: no write, no lock). */
export async function touchToken(conn: Conn, tokenId: number, now: Date): Promise<void> {
  const minuteAgo = new Date(now.getTime() - 60_000);
  await conn
    .update(apiTokens)
    .set({ lastUsedAt: now })
    .where(and(eq(apiTokens.id, tokenId), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, minuteAgo))));
}
