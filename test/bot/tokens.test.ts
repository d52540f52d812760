/**
 * 令牌 新建 / 列表 / 撤销 through the real path: signed event → Hono → database → replies captured
 * by fake Feishu. The plain token is shown ONCE: it reaches Feishu in exactly one message (its
 * own reply, sent after commit) and is stored nowhere — not in the outbox, not in
 * processed_events, not in audit rows, not in api_tokens (only its hash). A redelivery of the
 * message says it was created and is not shown again; a non-admin is refused.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows, type Db } from '../../db/types.js';
import { authenticateToken, hashToken } from '../../src/people/tokens.js';
import { describeDb } from '../helpers/db.js';
import { ADMIN_OPEN_ID, useBotApp, type BotApp } from '../helpers/app.js';

const TOKEN = /jxc_[A-Za-z0-9_-]{43}/;

/** Every row of the tables that must never hold a plain token, as text. */
async function storedText(db: Db): Promise<string> {
  const rows = await execRows<{ t: string }>(
    db,
    sql`select coalesce((select string_agg(row_to_json(o)::text, ' ') from outbox o), '')
          || coalesce((select string_agg(row_to_json(p)::text, ' ') from processed_events p), '')
          || coalesce((select string_agg(row_to_json(a)::text, ' ') from audit_log a), '')
          || coalesce((select string_agg(row_to_json(k)::text, ' ') from api_tokens k), '') as t`,
  );
  return rows[0].t;
}

const tokenCount = async (db: Db) => (await execRows<{ n: number }>(db, sql`select count(*)::int as n from api_tokens`))[0].n;

/** Bot messages (all of them, to any parent) whose text contains `s`. */
const messagesContaining = (h: BotApp, s: string) => h.fake.botMessages().filter((m) => m.body.content.includes(s));

describeDb('令牌 (REST API tokens) in chat', (t) => {
  const h = useBotApp(t);

  it('新建: the token is sent once, in its own message, and stored nowhere; it authenticates', async () => {
    const r = await h.send('令牌 新建 erp 库存:写 人员:读');
    expect(r.push.status).toBe(200);
    // The queued reply and the token's own message.
    const texts = await h.fake.waitForReplies(r.messageId, 2);
    const created = texts.find((x) => x.includes('已创建令牌'))!;
    expect(created).toContain('「erp」');
    expect(created).toContain('库存：读写');
    expect(created).toContain('另发一条消息');
    expect(created).not.toMatch(TOKEN);
    const secret = texts.find((x) => TOKEN.test(x))!;
    const token = secret.match(TOKEN)![0];
    expect(secret).toContain('只显示这一次');

    expect(messagesContaining(h, token)).toHaveLength(1);
    const stored = await storedText(t.db);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(token.slice(4));
    // Only its hash is kept, and it is the real token.
    expect(stored).toContain(await hashToken(token));
    const auth = await authenticateToken(t.db, token);
    expect(auth.kind).toBe('ok');
    expect(auth.kind === 'ok' && auth.scopes).toEqual(['inventory:write', 'people:read']);
  });

  it('a redelivered 令牌 新建 answers "already created, not shown again" once; nothing new is created or shown', async () => {
    const first = await h.fake.sendText(h.eventsUrl, { openId: h.adminOpenId, text: '令牌 新建 sync inventory:read' });
    expect(first.status).toBe(200);
    await h.settle();
    const texts = await h.fake.waitForReplies(first.messageId!, 2);
    const token = texts.join('\n').match(TOKEN)![0];

    expect((await h.fake.redeliver(h.eventsUrl, first)).status).toBe(200);
    await h.settle();
    const again = await h.fake.waitForReplies(first.messageId!, 3);
    expect(again[2]).toContain('已创建，令牌不再显示，如遗失请撤销后重新创建');
    expect(again[2]).not.toMatch(TOKEN);
    // Feishu may redeliver again, with another event_id: no further answer.
    expect((await h.fake.sendText(h.eventsUrl, { openId: h.adminOpenId, text: '令牌 新建 sync inventory:read', messageId: first.messageId })).status).toBe(200);
    await h.settle();
    await new Promise((r) => setTimeout(r, 150));
    expect(h.fake.repliesTo(first.messageId!)).toHaveLength(3);

    expect(await tokenCount(t.db)).toBe(1);
    expect(messagesContaining(h, token)).toHaveLength(1);
    expect(await storedText(t.db)).not.toContain(token);
  });

  it('a non-admin is refused: nothing created, no second message', async () => {
    await h.say('帮助');
    await h.say('用户 授权 ou_clerk 仓管');
    const r = await h.send('令牌 新建 mine 库存:写', { openId: 'ou_clerk' });
    expect(r.replies[0]).toMatch(/没有权限.*仓管不能「新建令牌」（需要「管理用户」权限）/);
    await new Promise((res) => setTimeout(res, 150));
    expect(h.fake.repliesTo(r.messageId)).toHaveLength(1);
    expect(await tokenCount(t.db)).toBe(0);
    expect(await h.say('令牌 列表', { openId: 'ou_clerk' })).toMatch(/没有权限/);
    expect(await h.say('令牌 撤销 1', { openId: 'ou_clerk' })).toMatch(/没有权限/);
  });

  it('a bad scope or a missing one says what is valid; nothing created, nothing sent', async () => {
    const bad = await h.send('令牌 新建 erp 库存:改');
    expect(bad.replies[0]).toContain('不认识的范围：「库存:改」');
    expect(bad.replies[0]).toContain('库存（inventory）');
    expect(bad.replies[0]).toContain('库存:读');
    const none = await h.say('令牌 新建 erp');
    expect(none).toContain('缺少范围');
    expect(none).toContain('库存:读');
    expect(none).toContain('用法：令牌 新建 <名称> <范围…>');
    // A module without its access: the two ways to write it.
    expect(await h.say('令牌 新建 erp 库存')).toContain('「库存」（要写成「库存:读」或「库存:写」）');
    await h.fake.idle();
    expect(h.fake.repliesTo(bad.messageId)).toHaveLength(1);
    expect(await tokenCount(t.db)).toBe(0);
  });

  it('列表 shows names, prefixes and scopes but never a token; 撤销 by name or number stops it working', async () => {
    const r = await h.send('令牌 新建 erp 库存:读');
    const token = (await h.fake.waitForReplies(r.messageId, 2)).join('\n').match(TOKEN)![0];
    const list = await h.say('令牌 列表');
    expect(list).toContain('erp');
    expect(list).toContain(token.slice(0, 12));
    expect(list).toContain('库存：只读');
    expect(list).not.toContain(token);
    // Numbered by the token's own id, acting as the admin (no name yet: the open_id).
    expect(list).toMatch(/^#\d+ erp（/m);
    expect(list).toContain(`代表 ${ADMIN_OPEN_ID}`);

    expect(await h.say('令牌 撤销 erp')).toContain('已撤销令牌「erp」');
    expect((await authenticateToken(t.db, token)).kind).toBe('revoked');
    expect(await h.say('令牌 列表')).toContain('还没有令牌');
    expect(await h.say('令牌 列表 全部')).toContain('已撤销');
    expect(await h.say('令牌 撤销 erp')).toMatch(/已经撤销|找不到/);
    // By its prefix too: "already revoked", not "not found".
    expect(await h.say(`令牌 撤销 ${token.slice(0, 12)}`)).toContain('已经撤销过了');
  });
});

describeDb('令牌 新建 without Feishu (offline mode)', (t) => {
  const h = useBotApp(t, { offline: true, drain: false });

  it('is refused: the token could not be sent, so none is created', async () => {
    const r = await h.send('令牌 新建 erp 库存:写', { expectReply: false });
    expect(r.push.status).toBe(200);
    expect(await tokenCount(t.db)).toBe(0);
    // The answer waits in the outbox (no Feishu to deliver it) and holds no token.
    const [row] = await execRows<{ payload: string }>(t.db, sql`select payload::text as payload from outbox`);
    expect(row.payload).toContain('离线模式');
    expect(row.payload).not.toMatch(TOKEN);
  });
});
