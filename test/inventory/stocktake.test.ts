import { expect, it } from 'vitest';
import { describeDb } from '../helpers/db.js';
import {
  cancelStocktake,
  getStock,
  openStocktake,
  postIssue,
  postStocktake,
  recordCount,
  stocktakeReport,
} from '../../src/inventory/index.js';
import { clerk, expectClean, expectDomain, key, product, receive, sales, warehouse } from './helpers.js';

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

  it('batch-tracked: counts per batch; uncounted batches of a counted product count as zero', async () => {
    const p = await product(t.db, { name: '试剂', batchTracked: true });
    await postReceipt2(p.id, 'L1', 5);
    await postReceipt2(p.id, 'L2', 5);
    const st = await openStocktake(t.db, clerk, {});
    await expectDomain(recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 5 }), 'invalid_input');
    await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 6, batchNo: 'L1' });
    await recordCount(t.db, clerk, { stocktake: st.id, product: p.id, qty: 1, batchNo: 'L9' });
    const r = await postStocktake(t.db, clerk, { stocktake: st.id, idempotencyKey: key() });
    expect(r.posting!.lines.map((l) => [l.batchNo, l.qty]).sort()).toEqual([
      ['L1', '1'],
      ['L2', '-5'],
      ['L9', '1'],
    ]);
    await expectClean(t.db);
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

  async function postReceipt2(productId: number, batchNo: string, qty: number) {
    const { postReceipt } = await import('../../src/inventory/index.js');
    return postReceipt(t.db, clerk, { idempotencyKey: key(), lines: [{ product: productId, qty, unitCostFen: 10, batchNo }] });
  }
});
