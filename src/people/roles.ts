/**
 * Roles and what they may do. Checked in the service layer (requirePermission), so chat,
 * cards, REST and cron all get the same answer.
 */
import { DomainError } from '../errors.js';

export const ROLES = ['admin', 'manager', 'clerk', 'purchaser', 'sales', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: '管理员',
  manager: '经理',
  clerk: '仓管',
  purchaser: '采购',
  sales: '销售',
  viewer: '只读',
};

/** Chinese and English names users type when granting a role. */
export const ROLE_ALIASES: Record<string, Role> = {
  admin: 'admin', 管理员: 'admin',
  manager: 'manager', 经理: 'manager', 老板: 'manager',
  clerk: 'clerk', 仓管: 'clerk', 库管: 'clerk', 仓库: 'clerk',
  purchaser: 'purchaser', 采购: 'purchaser', buyer: 'purchaser',
  sales: 'sales', 销售: 'sales',
  viewer: 'viewer', 只读: 'viewer', 查看: 'viewer',
};

export const PERMISSIONS = [
  'stock.view',
  'stock.receive',
  'stock.issue',
  'stock.transfer',
  'stock.count',
  'stock.reverse',
  'product.manage',
  'warehouse.manage',
  'user.manage',
  'purchase.manage',
  'sales.manage',
  'finance.view',
  'report.view',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ALL = [...PERMISSIONS];
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ALL,
  manager: ALL.filter((p) => p !== 'user.manage'),
  clerk: ['stock.view', 'stock.receive', 'stock.issue', 'stock.transfer', 'stock.count', 'product.manage', 'report.view'],
  purchaser: ['stock.view', 'stock.receive', 'product.manage', 'purchase.manage', 'report.view'],
  sales: ['stock.view', 'stock.issue', 'sales.manage', 'report.view'],
  viewer: ['stock.view', 'report.view'],
};

/** Who is acting. `userId` null only for the system itself (migrations, cron). */
export interface Actor {
  userId: number | null;
  openId: string | null;
  name?: string | null;
  role: Role;
}

export const SYSTEM_ACTOR: Actor = { userId: null, openId: null, name: '系统', role: 'admin' };

export function can(actor: Actor, permission: Permission): boolean {
  return ROLE_PERMISSIONS[actor.role]?.includes(permission) ?? false;
}

const PERMISSION_LABELS: Record<Permission, string> = {
  'stock.view': '查看库存',
  'stock.receive': '入库',
  'stock.issue': '出库',
  'stock.transfer': '调拨',
  'stock.count': '盘点',
  'stock.reverse': '红冲',
  'product.manage': '维护商品',
  'warehouse.manage': '维护仓库',
  'user.manage': '管理用户',
  'purchase.manage': '采购',
  'sales.manage': '销售',
  'finance.view': '查看财务',
  'report.view': '查看报表',
};

/**
 * Throws DomainError('forbidden') unless the actor's role has `permission`. `action` names what
 * the user actually asked for when it differs from the permission's own label (成本调整 needs
 * the 红冲 permission): "仓管不能「成本调整」（需要「红冲」权限）" rather than a refusal of
 * something they did not ask for.
 */
export function requirePermission(actor: Actor, permission: Permission, action?: string): void {
  if (!can(actor, permission)) {
    const label = PERMISSION_LABELS[permission];
    const what = action && action !== label ? `「${action}」（需要「${label}」权限）` : `「${label}」`;
    throw new DomainError(
      'forbidden',
      `没有权限：${ROLE_LABELS[actor.role] ?? actor.role}不能${what}。请联系管理员授权。`,
      { permission, role: actor.role, ...(action ? { action } : {}) },
    );
  }
}
