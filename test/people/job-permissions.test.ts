/**
 * Permissions that match jobs (issue 10 item 9), through chat and REST: a salesperson sees no
 * cost in 库存; only those who set prices (admin, manager, purchaser: 'product.price') change a
 * purchase or selling price, on an existing or a new product; a role name that is no role
 * (老板) is refused with the list of roles instead of being mapped to one.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows, type Db } from '../../db/types.js';
import { createProduct, createWarehouse } from '../../src/inventory/index.js';
import { ROLE_PERMISSIONS, ROLES, can, type Role } from '../../src/people/roles.js';
import { grantRole, identify, parseRole } from '../../src/people/users.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { useApi } from '../api/helpers.js';

const prices = async (db: Db, sku: string) =>
  (await execRows<{ p: string | null; s: string | null }>(db, sql`select trim_scale(purchase_price_fen)::text as p, trim_scale(sale_price_fen)::text as s from products where sku = ${sku}`))[0];
const userCount = async (db: Db) => (await execRows<{ n: number }>(db, sql`select count(*)::int as n from users`))[0].n;

it('product.price: admin, manager and purchaser set prices; clerk, sales, viewer and finance do not', () => {
  const setting = ROLES.filter((r: Role) => can({ userId: 1, openId: null, role: r }, 'product.price'));
  expect(setting).toEqual(['admin', 'manager', 'purchaser']);
  expect(ROLE_PERMISSIONS.clerk).toContain('product.manage');
});

it('role names: real synonyms only, never a guess', () => {
  expect(parseRole('库管')).toBe('clerk');
  expect(parseRole('仓库')).toBe('clerk');
  expect(parseRole('Clerk')).toBe('clerk');
  expect(parseRole('业务员')).toBe('sales');
  for (const guess of ['老板', '查看', '老大', '员工']) expect(parseRole(guess), guess).toBeUndefined();
});

describeDb('permissions that match jobs, in chat', (t) => {
  const h = useBotApp(t);

  async function seed() {
    await h.say('仓库 新增 主仓库');
    await h.say('商品 新增 A001 螺丝 单位=个 进价=0.35 售价=0.8');
    await h.say('入库 A001 100 0.5');
    for (const [who, role] of [['ou_clerk', '仓管'], ['ou_sales', '销售'], ['ou_buyer', '采购'], ['ou_mgr', '经理']]) await h.say(`用户 授权 ${who} ${role}`);
  }

  it('a salesperson sees quantities in 库存 but no cost or value', async () => {
    await seed();
    expect(await h.say('库存 A001')).toContain('¥');
    const s = await h.say('库存 A001', { openId: 'ou_sales' });
    expect(s).toContain('100 个');
    expect(s).not.toMatch(/¥|金额|成本/);
    const all = await h.say('库存', { openId: 'ou_sales' });
    expect(all).toContain('螺丝');
    expect(all).not.toMatch(/¥|金额|成本/);
  });

  it('a warehouse clerk keeps product records but cannot change a price; a purchaser and a manager can', async () => {
    await seed();
    expect(await h.say('商品 修改 A001 售价=1.2', { openId: 'ou_clerk' })).toBe('没有权限：仓管不能「修改售价」（需要「修改价格」权限）。请联系管理员授权。');
    expect(await h.say('商品 修改 A001 进价=0.1', { openId: 'ou_clerk' })).toContain('仓管不能「修改进价」');
    expect(await h.say('商品 新增 B001 垫片 售价=0.1', { openId: 'ou_clerk' })).toContain('仓管不能「给新商品设售价（不写售价就可以新增，价格请有权限的同事设置）」');
    expect(await prices(t.db, 'A001')).toEqual({ p: '35', s: '80' });
    expect(await prices(t.db, 'B001')).toBeUndefined();
    // Everything else about a product stays the clerk's job.
    expect(await h.say('商品 修改 A001 安全库存=20', { openId: 'ou_clerk' })).not.toContain('没有权限');
    expect(await h.say('商品 新增 B001 垫片', { openId: 'ou_clerk' })).toContain('已新增商品');
    expect(await h.say('商品 修改 A001 售价=1', { openId: 'ou_sales' })).toMatch(/没有权限/);

    expect(await h.say('商品 修改 A001 进价=0.4', { openId: 'ou_buyer' })).not.toContain('没有权限');
    expect(await h.say('商品 修改 A001 售价=0.9', { openId: 'ou_mgr' })).not.toContain('没有权限');
    expect(await prices(t.db, 'A001')).toEqual({ p: '40', s: '90' });
  });

  it('a role that does not exist (老板) is refused with the list of roles; nobody is created', async () => {
    await h.say('帮助');
    const before = await userCount(t.db);
    const r = await h.say('用户 授权 @_user_1 老板', { mentions: [{ key: '@_user_1', openId: 'ou_zhang', name: '张三' }] });
    expect(r).toContain('没有「老板」这个角色，没有授权');
    expect(r).toContain('管理员（admin）、经理（manager）、仓管（clerk）、采购（purchaser）、销售（sales）、只读（viewer）、财务（finance）');
    expect(await userCount(t.db)).toBe(before);
    expect(await h.say('用户 授权 ou_zhang 库管')).toContain('→ 仓管');
  });
});

describeDb('permissions that match jobs, over REST', (t) => {
  const api = useApi(t);

  it('PATCH /products with a price is refused for a clerk (403); other fields pass', async () => {
    const admin = await api.admin();
    await createWarehouse(t.db, admin, { name: '主仓库', makeDefault: true });
    await createProduct(t.db, admin, { name: '螺丝', sku: 'A001', salePriceFen: '80' });
    await grantRole(t.db, admin, { openId: 'ou_boss2', name: '老李', role: 'admin' });
    const who = await identify(t.db, 'ou_boss2', { adminOpenIds: [] });
    if (who.kind !== 'known') throw new Error('no boss2');
    const { secret } = await api.token('wms', ['inventory:write'], { actor: who.actor });
    await grantRole(t.db, admin, { openId: 'ou_boss2', role: 'clerk' });

    const refused = await api.call('PATCH', '/api/v1/products/A001', { token: secret!, key: 'k1', body: { salePrice: '1.20' } });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('仓管不能「修改售价」');
    expect(await prices(t.db, 'A001')).toEqual({ p: null, s: '80' });
    const ok = await api.call('PATCH', '/api/v1/products/A001', { token: secret!, key: 'k2', body: { safetyStock: '20' } });
    expect(ok.status).toBe(200);
  });
});
