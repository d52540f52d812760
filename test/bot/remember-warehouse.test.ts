/**
 * A posting by chat remembers the user's warehouse (users.last_warehouse_id, preselected on form
 * cards). The message transaction sends that UPDATE together with the reply's insert at the end
 * (bot/messages.ts), so check it still lands — and that a refused posting leaves it alone.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { ADMIN_OPEN_ID, useBotApp } from '../helpers/app.js';
import '../../bot/commands/index.js';

describeDb('chat postings remember the warehouse', (t) => {
  const h = useBotApp(t);
  const last = async () =>
    (await execRows<{ w: string | null }>(t.db, sql`select w.name as w from users u left join warehouses w on w.id = u.last_warehouse_id where u.open_id = ${ADMIN_OPEN_ID}`))[0]?.w ?? null;

  it('入库/出库 set last_warehouse_id in the same transaction; a refused 出库 does not', async () => {
    expect(await h.say('仓库 新增 主仓库')).toContain('主仓库');
    expect(await h.say('仓库 新增 二号仓')).toContain('二号仓');
    expect(await h.say('商品 新增 A001 螺丝M6')).toContain('已新增商品');
    expect(await h.say('入库 A001 10 0.35 @二号仓')).toContain('二号仓');
    expect(await last()).toBe('二号仓');
    expect(await h.say('入库 A001 10 0.35 @主仓库')).toContain('主仓库');
    expect(await last()).toBe('主仓库');
    expect(await h.say('出库 A001 1 @二号仓')).toContain('二号仓');
    expect(await last()).toBe('二号仓');
    expect(await h.say('出库 A001 99 @主仓库')).toMatch(/不足/);
    expect(await last()).toBe('二号仓');
  });
});
