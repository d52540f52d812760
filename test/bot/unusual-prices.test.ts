/**
 * Price typos are asked about before posting (issue 10, found by a tester): a receipt's unit
 * price is compared with the average cost, or — before the product's first receipt — with the
 * 进价 on file; a sale's 售价 is compared with the average cost (亏本) and with the 售价 on file.
 * Through the real path; nothing is written until 确认.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { unusualReasons, DEFAULT_UNUSUAL_SETTINGS } from '../../src/inventory/unusual.js';
import { Dec } from '../../src/shared/decimal.js';

const P = { id: 1, baseUnit: '个', packUnit: '盘', packFactor: '500' };

it('unusualReasons: 进价 on file before any average; 售价 below cost and far from the list price', () => {
  const none = { typicalQty: null, avgCost: null };
  // ¥0.82 per 盘 typed where ¥0.85 per 个 was meant: 0.164 fen per 个 against 85 fen.
  expect(unusualReasons({ product: P, kind: null, qtyBase: new Dec(1000), unitPriceFenPerBase: new Dec('0.164') }, none, DEFAULT_UNUSUAL_SETTINGS, { purchasePriceFen: '85' })).toEqual([
    '单价 ¥0.00164/个 只有商品进价 ¥0.85/个 的 1/518（价格按数量所写的单位计：请核对是每个还是每包/每箱的价）',
  ]);
  // The average wins once there is one; no list price and no average: nothing to compare.
  expect(unusualReasons({ product: P, kind: null, qtyBase: new Dec(1), unitPriceFenPerBase: new Dec(80) }, { typicalQty: null, avgCost: '82' }, DEFAULT_UNUSUAL_SETTINGS, { purchasePriceFen: '1' })).toEqual([]);
  expect(unusualReasons({ product: P, kind: null, qtyBase: new Dec(1), unitPriceFenPerBase: new Dec(1) }, none, DEFAULT_UNUSUAL_SETTINGS)).toEqual([]);
  // A sale at ¥0.0032/个 of goods that cost ¥0.85 and list at ¥1.60.
  expect(unusualReasons({ product: P, kind: null, qtyBase: new Dec(500), salePriceFenPerBase: new Dec('0.32') }, { typicalQty: null, avgCost: '85' }, DEFAULT_UNUSUAL_SETTINGS, { salePriceFen: '160' })).toEqual([
    '售价 ¥0.0032/个 低于平均成本 ¥0.85/个：这笔是亏本卖出',
    '售价 ¥0.0032/个 只有商品售价 ¥1.60/个 的 1/500（价格按数量所写的单位计：请核对是每个还是每包/每箱的价）',
  ]);
  // Less than ten times apart: the percentage.
  expect(unusualReasons({ product: P, kind: null, qtyBase: new Dec(5), salePriceFenPerBase: new Dec(400) }, { typicalQty: null, avgCost: '85' }, DEFAULT_UNUSUAL_SETTINGS, { salePriceFen: '160' })).toEqual([
    '售价 ¥4.00/个 与商品售价 ¥1.60/个 相差 150%（超过 50%）',
  ]);
  // Within 50 % of the list price and above cost: usual.
  expect(unusualReasons({ product: P, kind: null, qtyBase: new Dec(5), salePriceFenPerBase: new Dec(150) }, { typicalQty: null, avgCost: '85' }, DEFAULT_UNUSUAL_SETTINGS, { salePriceFen: '160' })).toEqual([]);
});

describeDb('price typos ask first', (t) => {
  const h = useBotApp(t);
  const docs = async () => (await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from documents`))[0].n;

  it('a first receipt far from the 进价 on file, and a sale below cost or far from the 售价 on file, wait for 确认', async () => {
    await h.say('仓库 新增 主仓库');
    await h.say('商品 新增 TC16 Type-C 母座 16P 进价=0.85 售价=1.6 包装=盘:500');
    const ask = await h.say('入库 TC16 2盘 0.82');
    expect(ask).toContain('单价 ¥0.00164/个 只有商品进价 ¥0.85/个 的 1/518');
    expect(ask).toContain('还没有记账');
    expect(await docs()).toBe(0);
    // The price per 个 as meant: posted without a question.
    expect(await h.say('入库 TC16 2盘 0.85/个')).toContain('已入库');
    const sale = await h.say('出库 TC16 1盘 售价=1.6');
    expect(sale).toContain('售价 ¥0.0032/个 低于平均成本 ¥0.85/个：这笔是亏本卖出');
    expect(sale).toContain('售价 ¥0.0032/个 只有商品售价 ¥1.60/个 的 1/500');
    expect(await docs()).toBe(1);
    expect(await h.say('出库 TC16 1盘 售价=1.6/个')).toContain('已出库');
    expect(await h.say('出库 TC16 10 售价=1.6 确认')).toContain('已出库');
    expect(await docs()).toBe(3);
  });
});
