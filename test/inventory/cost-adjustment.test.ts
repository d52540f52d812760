/**
 * Issue 8, class 2: correcting a cost (成本调整 / 调价, src/inventory/cost-adjustment.ts) —
 * against a product or a receipt, through chat and the service: before/after averages, an
 * explicit cost_adjustment move split so its parts add up, the rules kept, refusals, idempotency.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows, type Db } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import '../../bot/commands/index.js';
import '../../bot/cards/index.js';
import { Dec } from '../../src/shared/decimal.js';
import { adjustCost, postIssue, postTransfer, reverseDocument, verifyInventory } from '../../src/inventory/index.js';
import { admin, clerk, expectClean, expectDomain, key, product, receive, warehouse, valuationOf as val, docNoIn as docNo } from './helpers.js';


describeDb('成本调整 through chat', (t) => {
  const h = useBotApp(t);

  it('against a receipt, a product, a total: the reply echoes before/after average and value and the TZ number', async () => {
    await h.say('商品 新增 C001 二极管');
    await h.say('入库 C001 5 2 确认');
    const rk2 = docNo(await h.say('入库 C001 5 10 确认'))!; // the price should have been ¥3
    await h.say('出库 C001 3 确认'); // 7 units worth ¥42.00 (average ¥6)
    // 红冲 of that receipt would post a correction; the user wants the price fixed instead
    const r1 = await h.say(`成本调整 ${rk2} 3`);
    const tz1 = docNo(r1, 'TZ')!;
    expect(tz1).toMatch(/^TZ\d{8}-\d{4}$/);
    // Updated for the FIFO rule (was the moving-average share 3.5 → −¥24.50): the 3 issued came
    // from the first receipt, all 5 of this one are on hand: 5 × (¥3 − ¥10) = −¥35.00. The COGS
    // already posted (3 at the average ¥6) stays, so the average lands at ¥1.00.
    expect(r1).toContain('平均成本：¥6.00 / 个 → ¥1.00 / 个');
    expect(r1).toContain('库存金额：¥42.00 → ¥7.00（成本调整 -¥35.00）');
    expect(r1).toContain('仍在库的 5 个');
    expect(await val(t.db, 'C001')).toEqual({ qty: '7', value: '700', min: '100', max: '1000' });

    const r2 = await h.say('调价 C001 4');
    expect(r2).toContain('平均成本：¥1.00 / 个 → ¥4.00 / 个');
    expect(r2).toContain('库存金额：¥7.00 → ¥28.00（成本调整 +¥21.00）');

    const r3 = await h.say('调整成本 C001 金额=30');
    expect(r3).toContain('库存金额：¥28.00 → ¥30.00（成本调整 +¥2.00）');
    expect(r3).toContain('¥4.285714 / 个');

    // the ledger shows each adjustment as its own document and move
    const rows = await execRows<{ doc_no: string; kind: string; qty: string; value: string }>(
      t.db,
      sql`select d.doc_no, m.kind, m.qty::text as qty, m.value_fen::text as value from stock_moves m join documents d on d.id = m.document_id
          where d.kind = 'cost_adjustment' order by m.id`,
    );
    expect(rows.map((r) => [r.kind, Number(r.qty), r.value])).toEqual([
      ['cost_adjustment', 0, '-3500'],
      ['cost_adjustment', 0, '2100'],
      ['cost_adjustment', 0, '200'],
    ]);
    const tzCard = await h.say(`单据 ${tz1}`);
    expect(tzCard).toContain('成本调整');
    // A 成本调整 cannot be reversed (another adjustment corrects it): no 红冲 button is offered.
    expect(tzCard).not.toContain('[按钮：红冲]');
    expect(await h.say(`单据 ${rk2}`)).toContain('[按钮：红冲]');
    await expectClean(t.db);
  });

  // The receipt's goods still on hand are counted first-in-first-out per batch and warehouse.
  const adjustMoves = (db: Db, tz: string) =>
    execRows<{ wh: string; batch: string; qty: string; value: string }>(
      db,
      sql`select w.name as wh, b.batch_no as batch, m.qty::text as qty, m.value_fen::text as value from stock_moves m
          join documents d on d.id = m.document_id join warehouses w on w.id = m.warehouse_id join batches b on b.id = m.batch_id
          where d.doc_no = ${tz} order by m.id`,
    ).then((rows) => rows.map((r) => [r.wh, r.batch, Number(r.qty), r.value]));

  it('a receipt corrected twice moves the value by each difference once (¥1.00 → ¥1.01 → ¥1.02: +¥0.10, then +¥0.10)', async () => {
    await h.say('商品 新增 D001 电容');
    const rk = docNo(await h.say('入库 D001 10 1'))!;
    const first = await h.say(`成本调整 ${rk} 1.01`);
    expect(first).toContain('原单价 ¥1.00 / 个，正确单价 ¥1.01 / 个');
    expect(first).toContain('库存金额：¥10.00 → ¥10.10');
    const second = await h.say(`成本调整 ${rk} 1.02`);
    // The receipt now stands at ¥1.01 (its last 成本调整), not its original ¥1.00.
    expect(second).toContain('原单价 ¥1.01 / 个，正确单价 ¥1.02 / 个');
    expect(second).toContain('库存金额：¥10.10 → ¥10.20');
    // The same price again changes nothing and is refused as such.
    expect(await h.say(`成本调整 ${rk} 1.02`)).toContain('无需调整');
    expect(await val(t.db, 'D001')).toMatchObject({ qty: '10', value: '1020' });
    await expectClean(t.db);
  });

  it('batch-tracked: only the batch the receipt put goods into is revalued, its 150 片 on hand (not a share, not batch 2504C)', async () => {
    await h.say('商品 新增 P001 功率芯片 单位=片 批次管理=是');
    await h.say('入库 P001 40 7.2 批次=2502A 确认');
    const rk = docNo(await h.say('入库 P001 250 7.10 批次=2503B 确认'))!;
    await h.say('生产入库 P001 100 6.5 批次=2504C 确认');
    await h.say('出库 P001 40 批次=2502A 确认');
    await h.say('出库 P001 100 批次=2503B 确认'); // 150 片 of 2503B left, all from the receipt
    await h.say('出库 P001 30 批次=2504C 确认');
    const before = await val(t.db, 'P001');
    const r = await h.say(`成本调整 ${rk} 6.9`);
    const tz = docNo(r, 'TZ')!;
    // 150 × (¥7.10 − ¥6.90) = −¥30.00, all on 2503B
    expect(r).toContain('（成本调整 -¥30.00）');
    expect(r).toContain('仍在库的 150 片');
    expect(r).toContain('先进先出');
    expect(r).toContain('批次 2503B');
    expect(r).not.toContain('2504C');
    expect(r).not.toMatch(/\d\.\d{4,} 片/);
    expect(await adjustMoves(t.db, tz)).toEqual([['主仓库', '2503B', 0, '-3000']]);
    expect(BigInt((await val(t.db, 'P001')).value)).toBe(BigInt(before.value) - 3000n);
    // the posted document: no "0 片", no unit price on a value-only line; the amount signed
    const doc = await h.say(`单据 ${tz}`);
    expect(doc).toContain('| 2503B | — | — | -¥30.00 |');
    expect(doc).toContain('—');
    expect(doc).not.toMatch(/(^|[^\d.])0 片/);
    expect(doc).not.toMatch(/¥6\.9\d*\/片|¥6\.90 \/ 片/);
    await expectClean(t.db);
  });

  it('after a 红冲 of a later receipt: all 50 left come from the first receipt (+¥0.50, average ¥0.02)', async () => {
    await h.say('商品 新增 D1 电容');
    const rk1 = docNo(await h.say('入库 D1 100 0.01 确认'))!;
    const rk2 = docNo(await h.say('入库 D1 100 0.05 确认'))!;
    await h.say('出库 D1 50 确认');
    const hc = await h.say(`红冲 ${rk2}`); // leaves 50 个 @ ¥0.01 (the rules put the value back to ¥0.50)
    expect(hc).toContain('成本调整');
    expect(hc).not.toMatch(/(^|[^\d.])0 个/);
    expect(await val(t.db, 'D1')).toMatchObject({ qty: '50', value: '50' });
    const r = await h.say(`成本调整 ${rk1} 0.02`);
    expect(r).toContain('库存金额：¥0.50 → ¥1.00（成本调整 +¥0.50）');
    expect(r).toContain('平均成本：¥0.01 / 个 → ¥0.02 / 个');
    expect(r).toContain('仍在库的 50 个');
    expect(await val(t.db, 'D1')).toMatchObject({ qty: '50', value: '100' });
    const doc = await h.say(`单据 ${docNo(r, 'TZ')}`);
    expect(doc).toContain('+¥0.50');
    expect(doc).not.toMatch(/(^|[^\d.])0 个/);
    await expectClean(t.db);
  });

  it('transfers: the receipt\'s goods are followed to the warehouse they were moved to (FIFO per row)', async () => {
    await h.say('商品 新增 T1 继电器');
    await h.say('仓库 新增 主仓库');
    await h.say('仓库 新增 二号仓');
    const rka = docNo(await h.say('入库 T1 100 1 @主仓库 确认'))!; // should have been ¥2
    await h.say('入库 T1 100 3 @二号仓 确认');
    await h.say('调拨 T1 50 @主仓库 @二号仓 确认'); // 二号仓: 100 of the second receipt, then 50 of the first
    await h.say('出库 T1 120 @二号仓 确认'); // takes the oldest: 100 + 20 → 30 of the first receipt left there
    const r = await h.say(`成本调整 ${rka} 2`);
    // 50 in 主仓库 + 30 in 二号仓 = 80 × (¥2 − ¥1) = +¥80.00
    expect(r).toContain('仍在库的 80 个');
    expect(r).toContain('库存金额：¥160.00 → ¥240.00（成本调整 +¥80.00）');
    expect(await adjustMoves(t.db, docNo(r, 'TZ')!)).toEqual([
      ['主仓库', '', 0, '5000'],
      ['二号仓', '', 0, '3000'],
    ]);
    await expectClean(t.db);
  });

  it('sub-fen prices: 调价 to ¥0.002 per unit', async () => {
    await h.say('商品 新增 C002 贴片电阻');
    await h.say('入库 C002 1000 0.003 确认'); // ¥3.00
    const r = await h.say('调价 C002 0.002');
    expect(r).toContain('¥0.003 / 个 → ¥0.002 / 个');
    expect(r).toContain('¥3.00 → ¥2.00');
    await expectClean(t.db);
  });

  it('bad input gets a clear Chinese answer and writes nothing', async () => {
    await h.say('商品 新增 C003 电位器');
    await h.say('入库 C003 2 5 确认');
    const ck = docNo(await h.say('出库 C003 1 确认'))!;
    const before = await execRows(t.db, sql`select count(*)::int as n from documents`);
    const cases: [string, string][] = [
      ['成本调整', '缺少商品和新单价'],
      ['成本调整 C003', '缺少新单价'],
      ['成本调整 C003 abc', '格式不对'],
      ['成本调整 C003 -2', '格式不对'],
      ['成本调整 C003 0.0000001', '6 位小数'],
      ['成本调整 C003 2.5/箱', '基本单位'],
      [`成本调整 ${ck} 3`, '不是入库单'],
      ['成本调整 RK20000101-0001 3', '找不到入库单'],
      ['成本调整 C003 5', '无需调整'],
      ['成本调整 C003 3 @主仓库', '不分仓库'],
      ['成本调整 不存在的商品 3', '商品'],
    ];
    for (const [text, want] of cases) expect(await h.say(text), text).toContain(want);
    expect(await execRows(t.db, sql`select count(*)::int as n from documents`)).toEqual(before);
    expect(await h.say('帮助')).toContain('成本调整');
  });
});

describeDb('成本调整 service', (t) => {
  it('needs stock.reverse; is idempotent by key; the new cost counts as entered', async () => {
    const p = await product(t.db, { sku: 'S1' });
    await receive(t.db, p.id, 4, 100);
    await expectDomain(adjustCost(t.db, clerk, { product: p.id, unitCostFen: '150', idempotencyKey: key() }), 'forbidden');
    const k = key();
    const a = await adjustCost(t.db, admin, { product: p.id, unitCostFen: '150', idempotencyKey: k, reason: '供应商补发票' });
    expect(a).toMatchObject({ before: { valueFen: '400', avgCost: '100' }, after: { valueFen: '600', avgCost: '150' }, diffFen: '200', replayed: false });
    const again = await adjustCost(t.db, admin, { product: p.id, unitCostFen: '150', idempotencyKey: k });
    expect(again).toMatchObject({ replayed: true, before: { valueFen: '400' }, after: { valueFen: '600' }, diffFen: '200' });
    expect(again.posting.document.docNo).toBe(a.posting.document.docNo);
    expect(await val(t.db, 'S1')).toEqual({ qty: '4', value: '600', min: '100', max: '150' });
    // the rules hold afterwards: issuing everything takes exactly the new value
    const ck = await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 4 }] });
    expect(ck.lines[0].valueFen).toBe('-600');
    await expectClean(t.db);
  });

  it('refuses with nothing on hand, a reversed or fully issued receipt, a receipt of several products without the product', async () => {
    const p = await product(t.db, { sku: 'S2' });
    const q = await product(t.db, { sku: 'S3' });
    await expectDomain(adjustCost(t.db, admin, { product: p.id, unitCostFen: '1', idempotencyKey: key() }), 'conflict');
    const rk = await receive(t.db, p.id, 2, 100);
    await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 2 }] });
    await receive(t.db, p.id, 1, 100);
    const e = await expectDomain(adjustCost(t.db, admin, { docNo: rk.document.docNo, unitCostFen: '50', idempotencyKey: key() }), 'conflict');
    expect(e.message).toContain('全部出库');
    const rk2 = await receive(t.db, q.id, 1, 100);
    await reverseDocument(t.db, admin, { docNo: rk2.document.docNo, idempotencyKey: key() });
    expect((await expectDomain(adjustCost(t.db, admin, { docNo: rk2.document.docNo, unitCostFen: '50', idempotencyKey: key() }), 'conflict')).message).toContain('红冲');
    const { postReceipt } = await import('../../src/inventory/index.js');
    const multi = await postReceipt(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 1, unitCostFen: 100 }, { product: q.id, qty: 1, unitCostFen: 100 }] });
    expect((await expectDomain(adjustCost(t.db, admin, { docNo: multi.document.docNo, unitCostFen: '50', idempotencyKey: key() }), 'invalid_input')).message).toContain('S2');
    const ok = await adjustCost(t.db, admin, { docNo: multi.document.docNo, product: 'S3', unitCostFen: '50', idempotencyKey: key() });
    expect(ok.diffFen).toBe('-50');
    // a TZ cannot be reversed: it is corrected by another adjustment
    expect((await expectDomain(reverseDocument(t.db, admin, { docNo: ok.posting.document.docNo, idempotencyKey: key() }), 'conflict')).message).toContain('成本调整');
    await expectClean(t.db);
  });

  it('split over warehouses and batches by quantity: the parts add up to the difference', async () => {
    const w1 = await warehouse(t.db, '甲');
    const w2 = await warehouse(t.db, '乙');
    const p = await product(t.db, { sku: 'S4', batchTracked: true });
    await receive(t.db, p.id, 1, 100, w1.id, 'A');
    await receive(t.db, p.id, 1, 100, w1.id, 'B');
    await receive(t.db, p.id, 1, 100, w1.id, 'C');
    await postTransfer(t.db, clerk, { from: w1.id, to: w2.id, idempotencyKey: key(), lines: [{ product: p.id, qty: 1, batchNo: 'C' }] });
    const r = await adjustCost(t.db, admin, { product: p.id, totalValueFen: 400, idempotencyKey: key() });
    expect(r.posting.lines.map((l) => [l.warehouseName, l.batchNo, l.valueFen])).toEqual([
      ['甲', 'A', '34'],
      ['甲', 'B', '33'],
      ['乙', 'C', '33'],
    ]);
    expect(r.posting.document.totalValueFen).toBe('100');
    await expectClean(t.db);
  });

  it('FIFO within a row: later entries (not reversed ones) are on hand first; a reversed transfer brings the goods back', async () => {
    const w1 = await warehouse(t.db, '甲');
    const w2 = await warehouse(t.db, '乙');
    const p = await product(t.db, { sku: 'S6', batchTracked: true });
    await receive(t.db, p.id, 10, 100, w1.id, 'A'); // before the receipt: the oldest, issued first
    const rk = await receive(t.db, p.id, 30, 100, w1.id, 'A');
    await receive(t.db, p.id, 20, 100, w1.id, 'A'); // after it: on hand before it
    const gone = await receive(t.db, p.id, 5, 100, w1.id, 'A');
    await reverseDocument(t.db, admin, { docNo: gone.document.docNo, idempotencyKey: key() }); // never counts
    await receive(t.db, p.id, 7, 100, w2.id, 'A'); // another warehouse: not this row
    await postIssue(t.db, clerk, { idempotencyKey: key(), warehouse: w1.id, lines: [{ product: p.id, qty: 25, batchNo: 'A' }] });
    // 甲/A: 35 on hand, 20 entered after the receipt (the reversed 5 do not count) → 15 of it, +1 fen each
    const a = await adjustCost(t.db, admin, { docNo: rk.document.docNo, unitCostFen: '101', idempotencyKey: key() });
    expect(a.receipt).toMatchObject({ qty: '30', originalUnitCost: '100', revaluedQty: '15' });
    expect(a.diffFen).toBe('15');
    expect(a.posting.lines.map((l) => [l.warehouseName, l.batchNo, l.valueFen])).toEqual([['甲', 'A', '15']]);

    // 甲/A now holds [15 of the receipt, 20 later]; a transfer takes the oldest: 10 of the receipt's go to 乙
    const tr = await postTransfer(t.db, clerk, { from: w1.id, to: w2.id, idempotencyKey: key(), lines: [{ product: p.id, qty: 10, batchNo: 'A' }] });
    // (each adjustment is against the receipt's CURRENT price, its last 成本调整's: ¥1.01 → ¥1.02 is 15 × 1 fen)
    const b = await adjustCost(t.db, admin, { docNo: rk.document.docNo, unitCostFen: '102', idempotencyKey: key() });
    expect(b.receipt?.originalUnitCost).toBe('101');
    expect(b.posting.lines.map((l) => [l.warehouseName, l.batchNo, l.valueFen])).toEqual([['甲', 'A', '5'], ['乙', 'A', '10']]);
    expect(b.receipt?.revaluedQty).toBe('15');
    // 红冲 of the transfer moves the oldest of 乙/A (the 7 received there, then 3 of the receipt's) back to 甲: 甲 8, 乙 7
    await reverseDocument(t.db, admin, { docNo: tr.document.docNo, idempotencyKey: key() });
    const c = await adjustCost(t.db, admin, { docNo: rk.document.docNo, unitCostFen: '103', idempotencyKey: key() });
    expect(c.posting.lines.map((l) => [l.warehouseName, l.batchNo, l.valueFen])).toEqual([['甲', 'A', '8'], ['乙', 'A', '7']]);
    await expectClean(t.db);
  });

  it('repairs a legacy product left at 0 units with a value (the old reversal bug): the value goes to 0', async () => {
    const p = await product(t.db, { sku: 'S5' });
    await receive(t.db, p.id, 5, 200);
    await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 5 }] });
    // what a database written before the rules may hold (bypassing services and the NOT VALID CHECK)
    await t.db.execute(sql`alter table stock_valuations drop constraint stock_valuations_value_nonneg`);
    try {
      await t.db.execute(sql`update stock_valuations set value_fen = -2000 where product_id = ${p.id}`);
      const r = await adjustCost(t.db, admin, { product: 'S5', unitCostFen: '200', idempotencyKey: key() });
      expect(r).toMatchObject({ before: { valueFen: '-2000', avgCost: null }, after: { valueFen: '0' }, diffFen: '2000' });
      expect(await val(t.db, 'S5')).toEqual({ qty: '0', value: '0', min: null, max: null });
      // (only the stored row was faked, so only the checks of the stored row are asserted)
      const v = await verifyInventory(t.db);
      expect(v.violations.filter((x) => x.check === 'valuation_value_nonnegative' || x.check === 'zero_qty_zero_value')).toEqual([]);
    } finally {
      await t.db.execute(sql`update stock_valuations set value_fen = 0 where value_fen < 0`);
      await t.db.execute(sql`alter table stock_valuations add constraint stock_valuations_value_nonneg check (value_fen >= 0) not valid`);
    }
  });
});
