/**
 * Modules switched off (company.disabled_modules, src/kernel/settings.ts) are filtered per
 * message, never by rebuilding the registries: their commands answer "「…」模块未开通，请联系管理员"
 * and nothing runs; 帮助 and a bare group word leave them out; switched on again, they work.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { disabledModulesSetting, writeSetting } from '../../src/kernel/settings.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';

describeDb('modules switched off', (t) => {
  const h = useBotApp(t);
  const switchOff = (modules: string[]) => writeSetting(t.db, disabledModulesSetting, modules, new Date());
  const count = async (table: string) => (await execRows<{ n: number }>(t.db, sql.raw(`select count(*)::int as n from ${table}`)))[0].n;

  it('a switched-off module answers 未开通 for each of its commands, hides them in 帮助, and writes nothing', async () => {
    await switchOff(['inventory']);
    for (const text of ['仓库 新增 主仓库', '出库 A001 1', '库存', '盘点 开始', '成本调整 A001 2']) {
      expect(await h.say(text), text).toBe('「库存」模块未开通，请联系管理员');
    }
    expect(await h.say('盘点')).toBe('「库存」模块未开通，请联系管理员');
    expect(await count('warehouses')).toBe(0);
    expect(await count('stocktakes')).toBe(0);

    const help = await h.say('帮助');
    expect(help).not.toContain('出库 <商品>');
    expect(help).not.toContain('盘点 开始');
    expect(help).toContain('用户 授权 @某人 <角色>');
    expect(help).toContain('令牌 新建');
    // Other modules go on working.
    expect(await h.say('用户 列表')).toContain('用户列表');
  });

  it('switched on again, the same running app serves them (read per message, nothing rebuilt)', async () => {
    await switchOff(['inventory']);
    expect(await h.say('仓库 新增 主仓库')).toContain('模块未开通');
    await switchOff([]);
    expect(await h.say('仓库 新增 主仓库')).toContain('已新增仓库');
    expect(await h.say('帮助')).toContain('出库 <商品>');
  });

  it('switching off another module leaves inventory alone', async () => {
    await switchOff(['people']);
    expect(await h.say('用户 列表')).toBe('「人员」模块未开通，请联系管理员');
    expect(await h.say('仓库 新增 主仓库')).toContain('已新增仓库');
    expect(await h.say('帮助')).not.toContain('用户 授权');
  });
});
