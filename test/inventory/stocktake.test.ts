import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import {
  cancelStocktake,
  getStock,
  openStocktake,
  postIssue,
  postStocktake,
  recordCount,
  setStocktakeComplete,
  stocktakeReport,
} from '../../src/inventory/index.js';
import { clerk, expectClean, expectDomain, key, product, receive, sales, viewer, warehouse } from './helpers.js';

describeDb('stocktake', (t) => {
  it('open → counts add up → variances → post gain and loss moves valued at the average', async () => {
    const w = await warehouse(t.db, '主仓库');
    const a = await product(t.db, { name: '螺丝', packUnit: '箱', packFactor: 24 });
    const b = await product(t.db, { name: '螺母' });
    const c = await product(t.db, { name: '垫片' });
    await receive(t.db, a.id, 50, 10, w.id);
    await receive(t.db, b.id, 20, 30, w.id);
    await receive(t.db, c.id, 5, 7, w.id);
    const st = await openStocktake(t.db, clerk, {});
    expect(st.docNo).toMatch(/^PD\d{8}-0001$/);
    expect(st.warehouseName).toBe('主仓库');
    await recordCount(t.db, clerk, { stocktake: st.docNo, product: '螺丝', qty: '2箱' });
    const r = await recordCount(t.db, clerk, { stocktake: st.id, product: a.id, qty: '5' });
    expect(r.countedQty).toBe('53');
    await recordCount(t.db, clerk, { stocktake: st.id, product: b.id, qty: 18 });
    const rep = await stocktakeReport(t.db, clerk, st.docNo);
    expect(rep.lines.map((l) => [l.name, l.bookQty, l.countedQty, l.varianceQty, l.varianceValueFen])).toEqual([
      ['螺丝', '50', '53', '3', '30'],
      ['螺母', '20', '18', '-2', '-60'],
    ]);
    expect(rep.uncounted.map((u) => u.name)).toEqual(['垫片']);
    expect(rep.moved).toEqual([]);
    const posted = await postStocktake(t.db, clerk, { stocktake: st.docNo, idempotencyKey: key() });
    expect(posted.stocktake.status).toBe('posted');
    expect(posted.posting!.document.docNo).toBe(st.docNo);
    expect(posted.posting!.lines.map((l) => [l.kind, l.qty, l.valueFen])).toEqual([
      ['stocktake_gain', '3', '30'],
      ['stocktake_loss', '-2', '-60'],
    ]);
    expect((await getStock(t.db, clerk, { product: a.id })).totalQty).toBe('53');
    expect((await getStock(t.db, clerk, { product: c.id })).totalQty).toBe('5'); // uncounted: untouched
    await expectDomain(recordCount(t.db, clerk, { stocktake: st.id, product: a.id, qty: 1 }), 'conflict');
    await expectClean(t.db);
  });

  it('the variance view values each line as the posting will (lines applied in order): two losses of one product', async () => {
    const w = await warehouse(t.db, '主仓库');
    const p = await product(t.db, { name: '芯片', batchTracked: true });
    // 3 units worth ¥0.10: A @3 fen, B @4 fen, C @3 fen (average 3.333333 fen)
    await receive(t.db, p.id, 1, 3, w.id, 'A');
    await receive(t.db, p.id, 1, 4, w.id, 'B');
    await receive(t.db, p.id, 1, 3, w.id, 'C');
    const st = await openStocktake(t.db, clerk, { products: [p.id] });
    await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 0, batchNo: 'A' });
    await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 0, batchNo: 'B' });
    // A leaves 3 of 10 fen (10 × 1/3); then B leaves 4 of the 7 left (7 × 1/2 = 3.5, half up),
    // not 3 of the original 10 again: the view must say −7, what the posting posts.
    const rep = await stocktakeReport(t.db, clerk, st.id);
    expect(rep.lines.map((l) => [l.batchNo, l.varianceValueFen])).toEqual([
      ['A', '-3'],
      ['B', '-4'],
    ]);
    const posted = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key() });
    expect(posted.posting!.lines.map((l) => [l.batchNo, l.valueFen])).toEqual([
      ['A', '-3'],
      ['B', '-4'],
    ]);
    await expectClean(t.db);
  });

  it('a gain with no average is valued at the purchase price', async () => {
    const p = await product(t.db, { name: '新货', purchasePriceFen: 40 });
    const st = await openStocktake(t.db, clerk, { products: [p.id] });
    await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 3 });
    const r = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key() });
    expect(r.posting!.lines[0]).toMatchObject({ kind: 'stocktake_gain', qty: '3', valueFen: '120' });
    await expectClean(t.db);
  });

  it('only one open stocktake per warehouse; cancel frees it', async () => {
    const w1 = await warehouse(t.db, '一号仓');
    const w2 = await warehouse(t.db, '二号仓');
    const s1 = await openStocktake(t.db, clerk, { warehouse: w1.id });
    const e = await expectDomain(openStocktake(t.db, clerk, { warehouse: '一号仓' }), 'conflict');
    expect(e.message).toContain(s1.docNo);
    await openStocktake(t.db, clerk, { warehouse: w2.id });
    await cancelStocktake(t.db, clerk, s1.id);
    await openStocktake(t.db, clerk, { warehouse: w1.id });
    await expectDomain(openStocktake(t.db, sales, { warehouse: w1.id }), 'forbidden');
  });

  it('a product that moved after the count opened is flagged and posting needs force', async () => {
    const p = await product(t.db, { name: '电池' });
    await receive(t.db, p.id, 10, 100);
    const st = await openStocktake(t.db, clerk, {});
    await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 10 });
    await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 4 }] });
    const rep = await stocktakeReport(t.db, clerk, st.id);
    expect(rep.moved.map((m) => m.name)).toEqual(['电池']);
    const e = await expectDomain(postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key() }), 'stale');
    expect(e.message).toContain('电池');
    expect(e.message).toContain('强制');
    // posting with force: counted 10 vs book 6 → gain 4
    const r = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key(), force: true });
    expect(r.posting!.lines.map((l) => [l.kind, l.qty])).toEqual([['stocktake_gain', '4']]);
    await expectClean(t.db);
  });

  it('batch-tracked: counts per batch; an uncounted batch of a counted product stays as it is (an absent count is not a zero count)', async () => {
    const p = await product(t.db, { name: '试剂', batchTracked: true });
    await postReceipt2(p.id, 'L1', 5);
    await postReceipt2(p.id, 'L2', 5);
    const st = await openStocktake(t.db, clerk, {});
    await expectDomain(recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 5 }), 'invalid_input');
    await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 6, batchNo: 'L1' });
    // A batch the books do not know is refused (a typo must not create stock) unless declared new.
    await expect(recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 1, batchNo: 'L9' })).rejects.toThrow(/账上没有.*批次「L9」.*本仓现有批次：L1（5 个）、L2（5 个）.*新批次/);
    await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 1, batchNo: 'L9', newBatch: true });
    const rep = await stocktakeReport(t.db, clerk, st.id);
    expect(rep.uncountedBatches.map((b) => [b.batchNo, b.bookQty])).toEqual([['L2', '5']]);
    const r = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key() });
    expect(r.posting!.lines.map((l) => [l.batchNo, l.qty]).sort()).toEqual([
      ['L1', '1'],
      ['L9', '1'],
    ]);
    expect(await batchQty(p.id)).toEqual({ L1: '6', L2: '5', L9: '1' });
    await expectClean(t.db);
  });

  describe('issue 8 class 11: an absent count is not a zero count, for batches too', () => {
    /** 试剂: batch A 10 @1.00, batch B 20 @1.30 → 30 units worth ¥36.00, average 120 fen. */
    async function reagent() {
      const p = await product(t.db, { name: '试剂', sku: 'R001', batchTracked: true });
      await postReceipt2(p.id, 'A', 10, 100);
      await postReceipt2(p.id, 'B', 20, 130);
      return p;
    }

    it('count only A = 8 → posting changes A by −2 (valued at the average) and leaves B at 20; the view lists B under uncounted batches', async () => {
      const p = await reagent();
      const st = await openStocktake(t.db, clerk, {});
      expect(st.complete).toBe(false);
      await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 8, batchNo: 'A' });
      const rep = await stocktakeReport(t.db, clerk, st.id);
      expect(rep.lines.map((l) => [l.batchNo, l.bookQty, l.countedQty, l.varianceQty, l.varianceValueFen, l.assumedZero])).toEqual([['A', '10', '8', '-2', '-240', false]]);
      expect(rep.uncountedBatches).toEqual([{ productId: p.id, sku: 'R001', name: '试剂', batchNo: 'B', bookQty: '20' }]);
      expect(rep.uncounted).toEqual([]);
      expect(rep.totalLossFen).toBe('-240');
      const r = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key() });
      expect(r.posting!.lines.map((l) => [l.batchNo, l.kind, l.qty, l.valueFen])).toEqual([['A', 'stocktake_loss', '-2', '-240']]);
      expect(await batchQty(p.id)).toEqual({ A: '8', B: '20' });
      expect(await valuation(p.id)).toEqual({ qty: '28', value: '3360' });
      await expectClean(t.db);
    });

    it('the product declared complete (flag on the entry, or 盘点 完成) writes B off to 0; withdrawing it keeps B', async () => {
      const p = await reagent();
      const st = await openStocktake(t.db, clerk, {});
      const c = await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 8, batchNo: 'A', complete: true });
      expect(c.complete).toBe(true);
      expect(c.stocktake.completeProductIds).toEqual([p.id]);
      let rep = await stocktakeReport(t.db, clerk, st.id);
      expect(rep.lines.map((l) => [l.batchNo, l.bookQty, l.countedQty, l.varianceQty, l.assumedZero])).toEqual([
        ['A', '10', '8', '-2', false],
        ['B', '20', '0', '-20', true],
      ]);
      expect(rep.uncountedBatches).toEqual([]);
      expect(rep.completeProducts.map((x) => x.sku)).toEqual(['R001']);
      // Withdrawn: B is uncounted again; declared again through the service.
      await setStocktakeComplete(t.db, clerk, { stocktake: st.id, product: 'R001', complete: false });
      rep = await stocktakeReport(t.db, clerk, st.id);
      expect(rep.uncountedBatches.map((b) => b.batchNo)).toEqual(['B']);
      await setStocktakeComplete(t.db, clerk, { stocktake: st.docNo, product: p.id });
      const r = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key() });
      expect(r.posting!.lines.map((l) => [l.batchNo, l.qty, l.valueFen])).toEqual([
        ['A', '-2', '-240'],
        ['B', '-20', '-2400'],
      ]);
      expect(await batchQty(p.id)).toEqual({ A: '8', B: '0' });
      expect(await valuation(p.id)).toEqual({ qty: '8', value: '960' });
      await expectClean(t.db);
    });

    it('a product declared complete without any entry: every batch counts as 0', async () => {
      const p = await reagent();
      const st = await openStocktake(t.db, clerk, { products: [p.id] });
      await setStocktakeComplete(t.db, clerk, { stocktake: st.id, product: p.id });
      const r = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key() });
      expect(r.posting!.lines.map((l) => [l.batchNo, l.qty])).toEqual([['A', '-10'], ['B', '-20']]);
      expect(await valuation(p.id)).toEqual({ qty: '0', value: '0' });
      await expectClean(t.db);
    });

    it('全盘 (whole stocktake complete): uncounted batches and uncounted products in scope go to 0; products out of scope stay', async () => {
      const p = await reagent();
      const q = await product(t.db, { name: '手套' });
      const out = await product(t.db, { name: '口罩' });
      await receive(t.db, q.id, 5, 30);
      await receive(t.db, out.id, 7, 10);
      // Whole warehouse, 全盘 declared at posting.
      const st = await openStocktake(t.db, clerk, {});
      await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 8, batchNo: 'A' });
      await recordCount(t.db, clerk, { stocktake: st.id, product: out.id, qty: 7 });
      let rep = await stocktakeReport(t.db, clerk, st.id);
      expect(rep.uncounted.map((u) => [u.name, u.bookQty])).toEqual([['手套', '5']]);
      expect(rep.uncountedBatches.map((b) => b.batchNo)).toEqual(['B']);
      await setStocktakeComplete(t.db, clerk, { stocktake: st.id });
      rep = await stocktakeReport(t.db, clerk, st.id);
      expect(rep.stocktake.complete).toBe(true);
      expect(rep.uncounted).toEqual([]);
      expect(rep.uncountedBatches).toEqual([]);
      expect(rep.lines.map((l) => [l.name, l.batchNo, l.countedQty, l.varianceQty, l.assumedZero])).toEqual([
        ['试剂', 'A', '8', '-2', false],
        ['试剂', 'B', '0', '-20', true],
        ['手套', '', '0', '-5', true],
        ['口罩', '', '7', '0', false],
      ]);
      await setStocktakeComplete(t.db, clerk, { stocktake: st.id, complete: false });
      const r = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key(), complete: true });
      expect(r.stocktake.complete).toBe(true);
      expect(r.posting!.lines.map((l) => [l.name, l.batchNo, l.qty, l.valueFen])).toEqual([
        ['试剂', 'A', '-2', '-240'],
        ['试剂', 'B', '-20', '-2400'],
        ['手套', '', '-5', '-150'],
      ]);
      expect(await batchQty(p.id)).toEqual({ A: '8', B: '0' });
      expect((await getStock(t.db, clerk, { product: q.id })).totalQty).toBe('0');
      expect((await getStock(t.db, clerk, { product: out.id })).totalQty).toBe('7');
      await expectClean(t.db);

      // A scoped count with 全盘 from the start: only the listed product is written off.
      await receive(t.db, q.id, 4, 30);
      const st2 = await openStocktake(t.db, clerk, { products: [q.id], complete: true });
      expect(st2.complete).toBe(true);
      const r2 = await postStocktake(t.db, clerk, { stocktake: st2.id, idempotencyKey: key() });
      expect(r2.posting!.lines.map((l) => [l.name, l.qty])).toEqual([['手套', '-4']]);
      expect((await getStock(t.db, clerk, { product: out.id })).totalQty).toBe('7');
      expect(await batchQty(p.id)).toEqual({ A: '8', B: '0' });
      await expectClean(t.db);
    });

    it('全盘 of a whole warehouse: an uncounted product that moved after opening makes posting need 强制', async () => {
      const p = await reagent();
      const q = await product(t.db, { name: '手套' });
      const st = await openStocktake(t.db, clerk, {});
      await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 10, batchNo: 'A' });
      await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 20, batchNo: 'B' });
      await receive(t.db, q.id, 3, 30); // arrives while counting; nobody counts it
      // Without 全盘 it is left alone: nothing to check, no variance.
      const e = await expectDomain(postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key(), complete: true }), 'stale');
      expect(e.message).toContain('手套');
      expect((await stocktakeReport(t.db, clerk, st.id)).stocktake.complete).toBe(false); // refused: nothing stored
      const r = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key() });
      expect(r.posting).toBeNull();
      expect((await getStock(t.db, clerk, { product: q.id })).totalQty).toBe('3');
      await expectClean(t.db);
    });

    it('corrections: 设为 writes the difference, 减 a negative entry; the total never goes below 0 (refused, nothing written)', async () => {
      const p = await reagent();
      const st = await openStocktake(t.db, clerk, {});
      const a = (qty: string | number, mode?: 'add' | 'set' | 'subtract') => recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty, batchNo: 'A', mode });
      expect((await a(10)).countedQty).toBe('10');
      const sub = await a(3, 'subtract');
      expect([sub.mode, sub.previousQty, sub.entryQty, sub.countedQty]).toEqual(['subtract', '10', '-3', '7']);
      const set = await a('9', 'set');
      expect([set.previousQty, set.entryQty, set.countedQty]).toEqual(['7', '2', '9']);
      expect((await a(8, 'set')).entryQty).toBe('-1');
      const entries = await entryQtys(st.id);
      expect(entries).toEqual(['10', '-3', '2', '-1']);
      // Below zero: refused with the current total and how to set it; nothing written.
      const e = await expectDomain(a(9, 'subtract'), 'invalid_input');
      expect(e.message).toContain('累计实盘 8');
      expect(e.message).toContain('设为');
      // Subtracting from a batch nobody counted (total 0) is refused too, and creates no batch.
      const batchesBefore = await countRows('batches');
      await expectDomain(recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 1, batchNo: 'Z', mode: 'subtract' }), 'invalid_input');
      expect(await countRows('batches')).toBe(batchesBefore);
      // 减 0 changes nothing: refused; a negative quantity is refused by the schema.
      await expectDomain(a(0, 'subtract'), 'invalid_input');
      await expectDomain(a(-2), 'invalid_input');
      await expectDomain(a(2, 'oops' as 'add'), 'invalid_input');
      expect(await entryQtys(st.id)).toEqual(entries);
      // The product's unit rules apply to corrections too (个: whole numbers).
      await expectDomain(a('1.5', 'subtract'), 'invalid_input');
      // 设为 0 is a count of zero (an entry), unlike no entry at all.
      expect((await a(0, 'set')).countedQty).toBe('0');
      const r = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key() });
      expect(r.posting!.lines.map((l) => [l.batchNo, l.qty])).toEqual([['A', '-10']]);
      expect(await batchQty(p.id)).toEqual({ A: '0', B: '20' });
      await expectClean(t.db);
    });

    it('pack units in corrections: 设为 2箱 and 减 1箱 are read with the pack factor', async () => {
      const p = await product(t.db, { name: '螺丝', packUnit: '箱', packFactor: 24 });
      await receive(t.db, p.id, 50, 10);
      const st = await openStocktake(t.db, clerk, {});
      await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: '3箱' });
      expect((await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: '1箱', mode: 'subtract' })).countedQty).toBe('48');
      expect((await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: '2箱2个', mode: 'set' })).countedQty).toBe('50');
      const r = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key() });
      expect(r.posting).toBeNull();
      await expectClean(t.db);
    });

    it('completeness: only for an open stocktake, products in scope, with the count permission', async () => {
      const p = await reagent();
      const other = await product(t.db, { name: '别的' });
      const st = await openStocktake(t.db, clerk, { products: [p.id] });
      await expectDomain(setStocktakeComplete(t.db, clerk, { stocktake: st.id, product: other.id }), 'invalid_input');
      await expectDomain(setStocktakeComplete(t.db, viewer, { stocktake: st.id }), 'forbidden');
      await cancelStocktake(t.db, clerk, st.id);
      await expectDomain(setStocktakeComplete(t.db, clerk, { stocktake: st.id }), 'conflict');
    });
  });

  it('no variance: closes without a document; posting again answers the same', async () => {
    const p = await product(t.db);
    await receive(t.db, p.id, 2, 1);
    const st = await openStocktake(t.db, clerk, {});
    await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 2 });
    const r = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key() });
    expect(r.posting).toBeNull();
    expect(r.stocktake.status).toBe('posted');
    const again = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key() });
    expect(again.stocktake.status).toBe('posted');
  });

  it('posting twice with one key replays', async () => {
    const p = await product(t.db);
    await receive(t.db, p.id, 2, 1);
    const st = await openStocktake(t.db, clerk, {});
    await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 1 });
    const k = key();
    const a = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: k });
    const b = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: k });
    expect(b.posting!.replayed).toBe(true);
    expect(b.posting!.document.docNo).toBe(a.posting!.document.docNo);
  });

  async function postReceipt2(productId: number, batchNo: string, qty: number, unitCostFen = 10) {
    const { postReceipt } = await import('../../src/inventory/index.js');
    return postReceipt(t.db, clerk, { idempotencyKey: key(), lines: [{ product: productId, qty, unitCostFen, batchNo }] });
  }

  /** batchNo → on-hand quantity of a product (all warehouses). */
  async function batchQty(productId: number): Promise<Record<string, string>> {
    const rows = await execRows<{ batch_no: string; q: string }>(
      t.db,
      sql`select bt.batch_no, trim_scale(sum(b.qty))::text as q from stock_balances b join batches bt on bt.id = b.batch_id
          where b.product_id = ${productId} group by bt.batch_no order by bt.batch_no`,
    );
    return Object.fromEntries(rows.map((r) => [r.batch_no, r.q]));
  }

  async function valuation(productId: number): Promise<{ qty: string; value: string }> {
    const [v] = await execRows<{ qty: string; value: string }>(t.db, sql`select trim_scale(qty)::text as qty, value_fen::text as value from stock_valuations where product_id = ${productId}`);
    return v;
  }

  async function entryQtys(stocktakeId: number): Promise<string[]> {
    const rows = await execRows<{ q: string }>(t.db, sql`select trim_scale(qty)::text as q from stocktake_entries where stocktake_id = ${stocktakeId} order by id`);
    return rows.map((r) => r.q);
  }

  async function countRows(table: string): Promise<number> {
    const [r] = await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from ${sql.raw(table)}`);
    return Number(r.n);
  }
});
