/**
 * Roles and what they may do, as data: the permission list with its labels, the roles with
 * their labels, and which role holds which permission. Checked in the kernel (invoke) and the
 * service layer (requirePermission), so chat, cards, REST and cron all get the same answer.
 * A new permission is a row in PERMISSION_LABELS plus the roles that hold it; nothing else.
 */
import { DomainError } from '../errors.js';

/** Every permission with the words users see in refusals and help ("需要「红冲」权限"). */
export const PERMISSION_LABELS = {
  'stock.view': '查看库存',
  'stock.receive': '入库',
  'stock.issue': '出库',
  'stock.transfer': '调拨',
  'stock.count': '盘点',
  'stock.reverse': '红冲',
  'product.manage': '维护商品',
  /**
   * Setting a product's purchase or selling price (进价、售价). Separate from product.manage: a
   * warehouse clerk keeps product records (names, units, packs) but prices are a commercial
   * decision — the manager's, and the purchaser's who negotiates them (issue 10 item 9).
   */
  'product.price': '修改价格',
  'warehouse.manage': '维护仓库',
  'user.manage': '管理用户',
  'purchase.manage': '采购',
  'sales.manage': '销售',
  'finance.view': '查看财务',
  'report.view': '查看报表',
  /**
   * Costs and what follows from them: unit cost, average cost, stock value, purchase price,
   * COGS, profit. Outputs that show any of these check it (src/inventory/use-cases/cost-visibility.ts).
   */
  'cost.view': '查看成本',
} as const;
export type Permission = keyof typeof PERMISSION_LABELS;

/** The permissions in declaration order (registries validate use cases against it). */
export const PERMISSIONS = Object.keys(PERMISSION_LABELS) as Permission[];

/** Every role with its Chinese name. */
export const ROLE_LABELS = {
  admin: '管理员',
  manager: '经理',
  clerk: '仓管',
  purchaser: '采购',
  sales: '销售',
  viewer: '只读',
  finance: '财务',
} as const;
export type Role = keyof typeof ROLE_LABELS;

/** The roles in listing order (users are listed admins first, then by this order). */
export const ROLES = Object.keys(ROLE_LABELS) as Role[];

/**
 * Chinese and English names users type when granting a role: the label, the English key, and
 * real synonyms of the same job only (库管 is what many shops call a 仓管; 会计 does the 财务
 * work). A word that merely suggests a role (老板, 查看) is NOT here: granting it would guess
 * which permissions someone gets, so it is refused with the list of roles (issue 10 item 9).
 */
export const ROLE_ALIASES: Record<string, Role> = {
  admin: 'admin', 管理员: 'admin',
  manager: 'manager', 经理: 'manager',
  clerk: 'clerk', 仓管: 'clerk', 库管: 'clerk', 仓库: 'clerk', 仓管员: 'clerk', 库管员: 'clerk',
  purchaser: 'purchaser', 采购: 'purchaser', buyer: 'purchaser', 采购员: 'purchaser',
  sales: 'sales', 销售: 'sales', 业务员: 'sales', 销售员: 'sales',
  viewer: 'viewer', 只读: 'viewer',
  finance: 'finance', 财务: 'finance', 会计: 'finance', accountant: 'finance',
};

/** "管理员（admin）、经理（manager）…": every role as a refusal lists them. */
export function roleChoicesText(): string {
  return ROLES.map((r) => `${ROLE_LABELS[r]}（${r}）`).join('、');
}

/**
 * Who holds what. cost.view: everyone who saw costs before it existed keeps seeing them
 * (admin, manager, clerk, purchaser — clerks post receipts at a price and adjust nothing
 * without seeing it), plus finance; sales and viewer do not (a salesperson must not read the
 * margin off the stock value). product.price: admin, manager and purchaser (the people who
 * set prices in a small trading firm); a clerk or a salesperson never changes a price.
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  manager: PERMISSIONS.filter((p) => p !== 'user.manage'),
  clerk: ['stock.view', 'stock.receive', 'stock.issue', 'stock.transfer', 'stock.count', 'product.manage', 'report.view', 'cost.view'],
  purchaser: ['stock.view', 'stock.receive', 'product.manage', 'product.price', 'purchase.manage', 'report.view', 'cost.view'],
  sales: ['stock.view', 'stock.issue', 'sales.manage', 'report.view'],
  viewer: ['stock.view', 'report.view'],
  finance: ['stock.view', 'report.view', 'finance.view', 'cost.view'],
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

/** May the actor see costs, stock values and profit? (permission 'cost.view') */
export function canSeeCost(actor: Actor): boolean {
  return can(actor, 'cost.view');
}

/** "查看成本" for 'cost.view'. */
export function permissionLabel(permission: Permission): string {
  return PERMISSION_LABELS[permission];
}

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
