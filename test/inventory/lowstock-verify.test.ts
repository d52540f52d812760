import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { describeDb } from '../helpers/db.js';
import { INVARIANTS, lowStock, postIssue, postTransfer, verifyInventory } from '../../src/inventory/index.js';
import { clerk, expectClean, key, product, receive, viewer, warehouse } from './helpers.js';

describeDb('low stock', (t) => {
  // Issue 10: ONE definition — the product's safety stock against its TOTAL; a warehouse is
  // judged on its own only with a per-warehouse safety stock (test/inventory/lowstock.test.ts).
  it('lists products at or below safety stock in total; per warehouse only where one is set', async () => {
    const w1 = await warehouse(t.db, '一号仓');
    const w2 = await warehouse(t.db, '二号仓');
    const a = await product(t.db, { name: '常备件', safetyStock: '10', leadTimeDays: 5 });
    const b = await product(t.db, { name: '充足件', safetyStock: '10' });
    await product(t.db, { name: '无安全库存' });
    const never = await product(t.db, { name: '从未入库', safetyStock: '1' });
    await receive(t.db, a.id, 15, 1, w1.id);
    await postTransfer(t.db, clerk, { from: w1.id, to: w2.id, idempotencyKey: key(), lines: [{ product: a.id, qty: 5 }] });
    await receive(t.db, b.id, 30, 1, w1.id);
    const r = await lowStock(t.db, viewer);
    // 10 + 5 = 15 > 10 in total; no per-warehouse safety stock: no warehouse is judged.
    expect(r.perWarehouse).toEqual([]);
    expect(r.perWarehouseJudged).toBe(0);
    expect(r.total.map((l) => [l.name, l.qty])).toEqual([['从未入库', '0']]);
    expect(r.total[0].productId).toBe(never.id);
    await postIssue(t.db, clerk, { warehouse: w2.id, idempotencyKey: key(), lines: [{ product: a.id, qty: 5 }] });
    const r3 = await lowStock(t.db, viewer);
    expect(r3.total.map((l) => [l.name, l.qty, l.shortfall, l.leadTimeDays])).toEqual([
      ['常备件', '10', '0', 5],
      ['从未入库', '0', '1', 0],
    ]);
    const r4 = await lowStock(t.db, viewer, { warehouse: '一号仓' });
    expect(r4.perWarehouse).toEqual([]);
  });
});

describeDb('verify', (t) => {
  it('is clean after normal work and reports each kind of corruption', async () => {
    const p = await product(t.db);
    await receive(t.db, p.id, 5, 10);
    await expectClean(t.db);
    // Corrupt on purpose (bypassing the services) and see each check fire.
    await t.db.execute(sql`update stock_balances set qty = qty + 1`);
    await t.db.execute(sql`update stock_valuations set value_fen = value_fen + 3`);
    await t.db.execute(sql`update documents set reversed_by_doc_id = id`);
    const r = await verifyInventory(t.db);
    expect(r.ok).toBe(false);
    const checks = new Set(r.violations.map((v) => v.check));
    expect(checks).toContain('balance_matches_ledger');
    expect(checks).toContain('valuation_value');
    expect(checks).toContain('reversal_links');
    expect(r.summary.moves).toBe(1);
  });

  it('reports a cost range that does not match the quantity or value (issue 8: the valuation rules)', async () => {
    const p = await product(t.db);
    await receive(t.db, p.id, 5, 10);
    const names = INVARIANTS.map((i) => i.name);
    for (const n of ['valuation_value_nonnegative', 'zero_qty_zero_value', 'valuation_cost_range', 'average_within_entered_costs']) expect(names).toContain(n);
    await t.db.execute(sql`update stock_valuations set min_cost = null`);
    expect(new Set((await verifyInventory(t.db)).violations.map((v) => v.check))).toEqual(new Set(['valuation_cost_range']));
    await t.db.execute(sql`update stock_valuations set min_cost = 10, max_cost = 10`);
    await expectClean(t.db);
    // a range narrower than what the ledger says entered, and a value outside it
    await t.db.execute(sql`update stock_valuations set min_cost = 11, max_cost = 11`);
    expect(new Set((await verifyInventory(t.db)).violations.map((v) => v.check))).toEqual(new Set(['valuation_cost_range']));
  });
});
