/**
 * Issue 8 class 12 — group addressing, through the real signed path (fake Feishu → Hono → DB →
 * outbox → fake Feishu). In a group only a message that @mentions THIS bot (mention id.open_id ==
 * the open_id from GET /open-apis/bot/v3/info) is a command; the bot's placeholder is removed
 * wherever it is; colleagues are person parameters of 用户 授权 and are dropped elsewhere; when
 * the bot's open_id cannot be known nothing in a group runs (500 → Feishu redelivers; offline:
 * ignored). p2p never needs the identity.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows, type Db } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp, type BotApp } from '../helpers/app.js';
import { configureBotIdentity, forgetBotIdentity } from '../../bot/feishu-client.js';
import { addressMessage as address, personMentions as persons } from '../../bot/messages.js';
import type { Mention } from '../../bot/commands/registry.js';
import { buildCommandRegistry } from '../../bot/registries.js';
import { buildUseCases } from '../../src/app.js';

// The app's command registry (a value built at start): what counts as a command.
const commands = buildCommandRegistry(buildUseCases());
const addressMessage = (text: string, chatType: string | undefined, mentions: Mention[], botOpenId: string | null) => address(text, chatType, mentions, botOpenId, commands);
const personMentions = (text: string, mentions: Mention[]) => persons(text, mentions, commands);

const count = async (db: Db, table: string) => (await execRows<{ n: number }>(db, sql.raw(`select count(*)::int as n from ${table}`)))[0].n;
const onHand = async (db: Db, sku: string) =>
  (
    await execRows<{ q: string }>(
      db,
      sql`select coalesce(sum(b.qty), 0)::numeric(20,0)::text as q from stock_balances b join products p on p.id = b.product_id where p.sku = ${sku}`,
    )
  )[0].q;
const userRole = async (db: Db, openId: string) => (await execRows<{ role: string }>(db, sql`select role from users where open_id = ${openId}`))[0]?.role;
const botInfoCalls = (h: BotApp) => h.fake.requests.filter((r) => r.path.startsWith('/open-apis/bot/v3/info')).length;

const ZHANG = { key: '@_user_2', openId: 'ou_zhang_san', name: '张三' };
const group = { chatType: 'group' as const, chatId: 'oc_team' };

/** Sends a group message that must be ignored: 200, nothing written, no reply. */
async function expectIgnored(h: BotApp, db: Db, text: string, mentions: { key: string; openId: string; name: string }[]) {
  const before = { events: await count(db, 'processed_events'), outbox: await count(db, 'outbox'), moves: await count(db, 'stock_moves') };
  const r = await h.send(text, { ...group, mentions, expectReply: false });
  expect(r.push.status).toBe(200);
  await h.settle();
  expect(h.fake.repliesTo(r.messageId), text).toHaveLength(0);
  expect(await count(db, 'processed_events'), text).toBe(before.events);
  expect(await count(db, 'outbox'), text).toBe(before.outbox);
  expect(await count(db, 'stock_moves'), text).toBe(before.moves);
}

describe('addressing rules (pure)', () => {
  const bot = (key = '@_user_1') => ({ key, openId: 'ou_bot', name: '进销存助手' });
  const zhang = (key = '@_user_2') => ({ key, openId: 'ou_zhang', name: '张三' });

  it('only the mention whose open_id is the bot addresses it; names and positions prove nothing', () => {
    expect(addressMessage('@_user_1 库存', 'group', [{ ...zhang('@_user_1'), name: '进销存助手' }], 'ou_bot')).toEqual({ kind: 'ignore', reason: 'not-this-bot' });
    expect(addressMessage('出库 A001 5 @_user_1', 'group', [zhang('@_user_1')], 'ou_bot')).toEqual({ kind: 'ignore', reason: 'not-this-bot' });
    expect(addressMessage('@_user_1 库存', 'group', [bot()], null)).toEqual({ kind: 'bot-unknown' });
    expect(addressMessage('库存', 'group', [], null)).toEqual({ kind: 'ignore', reason: 'no-mention' });
  });

  it('the bot placeholder is removed wherever it is; a lead-in said to people is dropped', () => {
    const m = [bot()];
    for (const text of ['@_user_1 出库 螺丝 5', '出库 螺丝 5 @_user_1', '出库 螺丝 @_user_1 5', '请 @_user_1 出库 螺丝 5', '请@_user_1出库 螺丝 5']) {
      expect(addressMessage(text, 'group', m, 'ou_bot'), text).toEqual({ kind: 'command', text: '出库 螺丝 5', mentions: [] });
    }
    // @_user_1 is not the prefix of @_user_12.
    const many = [bot(), ...Array.from({ length: 11 }, (_, i) => zhang(`@_user_${i + 2}`))];
    expect(addressMessage('@_user_12 @_user_1 库存', 'group', many, 'ou_bot')).toMatchObject({ kind: 'command', text: '@_user_12 库存' });
    // Nothing recognisable after the mention either: the whole text goes to the router (it says what it does not know).
    expect(addressMessage('今天 @_user_1 辛苦了', 'group', m, 'ou_bot')).toMatchObject({ kind: 'command', text: '今天 辛苦了' });
  });

  it('colleagues: person parameters of 用户 授权, removed elsewhere (with @所有人)', () => {
    expect(personMentions('用户 授权 @_user_2 仓管', [zhang()])).toEqual({ text: '用户 授权 @_user_2 仓管', dropped: [] });
    expect(personMentions('@_user_2 用户 授权 仓管', [zhang()])).toEqual({ text: '用户 授权 仓管', dropped: [zhang()] });
    expect(personMentions('出库 螺丝 5 @_user_2', [zhang()])).toEqual({ text: '出库 螺丝 5', dropped: [zhang()] });
    expect(personMentions('@_user_2 库存 @_all', [zhang()])).toEqual({ text: '库存', dropped: [zhang()] });
  });
});

describeDb('group addressing (bot identity from bot/v3/info, and when that call fails)', (t) => {
  const h = useBotApp(t);

  async function setup() {
    expect(await h.say('商品 新增 LS01 螺丝')).toContain('已新增商品');
    await h.say('入库 LS01 10');
    expect(await onHand(t.db, 'LS01')).toBe('10');
  }

  it('p2p never asks for the bot identity; a group message is left for redelivery (500, nothing written) until it is known', async () => {
    expect(await h.say('帮助')).toContain('命令');
    expect(botInfoCalls(h)).toBe(0);
    forgetBotIdentity(h.deps.feishu!);
    configureBotIdentity(h.deps.feishu!, { baseDelayMs: 0, timeoutMs: 600_000 });

    h.fake.failNext(2, { status: 500, path: '/bot/v3/info' });
    const addressed = await h.send('@_user_1 帮助', { ...group, mentions: [h.fake.botMention('@_user_1')], expectReply: false });
    const colleague = await h.send('@_user_1 帮助', { ...group, mentions: [{ ...ZHANG, key: '@_user_1' }], expectReply: false });
    expect([addressed.push.status, colleague.push.status]).toEqual([500, 500]);
    await h.settle();
    expect(await count(t.db, 'processed_events')).toBe(1);
    expect(h.fake.repliesTo(addressed.messageId)).toHaveLength(0);
    // p2p meanwhile: unaffected.
    expect(await h.say('帮助')).toContain('命令');

    // Feishu redelivers the same events; the identity is learned now.
    const again = await h.fake.redeliver(h.eventsUrl, addressed.push);
    expect(again.status).toBe(200);
    await h.settle();
    expect((await h.fake.waitForReplies(addressed.messageId, 1))[0]).toContain('命令');
    const again2 = await h.fake.redeliver(h.eventsUrl, colleague.push);
    expect(again2.status).toBe(200);
    await h.settle();
    expect(h.fake.repliesTo(colleague.messageId)).toHaveLength(0);
    expect(await count(t.db, 'processed_events')).toBe(3);
  });

  it('a message whose only mentions are colleagues is ignored: no reply, nothing written, no dedupe row', async () => {
    const zhang1 = { ...ZHANG, key: '@_user_1' };
    await expectIgnored(h, t.db, '@_user_1 仓库 新增 不该有的仓', [zhang1]);
    await expectIgnored(h, t.db, '仓库 新增 不该有的仓 @_user_1', [zhang1]);
    await expectIgnored(h, t.db, '@_user_1 出库 LS01 5', [zhang1]);
    await expectIgnored(h, t.db, '@_user_1 出库 LS01 5 @_user_2', [zhang1, { key: '@_user_2', openId: 'ou_li_si', name: '李四' }]);
    // Same display name as the bot, another open_id (a colleague, or another app's bot).
    await expectIgnored(h, t.db, '@_user_1 仓库 新增 不该有的仓', [{ key: '@_user_1', openId: 'ou_someone_else', name: h.fake.botName }]);
    await expectIgnored(h, t.db, '仓库 新增 不该有的仓', []);
    expect(await count(t.db, 'warehouses')).toBe(0);
  });

  it('answers the bot mention at the start, in the middle and at the end', async () => {
    const calls = botInfoCalls(h);
    const bot = [h.fake.botMention('@_user_1')];
    const texts = ['@_user_1 仓库 新增 一号仓', '请 @_user_1 仓库 新增 二号仓', '仓库 新增 @_user_1 三号仓', '仓库 新增 四号仓 @_user_1'];
    for (const text of texts) {
      const r = await h.send(text, { ...group, mentions: bot });
      expect(r.replies, text).toHaveLength(1);
      expect(r.replies[0], text).toContain('已新增仓库');
    }
    const names = await execRows<{ name: string }>(t.db, sql`select name from warehouses order by id`);
    expect(names.map((x) => x.name)).toEqual(['一号仓', '二号仓', '三号仓', '四号仓']);
    expect(await count(t.db, 'processed_events')).toBe(texts.length);
    // The identity is cached per app: no look-up per group message.
    expect(botInfoCalls(h)).toBe(calls);
  });

  it('用户 授权 @colleague 仓管 with the bot mention grants the colleague, never the bot', async () => {
    const variants: [string, { key: string; openId: string; name: string }[]][] = [
      ['@_user_1 用户 授权 @_user_2 仓管', [h.fake.botMention('@_user_1'), ZHANG]],
      ['用户 授权 @_user_1 仓管 @_user_2', [{ ...ZHANG, key: '@_user_1' }, h.fake.botMention('@_user_2')]],
      ['用户 授权 @_user_1 @_user_2 仓管', [h.fake.botMention('@_user_1'), ZHANG]],
    ];
    for (const [text, mentions] of variants) {
      const r = await h.send(text, { ...group, mentions });
      expect(r.replies[0], text).toContain('张三');
      expect(await userRole(t.db, ZHANG.openId), text).toBe('clerk');
      await execRows(t.db, sql`delete from users where open_id = ${ZHANG.openId}`);
    }
    // The bot as the "person": its mention is addressing, never a parameter.
    const r = await h.send('@_user_1 用户 授权 @_user_2 仓管', { ...group, mentions: [h.fake.botMention('@_user_1'), h.fake.botMention('@_user_2')] });
    expect(r.replies[0]).toContain('格式不对');
    expect(await userRole(t.db, h.fake.botOpenId)).toBeUndefined();
  });

  it('a colleague mentioned in a command that takes no person is dropped: the command runs as if unmentioned', async () => {
    const w = await h.send('@_user_1 仓库 新增 门店 @_user_2', { ...group, mentions: [h.fake.botMention('@_user_1'), ZHANG] });
    expect(w.replies[0]).toContain('已新增仓库');
    expect((await execRows<{ name: string }>(t.db, sql`select name from warehouses`)).map((x) => x.name)).toEqual(['门店']);
    // The example: "@机器人 出库 螺丝 5 @张三" is 出库 螺丝 5.
    await setup();
    const r = await h.send('@_user_1 出库 LS01 5 @_user_2', { ...group, mentions: [h.fake.botMention('@_user_1'), ZHANG] });
    expect(r.replies[0]).not.toMatch(/格式不对|@_user|张三/);
    expect(await onHand(t.db, 'LS01')).toBe('5');
    const remarks = await execRows<{ remark: string | null }>(t.db, sql`select remark from documents`);
    for (const x of remarks) expect(x.remark ?? '').not.toMatch(/@_user|张三/);
    // 库存 used to refuse any @某人; now the colleague is simply not its business.
    const q = await h.send('@_user_1 @_user_2 库存 LS01', { ...group, mentions: [{ ...ZHANG, key: '@_user_1' }, h.fake.botMention('@_user_2')] });
    expect(q.replies[0]).toContain('螺丝');
    expect(q.replies[0]).not.toMatch(/不需要|格式不对/);
  });

  it('p2p is unchanged: every message is a command, colleagues are still persons', async () => {
    expect(await h.say('帮助')).toContain('用户 授权');
    expect(await h.say('用户 授权 @_user_1 销售', { mentions: [{ ...ZHANG, key: '@_user_1' }] })).toContain('张三');
    expect(await userRole(t.db, ZHANG.openId)).toBe('sales');
  });
});

describeDb('group addressing offline (no Feishu credentials)', (t) => {
  const h = useBotApp(t, { offline: true });

  it('the bot open_id cannot be known: group messages with mentions are ignored, p2p still runs', async () => {
    const r = await h.send('@_user_1 帮助', { ...group, mentions: [h.fake.botMention('@_user_1')], expectReply: false });
    expect(r.push.status).toBe(200);
    await h.settle();
    expect(await count(t.db, 'processed_events')).toBe(0);
    expect(await count(t.db, 'outbox')).toBe(0);
    const p = await h.send('帮助', { expectReply: false });
    expect(p.push.status).toBe(200);
    expect(await count(t.db, 'processed_events')).toBe(1);
    expect(await count(t.db, 'outbox')).toBe(1);
  });
});
