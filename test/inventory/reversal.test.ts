import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { describeDb } from '../helpers/db.js';
import { execRows } from '../../db/types.js';
import { getDocument, getStock, postIssue, postTransfer, reverseDocument } from '../../src/inventory/index.js';
import { admin, clerk, expectClean, expectDomain, key, product, receive, warehouse } from './helpers.js';

describeDb('reversal (红冲)', (t) => {
  it('posts opposite moves at the original cost and links both documents', async () => {
    const p = await product(t.db);
    await receive(t.db, p.id, 3, 100);
    await receive(t.db, p.id, 3, 101);
    const i = await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 1 }] });
    await receive(t.db, p.id, 10, 500); // the average moves on; the reversal must not use it
    const r = await reverseDocument(t.db, admin, { docNo: i.document.docNo, idempotencyKey: key(), reason: '录错了' });
    expect(r.document.kind).toBe('reversal');
    expect(r.document.reversesDocNo).toBe(i.document.docNo);
    expect(r.lines[0]).toMatchObject({ kind: 'reversal', qty: '1', valueFen: '101', unitCost: i.lines[0].unitCost });
    const orig = await getDocument(t.db, clerk, i.document.docNo);
    expect(orig.document.reversedByDocNo).toBe(r.document.docNo);
    const rev = await getDocument(t.db, clerk, r.document.docNo);
    expect(rev.document.reversesDocNo).toBe(i.document.docNo);
    const [m] = await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from stock_moves where reverses_move_id is not null`);
    expect(m.n).toBe(1);
    await expectClean(t.db);
  });

  it('only once, never a reversal of a reversal, only with stock.reverse', async () => {
    const p = await product(t.db);
    const rk = await receive(t.db, p.id, 5, 10);
    await expectDomain(reverseDocument(t.db, clerk, { docNo: rk.document.docNo, idempotencyKey: key() }), 'forbidden');
    const r = await reverseDocument(t.db, admin, { docNo: rk.document.docNo, idempotencyKey: key() });
    const e = await expectDomain(reverseDocument(t.db, admin, { docNo: rk.document.docNo, idempotencyKey: key() }), 'already_reversed');
    expect(e.message).toContain(r.document.docNo);
    await expectDomain(reverseDocument(t.db, admin, { docNo: r.document.docNo, idempotencyKey: key() }), 'conflict');
    await expectDomain(reverseDocument(t.db, admin, { docNo: 'RK20000101-0001', idempotencyKey: key() }), 'not_found');
    await expectClean(t.db);
  });

  it('refused when it would make stock negative', async () => {
    const p = await product(t.db);
    const rk = await receive(t.db, p.id, 5, 10);
    await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 3 }] });
    const e = await expectDomain(reverseDocument(t.db, admin, { docNo: rk.document.docNo, idempotencyKey: key() }), 'insufficient_stock');
    // A reversal's own wording (tester finding 3): what is on hand, what it takes back, the way out.
    expect(e.message).toContain('现有 2 个，红冲要退回 5 个');
    expect(e.message).toContain('成本调整');
    expect(e.message).not.toContain('请减少数量');
    const [d] = await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from documents where reversed_by_doc_id is not null`);
    expect(d.n).toBe(0);
    await expectClean(t.db);
  });

  it('reverses a transfer: both legs back, total value unchanged', async () => {
    const p = await product(t.db);
    const w1 = await warehouse(t.db, '甲');
    const w2 = await warehouse(t.db, '乙');
    await receive(t.db, p.id, 3, 7, w1.id);
    const tr = await postTransfer(t.db, clerk, { from: w1.id, to: w2.id, idempotencyKey: key(), lines: [{ product: p.id, qty: 2 }] });
    const r = await reverseDocument(t.db, admin, { docNo: tr.document.docNo, idempotencyKey: key() });
    expect(r.lines.map((l) => [l.warehouseName, l.qty])).toEqual([
      ['甲', '2'],
      ['乙', '-2'],
    ]);
    const s = await getStock(t.db, clerk, { product: p.id });
    expect(s.perWarehouse.map((x) => [x.warehouseName, x.qty])).toEqual([['甲', '3']]);
    expect(s.totalValueFen).toBe('21');
    await expectClean(t.db);
  });

  it('two concurrent reversals of one document: exactly one wins', async () => {
    const p = await product(t.db);
    const rk = await receive(t.db, p.id, 5, 10);
    const rs = await Promise.allSettled([
      reverseDocument(t.db, admin, { docNo: rk.document.docNo, idempotencyKey: key() }),
      reverseDocument(t.db, admin, { docNo: rk.document.docNo, idempotencyKey: key() }),
    ]);
    expect(rs.filter((r) => r.status === 'fulfilled').length).toBe(1);
    const bad = rs.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(bad.reason.code).toBe('already_reversed');
    await expectClean(t.db);
  });

  it('nothing posted is updated or deleted except the one reversal link', async () => {
    const p = await product(t.db);
    const rk = await receive(t.db, p.id, 5, 10);
    const before = await execRows(t.db, sql`select * from stock_moves order by id`);
    await reverseDocument(t.db, admin, { docNo: rk.document.docNo, idempotencyKey: key() });
    const after = await execRows(t.db, sql`select * from stock_moves order by id`);
    expect(after.slice(0, before.length)).toEqual(before);
  });
});
