import { expect, it } from 'vitest';
import { describeDb } from './helpers/db.js';
import { postIssue, postTransfer, reverseDocument, getStock } from '../src/inventory/index.js';
import { clerk, admin, expectClean, key, product, receive, warehouse } from './inventory/helpers.js';

describeDb('inventory smoke', (t) => {
  it('receives, issues, transfers, reverses', async () => {
    const p = await product(t.db, { name: '螺丝', packUnit: '箱', packFactor: '24' });
    const r = await receive(t.db, p.id, '2箱', 100);
    expect(r.document.docNo).toMatch(/^RK\d{8}-0001$/);
    expect(r.lines[0].qty).toBe('48');
    expect(r.lines[0].valueFen).toBe('4800');
    const i = await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: '螺丝', qty: '10' }] });
    expect(i.lines[0].valueFen).toBe('-1000');
    expect(i.onHand[0].qty).toBe('38');
    const w2 = await warehouse(t.db, '二号仓');
    const tr = await postTransfer(t.db, clerk, { to: w2.id, idempotencyKey: key(), lines: [{ product: p.id, qty: 8 }] });
    expect(tr.lines.length).toBe(2);
    const rv = await reverseDocument(t.db, admin, { docNo: i.document.docNo, idempotencyKey: key() });
    expect(rv.document.docNo).toMatch(/^HC/);
    const s = await getStock(t.db, clerk, { product: p.id });
    expect(s.totalQty).toBe('48');
    await expectClean(t.db);
  });
});
