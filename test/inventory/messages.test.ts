/**
 * Messages that must say the right thing (tester findings; the precision refusal is in
 * test/bot/fix-wording.test.ts): the advice instead of a base-unit change knows
 * which unit is larger; a stock refusal in a multi-line document names the line and what earlier
 * lines of the same document take.
 */
import { describe, expect, it } from 'vitest';
import { postIssue, postTransfer } from '../../src/inventory/index.js';
import { updateProduct } from '../../src/inventory/products.js';
import { baseUnitChangeFix, unitRatio } from '../../src/inventory/units.js';
import { INPUT_FIX_WORDING } from '../../src/errors.js';
import { SYSTEM_ACTOR } from '../../src/people/roles.js';
import { CHAT_FIX_WORDING, chatMessage } from '../../bot/commands/render.js';
import { describeDb } from '../helpers/db.js';
import { clerk, expectDomain, key, product, receive, warehouse } from './helpers.js';

/** The advice as chat shows it (the fix is data; src/errors.ts BaseUnitChangeFix). */
const baseUnitChangeAdvice = (p: Parameters<typeof baseUnitChangeFix>[0], to: string) => CHAT_FIX_WORDING(baseUnitChangeFix(p, to));

describe('advice instead of a base-unit change', () => {
  const cd = { name: '彩带', sku: 'CD01', baseUnit: '米', qtyDecimals: null };

  it('knows which unit is larger', () => {
    expect(unitRatio('米', '厘米')!.toFixed()).toBe('0.01');
    expect(unitRatio('个', '千克')).toBeNull();
    expect(unitRatio('斤', 'kg')!.toFixed()).toBe('2');
  });

  it('a smaller unit (米 → 厘米): decimals of the base unit, or a new product counted in 厘米 with 米 as its pack — never 包装=厘米', () => {
    const a = baseUnitChangeAdvice(cd, '厘米');
    expect(a).not.toContain('包装=厘米');
    expect(a).toContain('例如 25厘米 写成 0.25米');
    expect(a).toContain('单位=厘米 包装=米:100（1 米 = 100 厘米）');
    // 毫米 needs 3 places: 米 has them. 0.1 毫米 would not: a place setting is named.
    expect(baseUnitChangeAdvice(cd, '毫米')).not.toContain('小数位=');
    expect(baseUnitChangeAdvice({ ...cd, qtyDecimals: 1 }, '厘米')).toContain('请同时设置 商品 修改 CD01 小数位=2');
  });

  it('a larger unit (米 → 公里) is a pack with the real factor; a counted one a placeholder, not a made-up number', () => {
    expect(baseUnitChangeAdvice(cd, '公里')).toContain('包装=公里:1000（1 公里 = 1000 米）');
    const box = baseUnitChangeAdvice({ name: '固体胶', sku: 'JS01', baseUnit: '个', qtyDecimals: null }, '盒');
    expect(box).toContain('包装=盒:<每盒多少个>');
    expect(baseUnitChangeAdvice(cd, 'm')).toContain('是同一个单位');
  });

  it('sizes the code cannot compare (瓶 → 毫升, 个 → 盒): both readings, each the right way round', () => {
    const glue = { name: '胶水', sku: 'GLU', baseUnit: '瓶', qtyDecimals: null };
    expect(baseUnitChangeFix(glue, '毫升')).toEqual({ kind: 'base_unit_change', product: { sku: 'GLU', name: '胶水' }, baseUnit: '瓶', to: '毫升', relation: 'unknown' });
    const [bigger, smaller] = baseUnitChangeAdvice(glue, '毫升').split('\n');
    // 1 毫升 holding bottles: the pack reading, per 毫升 how many 瓶.
    expect(bigger).toBe('• 若 1 毫升 里有多个「瓶」：只想按「毫升」录入，设置包装，例如 商品 修改 GLU 包装=毫升:<每毫升多少瓶>；');
    // 1 瓶 holding 500 毫升: a new product counted in 毫升 with 瓶 as its pack, the stock moved.
    expect(smaller).toContain('若 1 瓶 里有多个「毫升」');
    expect(smaller).toContain('新建商品按「毫升」记账');
    expect(smaller).toContain('商品 新增 GLU-2 胶水 单位=毫升 包装=瓶:<每瓶多少毫升>');
    expect(smaller).toContain('再把库存移过去');
    expect(baseUnitChangeAdvice({ name: '固体胶', sku: 'JS01', baseUnit: '个', qtyDecimals: null }, '盒')).toContain('单位=盒 包装=个:<每个多少盒>');
  });

  it('the default words are requests: PATCH a pack, POST a new product; never a chat command', () => {
    const rest = INPUT_FIX_WORDING(baseUnitChangeFix({ name: '胶水', sku: 'GLU', baseUnit: '瓶', qtyDecimals: null }, '毫升'));
    expect(rest).toContain('PATCH /products/GLU {"packUnit": "毫升", "packFactor": "<每毫升多少瓶>"}');
    expect(rest).toContain('POST /products {"name": "胶水", "sku": "GLU-2", "baseUnit": "毫升", "packUnit": "瓶", "packFactor": "<每瓶多少毫升>"}');
    const cm = INPUT_FIX_WORDING(baseUnitChangeFix({ ...cd, qtyDecimals: 1 }, '厘米'));
    expect(cm).toContain('例如 25厘米 写成 0.25米（"qty": "0.25"）');
    expect(cm).toContain('PATCH /products/CD01 {"qtyDecimals": 2}');
    expect(cm).toContain('POST /products {"name": "彩带", "sku": "CD01-2", "baseUnit": "厘米", "packUnit": "米", "packFactor": "100"}');
    expect(INPUT_FIX_WORDING(baseUnitChangeFix(cd, '公里'))).toContain('PATCH /products/CD01 {"packUnit": "公里", "packFactor": "1000"}（1 公里 = 1000 米）');
    for (const to of ['毫升', '厘米', '公里', 'm']) {
      const words = INPUT_FIX_WORDING(baseUnitChangeFix({ name: '胶水', sku: 'GLU', baseUnit: to === '毫升' ? '瓶' : '米', qtyDecimals: null }, to));
      expect(words).not.toMatch(/商品 (修改|新增)|包装=|单位=|小数位=/);
    }
  });
});

describeDb('stock refusal in a multi-line document', (t) => {
  it('names the line and what earlier lines of the same document take', async () => {
    const wh = await warehouse(t.db, '主仓库', true);
    const p = await product(t.db, { name: '固体胶', sku: 'JS01' });
    await receive(t.db, p.id, 203, 100);
    const e = await expectDomain(postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: 'JS01', qty: '150' }, { product: 'JS01', qty: '100' }] }), 'insufficient_stock');
    expect(e.message).toBe('第 2 行：库存不足：固体胶（JS01） 在「主仓库」现有 203 个（本单前面的行已占用 150 个，还剩 53 个），本次需要 100 个。请减少数量，或先入库/调拨后再试。');
    expect(e.details).toMatchObject({ line: 2, available: '53', requested: '100', takenByEarlierLines: '150' });

    // A line of another product in between: named, nothing taken from this one before it.
    const q = await product(t.db, { name: '剪刀', sku: 'JD01' });
    await receive(t.db, q.id, 5, 100);
    const e2 = await expectDomain(postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: 'JS01', qty: '1' }, { product: 'JD01', qty: '6' }] }), 'insufficient_stock');
    expect(e2.message).toMatch(/^第 2 行：库存不足：剪刀（JD01） 在「主仓库」现有 5 个，本次需要 6 个。/);

    // Single line: as before, no line number.
    const one = await expectDomain(postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: 'JS01', qty: '999' }] }), 'insufficient_stock');
    expect(one.message).toMatch(/^库存不足：/);

    // Transfers count the same way.
    const other = await warehouse(t.db, '二号仓');
    const tr = await expectDomain(postTransfer(t.db, clerk, { from: wh.id, to: other.id, idempotencyKey: key(), lines: [{ product: 'JS01', qty: '200' }, { product: 'JS01', qty: '5' }] }), 'insufficient_stock');
    expect(tr.message).toContain('第 2 行：');
    expect(tr.message).toContain('现有 203 个（本单前面的行已占用 200 个，还剩 3 个），本次需要 5 个');
  });
});

describeDb('a base-unit change refused through the service', (t) => {
  it('gives the advice that knows which unit is larger (never 1 厘米 = 100 米)', async () => {
    const p = await product(t.db, { name: '彩带', sku: 'CD01', baseUnit: '米' });
    await receive(t.db, p.id, 10, 40);
    const { updateProduct } = await import('../../src/inventory/index.js');
    const { admin } = await import('./helpers.js');
    const e = await expectDomain(updateProduct(t.db, admin, { product: 'CD01', changes: { baseUnit: '厘米' } }), 'conflict');
    expect(e.message).toContain('例如 25厘米 写成 0.25米');
    expect(e.message).not.toContain('1 厘米 = 100 米');
  });

  it('carries the way out as data: the message ends with the request words, chat words it as commands (瓶 → 毫升)', async () => {
    const p = await product(t.db, { name: '胶水', sku: 'GLU', baseUnit: '瓶' });
    await receive(t.db, p.id, 3, 100);
    const e = await expectDomain(updateProduct(t.db, SYSTEM_ACTOR, { product: 'GLU', changes: { baseUnit: '毫升' } }), 'conflict');
    expect(e.details).toMatchObject({ baseUnit: '瓶', requested: '毫升', fix: { kind: 'base_unit_change', relation: 'unknown', to: '毫升' } });
    expect(e.message).toContain('不能把基本单位改成「毫升」');
    expect(e.message).toMatch(/没有保存任何改动。\n• 若 1 毫升 里有多个「瓶」：.*PATCH \/products\/GLU /);
    const chat = chatMessage(e);
    expect(chat).toContain('没有保存任何改动。\n• 若 1 毫升 里有多个「瓶」：只想按「毫升」录入，设置包装，例如 商品 修改 GLU 包装=毫升:<每毫升多少瓶>；');
    expect(chat).toContain('商品 新增 GLU-2 胶水 单位=毫升 包装=瓶:<每瓶多少毫升>');
    expect(chat).not.toContain('PATCH');
    expect(chat).not.toContain('POST');
  });
});
