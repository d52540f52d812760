/**
 * People as use cases: the users with a role, and granting a role. Both need 'user.manage'.
 * A user is named by open_id ("ou_…") or by user id; granting to an open_id nobody has used
 * yet creates the user (that is how a colleague gets access).
 */
import { z } from 'zod';
import { defineUseCase, type AnyUseCase } from '../kernel/use-case.js';
import { ROLE_LABELS, ROLES } from './roles.js';
import { findUser, grantRole, listUsers, roleLabel, type UserRow } from './users.js';
import { needsNameRefresh, queueNameRefresh } from './contact-names.js';

export const userSchema = z.object({
  id: z.number().int(),
  openId: z.string().describe('飞书 open_id'),
  name: z.string().nullable(),
  role: z.enum(ROLES),
  roleLabel: z.string().describe('角色中文名'),
  active: z.boolean(),
  createdAt: z.string().describe('开通时间（ISO 8601）'),
});
export type UserView = z.infer<typeof userSchema>;

/** A user row as use cases return it (no preferences, times as ISO text). */
export function userView(u: UserRow): UserView {
  return { id: u.id, openId: u.openId, name: u.name, role: u.role as UserView['role'], roleLabel: roleLabel(u.role), active: u.active, createdAt: u.createdAt.toISOString() };
}

const userRef = z
  .union([z.number().int().positive(), z.string().trim().min(1, '请填写用户').max(120)])
  .describe('用户：open_id（ou_ 开头）或用户 id，例如 "ou_3f2a…" 或 12');

export const listUsersUseCase = defineUseCase({
  id: 'people.users',
  kind: 'read',
  permission: 'user.manage',
  label: '用户列表',
  summary: '已开通的用户及其角色（管理员在前）',
  input: z.strictObject({}),
  output: z.object({ items: z.array(userSchema) }),
  rest: { method: 'get', path: '/users' },
  run: async (ctx) => ({ items: (await listUsers(ctx.conn, ctx.actor)).map(userView) }),
});

export const grantRoleUseCase = defineUseCase({
  id: 'people.grant-role',
  kind: 'write',
  permission: 'user.manage',
  label: '授权',
  summary: `给用户开通或更改角色（${Object.values(ROLE_LABELS).join('/')}）；新的 open_id 会自动开通`,
  input: z.strictObject({
    user: userRef,
    // REST clients send the English value: it comes first here (chat lists the Chinese first).
    role: z.enum(ROLES, { error: `角色只能是 ${ROLES.map((r) => `${r}（${ROLE_LABELS[r]}）`).join('、')}` }),
    name: z.string().trim().min(1).max(100).optional().describe('姓名（新用户时记录）'),
  }),
  output: z.object({ user: userSchema, previousRole: z.enum(ROLES).nullable().describe('原角色；新用户为 null') }),
  rest: { method: 'post', path: '/users/{user}/role', status: 200 },
  run: async (ctx, i) => {
    const openId = typeof i.user === 'string' && i.user.startsWith('ou_') ? i.user : (await findUser(ctx.conn, i.user)).openId;
    const { user, previousRole } = await grantRole(ctx.conn, ctx.actor, { openId, name: i.name ?? null, role: i.role });
    // Granted by open_id alone: ask Feishu for the name after commit (src/people/contact-names.ts).
    if (needsNameRefresh(user, ctx.now)) await queueNameRefresh(ctx.conn, user, ctx.now);
    return { user: userView(user), previousRole };
  },
});

/** Every people use case, in the order help and the API reference list them. */
export const peopleUseCases: readonly AnyUseCase[] = [listUsersUseCase, grantRoleUseCase];
