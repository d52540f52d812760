/** Roles and permissions as data: who sees costs, the finance role, and labels for everything. */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/errors.js';
import { PERMISSIONS, PERMISSION_LABELS, ROLES, ROLE_ALIASES, ROLE_LABELS, ROLE_PERMISSIONS, canSeeCost, requirePermission, type Role } from '../../src/people/roles.js';
import { parseRole } from '../../src/people/users.js';

const as = (role: Role) => ({ userId: 1, openId: null, role });

describe('roles', () => {
  it('cost.view: everyone who saw costs before keeps them, plus finance; sales and viewer do not', () => {
    const seeing = ROLES.filter((r) => canSeeCost(as(r)));
    expect(seeing).toEqual(['admin', 'manager', 'clerk', 'purchaser', 'finance']);
  });

  it('finance (财务) views stock, reports, finance and costs, and writes nothing', () => {
    expect([...ROLE_PERMISSIONS.finance].sort()).toEqual(['cost.view', 'finance.view', 'report.view', 'stock.view']);
    expect(ROLE_LABELS.finance).toBe('财务');
    expect(parseRole('财务')).toBe('finance');
    expect(parseRole('会计')).toBe('finance');
  });

  it('every permission and role has a Chinese label; every alias names a role; roles hold only known permissions', () => {
    for (const p of PERMISSIONS) expect(PERMISSION_LABELS[p]).toMatch(/[\u4e00-\u9fff]/);
    expect(PERMISSION_LABELS['cost.view']).toBe('查看成本');
    for (const r of ROLES) expect(ROLE_LABELS[r]).toMatch(/[\u4e00-\u9fff]/);
    for (const r of Object.values(ROLE_ALIASES)) expect(ROLES).toContain(r);
    for (const r of ROLES) for (const p of ROLE_PERMISSIONS[r]) expect(PERMISSIONS).toContain(p);
  });

  it('a refusal names the role, the action and the permission needed', () => {
    try {
      requirePermission(as('finance'), 'stock.issue', '出库');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).message).toBe('没有权限：财务不能「出库」。请联系管理员授权。');
    }
    expect(() => requirePermission(as('sales'), 'cost.view', '库存金额')).toThrow('没有权限：销售不能「库存金额」（需要「查看成本」权限）');
  });
});
