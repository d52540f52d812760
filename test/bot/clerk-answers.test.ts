/**
 * Issue 10 items 5, 8, 11 through the real chat path (signed event → webhook → database → fake
 * Feishu): 低库存 and 安全库存 with ONE definition stated in every answer, 库存 with 现有 (never
 * 可用) and batch lines with warehouse and expiry, 库存 … 批次=…, FEFO with the expired-batch
 * confirmation, "没有批次" ≠ 库存不足, 流水 with opening and running balance (paged), and 单据
 * lists by day, product and person (paged).
 */
import { expect, it } from 'vitest';
import { describeDb } from '../helpers/db.js';
import { ADMIN_OPEN_ID, useBotApp } from '../helpers/app.js';
import { LOW_STOCK_RULE, PER_WAREHOUSE_NOTE } from '../../src/inventory/lowstock.js';

describeDb('the answers a clerk needs (chat)', (t) => {
  const h = useBotApp(t);

  async function seed() {
    await h.say('仓库 新增 主仓库');
    await h.say('仓库 新增 二号仓');
    await h.say('商品 新增 A001 螺丝M6');
    await h.say('入库 A001 20 0.35');
  }

  it('低库存 / 安全库存 / 库存 agree, and say the rule', async () => {
    await seed();
    expect(await h.say('安全库存 A001 25')).toContain('已设置 螺丝M6（A001）的安全库存：25 个（全部仓库合计；低库存 = 现有 ≤ 安全库存）');
    const sum = await h.say('库存');
    expect(sum).toContain(LOW_STOCK_RULE);
    expect(sum).toContain('• 螺丝M6（A001）现有 20 个，安全库存 25 个，缺 5 个');
    expect(sum).not.toContain('可用');
    // One warehouse: judged only with its own safety stock, and the reply says so.
    const main = await h.say('库存 @主仓库');
    expect(main).toContain('@主仓库 没有设分仓安全库存的商品，不按仓库判断。');
    expect(main).toContain(PER_WAREHOUSE_NOTE);
    expect(await h.say('安全库存 A001 30 @二号仓')).toBe('已设置 螺丝M6（A001）在「二号仓」的安全库存：30 个。\n该仓库现有 0 个，⚠️ 已是低库存（现有 ≤ 安全库存）。');
    const low = await h.say('低库存');
    expect(low).toContain(LOW_STOCK_RULE);
    expect(low).toContain('螺丝M6（A001） | 全部仓库合计 | 20 个 | 25 个 | 5 个');
    expect(low).toContain('螺丝M6（A001） | 二号仓 | 0 个 | 30 个 | 30 个');
    expect(await h.say('低库存 @二号仓')).not.toContain('| 全部仓库合计 |');
    const card = await h.say('库存 A001');
    expect(card).toContain('**现有**（全部仓库）：**20 个**');
    expect(card).toContain('⚠️ 低库存：全部仓库合计现有 20 个 ≤ 安全库存 25 个');
    expect(card).toContain('⚠️ 低库存：「二号仓」现有 0 个 ≤ 分仓安全库存 30 个');
    expect(card).not.toContain('可用');
    // Bad input: a clear reason, nothing written.
    expect(await h.say('安全库存 A001')).toContain('需要商品和数量');
    expect(await h.say('安全库存 A001 2袋 @二号仓')).toContain('单位「袋」不认识');
    expect(await h.say('安全库存 A001 0 @二号仓')).toContain('已取消 螺丝M6（A001）在「二号仓」的分仓安全库存（原为 30）');
  });

  it('batches: FEFO, the expired-batch question, 没有批次, 库存 … 批次=…', async () => {
    await h.say('仓库 新增 主仓库');
    await h.say('商品 新增 R001 试剂 批次管理=是');
    await h.say('入库 R001 10 1 批次=OLD 有效期=2020-01-01');
    await h.say('入库 R001 10 1 批次=NEW 有效期=2099-01-01');
    await h.say('入库 R001 10 1 批次=UNDATED');
    // Without a batch: the good dated batch first (FEFO); the expired one is not touched, no question.
    expect(await h.say('出库 R001 5')).toContain('-5 个 @主仓库 批次 NEW');
    // The expired batch named: asked first; with 确认 it is posted.
    const ask = await h.say('出库 R001 5 批次=OLD');
    expect(ask).toContain('批次「OLD」已过期（到期 2020-01-01），这次要从它发出 5 个');
    expect(ask).toContain('还没有记账');
    const done = await h.say('出库 R001 5 批次=OLD 确认');
    expect(done).toContain('批次 OLD');
    const none = await h.say('出库 R001 1 批次=X9');
    expect(none).toContain('没有批次「X9」（该商品的批次：');
    expect(none).toContain('OLD（主仓库 5，到期 2020-01-01）、NEW（主仓库 5，到期 2099-01-01）、UNDATED（主仓库 10）');
    expect(none).not.toContain('库存不足');
    const stock = await h.say('库存 R001');
    expect(stock).toContain('主仓库 | OLD | 2020-01-01（已过期） | 5 个');
    expect(stock).toContain('主仓库 | UNDATED | — | 10 个');
    const one = await h.say('库存 R001 批次=OLD');
    expect(one).toContain('**现有**（全部仓库 批次 OLD）：**5 个**');
    expect(one).not.toContain('UNDATED');
    expect(await h.say('库存 R001 批次=X9')).toContain('没有批次「X9」（该商品的批次：OLD、NEW、UNDATED）');
    // A batch number typed in another letter case is that batch (the only one spelled so).
    expect(await h.say('库存 R001 批次=old')).toContain('**现有**（全部仓库 批次 OLD）：**5 个**');
    expect(await h.say('低库存')).toContain('OLD | 主仓库 | 5 个 | 2020-01-01（已过期');
    // FEFO across batches: the dated good one, then the undated one; the expired one last.
    const fefo = await h.say('出库 R001 12');
    expect(fefo).toContain('-5 个 @主仓库 批次 NEW');
    expect(fefo).toContain('-7 个 @主仓库 批次 UNDATED');
    const rest = await h.say('出库 R001 5');
    expect(rest).toContain('批次「OLD」已过期（到期 2020-01-01），这次要从它发出 2 个：没有过期的库存不够这次出库');
    expect(rest).toContain('还没有记账');
  });

  it('流水: opening balance, running balance, periods, pages; costs only with cost.view', async () => {
    await seed();
    await h.say('出库 A001 3');
    const l = await h.say('流水 A001 今天');
    expect(l).toMatch(/^📒 流水 螺丝M6（A001） 全部仓库 · 今天（\d{4}-\d{2}-\d{2}）/);
    expect(l).toContain('期初结存：0 个');
    expect(l).toMatch(/RK\d{8}-\d{4} 采购入库 \+20 个 金额 \+¥7\.00 @主仓库 → 结存 20 个$/m);
    expect(l).toMatch(/CK\d{8}-\d{4} 销售出库 -3 个 金额 -¥1\.05 @主仓库 → 结存 17 个$/m);
    expect(l).toContain('期末结存：17 个');
    // A period before anything happened: the opening is what was there, nothing listed.
    const before = await h.say('流水 A001 2020-01');
    expect(before).toContain('期初结存：0 个');
    expect(before).toContain('这段时间没有出入库');
    expect(await h.say('流水 A001 2026-02-30')).toContain('没有「2026-02-30」这一天');
    expect(await h.say('流水 本月')).toContain('请写商品');
    // 21 more moves → two pages of 20; the second page starts from the first page's balance.
    await h.say(`入库 ${Array.from({ length: 21 }, () => 'A001 1 0.35').join('；')}`);
    const p1 = await h.say('流水 A001');
    expect(p1).toContain('还有更多，下一页：流水 A001 页=2');
    const p2 = await h.say('流水 A001 页=2');
    expect(p2).toContain('本页前结存：35 个');
    expect(p2).toContain('+1 个 金额 +¥0.35 @主仓库 → 结存 36 个');
    expect(p2).toContain('期末结存：38 个');
    await h.say('用户 授权 ou_sales 销售');
    const s = await h.say('流水 A001 今天', { openId: 'ou_sales' });
    expect(s).toContain('结存 17 个');
    expect(s).not.toMatch(/¥/);
  });

  it('单据 lists: by day, product, person; paged; 单据 <单号> still works', async () => {
    await seed();
    await h.say('商品 新增 B001 垫片');
    await h.say('入库 B001 5 0.1');
    const today = await h.say('单据 今天');
    expect(today).toMatch(/^📄 单据 · 今天/);
    expect(today).toMatch(/RK\d{8}-0001 采购入库 .* 主仓库 .*：螺丝M6 ¥7\.00/);
    expect(today).toMatch(/RK\d{8}-0002 采购入库 .*：垫片 ¥0\.50/);
    const byProduct = await h.say('单据 B001');
    expect(byProduct).toContain('商品 B001');
    expect(byProduct).toContain('垫片');
    expect(byProduct).not.toContain('螺丝M6');
    const byPerson = await h.say(`单据 ${ADMIN_OPEN_ID} 今天`);
    expect(byPerson).toContain(`经办 ${ADMIN_OPEN_ID}`);
    expect(byPerson).toContain('垫片');
    const mention = await h.say('单据 @_user_1', { mentions: [{ key: '@_user_1', openId: ADMIN_OPEN_ID, name: '管理员' }] });
    expect(mention).toContain('经办 管理员');
    expect(mention).toContain('螺丝M6');
    // A product and a colleague together; the header word 经办 before a name; a colleague typed as
    // @名字 (no real mention) where no warehouse has that name.
    const both = await h.say(`单据 B001 ${ADMIN_OPEN_ID}`);
    expect(both).toContain(`📄 单据 · 商品 B001 · 经办 ${ADMIN_OPEN_ID}`);
    expect(both).toContain('垫片');
    expect(both).not.toContain('螺丝M6');
    expect(await h.say(`单据 经办 ${ADMIN_OPEN_ID}`)).toContain(`📄 单据 · 经办 ${ADMIN_OPEN_ID}`);
    expect(await h.say(`单据 今天 @${ADMIN_OPEN_ID}`)).toMatch(new RegExp(`📄 单据 · 今天（[-\\d]+） · 经办 ${ADMIN_OPEN_ID}\n`));
    expect(await h.say('单据 今天 @不存在')).toContain('找不到仓库「不存在」');
    expect(await h.say('单据 昨天')).toContain('没有符合条件的单据');
    expect(await h.say('单据 不存在的词')).toContain('「不存在的词」不是单号或期间，也没有叫这个名字的同事或商品');
    const rk = today.match(/RK\d{8}-0001/)![0];
    expect(await h.say(`单据 ${rk}`)).toContain(rk);
    for (let i = 0; i < 19; i++) await h.say('出库 A001 1');
    expect(await h.say('单据 今天')).toContain('还有更多，下一页：单据 今天 页=2');
    const p2 = await h.say('单据 今天 页=2');
    expect(p2).toContain('第 2 页');
    expect(p2).toContain('CK');
    expect(await h.say('单据 今天 页=3')).toContain('单据列表只有 2 页');
  });
});
