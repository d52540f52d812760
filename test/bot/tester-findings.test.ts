/**
 * Issue 8, tester findings (round 2) through the real chat path (signed event → Hono → DB →
 * fake Feishu), PGlite and Postgres. Each refusal writes nothing (state() before = after).
 * 1. fewer decimal places than the stock on hand has: refused, naming the quantity and the fix;
 * 2. a pack factor the base unit cannot hold (1 箱 = 2.5 个): refused at create and update;
 * 3. 红冲 refused for stock: a reversal's message (what left since, 成本调整 / 红冲 the issues);
 * 4. a refusal names the action asked (成本调整), and the permission it needs (红冲);
 * 5. 调拨 with one warehouse: the source is missing, not "the same warehouse";
 * 6. 55元 / 55块钱 / ¥55 after a quantity is the price, never a part of the quantity (a bare 块
 *    is a counting unit too, so it is never read as money);
 * 7. a price deviation just over the threshold shows the decimal that makes it "over".
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows, type Db } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { percentAbove } from '../../src/inventory/unusual.js';
import { Dec } from '../../src/shared/decimal.js';

async function state(db: Db) {
  const [r] = await execRows<Record<string, string | number>>(
    db,
    sql`select (select count(*)::int from stock_moves) as moves, (select count(*)::int from documents) as docs,
               (select count(*)::int from products) as products, (select count(*)::int from audit_log) as audits,
               (select string_agg(sku || ':' || coalesce(qty_decimals::text, '-') || ':' || coalesce(pack_unit, '') || ':' || coalesce(trim_scale(pack_factor)::text, ''), ',' order by sku) from products) as products_text`,
  );
  return r;
}

const docNo = (reply: string, prefix = '[A-Z]{2}') => reply.match(new RegExp(`${prefix}\\d{8}-\\d{4}`))?.[0];

describeDb('tester findings', (t) => {
  const h = useBotApp(t);

  async function seed() {
    expect(await h.say('仓库 新增 东莞主仓')).toContain('已新增');
  }

  it('0. 仓库 列表 on an empty database says the first receipt makes 主仓库 (issue 9 tester)', async () => {
    const r = await h.say('仓库 列表');
    expect(r).toContain('第一次入库时会自动建立默认仓库「主仓库」');
    expect(r).toContain('仓库 新增 <名称>');
  });

  it('0b. 商品 修改 to the values it already has says 没有改动 and writes nothing (issue 9 tester)', async () => {
    expect(await h.say('商品 新增 GLU 胶水 单位=瓶 包装=箱:24')).toContain('已新增');
    const audits = async () => (await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from audit_log where entity = 'product'`))[0].n;
    const before = await audits();
    expect(await h.say('商品 修改 GLU 单位=瓶 包装=箱:24')).toContain('没有改动');
    expect(await audits()).toBe(before);
    expect(await h.say('商品 修改 GLU 名称=胶棒')).toContain('✅ 已修改');
    expect(await audits()).toBe(before + 1);
  });

  it('1. lowering 小数位 under fractional stock is refused (naming qty and the fix); nothing written; allowed once the fraction is gone', async () => {
    await seed();
    expect(await h.say('商品 新增 CAT6 网线 单位=米')).toContain('已新增');
    expect(await h.say('入库 CAT6 305 2 确认')).toContain('已入库');
    expect(await h.say('出库 CAT6 12.5 确认')).toContain('已出库');
    const before = await state(t.db);
    const r = await h.say('商品 修改 CAT6 小数位=0');
    expect(r).toContain('「网线」现有 292.5 米（东莞主仓），有 1 位小数；改成整数前请先把零头出库或盘点调整，例如 出库 CAT6 0.5 @东莞主仓');
    expect(r).not.toContain('✅');
    expect(await state(t.db)).toEqual(before);
    // Raising (or keeping) the places is no problem.
    expect(await h.say('商品 修改 CAT6 小数位=3')).not.toMatch(/零头/);
    // 个 with 小数位=1 holding 5999.5: back to the default (whole 个) is refused too.
    expect(await h.say('商品 新增 PSU12 电源 单位=个 小数位=1')).toContain('已新增');
    expect(await h.say('入库 PSU12 6000 1 确认')).toContain('已入库');
    expect(await h.say('出库 PSU12 0.5 确认')).toContain('已出库');
    const before2 = await state(t.db);
    const r2 = await h.say('商品 修改 PSU12 小数位=默认');
    expect(r2).toMatch(/「电源」现有 5999\.5 个（东莞主仓），有 1 位小数；改成整数前请先把零头出库或盘点调整/);
    expect(await state(t.db)).toEqual(before2);
    // The way out works: issue the fraction, then the change is accepted.
    expect(await h.say('出库 CAT6 0.5 确认')).toContain('已出库');
    const ok = await h.say('商品 修改 CAT6 小数位=0');
    expect(ok).not.toMatch(/零头|不能|请先/);
    const [p] = await execRows<{ qty_decimals: number | null }>(t.db, sql`select qty_decimals from products where sku = 'CAT6'`);
    expect(p.qty_decimals).toBe(0);
  });

  it('2. a fractional pack factor for a counted unit is refused at create and update (service rule); nothing written', async () => {
    await seed();
    const before = await state(t.db);
    const r = await h.say('商品 新增 BAD3 测试品3 单位=个 包装=箱:2.5');
    expect(r).toContain('「个」按整数计，1 箱 只能等于整数个（收到 2.5）');
    expect(r).toContain('请写成整数，例如 包装=箱:3；确需按小数计个，请同时设置 小数位=1。没有保存任何改动。');
    expect(await state(t.db)).toEqual(before);
    // More places than a measured unit's 3.
    expect(await h.say('商品 新增 BAD5 测试品5 单位=米 包装=卷:100.0005')).toContain('「米」最多 3 位小数，1 卷 最多等于 3 位小数的米（收到 100.0005）。请写成最多 3 位小数，例如 包装=卷:100.001');
    expect(await state(t.db)).toEqual(before);
    // Allowed when the product allows the places.
    expect(await h.say('商品 新增 OK3 测试品3 单位=个 小数位=1 包装=箱:2.5')).toContain('已新增');
    expect(await h.say('商品 新增 OK4 网线 单位=米 包装=卷:305')).toContain('已新增');
    // Update: a new factor, and fewer places under an existing fractional factor.
    expect(await h.say('商品 新增 BAD4 测试品4 单位=个 包装=箱:24')).toContain('已新增');
    const mid = await state(t.db);
    expect(await h.say('商品 修改 BAD4 包装=箱:2.5')).toContain('「个」按整数计，1 箱 只能等于整数个（收到 2.5）');
    expect(await h.say('商品 修改 OK3 小数位=默认')).toContain('「个」按整数计，1 箱 只能等于整数个（收到 2.5）');
    expect(await state(t.db)).toEqual(mid);
    // An unrelated edit of an old product is not blocked by this rule.
    expect(await h.say('商品 修改 OK3 名称=测试品三')).not.toMatch(/按整数计/);
  });

  it('3. 红冲 of a receipt whose goods left since: a reversal message (what left, 成本调整 / 红冲 the issue first), not "请减少数量"; nothing written', async () => {
    await seed();
    await h.say('商品 新增 SW 开关 单位=个');
    const rk = docNo(await h.say('入库 SW 10 2 确认'), 'RK')!;
    const ck = docNo(await h.say('出库 SW 6 确认'), 'CK')!;
    const before = await state(t.db);
    const r = await h.say(`红冲 ${rk}`);
    expect(r).toContain(`不能红冲「${rk}」：这张入库单的货已部分出库，红冲后库存会为负。`);
    expect(r).toContain('开关（SW）在「东莞主仓」现有 4 个，红冲要退回 10 个。');
    expect(r).toContain(`之后出库：${ck}（销售出库）6 个。`);
    expect(r).toContain(`要改单价请用「成本调整 ${rk} <正确单价>」；要退货请先红冲后来的出库单（例如 红冲 ${ck}），再红冲这张入库单。`);
    expect(r).not.toMatch(/请减少数量/);
    expect(await state(t.db)).toEqual(before);
    // The way out it names works.
    expect(await h.say(`红冲 ${ck}`)).toMatch(/HC\d{8}/);
    expect(await h.say(`红冲 ${rk}`)).toMatch(/HC\d{8}/);
  });

  it('4. 成本调整 by a 仓管 names 成本调整 and the 红冲 permission it needs; 红冲 itself still says 红冲', async () => {
    await seed();
    await h.say('商品 新增 SW 开关 单位=个');
    await h.say('入库 SW 10 2 确认');
    await h.say('用户 授权 ou_clerk 仓管');
    const before = await state(t.db);
    const r = await h.say('成本调整 SW 0.05', { openId: 'ou_clerk' });
    expect(r).toContain('没有权限：仓管不能「成本调整」（需要「红冲」权限）');
    const rk = (await execRows<{ doc_no: string }>(t.db, sql`select doc_no from documents where kind = 'purchase_receipt'`))[0].doc_no;
    expect(await h.say(`红冲 ${rk}`, { openId: 'ou_clerk' })).toContain('没有权限：仓管不能「红冲」。');
    expect(await state(t.db)).toEqual(before);
  });

  it('5. 调拨 with one warehouse: says the source is missing and how to write both; two equal warehouses keep the old wording', async () => {
    await seed();
    await h.say('商品 新增 PSU12 电源 单位=个');
    await h.say('入库 PSU12 10 1 确认');
    const before = await state(t.db);
    const r = await h.say('调拨 PSU12 1 @东莞主仓');
    expect(r).toContain('只写了一个仓库「东莞主仓」，它被当作调入仓库，而调出仓库默认也是它。请写成：调拨 <商品> <数量> @调出仓库 @调入仓库');
    expect(r).not.toContain('调出和调入仓库相同');
    expect(await h.say('调拨 PSU12 1 @东莞主仓 @东莞主仓')).toContain('调出和调入仓库相同（东莞主仓）');
    expect(await state(t.db)).toEqual(before);
  });

  it('6. 55元 / 55块钱 / ¥55 / 55 元 after a quantity is the price per that unit, not a part of the quantity; a bare 块 is never money', async () => {
    await seed();
    await h.say('商品 新增 PSU12 电源 单位=个 包装=箱:10');
    for (const [text, price] of [
      ['入库 PSU12 1箱 55元 确认', '¥55.00/箱'],
      ['入库 PSU12 1箱 55块钱 确认', '¥55.00/箱'],
      ['入库 PSU12 1箱 ¥55 确认', '¥55.00/箱'],
      ['入库 PSU12 1箱 55 元 确认', '¥55.00/箱'],
      ['入库 PSU12 1 箱 55 块钱 确认', '¥55.00/箱'],
      ['入库 PSU12 3个 5.5元 确认', '¥5.50/个'],
      ['入库 PSU12 3 5.5块钱 确认', '¥5.50/个'],
    ] as const) {
      const r = await h.say(text);
      expect(r, text).toContain('已入库');
      expect(r, text).toContain(price);
      expect(r, text).not.toMatch(/不认识/);
    }
    const rows = await execRows<{ qty: string; value_fen: string }>(t.db, sql`select trim_scale(qty)::text as qty, value_fen::text as value_fen from stock_moves order by id`);
    expect(rows.slice(0, 5)).toEqual(Array(5).fill({ qty: '10', value_fen: '5500' }));
    expect(rows.slice(5)).toEqual(Array(2).fill({ qty: '3', value_fen: '1650' }));
    // A unit still joins its number ("2箱 3个"), and 块 right after the first number is a unit.
    await h.say('商品 新增 ZB 主板 单位=块 包装=箱:10');
    const zb = await h.say('入库 ZB 3 块 2 确认');
    expect(zb).toContain('已入库');
    expect(zb).toContain('3 块');
    expect(await h.say('入库 ZB 1箱5块 金额=15 确认')).toContain('15 块');
    // For a 块 product "1箱 5块" is 1 箱 5 块 (a quantity), never ¥5 per 箱; elsewhere 块 is refused by name.
    expect(await h.say('入库 ZB 1箱 5块 金额=15 确认')).toContain('15 块');
    const n = await state(t.db);
    expect(await h.say('入库 PSU12 1箱 55块 确认')).toMatch(/单位「块」不认识/);
    expect(await state(t.db)).toEqual(n);
  });

  it('7. a price just over the deviation threshold shows the decimal that makes it over (50.2%, not 50%)', async () => {
    await seed();
    await h.say('商品 新增 DEV 电阻 单位=个');
    await h.say('入库 DEV 10 10 确认'); // average ¥10.00
    const before = await state(t.db);
    const r = await h.say('入库 DEV 10 15.015'); // 50.15 % over
    expect(r).toContain('与平均成本 ¥10.00/个 相差 50.2%（超过 50%）');
    expect(await state(t.db)).toEqual(before);
    expect(percentAbove(new Dec('73.4'), new Dec(50))).toBe('73');
    expect(percentAbove(new Dec('50.04'), new Dec(50))).toBe('50.04');
  });
});
