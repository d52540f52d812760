/**
 * Who is calling: `Authorization: Bearer jxc_…` → the token's row (by SHA-256, not revoked) →
 * the user who created it, as the actor. Their role's permissions still apply (checked by the
 * kernel for every use case); the token's scopes narrow them per module.
 */
import { moduleLabel } from '../kernel/modules.js';
import type { Database } from '../../db/types.js';
import { authenticateToken, scopeAllows, touchToken, type Access } from '../people/tokens.js';
import type { Actor } from '../people/roles.js';
import { actorOf } from '../people/users.js';
import { problem, type Problem } from './problem.js';

/** A caller that passed authentication. */
export interface RestCaller {
  tokenId: number;
  tokenName: string;
  scopes: string[];
  actor: Actor;
}

const CHALLENGE = 'Bearer realm="jxc-assistant"';

/** Headers of a 401 (RFC 6750: tell the client which scheme and why). */
export const unauthorizedHeaders = (error?: 'invalid_token' | 'invalid_request'): Record<string, string> => ({
  'WWW-Authenticate': error ? `${CHALLENGE}, error="${error}"` : CHALLENGE,
});

/**
 * Authenticate a request's Authorization header. Returns the caller, or the problem to
 * answer: 401 for a missing, malformed, unknown or revoked token; 403 when the token's user
 * is deactivated. Records the use (last_used_at, at most once a minute).
 */
export async function authenticate(
  database: Database,
  header: string | undefined,
  now: Date,
  instance: string,
): Promise<{ ok: true; caller: RestCaller } | { ok: false; problem: Problem; headers: Record<string, string> }> {
  const m = header?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!m) {
    const given = header?.trim() ?? '';
    // A header that is there but not "Bearer <token>": say what the format is, not "missing".
    const detail = !given
      ? '缺少令牌：请在请求头写 Authorization: Bearer jxc_…（令牌由管理员在飞书里发「令牌 新建 <名称> <范围>」创建）。'
      : /^jxc_/i.test(given)
        ? 'Authorization 请求头少了「Bearer 」：格式是 Authorization: Bearer jxc_…（Bearer、一个空格，再接令牌）。'
        : `Authorization 请求头格式不对（收到「${given.split(/\s+/)[0].slice(0, 20)} …」）：只支持令牌，格式是 Authorization: Bearer jxc_…`;
    return { ok: false, problem: problem('unauthorized', detail, instance), headers: unauthorizedHeaders(given ? 'invalid_request' : undefined) };
  }
  const auth = await authenticateToken(database.db, m[1]);
  if (auth.kind === 'invalid') {
    return { ok: false, problem: problem('unauthorized', '令牌无效：请检查是否完整复制了 jxc_ 开头的令牌。', instance), headers: unauthorizedHeaders('invalid_token') };
  }
  if (auth.kind === 'revoked') {
    return { ok: false, problem: problem('unauthorized', `令牌「${auth.name}」已被撤销，请让管理员重新创建。`, instance), headers: unauthorizedHeaders('invalid_token') };
  }
  if (auth.kind === 'inactive_user') {
    return { ok: false, problem: problem('unknown_user', `令牌「${auth.name}」的创建者已被停用，令牌不能再使用。请让现任管理员重新创建。`, instance), headers: {} };
  }
  if (!auth.lastUsedAt || now.getTime() - auth.lastUsedAt.getTime() >= 60_000) await touchToken(database.db, auth.tokenId, now);
  return { ok: true, caller: { tokenId: auth.tokenId, tokenName: auth.name, scopes: auth.scopes, actor: actorOf(auth.user) } };
}

/** The problem when the token's scopes do not cover `module`:`access`, else null. */
export function scopeProblem(caller: RestCaller, module: string, access: Access, instance: string): Problem | null {
  if (scopeAllows(caller.scopes, module, access)) return null;
  const name = moduleLabel(module);
  const need = `${module}:${access}`;
  return problem(
    'insufficient_scope',
    `令牌「${caller.tokenName}」没有「${need}」范围（${name}${access === 'write' ? '写入' : '读取'}），现有范围：${caller.scopes.join('、') || '无'}。请让管理员新建一个带 ${need} 的令牌。`,
    instance,
    { details: { required: need, scopes: caller.scopes } },
  );
}
