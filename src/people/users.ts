/**
 * Users known to the bot and their roles. The Feishu adapter calls `identify` for every
 * message; granting is a service (permission-checked here, so chat, cards and REST agree).
 *
 * Rules:
 * - FEISHU_ADMIN_OPEN_IDS are admins from the start: created (or promoted) on first contact.
 * - Anyone else is unknown until an admin grants a role; unknown users get no row (nothing is
 *   written for them) and are told their open_id so the admin can grant it.
 */
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { users } from '../../db/schema.js';
import type { Conn } from '../../db/types.js';
import { writeAudit } from '../audit/index.js';
import { DomainError } from '../errors.js';
import { sendAhead, type InFlight } from '../shared/prepared.js';
import { ROLE_ALIASES, ROLE_LABELS, ROLES, SYSTEM_ACTOR, requirePermission, type Actor, type Role } from './roles.js';

export type UserRow = typeof users.$inferSelect;

export function actorOf(u: UserRow): Actor {
  return { userId: u.id, openId: u.openId, name: u.name, role: (ROLES as readonly string[]).includes(u.role) ? (u.role as Role) : 'viewer' };
}

export type Identity =
  | { kind: 'known'; actor: Actor; user: UserRow }
  | { kind: 'unknown'; openId: string }
  | { kind: 'inactive'; openId: string; user: UserRow };

/**
 * Who is this open_id? Admin open_ids are created/promoted here (the only write for a
 * first contact); everyone else is looked up only.
 */
export async function identify(
  conn: Conn,
  openId: string,
  opts: { adminOpenIds: readonly string[]; name?: string | null; /** The row, already read by the caller in its transaction (null: none). */ row?: UserRow | null },
): Promise<Identity> {
  const [found] = opts.row !== undefined ? (opts.row ? [opts.row] : []) : await conn.select().from(users).where(eq(users.openId, openId)).limit(1);
  const isAdmin = opts.adminOpenIds.includes(openId);
  if (!found) {
    if (!isAdmin) return { kind: 'unknown', openId };
    // The configuration makes this person an admin: a role change like any grant, so audited
    // (by the system: nobody granted it in chat). One transaction: never a row without its audit.
    const created = await conn.transaction(async (tx) => {
      const [row] = await tx
        .insert(users)
        .values({ openId, name: opts.name ?? null, role: 'admin' })
        .onConflictDoUpdate({ target: users.openId, set: { role: 'admin', active: true, updatedAt: sql`now()` } })
        .returning();
      await writeAudit(tx, SYSTEM_ACTOR, { action: 'admin_from_config', entity: 'user', entityId: row.id, after: auditedUser(row) });
      return row;
    });
    return { kind: 'known', actor: actorOf(created), user: created };
  }
  if (isAdmin && (found.role !== 'admin' || !found.active)) {
    const promoted = await conn.transaction(async (tx) => {
      const [row] = await tx
        .update(users)
        .set({ role: 'admin', active: true, updatedAt: sql`now()` })
        .where(eq(users.id, found.id))
        .returning();
      await writeAudit(tx, SYSTEM_ACTOR, { action: 'admin_from_config', entity: 'user', entityId: row.id, before: auditedUser(found), after: auditedUser(row) });
      return row;
    });
    return { kind: 'known', actor: actorOf(promoted), user: promoted };
  }
  if (!found.active) return { kind: 'inactive', openId, user: found };
  return { kind: 'known', actor: actorOf(found), user: found };
}

/** "仓管" / "clerk" / "库管" → 'clerk'. */
export function parseRole(text: string): Role | undefined {
  const t = text.trim().toLowerCase();
  return ROLE_ALIASES[t] ?? ROLE_ALIASES[text.trim()];
}

export const grantRoleInput = z.object({
  openId: z.string().regex(/^ou_[A-Za-z0-9_-]{1,100}$/, { message: 'open_id 应以 ou_ 开头' }),
  name: z.string().max(100).nullish(),
  role: z.enum(ROLES),
});
export type GrantRoleInput = z.input<typeof grantRoleInput>;

/** What an audit row keeps of a user: who, which role, active (not their preferences). */
function auditedUser(u: UserRow): { openId: string; name: string | null; role: string; active: boolean } {
  return { openId: u.openId, name: u.name, role: u.role, active: u.active };
}

/**
 * A user by id (a positive integer, or its digits as text) or by open_id ("ou_…").
 * Errors: not_found (no such user), invalid_input (neither form).
 */
export async function findUser(conn: Conn, ref: number | string): Promise<UserRow> {
  const text = typeof ref === 'string' ? ref.trim() : '';
  const id = typeof ref === 'number' ? ref : /^\d{1,9}$/.test(text) ? Number(text) : null;
  if (id === null && !text.startsWith('ou_')) throw new DomainError('invalid_input', `用户「${text}」应写成 open_id（ou_ 开头）或用户编号，例如 ou_3f2a… 或 12。`, { user: ref });
  const [row] = await conn.select().from(users).where(id !== null ? eq(users.id, id) : eq(users.openId, text)).limit(1);
  if (!row) throw new DomainError('not_found', `找不到用户「${ref}」。用「用户 列表」查看已开通的用户。`, { user: ref });
  return row;
}

/**
 * Grant (or change) a role. Creates the user on first grant. Needs user.manage. Audited
 * (action 'grant_role', entity 'user': role and active before and after) in the same
 * transaction as the change.
 */
export async function grantRole(conn: Conn, actor: Actor, input: GrantRoleInput): Promise<{ user: UserRow; previousRole: Role | null }> {
  requirePermission(actor, 'user.manage');
  const parsed = grantRoleInput.safeParse(input);
  if (!parsed.success) {
    throw new DomainError('invalid_input', `授权参数不对：${parsed.error.issues.map((i) => i.message).join('；')}`);
  }
  const { openId, name, role } = parsed.data;
  if (actor.openId === openId && role !== 'admin') {
    throw new DomainError('invalid_input', '不能修改自己的管理员角色，请让另一位管理员操作。');
  }
  return conn.transaction(async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.openId, openId)).limit(1);
    const [user] = await tx
      .insert(users)
      .values({ openId, name: name ?? null, role })
      .onConflictDoUpdate({
        target: users.openId,
        set: { role, active: true, updatedAt: sql`now()`, ...(name ? { name } : {}) },
      })
      .returning();
    await writeAudit(tx, actor, { action: 'grant_role', entity: 'user', entityId: user.id, before: before ? auditedUser(before) : null, after: auditedUser(user) });
    return { user, previousRole: before ? (before.role as Role) : null };
  });
}

/** Everyone with a role, admins first. Needs user.manage. */
export async function listUsers(conn: Conn, actor: Actor): Promise<UserRow[]> {
  requirePermission(actor, 'user.manage');
  const rows = await conn.select().from(users).where(and(eq(users.active, true))).orderBy(asc(users.id));
  const rank = (r: string) => (ROLES as readonly string[]).indexOf(r);
  return rows.sort((a, b) => rank(a.role) - rank(b.role) || a.id - b.id);
}

export function roleLabel(role: string): string {
  return ROLE_LABELS[role as Role] ?? role;
}

/**
 * Remember the warehouse a user last worked in: form cards preselect it (commands without @仓库
 * still use the default). A preference of the user's own screen, not a business write: no
 * audit row (it would double every posting's audit for nothing anyone asks about).
 */
export async function rememberWarehouse(conn: Conn, userId: number, warehouseId: number): Promise<void> {
  const pending = deferredRemember.get(conn);
  if (pending) {
    pending.set(userId, warehouseId);
    return;
  }
  await conn.execute(rememberStatement(userId, warehouseId));
}

function rememberStatement(userId: number, warehouseId: number): SQL {
  // Only when it changed: an UPDATE whose WHERE matches nothing takes no row lock, so one user's
  // concurrent postings (a clerk scanning fast) never queue on their own users row.
  return sql`update users set last_warehouse_id = ${warehouseId}::int
    where id = ${userId}::int and last_warehouse_id is distinct from ${warehouseId}::int`;
}

/**
 * A transaction that ends with statements of its own (the bot's message transaction: the outbox
 * insert, then COMMIT) can take rememberWarehouse's UPDATE along with them instead of paying a
 * round trip for it mid-command: `deferRememberWarehouse(tx)` at the start, then
 * `sendRememberedWarehouse(tx)` just before those last statements. Same statement, same
 * transaction, so the same effect; `discardRememberedWarehouse(tx)` when a savepoint rollback
 * undoes the command that asked for it.
 */
const deferredRemember = new WeakMap<object, Map<number, number>>();

export function deferRememberWarehouse(conn: Conn): void {
  deferredRemember.set(conn, new Map());
}

export function discardRememberedWarehouse(conn: Conn): void {
  deferredRemember.get(conn)?.clear();
}

/** Send the deferred UPDATE ahead (src/shared/prepared.ts); await each `done` after COMMIT. */
export async function sendRememberedWarehouse(conn: Conn): Promise<InFlight<unknown>[]> {
  const pending = deferredRemember.get(conn);
  deferredRemember.delete(conn);
  const sent: InFlight<unknown>[] = [];
  for (const [userId, warehouseId] of pending ?? []) sent.push(await sendAhead(conn, rememberStatement(userId, warehouseId), { prepare: true }));
  return sent;
}
