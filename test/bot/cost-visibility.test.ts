/**
 * Chat answers show costs only to those holding 'cost.view' (src/people/roles.ts): the read use
 * cases return their results without cost fields for the others (sales, viewer), and the chat
 * renderers print only what is there — no "undefined", no crash, quantities unchanged.
 */
import { expect, it } from 'vitest';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';

describeDb('costs in chat answers', (t) => {
  const h = useBotApp(t);

  async function seed(): Promise<string> {
    await h.say('仓库 新增 主仓库');
    await h.say('商品 新增 A001 螺丝 进价=0.35 安全库存=50');
    const rk = (await h.say('入库 A001 100 0.5')).match(/RK\d{8}-\d{4}/)![0];
    await h.say('用户 授权 ou_viewer 只读');
    await h.say('用户 授权 ou_sales 销售');
    await h.say('盘点 开始');
    await h.say('盘点 录入 A001 98');
    return rk;
  }

  it('an admin sees values and costs; a viewer and a salesperson see the same answers without them', async () => {
    const rk = await seed();
    const stock = await h.say('库存 A001');
    expect(stock).toContain('库存金额');
    expect(stock).toContain('¥50.00');
    const doc = await h.say(`单据 ${rk}`);
    expect(doc).toContain('合计金额');
    expect(await h.say('库存')).toContain('金额合计 ¥50.00');
    expect(await h.say('盘点 差异')).toContain('盘亏合计');
    expect(await h.say('商品 查询 A001')).toContain('进价 ¥0.35');

    for (const openId of ['ou_viewer', 'ou_sales']) {
      const s = await h.say('库存 A001', { openId });
      expect(s, openId).toContain('100 个');
      expect(s, openId).not.toMatch(/¥|库存金额|平均成本|undefined/);
      const d = await h.say(`单据 ${rk}`, { openId });
      expect(d, openId).toContain(rk);
      expect(d, openId).toContain('100 个');
      expect(d, openId).not.toMatch(/¥|金额|undefined/);
      const sum = await h.say('库存', { openId });
      expect(sum, openId).toContain('1 个商品');
      expect(sum, openId).not.toMatch(/¥|undefined/);
      const st = await h.say('盘点 差异', { openId });
      expect(st, openId).toContain('盘亏 2');
      expect(st, openId).not.toMatch(/¥|合计|undefined/);
      const p = await h.say('商品 查询 A001', { openId });
      expect(p, openId).toContain('螺丝');
      expect(p, openId).not.toMatch(/进价|undefined/);
    }
  });
});
