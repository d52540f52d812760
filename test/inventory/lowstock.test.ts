/**
 * Issue 10 item 5: low stock has ONE definition (现有 ≤ 安全库存, 0 = never), the product's
 * safety stock applies to its total, a per-warehouse safety stock to per-warehouse lists; the
 * list names batches expiring within inventory.expiry_window_days and those expired. Through the
 * use cases (inventory.low-stock, inventory.safety-stock-set, inventory.stock) on both databases.
 */
import { expect, it } from 'vitest';
import { describeDb } from '../helpers/db.js';
import { isLowStock, LOW_STOCK_RULE, type LowStockReport } from '../../src/inventory/lowstock.js';
import { writeSetting } from '../../src/kernel/settings.js';
import { expiryWindowSetting } from '../../src/inventory/lowstock.js';
import { postReceipt } from '../../src/inventory/index.js';
import { admin, clerk, key, product, receive, sales, viewer, warehouse } from './helpers.js';
import { call, NOW, refused } from './use-cases-harness.js';

it('isLowStock: at or below a safety stock above 0; 0 or none is never low', () => {
  expect(isLowStock('10', '10')).toBe(true);
  expect(isLowStock('9.5', '10')).toBe(true);
  expect(isLowStock('10.000001', '10')).toBe(false);
  expect(isLowStock('0', '0')).toBe(false);
  expect(isLowStock('0', null)).toBe(false);
  expect(isLowStock('0', undefined)).toBe(false);
});

describeDb('low stock: one definition, per warehouse, expiring batches', (t) => {
  it('per-warehouse safety stocks judge only their warehouse; the product figure judges the total', async () => {
    const w1 = await warehouse(t.db, '主仓库', true);
    const w2 = await warehouse(t.db, '二号仓');
    const p = await product(t.db, { name: '螺丝', sku: 'A001', safetyStock: '10' });
    await receive(t.db, p.id, 30, 1, w1.id);
    // Total 30 > 10: not low in total; 二号仓 holds nothing but is not judged without its own figure.
    let r = await call<LowStockReport>(t.db, viewer, 'inventory.low-stock', {});
    expect(r.rule).toBe(LOW_STOCK_RULE);
    expect(r.total).toEqual([]);
    expect(r.perWarehouse).toEqual([]);
    const set = await call(t.db, clerk, 'inventory.safety-stock-set', { product: 'A001', warehouse: '二号仓', safetyStock: '5' });
    expect(set).toMatchObject({ warehouseName: '二号仓', safetyStock: '5', previous: '0', onHand: '0', low: true });
    await call(t.db, clerk, 'inventory.safety-stock-set', { product: 'A001', warehouse: '主仓库', safetyStock: '30' });
    r = await call<LowStockReport>(t.db, viewer, 'inventory.low-stock', {});
    expect(r.perWarehouseJudged).toBe(2);
    // 主仓库 30 ≤ 30 (at counts), 二号仓 0 ≤ 5.
    expect(r.perWarehouse.map((l) => [l.warehouseName, l.qty, l.safetyStock, l.shortfall])).toEqual([
      ['主仓库', '30', '30', '0'],
      ['二号仓', '0', '5', '5'],
    ]);
    const one = await call<LowStockReport>(t.db, viewer, 'inventory.low-stock', { warehouse: w2.id });
    expect(one.perWarehouse.map((l) => l.warehouseName)).toEqual(['二号仓']);
    expect(one.perWarehouseJudged).toBe(1);
    // The stock query says the same, by the same rule.
    const s = await call(t.db, viewer, 'inventory.stock', { product: 'A001' });
    expect(s.low).toEqual({
      rule: LOW_STOCK_RULE,
      total: { qty: '30', safetyStock: '10', low: false },
      warehouses: [
        { warehouseId: w1.id, warehouseName: '主仓库', qty: '30', safetyStock: '30', low: true },
        { warehouseId: w2.id, warehouseName: '二号仓', qty: '0', safetyStock: '5', low: true },
      ],
    });
    // 0 removes the warehouse's figure: it is no longer judged.
    const cleared = await call(t.db, clerk, 'inventory.safety-stock-set', { product: 'A001', warehouse: '二号仓', safetyStock: '0' });
    expect(cleared).toMatchObject({ safetyStock: '0', previous: '5', low: false });
    r = await call<LowStockReport>(t.db, viewer, 'inventory.low-stock', {});
    expect(r.perWarehouse.map((l) => l.warehouseName)).toEqual(['主仓库']);
  });

  it('safety stock in pack units; bad input writes nothing; needs product.manage', async () => {
    await warehouse(t.db, '主仓库', true);
    await product(t.db, { name: '垫片', sku: 'B001', packUnit: '箱', packFactor: '24' });
    const r = await call(t.db, clerk, 'inventory.safety-stock-set', { product: 'B001', warehouse: '主仓库', safetyStock: '2箱' });
    expect(r).toMatchObject({ safetyStock: '48', safetyStockText: expect.stringContaining('48') });
    expect(await refused(call(t.db, clerk, 'inventory.safety-stock-set', { product: 'B001', warehouse: '主仓库', safetyStock: '2袋' }), 'invalid_input')).toContain('单位');
    expect(await refused(call(t.db, clerk, 'inventory.safety-stock-set', { product: 'B001', warehouse: '不存在', safetyStock: '1' }), 'not_found')).toContain('不存在');
    await refused(call(t.db, sales, 'inventory.safety-stock-set', { product: 'B001', warehouse: '主仓库', safetyStock: '1' }), 'forbidden');
    const again = await call(t.db, clerk, 'inventory.safety-stock-set', { product: 'B001', warehouse: '主仓库', safetyStock: '1' });
    expect(again).toMatchObject({ previous: '48', safetyStock: '1' });
  });

  it('expiring within the window (setting, default 30 days) and expired batches', async () => {
    const w = await warehouse(t.db, '主仓库', true);
    await product(t.db, { name: '牛奶', sku: 'M001', batchTracked: true });
    // NOW is 2026-11-25 in Shanghai.
    await postReceipt(t.db, admin, {
      warehouse: w.id,
      idempotencyKey: key(),
      lines: [
        { product: 'M001', qty: 1, unitCostFen: 100, batchNo: 'GONE', expiresOn: '2026-11-24' },
        { product: 'M001', qty: 2, unitCostFen: 100, batchNo: 'TODAY', expiresOn: '2026-11-25' },
        { product: 'M001', qty: 3, unitCostFen: 100, batchNo: 'D30', expiresOn: '2026-12-25' },
        { product: 'M001', qty: 4, unitCostFen: 100, batchNo: 'D31', expiresOn: '2026-12-26' },
        { product: 'M001', qty: 5, unitCostFen: 100, batchNo: 'NONE' },
      ],
    });
    let r = await call<LowStockReport>(t.db, viewer, 'inventory.low-stock', {});
    expect(r.today).toBe('2026-11-25');
    expect(r.expiryWindowDays).toBe(30);
    expect(r.expiring.map((b) => [b.batchNo, b.daysLeft, b.expired, b.qty])).toEqual([
      ['GONE', -1, true, '1'],
      ['TODAY', 0, false, '2'],
      ['D30', 30, false, '3'],
    ]);
    await t.db.transaction((tx) => writeSetting(tx, expiryWindowSetting, 31, NOW));
    r = await call<LowStockReport>(t.db, viewer, 'inventory.low-stock', {});
    expect(r.expiring.map((b) => b.batchNo)).toEqual(['GONE', 'TODAY', 'D30', 'D31']);
    // The stock query marks the expired batch too.
    const s = await call(t.db, viewer, 'inventory.stock', { product: 'M001' });
    expect(s.rows.map((x: { batchNo: string; expiresOn: string | null; expired: boolean }) => [x.batchNo, x.expiresOn, x.expired])).toEqual(
      expect.arrayContaining([
        ['GONE', '2026-11-24', true],
        ['TODAY', '2026-11-25', false],
        ['NONE', null, false],
      ]),
    );
  });

  it('库存 <商品> 批次=…: one batch in every warehouse; a batch that does not exist is named as such', async () => {
    const w1 = await warehouse(t.db, '主仓库', true);
    const w2 = await warehouse(t.db, '二号仓');
    await product(t.db, { name: '试剂', sku: 'R001', batchTracked: true });
    await postReceipt(t.db, admin, { warehouse: w1.id, idempotencyKey: key(), lines: [{ product: 'R001', qty: 10, unitCostFen: 100, batchNo: 'B1' }, { product: 'R001', qty: 4, unitCostFen: 100, batchNo: 'B2' }] });
    await call(t.db, clerk, 'inventory.transfer', { from: w1.id, to: w2.id, lines: [{ product: 'R001', qty: '3', batchNo: 'B1' }] });
    const s = await call(t.db, viewer, 'inventory.stock', { product: 'R001', batch: 'B1' });
    expect(s.batchNo).toBe('B1');
    expect(s.totalQty).toBe('10');
    expect(s.perWarehouse.map((w: { warehouseName: string; qty: string }) => [w.warehouseName, w.qty])).toEqual([
      ['主仓库', '7'],
      ['二号仓', '3'],
    ]);
    const msg = await refused(call(t.db, viewer, 'inventory.stock', { product: 'R001', batch: 'B9' }), 'not_found');
    expect(msg).toBe('没有批次「B9」（该商品的批次：B1、B2）。');
    expect(msg).not.toContain('库存不足');
  });
});
