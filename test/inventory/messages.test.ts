/**
 * Messages that must say the right thing (tester findings; the precision refusal is in
 * test/bot/fix-wording.test.ts): the advice instead of a base-unit change knows
 * which unit is larger; a stock refusal in a multi-line document names the line and what earlier
 * lines of the same document take.
 */
import { describe, expect, it } from 'vitest';
import { postIssue, postTransfer } from '../../src/inventory/index.js';
import { baseUnitChangeAdvice, unitRatio } from '../../src/inventory/units.js';
import { describeDb } from '../helpers/db.js';
import { clerk, expectDomain, key, product, receive, warehouse } from './helpers.js';

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
});

describeDb('stock refusal in a multi-line document', (t) => {
  it('names the line and what earlier lines of the same document take', async () => {
    const wh = await warehouse(t.db, '主仓库', true);
    const p = await product(t.db, { name: '固体胶', sku: 'JS01' });
    await receive(t.db, p.id, 203, 100);
    const e = await expectDomain(postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: 'JS01', qty: '150' }, { product: 'JS01', qty: '100' }] }), 'insufficient_stock');
    expect(e.message).toBe('第 2 行：库存不足：固体胶（JS01） 在「主仓库」可用 53 个（本单前面的行已占用 150 个），本次需要 100 个。请减少数量，或先入库/调拨后再试。');
    expect(e.details).toMatchObject({ line: 2, available: '53', requested: '100', takenByEarlierLines: '150' });

    // A line of another product in between: named, nothing taken from this one before it.
    const q = await product(t.db, { name: '剪刀', sku: 'JD01' });
    await receive(t.db, q.id, 5, 100);
    const e2 = await expectDomain(postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: 'JS01', qty: '1' }, { product: 'JD01', qty: '6' }] }), 'insufficient_stock');
    expect(e2.message).toMatch(/^第 2 行：库存不足：剪刀（JD01） 在「主仓库」可用 5 个，本次需要 6 个。/);

    // Single line: as before, no line number.
    const one = await expectDomain(postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: 'JS01', qty: '999' }] }), 'insufficient_stock');
    expect(one.message).toMatch(/^库存不足：/);

    // Transfers count the same way.
    const other = await warehouse(t.db, '二号仓');
    const tr = await expectDomain(postTransfer(t.db, clerk, { from: wh.id, to: other.id, idempotencyKey: key(), lines: [{ product: 'JS01', qty: '200' }, { product: 'JS01', qty: '5' }] }), 'insufficient_stock');
    expect(tr.message).toContain('第 2 行：');
    expect(tr.message).toContain('可用 3 个（本单前面的行已占用 200 个），本次需要 5 个');
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
});
