/** Roles: admins from config, unknown users told to ask an admin, grants, denials. */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';

const n = async (db: Parameters<typeof execRows>[0], q: ReturnType<typeof sql>) => (await execRows<{ n: number }>(db, q))[0].n;

describeDb('permissions', (t) => {
  const h = useBotApp(t, { admins: ['ou_boss', 'ou_boss2'] });

  it('an admin open_id from config becomes admin on first contact (and is promoted if demoted)', async () => {
    await h.say('帮助', { openId: 'ou_boss' });
    expect((await execRows<{ role: string }>(t.db, sql`select role from users where open_id = 'ou_boss'`))[0].role).toBe('admin');
    await t.db.execute(sql`update users set role = 'viewer' where open_id = 'ou_boss'`);
    expect(await h.say('用户 列表', { openId: 'ou_boss' })).toContain('ou_boss');
    expect((await execRows<{ role: string }>(t.db, sql`select role from users where open_id = 'ou_boss'`))[0].role).toBe('admin');
  });

  it('an unknown user gets their open_id and is not written; after a grant they can work', async () => {
    const r = await h.say('仓库 新增 偷偷建的仓', { openId: 'ou_newbie' });
    expect(r).toContain('ou_newbie');
    expect(r).toContain('用户 授权 ou_newbie');
    expect(await n(t.db, sql`select count(*)::int as n from warehouses`)).toBe(0);
    expect(await n(t.db, sql`select count(*)::int as n from users where open_id = 'ou_newbie'`)).toBe(0);

    expect(await h.say('用户 授权 @_user_1 仓管', { openId: 'ou_boss', mentions: [{ key: '@_user_1', openId: 'ou_newbie', name: '小李' }] })).toContain('仓管');
    expect(await h.say('仓库 新增 主仓库', { openId: 'ou_boss' })).toContain('已新增');
    expect(await h.say('商品 新增 A001 螺丝', { openId: 'ou_newbie' })).toContain('已新增商品');
    expect(await h.say('入库 A001 10', { openId: 'ou_newbie' })).toContain('已入库');
  });

  it('roles are enforced: viewer cannot write, clerk cannot reverse or grant, sales cannot receive', async () => {
    await h.say('仓库 新增 主仓库', { openId: 'ou_boss' });
    await h.say('商品 新增 A001 螺丝', { openId: 'ou_boss' });
    const rk = (await h.say('入库 A001 10', { openId: 'ou_boss' })).match(/RK\d{8}-\d{4}/)![0];
    await h.say('用户 授权 ou_viewer 只读', { openId: 'ou_boss' });
    await h.say('用户 授权 ou_clerk 仓管', { openId: 'ou_boss' });
    await h.say('用户 授权 ou_sales 销售', { openId: 'ou_boss' });
    const docs = await n(t.db, sql`select count(*)::int as n from documents`);

    expect(await h.say('出库 A001 1', { openId: 'ou_viewer' })).toMatch(/没有权限.*只读.*出库/);
    expect(await h.say('库存 A001', { openId: 'ou_viewer' })).toMatch(/10 个/);
    expect(await h.say(`红冲 ${rk}`, { openId: 'ou_clerk' })).toMatch(/没有权限.*红冲/);
    expect(await h.say('用户 授权 ou_x 管理员', { openId: 'ou_clerk' })).toMatch(/没有权限.*管理用户/);
    expect(await h.say('用户 列表', { openId: 'ou_clerk' })).toMatch(/没有权限/);
    expect(await h.say('入库 A001 1', { openId: 'ou_sales' })).toMatch(/没有权限.*入库/);
    expect(await h.say('仓库 新增 二号仓', { openId: 'ou_clerk' })).toMatch(/没有权限.*仓库/);
    expect(await n(t.db, sql`select count(*)::int as n from documents`)).toBe(docs);
    expect(await n(t.db, sql`select count(*)::int as n from users where role = 'admin'`)).toBe(1);
    // help marks what the role cannot do
    expect(await h.say('帮助', { openId: 'ou_viewer' })).toMatch(/红冲 <单号>.*（无权限）/);
  });

  it('an admin cannot demote themselves; a second admin can', async () => {
    await h.say('帮助', { openId: 'ou_boss' });
    expect(await h.say('用户 授权 ou_boss 只读', { openId: 'ou_boss' })).toMatch(/不能修改自己/);
    await h.say('用户 授权 ou_helper 经理', { openId: 'ou_boss2' });
    expect((await execRows<{ role: string }>(t.db, sql`select role from users where open_id = 'ou_helper'`))[0].role).toBe('manager');
  });

  it('a deactivated user is told so', async () => {
    await h.say('用户 授权 ou_gone 仓管', { openId: 'ou_boss' });
    await t.db.execute(sql`update users set active = false where open_id = 'ou_gone'`);
    expect(await h.say('库存', { openId: 'ou_gone' })).toContain('停用');
  });
});
