/**
 * A product name with spaces or digits can be used in a command (issue 10 item 3): before the
 * quantity is read, the longest run of leading words that names a product (name, SKU, barcode,
 * alias; case, spaces and × / x / * do not matter) is the product — for every command that takes
 * one (入库, 出库, 领用, 调拨, 盘点 录入, 成本调整). No match: today's split (fuzzy names, not
 * found, the picker). Through the real path: signed event → app → database → reply.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { buildSearchText } from '../../src/inventory/search.js';

describeDb('product names with spaces and digits in commands', (t) => {
  const h = useBotApp(t);

  const onHand = async (sku: string, wh?: string) =>
    (
      await execRows<{ q: string }>(
        t.db,
        sql`select coalesce(sum(b.qty), 0)::int::text as q from stock_balances b join products p on p.id = b.product_id join warehouses w on w.id = b.warehouse_id
            where p.sku = ${sku} ${wh ? sql`and w.name = ${wh}` : sql``}`,
      )
    )[0].q;
  const moves = async () => (await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from stock_moves`))[0].n;

  async function seed() {
    expect(await h.say('仓库 新增 主仓库')).toContain('主仓库');
    expect(await h.say('仓库 新增 二号仓')).toContain('二号仓');
    expect(await h.say('商品 新增 TC-16 Type-C 母座 16P 进价=1.2')).toContain('已新增商品');
    expect(await h.say('商品 新增 DP-20 杜邦线 20cm 进价=0.3')).toContain('已新增商品');
    expect(await h.say('商品 新增 DP 杜邦线 进价=0.2')).toContain('已新增商品');
    expect(await h.say('商品 新增 SCR-M3X8 螺丝M3×8 进价=0.05')).toContain('已新增商品');
  }

  it('a name with a superscript or full-width letters (硅胶线 1mm²) is read as written: the database folds it like the typed text', async () => {
    await seed();
    expect(await h.say('商品 新增 SW1 硅胶线 1mm² 单位=米')).toContain('已新增商品');
    expect(await h.say('入库 硅胶线 1mm² 10 1.2')).toContain('硅胶线 1mm²（SW1）采购入库 +10 米');
    expect(await h.say('出库 硅胶线 1mm² 2米')).toContain('硅胶线 1mm²（SW1）销售出库 -2 米');
    expect(await onHand('SW1')).toBe('8');
  });

  it('a size code with a leading zero (0603) is part of the name, never a quantity: nothing is posted from it', async () => {
    await seed();
    expect(await h.say('商品 新增 C104 贴片电容 0603 104 进价=0.01')).toContain('已新增商品');
    expect(await h.say('入库 C104 1000')).toContain('+1000 个');
    // A partial name with the code: the code belongs to the name, 10 is the quantity.
    expect(await h.say('出库 电容 0603 10')).toContain('贴片电容 0603 104（C104）销售出库 -10 个');
    // The code where the quantity should be: part of the name, so the quantity is missing — never 603.
    const before = await moves();
    expect(await h.say('出库 C104 0603')).toContain('缺少数量');
    expect(await moves()).toBe(before);
    expect(await onHand('C104')).toBe('990');
  });

  it('出库 / 入库 / 领用 / 调拨 read the whole name before the quantity', async () => {
    await seed();
    const rk = await h.say('入库 Type-C 母座 16P 10 1.5');
    expect(rk).toContain('Type-C 母座 16P（TC-16）采购入库 +10 个');
    expect(rk).toContain('单价 ¥1.50/个');
    expect(await h.say('入库 杜邦线 20cm 5')).toContain('杜邦线 20cm（DP-20）采购入库 +5 个');
    expect(await onHand('DP-20')).toBe('5');
    expect(await h.say('出库 Type-C 母座 16P 3')).toContain('Type-C 母座 16P（TC-16）销售出库 -3 个');
    // Case, spaces and the size sign do not matter.
    expect(await h.say('领用 type-c 母座 16p 1')).toContain('领用出库 -1 个');
    expect(await h.say('出库 TYPE-C母座16P 1')).toContain('销售出库 -1 个');
    expect(await h.say('调拨 Type-C 母座 16P 2 @主仓库 @二号仓')).toContain('已调拨');
    expect(await onHand('TC-16', '主仓库')).toBe('3');
    expect(await onHand('TC-16', '二号仓')).toBe('2');
    // Options may come first; the rest of the line is read as before.
    expect(await h.say('出库 @二号仓 Type-C 母座 16P 1 备注=样品')).toContain('@二号仓');
    expect(await onHand('TC-16', '二号仓')).toBe('1');
  });

  it('the longest name wins; without a longer name the words split as before', async () => {
    await seed();
    // 杜邦线 and 杜邦线 20cm both exist: "杜邦线 20cm 5" is 5 of 杜邦线 20cm …
    expect(await h.say('入库 杜邦线 20cm 5')).toContain('（DP-20）采购入库 +5 个');
    // … and "杜邦线 20 0.25" is 20 of 杜邦线 at ¥0.25 (no product is called 杜邦线 20).
    const r = await h.say('入库 杜邦线 20 0.25');
    expect(r).toContain('杜邦线（DP）采购入库 +20 个');
    expect(r).toContain('单价 ¥0.25/个');
    // A model number written differently is still the product (its name has no space).
    expect(await h.say('入库 螺丝 M3X8 100')).toContain('螺丝M3×8（SCR-M3X8）采购入库 +100 个');
    expect(await h.say('入库 m3*8 100')).toContain('（SCR-M3X8）采购入库 +100 个');
  });

  it('an alias with a space is a name too', async () => {
    await seed();
    await t.db.execute(
      sql`update products set aliases = '["母座 16"]'::jsonb, search_text = ${buildSearchText({ name: 'Type-C 母座 16P', aliases: ['母座 16'] })} where sku = 'TC-16'`,
    );
    expect(await h.say('入库 母座 16 4 1.2')).toContain('（TC-16）采购入库 +4 个');
  });

  it('库存, 盘点 录入 and 成本调整 take such names too', async () => {
    await seed();
    await h.say('入库 杜邦线 20cm 10 0.3');
    expect(await h.say('库存 杜邦线 20cm')).toContain('DP-20');
    await h.say('盘点 开始 @主仓库');
    expect(await h.say('盘点 录入 杜邦线 20cm 8')).toContain('杜邦线 20cm（DP-20） 本次 8');
    await h.say('盘点 取消');
    const c = await h.say('成本调整 杜邦线 20cm 0.4');
    expect(c).toContain('已成本调整');
    expect(c).toContain('杜邦线 20cm（DP-20）');
  });

  it('unknown and ambiguous names answer as before, and nothing is written', async () => {
    await seed();
    expect(await h.say('出库 不存在的 东西 3')).toContain('找不到商品「不存在的 东西」');
    // No product named so: today's split (16P read as the quantity, a clear refusal).
    expect(await h.say('出库 不存在的东西 16P 3')).toContain('我理解为：商品 不存在的东西，数量 16P');
    await h.say('商品 新增 TC-16B Type-C母座16P');
    // Two products are "Type-C 母座 16P" written differently: the picker asks, never a guess.
    const r = await h.say('入库 type-c 母座 16p 3');
    expect(r).toContain('「type-c 母座 16p」对应多个商品');
    expect(r).toContain('Type-C 母座 16P（TC-16）');
    expect(r).toContain('TC-16B');
    expect(await moves()).toBe(0);
  });
});
