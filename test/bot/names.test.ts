/**
 * People by name (issue 10 item 6): display names come from Feishu's contact API through the
 * outbox after commit (src/people/contact-names.ts, src/outbox/user-name.ts), are cached for a
 * week, and the open_id shows only where Feishu gives no name. Through the real path: signed
 * events → the app → the database → the SDK → test/fake-feishu's contact endpoint.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows, type Db } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp, type BotApp } from '../helpers/app.js';

type NameRow = { name: string | null; fetched: boolean };

async function nameOf(db: Db, openId: string): Promise<NameRow | undefined> {
  const [r] = await execRows<NameRow>(db, sql`select name, name_fetched_at is not null as fetched from users where open_id = ${openId}`);
  return r;
}

/** Wait (on the database, bounded by the test's timeout) until no name read is pending. */
async function namesSettled(h: BotApp, db: Db): Promise<{ status: string; result: unknown }[]> {
  for (;;) {
    await h.settle();
    const rows = await execRows<{ status: string; result: unknown }>(db, sql`select status, result from outbox where kind = 'user_name' order by id`);
    if (rows.every((r) => r.status !== 'pending')) return rows;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describeDb('people by name', (t) => {
  const h = useBotApp(t);

  it('a colleague granted by open_id gets their Feishu name in 用户 列表, on documents and in replies', async () => {
    h.fake.setUserName(h.adminOpenId, '王经理');
    h.fake.setUserName('ou_zhang', '张三');
    await h.say('仓库 新增 主仓库');
    await h.say('商品 新增 A001 螺丝 单位=个');
    // The name is not known when the grant answers (Feishu is never called in the transaction).
    expect(await h.say('用户 授权 ou_zhang 仓管')).toContain('已授权：ou_zhang → 仓管');
    await namesSettled(h, t.db);
    expect(await nameOf(t.db, 'ou_zhang')).toEqual({ name: '张三', fetched: true });
    expect(await nameOf(t.db, h.adminOpenId)).toEqual({ name: '王经理', fetched: true });

    const list = await h.say('用户 列表');
    expect(list).toContain('1. 王经理 · 管理员 · ou_admin_0001');
    expect(list).toContain('2. 张三 · 仓管 · ou_zhang');
    expect(list).not.toContain('还没有名字');

    const posted = await h.say('入库 A001 5 1', { openId: 'ou_zhang' });
    const doc = await h.say(`单据 ${posted.match(/RK\d{8}-\d{4}/)![0]}`);
    expect(doc).toMatch(/经办.*张三/);
    expect(doc).not.toContain('ou_zhang');
    expect(await h.say('用户 授权 ou_zhang 销售')).toContain('已授权：张三 → 销售（原为仓管）');
    // Cached: one read per person however many messages they send.
    await h.say('库存 A001', { openId: 'ou_zhang' });
    await namesSettled(h, t.db);
    expect(h.fake.contactCalls('ou_zhang')).toBe(1);
    expect(h.fake.contactCalls(h.adminOpenId)).toBe(1);
  });

  it('a name older than a week is read again: a renamed colleague shows the new name', async () => {
    h.fake.setUserName('ou_li', '李四');
    await h.say('用户 授权 ou_li 仓管');
    await namesSettled(h, t.db);
    const before = h.fake.contactCalls('ou_li');
    expect((await nameOf(t.db, 'ou_li'))?.name).toBe('李四');

    h.fake.setUserName('ou_li', '李思');
    await h.say('帮助', { openId: 'ou_li' });
    await namesSettled(h, t.db);
    expect(h.fake.contactCalls('ou_li')).toBe(before); // six days, not yet

    await t.db.execute(sql`update users set name_fetched_at = now() - interval '8 days' where open_id = 'ou_li'`);
    await h.say('帮助', { openId: 'ou_li' });
    await namesSettled(h, t.db);
    expect(h.fake.contactCalls('ou_li')).toBe(before + 1);
    expect((await nameOf(t.db, 'ou_li'))?.name).toBe('李思');
  });

  it('outside the contact range (41050): the open_id shows, the read is not retried on every message and is not a failure', async () => {
    await h.say('用户 授权 ou_stranger 销售');
    const rows = await namesSettled(h, t.db);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']); // the admin's and ou_stranger's reads
    expect(await nameOf(t.db, 'ou_stranger')).toEqual({ name: null, fetched: true });
    const list = await h.say('用户 列表');
    expect(list).toContain('2. ou_stranger · 销售');
    expect(list).toContain('1 位还没有名字');
    await h.say('帮助', { openId: 'ou_stranger' });
    await h.say('帮助', { openId: 'ou_stranger' });
    await namesSettled(h, t.db);
    expect(h.fake.contactCalls('ou_stranger')).toBe(1);
    expect(await h.say('用户 授权 ou_stranger 仓管')).toContain('已授权：ou_stranger → 仓管');
  });

  it('without the contact scope (99991672) nobody is named, nothing goes dead, and the app keeps answering', async () => {
    h.fake.contactScope = false;
    h.fake.setUserName('ou_wang', '王五');
    await h.say('用户 授权 ou_wang 只读');
    const rows = await namesSettled(h, t.db);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(await nameOf(t.db, 'ou_wang')).toEqual({ name: null, fetched: true });
    expect(await h.say('用户 列表')).toContain('ou_wang · 只读');
  });

  it('a passing Feishu failure (500) is retried by the outbox until the name arrives', async () => {
    h.fake.setUserName('ou_zhou', '周七');
    h.fake.failNext(2, { status: 500, path: '/contact/v3/users/' });
    await h.say('用户 授权 ou_zhou 仓管');
    await namesSettled(h, t.db);
    expect((await nameOf(t.db, 'ou_zhou'))?.name).toBe('周七');
  });

  it('a name from an @mention counts: no contact read for a week', async () => {
    const r = await h.say('用户 授权 @_user_1 仓管', { mentions: [{ key: '@_user_1', openId: 'ou_zhao', name: '赵六' }] });
    expect(r).toContain('已授权：赵六 → 仓管');
    await h.say('帮助', { openId: 'ou_zhao' });
    await namesSettled(h, t.db);
    expect(h.fake.contactCalls('ou_zhao')).toBe(0);
    expect(await h.say('用户 列表')).toContain('赵六 · 仓管 · ou_zhao');
  });

  it('no markdown escapes in what a reader of the reply sees (A_1, 螺丝*M3)', async () => {
    await h.say('仓库 新增 主仓库');
    await h.say('商品 新增 A_1 螺丝*M3 单位=个');
    const posted = await h.say('入库 A_1 5 1');
    expect(posted).toContain('A_1');
    expect(posted).toContain('螺丝*M3');
    expect(posted).not.toMatch(/\\[_*]/);
    const stock = await h.say('库存 A_1');
    expect(stock).toContain('螺丝*M3（A_1）');
    expect(stock).not.toMatch(/\\[_*]/);
  });
});
