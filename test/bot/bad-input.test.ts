/** Bad input never writes and never 5xx: a clear Chinese answer saying how to write it. */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows, type Db } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';

async function snapshot(db: Db) {
  const [r] = await execRows<Record<string, number>>(
    db,
    sql`select (select count(*)::int from stock_moves) as moves, (select count(*)::int from documents) as docs,
               (select count(*)::int from products) as products, (select count(*)::int from warehouses) as warehouses,
               (select count(*)::int from users) as users, (select count(*)::int from stocktakes) as stocktakes,
               (select coalesce(sum(qty), 0)::text from stock_balances) as qty`,
  );
  return r;
}

const CASES: [string, RegExp][] = [
  ['出库 A999 3', /找不到商品/],
  ['出库 A001 0', /大于 0/],
  ['出库 A001 -3', /大于 0|负数/],
  // 五个 is a quantity since issue 10 (test/bot/spellings.test.ts); 零个 is still none.
  ['出库 A001 零个', /大于 0/],
  ['出库 A001 abc', /数量/],
  ['出库 A001 1e9999', /数量|看不懂/],
  ['出库 A001 99999999999999999999', /太大/],
  ['出库 A001 3.1234567', /小数/],
  ['出库 A001 3箱', /单位「箱」不认识/],
  ['出库 A001 500', /库存不足|不足/],
  ['出库 A001', /缺少.*数量/],
  ['出库', /缺少商品/],
  ['入库', /缺少商品/],
  ['入库 A001 5 @不存在的仓库', /找不到仓库/],
  ['入库 A001 5 -2', /单价.*格式不对/],
  // Unit prices take up to 6 decimals (issue 8 class 4): 1.234 is a price now, 7 decimals are not.
  ['入库 A001 5 1.2345678', /单价.*(格式不对|小数位太多)/],
  ['入库 A001 5 6.5/瓶', /单位「瓶」不是「螺丝」的单位/],
  ['入库 A001 2盒3个 6.5', /两个单位.*金额=/],
  ['出库 A001 1.5', /按 个 计，数量必须是整数/],
  ['出库 A001 3 瓶', /单位「瓶」不认识/],
  ['出库 A001 3 5', /我理解为：商品 A001，数量 3；「5」看不懂/],
  ['领用 A001 0.5', /数量必须是整数/],
  ['调拨 A001 1.5 @主仓库 @主仓库', /整数|相同/],
  ['入库 A001 5 颜色=红', /不认识的选项/],
  ['调拨 A001 5', /缺少仓库/],
  ['调拨 A001 5 @主仓库 @主仓库', /相同/],
  ['调拨 A001 5 @主仓库 @火星仓', /找不到仓库/],
  ['商品 新增', /缺少 SKU/],
  ['商品 新增 A002', /缺少商品名称/],
  ['商品 新增 A001 重复的', /已存在/],
  ['商品 新增 A003 新品 进价=abc', /进价.*格式不对/],
  ['商品 新增 A003 新品 进价=-1', /进价.*格式不对/],
  ['商品 新增 A003 新品 包装=箱', /包装.*格式不对/],
  ['商品 新增 A003 新品 包装=箱:0', /大于 0/],
  ['商品 修改 A001', /缺少要修改的内容/],
  ['仓库 新增', /缺少仓库名称/],
  ['仓库 新增 主仓库', /已存在/],
  ['红冲', /缺少单号/],
  ['红冲 12345', /不是单号/],
  ['红冲 CK20990101-0001', /找不到单据/],
  ['单据 hello', /不是单号/],
  ['盘点 录入 A001 5', /没有进行中的盘点/],
  ['盘点 过账', /没有进行中的盘点/],
  ['用户 授权', /@某人|角色/],
  ['用户 授权 张三 仓管', /不是一个 @ 提及/],
  ['用户 授权 ou_x 国王', /没有「国王」这个角色/],
  ['frobnicate', /没有「frobnicate」这个命令/],
  ['出库 😀😀 1', /找不到商品/],
  ['🎉', /没有「🎉」这个命令/],
  ["出库 A001'; DROP TABLE stock_moves; -- 1", /找不到商品|数量/],
  ["商品 查询 ' OR 1=1 --", /没有找到|找到/],
  // The ；/; of a multi-line entry splits it: line 2 (`delete from users; --`) has no quantity. Nothing runs as SQL.
  ['出库 A001 1 @"; delete from users; --', /第 2 行：缺少数量/],
  ['库存 %', /找不到|对应|没有/],
];

describeDb('bad input', (t) => {
  const h = useBotApp(t);

  it('each bad command gets a Chinese explanation, nothing is written, never a 5xx', async () => {
    expect(await h.say('仓库 新增 主仓库')).toContain('已新增');
    expect(await h.say('商品 新增 A001 螺丝 包装=盒:100')).toContain('已新增');
    expect(await h.say('入库 A001 10')).toContain('已入库');
    const before = await snapshot(t.db);
    for (const [text, expected] of CASES) {
      const r = await h.send(text);
      expect(r.push.status, text).toBe(200);
      expect(r.replies, text).toHaveLength(1);
      expect(r.replies[0], text).toMatch(expected);
      expect(r.replies[0], text).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(await snapshot(t.db)).toEqual(before);
  });

  it('确认 / 取消 typed alone while a confirmation card is pending: explained, nothing posted (a bare word never posts what the user cannot see)', async () => {
    expect(await h.say('仓库 新增 主仓库')).toContain('已新增');
    expect(await h.say('商品 新增 A001 螺丝')).toContain('已新增');
    for (let i = 0; i < 2; i++) expect(await h.say('入库 A001 10 1')).toContain('已入库');
    // 5000 > 10 × the typical 10: the confirmation card, nothing posted yet.
    const ask = await h.send('入库 A001 5000 1');
    expect(ask.replies[0]).toContain('请确认');
    const before = await snapshot(t.db);
    for (const word of ['确认', '确定', '取消']) {
      const r = await h.send(word);
      expect(r.replies, word).toHaveLength(1);
      expect(r.replies[0], word).not.toMatch(/没有「.*」这个命令/);
      expect(r.replies[0], word).toContain('没有执行任何操作');
      expect(r.replies[0], word).toContain('卡片上的「确认」按钮，或把原命令加上「确认」再发一次，例如：出库 螺丝 5000 确认');
    }
    expect((await h.send('取消')).replies[0]).toContain('请点卡片上的「取消」按钮');
    expect(await snapshot(t.db)).toEqual(before);
  });

  it('usage errors include how to write it (usage and example)', async () => {
    const r = await h.say('出库 A001 abc');
    expect(r).toContain('用法：出库 <商品> <数量>');
    expect(r).toContain('例如：出库 A001 5');
  });

  it('a 5 000-character message is refused politely', async () => {
    await h.say('帮助'); // the admin's first contact creates their user row
    const before = await snapshot(t.db);
    const r = await h.send('出库 ' + 'A'.repeat(5000) + ' 1');
    expect(r.push.status).toBe(200);
    expect(r.replies[0]).toMatch(/太长/);
    const r2 = await h.send('中'.repeat(5000));
    expect(r2.replies[0]).toMatch(/太长/);
    expect(await snapshot(t.db)).toEqual(before);
  });

  it('empty text, emoji-only and whitespace messages get a hint', async () => {
    for (const text of ['', '   ', '\u3000']) {
      const r = await h.send(text);
      expect(r.push.status).toBe(200);
      expect(r.replies[0]).toContain('帮助');
    }
  });

  it('non-text messages (image) get a hint', async () => {
    const r = await h.send('', { messageType: 'image', content: JSON.stringify({ image_key: 'img_v3_x' }) });
    expect(r.replies[0]).toContain('文字');
  });

  it('malformed event payloads are acknowledged without effect', async () => {
    const r = await h.fake.pushEvent(h.eventsUrl, 'im.message.receive_v1', { message: { chat_type: 'p2p' } });
    expect(r.status).toBe(200);
    const r2 = await h.fake.pushEvent(h.eventsUrl, 'im.message.receive_v1', { sender: { sender_id: { open_id: h.adminOpenId } }, message: { message_id: 'om_x1', chat_type: 'p2p', message_type: 'text', content: 'not json' } });
    expect(r2.status).toBe(200);
    const r3 = await h.fake.pushEvent(h.eventsUrl, 'some.unknown_event_v1', { foo: 1 });
    expect(r3.status).toBe(200);
  });
});
