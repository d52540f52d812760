/**
 * Issue 8, class 1 (stock value follows quantity) and class 8 (parts add up to totals), through
 * the chat path a user takes and through the services: the valuation rules of
 * src/inventory/valuation.ts (value ≥ 0; qty 0 ⇒ value 0; the value within the range of the
 * costs that entered) after a reversal when stock has moved, after issues of sub-fen costs, in
 * the SQL fast path and the general engine; and stock-card rows that sum to the total.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows, type Db } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import '../../bot/commands/index.js';
import '../../bot/cards/index.js';
import { allocate } from '../../src/shared/allocate.js';
import { Dec } from '../../src/shared/decimal.js';
import { getStock, postIssue, postTransfer, reverseDocument, stockSummary, verifyInventory } from '../../src/inventory/index.js';
import { admin, clerk, expectClean, key, product, receive, warehouse, valuationOf as val, docNoIn as docNo } from './helpers.js';
import { stockCard } from '../../bot/cards/views.js';
import { cardToText } from '../../bot/card-text.js';


describe('allocate (largest remainder)', () => {
  it('parts always sum to the total, each within 1 fen of its share', () => {
    expect(allocate(100n, ['1', '1', '1'])).toEqual([34n, 33n, 33n]);
    expect(allocate(-100n, ['1', '1', '1'])).toEqual([-34n, -33n, -33n]);
    expect(allocate(10n, ['0.5', '0', '2.5'])).toEqual([2n, 0n, 8n]);
    expect(allocate(7n, ['0', '0'])).toEqual([4n, 3n]);
    expect(allocate(0n, [])).toEqual([]);
    for (const [total, ws] of [[1n, ['3', '3', '3']], [99999n, ['0.000001', '7', '13.5']], [5n, ['1', '2', '3', '4', '5', '6', '7']]] as const) {
      const parts = allocate(total, ws as unknown as string[]);
      expect(parts.reduce((s, p) => s + p, 0n)).toBe(total);
    }
    expect(() => allocate(1n, [])).toThrow(RangeError);
    expect(() => allocate(1n, ['-1'])).toThrow(RangeError);
  });
});

describeDb('valuation rules through chat (issue 8 class 1)', (t) => {
  const h = useBotApp(t);

  it('入库 5 @2, 入库 5 @10, 出库 5, 红冲 the second receipt: a 成本调整 +¥20.00 on the HC, 0 units worth ¥0.00', async () => {
    expect(await h.say('商品 新增 V001 电阻')).toContain('已新增商品');
    const rk1 = docNo(await h.say('入库 V001 5 2 确认'))!;
    const rk2 = docNo(await h.say('入库 V001 5 10 确认'))!;
    expect(rk1).toMatch(/^RK/);
    expect(await val(t.db, 'V001')).toMatchObject({ qty: '10', value: '6000' });
    const ck = await h.say('出库 V001 5 确认');
    expect(ck).toContain('CK');
    expect(await val(t.db, 'V001')).toMatchObject({ qty: '5', value: '3000' });

    const hc = await h.say(`红冲 ${rk2}`);
    // the reversed receipt leaves at its own cost (−5, −¥50.00), the difference is explicit
    expect(hc).toContain('成本调整 +¥20.00');
    const hcNo = docNo(hc, 'HC')!;
    const moves = await execRows<{ kind: string; qty: string; value: string }>(
      t.db,
      sql`select m.kind, m.qty::text as qty, m.value_fen::text as value from stock_moves m join documents d on d.id = m.document_id where d.doc_no = ${hcNo} order by m.id`,
    );
    expect(moves.map((m) => [m.kind, Number(m.qty), m.value])).toEqual([
      ['reversal', -5, '-5000'],
      ['cost_adjustment', 0, '2000'],
    ]);
    const [doc] = await execRows<{ total: string }>(t.db, sql`select total_value_fen::text as total from documents where doc_no = ${hcNo}`);
    expect(doc.total).toBe('-3000');
    expect(await val(t.db, 'V001')).toEqual({ qty: '0', value: '0', min: null, max: null });
    expect(await verifyInventory(t.db)).toMatchObject({ ok: true });

    // the document shows the adjustment as its own line
    expect(await h.say(`单据 ${hcNo}`)).toContain('成本调整');

    // a later receipt does not inherit a wrong value
    await h.say('入库 V001 3 4 确认');
    expect(await val(t.db, 'V001')).toMatchObject({ qty: '3', value: '1200', min: '400', max: '400' });
    const stock = await h.say('库存 V001');
    expect(stock).toContain('¥12.00');
    await expectClean(t.db);
  });

  it('when some stock is left the value is clamped into the remaining entered costs (出库 3 instead of 5)', async () => {
    await h.say('商品 新增 V002 电容');
    await h.say('入库 V002 5 2 确认');
    const rk2 = docNo(await h.say('入库 V002 5 10 确认'))!;
    await h.say('出库 V002 3 确认'); // 3 × ¥6 = ¥18 → 7 units worth ¥42
    const hc = await h.say(`红冲 ${rk2}`);
    // −5 × ¥10 would leave 2 units worth −¥8; the remaining cost is ¥2 → ¥4, difference +¥12
    expect(hc).toContain('成本调整 +¥12.00');
    expect(await val(t.db, 'V002')).toEqual({ qty: '2', value: '400', min: '200', max: '200' });
    await expectClean(t.db);
  });

  it('reversing the CHEAP receipt after an issue clamps down to the highest remaining cost', async () => {
    await h.say('商品 新增 V003 电感');
    const rk1 = docNo(await h.say('入库 V003 5 2 确认'))!;
    await h.say('入库 V003 5 10 确认');
    await h.say('出库 V003 3 确认'); // 7 units worth ¥42
    const hc = await h.say(`红冲 ${rk1}`);
    // −5 × ¥2 leaves 2 units worth ¥32 (¥16 each, above every cost left): clamp to 2 × ¥10
    expect(hc).toContain('成本调整 -¥12.00');
    expect(await val(t.db, 'V003')).toEqual({ qty: '2', value: '2000', min: '1000', max: '1000' });
    await expectClean(t.db);
  });
});

describeDb('valuation rules in the services (issue 8 class 1)', (t) => {
  it('a reversal that keeps the rules posts no adjustment (issue, transfer, receipt untouched by moves)', async () => {
    const w1 = await warehouse(t.db, '甲');
    const w2 = await warehouse(t.db, '乙');
    const p = await product(t.db);
    const rk = await receive(t.db, p.id, 4, 100, w1.id);
    await receive(t.db, p.id, 4, 300, w1.id);
    const ck = await postIssue(t.db, clerk, { warehouse: w1.id, idempotencyKey: key(), lines: [{ product: p.id, qty: 2 }] });
    const db = await postTransfer(t.db, clerk, { from: w1.id, to: w2.id, idempotencyKey: key(), lines: [{ product: p.id, qty: 3 }] });
    for (const d of [ck, db]) {
      const r = await reverseDocument(t.db, admin, { docNo: d.document.docNo, idempotencyKey: key() });
      expect(r.lines.some((l) => l.kind === 'cost_adjustment')).toBe(false);
    }
    // nothing issued any more: the first receipt leaves at its own cost, the rules hold
    const r = await reverseDocument(t.db, admin, { docNo: rk.document.docNo, idempotencyKey: key() });
    expect(r.lines.map((l) => [l.kind, l.valueFen])).toEqual([['reversal', '-400']]);
    // what remains entered: the ¥3 receipt and the 2 units that came back at ¥2 (the issue reversed)
    expect(await val(t.db, p.sku)).toEqual({ qty: '4', value: '1200', min: '200', max: '300' });
    await expectClean(t.db);
  });

  it('a reversal after an issue (general path) and a transfer: the correction is split over the rows on hand and adds up', async () => {
    const w1 = await warehouse(t.db, '甲');
    const w2 = await warehouse(t.db, '乙');
    const p = await product(t.db);
    await receive(t.db, p.id, 6, 100, w1.id);
    const rk2 = await receive(t.db, p.id, 3, 1000, w1.id); // 9 units, ¥36
    await postIssue(t.db, clerk, { warehouse: w1.id, idempotencyKey: key(), lines: [{ product: p.id, qty: '5个' }] }); // general path: ¥20 → 4 units ¥16
    await postTransfer(t.db, clerk, { from: w1.id, to: w2.id, idempotencyKey: key(), lines: [{ product: p.id, qty: 1 }] });
    const r = await reverseDocument(t.db, admin, { docNo: rk2.document.docNo, idempotencyKey: key() });
    // −3 × ¥10 leaves 1 unit (in 乙) worth −¥14 → ¥1 (the ¥1 cost left): +¥15 on 乙's row
    const adj = r.lines.filter((l) => l.kind === 'cost_adjustment');
    expect(adj.map((l) => [l.warehouseName, l.valueFen])).toEqual([['乙', '1500']]);
    expect(await val(t.db, p.sku)).toMatchObject({ qty: '1', value: '100' });
    await expectClean(t.db);
  });

  it('sub-fen costs: issuing one unit at a time never lets the average leave the entered range (fast path and engine agree)', async () => {
    const a = await product(t.db, { sku: 'SUBA' });
    const b = await product(t.db, { sku: 'SUBB' });
    for (const p of [a, b]) await receive(t.db, p.id, 10, '0.4', undefined); // ¥0.004 each: 4 fen for 10
    for (let i = 0; i < 9; i++) {
      await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: a.id, qty: 1 }] }); // the one-statement path
      await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: b.id, qty: '1个' }] }); // the general engine
    }
    const va = await val(t.db, 'SUBA');
    const vb = await val(t.db, 'SUBB');
    expect(va).toEqual(vb);
    // 1 unit at ¥0.004 lies in [⌊0.4⌋, ⌈0.4⌉] = [0, 1] fen
    expect(va.qty).toBe('1');
    expect(['0', '1']).toContain(va.value);
    await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: a.id, qty: 1 }] });
    expect(await val(t.db, 'SUBA')).toEqual({ qty: '0', value: '0', min: null, max: null });
    await expectClean(t.db);
  });

  it('verify reports a value that breaks the rules (negative, at zero quantity, outside the range) and engine refuses to post on it', async () => {
    const p = await product(t.db, { sku: 'BROKEN' });
    await receive(t.db, p.id, 5, 200);
    await expectClean(t.db);
    // what the old bug left behind: 0 units worth −¥20.00 (bypassing the services and the CHECK)
    await t.db.execute(sql`alter table stock_valuations drop constraint stock_valuations_value_nonneg`);
    try {
      await t.db.execute(sql`insert into stock_moves (document_id, line_no, kind, product_id, warehouse_id, batch_id, qty, unit_cost, value_fen, business_time)
        select document_id, 2, 'purchase_receipt', product_id, warehouse_id, batch_id, -5, 1000, -3000, business_time from stock_moves where product_id = ${p.id}`);
      await t.db.execute(sql`update stock_balances set qty = 0 where product_id = ${p.id}`);
      await t.db.execute(sql`update stock_valuations set qty = 0, value_fen = -2000, min_cost = null, max_cost = null where product_id = ${p.id}`);
      const r = await verifyInventory(t.db);
      const checks = new Set(r.violations.map((v) => v.check));
      expect(checks).toContain('valuation_value_nonnegative');
      expect(checks).toContain('zero_qty_zero_value');
      expect(checks).toContain('average_within_entered_costs');
      // a receipt on top would hide it: refused with the repair hint
      const e = await receive(t.db, p.id, 1, 100).then(
        () => null,
        (x: unknown) => x as Error,
      );
      expect(e?.message).toContain('成本调整');
    } finally {
      await t.db.execute(sql`truncate stock_moves, stock_balances, stock_valuations, documents, batches cascade`);
      await t.db.execute(sql`alter table stock_valuations add constraint stock_valuations_value_nonneg check (value_fen >= 0) not valid`);
    }
  });
});

describeDb('parts add up to totals (issue 8 class 8)', (t) => {
  const h = useBotApp(t);

  it('3 batches worth ¥1.00 in total: rows ¥0.34 + ¥0.33 + ¥0.33 on the card, the chat reply and per warehouse', async () => {
    await h.say('商品 新增 B001 保险丝 批次管理=是');
    await h.say('入库 B001 1 1 批次=X1 确认');
    await h.say('入库 B001 1 0 批次=X2 确认');
    await h.say('入库 B001 1 0 批次=X3 确认'); // 3 units worth ¥1.00: average ¥0.333333
    await h.say('仓库 新增 二号仓');
    const s = await getStock(t.db, admin, { product: 'B001' });
    expect(s.totalValueFen).toBe('100');
    expect(s.rows.map((r) => r.valueFen)).toEqual(['34', '33', '33']);
    expect(s.rows.reduce((x, r) => x + BigInt(r.valueFen), 0n)).toBe(100n);
    const text = cardToText(stockCard(s) as unknown as Record<string, unknown>);
    expect(text).toContain('¥0.34');
    expect(text).not.toContain('按均价');

    const reply = await h.say('库存 B001');
    expect(reply).toContain('¥1.00');
    expect(reply).toContain('¥0.34');

    // split over two warehouses: the per-warehouse values (and each scope's total) add up too
    await h.say('调拨 B001 1 @主仓库 @二号仓 批次=X3 确认');
    const all = await getStock(t.db, admin, { product: 'B001' });
    expect(all.perWarehouse.reduce((x, w) => x + BigInt(w.valueFen), 0n)).toBe(100n);
    const one = await getStock(t.db, admin, { product: 'B001', warehouse: '二号仓' });
    const main = await getStock(t.db, admin, { product: 'B001', warehouse: '主仓库' });
    expect(BigInt(one.totalValueFen) + BigInt(main.totalValueFen)).toBe(100n);
    expect(one.rows.reduce((x, r) => x + BigInt(r.valueFen), 0n)).toBe(BigInt(one.totalValueFen));
    const sums = await Promise.all(['主仓库', '二号仓'].map((w) => stockSummary(t.db, admin, { warehouse: w })));
    expect(sums.reduce((x, s2) => x + BigInt(s2.totalValueFen), 0n)).toBe(100n);
    await expectClean(t.db);
  });
});
