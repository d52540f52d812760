import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { describeDb } from '../helpers/db.js';
import { execRows } from '../../db/types.js';
import {
  createWarehouse,
  getDefaultWarehouse,
  getDocument,
  getStock,
  listWarehouses,
  postIssue,
  postReceipt,
  postTransfer,
  stockSummary,
} from '../../src/inventory/index.js';
import { admin, clerk, expectClean, expectDomain, key, product, receive, sales, viewer, warehouse } from './helpers.js';

const moves = (db: Parameters<typeof execRows>[0]) =>
  execRows<{ kind: string; qty: string; value_fen: string; batch_no: string; warehouse_id: number }>(
    db,
    sql`select m.kind, m.qty::text as qty, m.value_fen::text as value_fen, b.batch_no, m.warehouse_id from stock_moves m join batches b on b.id = m.batch_id order by m.id`,
  );

describeDb('warehouses', (t) => {
  it('first warehouse becomes the default; makeDefault moves it', async () => {
    const a = await createWarehouse(t.db, admin, { name: '一号仓' });
    const b = await createWarehouse(t.db, admin, { name: '二号仓' });
    expect(a.isDefault).toBe(true);
    expect(b.isDefault).toBe(false);
    expect(a.code).toBe('WH01');
    await createWarehouse(t.db, admin, { name: '三号仓', makeDefault: true });
    expect((await getDefaultWarehouse(t.db))!.name).toBe('三号仓');
    expect((await listWarehouses(t.db, viewer)).map((w) => w.name)).toEqual(['一号仓', '二号仓', '三号仓']);
    await expectDomain(createWarehouse(t.db, admin, { name: '一号仓' }), 'conflict');
    await expectDomain(createWarehouse(t.db, clerk, { name: '四号仓' }), 'forbidden');
  });

  it('a posting without any warehouse creates 主仓库 as the default', async () => {
    const p = await product(t.db);
    const r = await receive(t.db, p.id, 5, 100);
    expect(r.document.warehouseName).toBe('主仓库');
    expect((await getDefaultWarehouse(t.db))!.name).toBe('主仓库');
  });
});

describeDb('receipts and issues', (t) => {
  it('numbers documents per prefix and Shanghai day', async () => {
    const p = await product(t.db);
    const at = new Date('2026-11-25T17:00:00Z'); // 01:00 on the 26th in Shanghai
    const r1 = await postReceipt(t.db, clerk, { idempotencyKey: key(), businessTime: at, lines: [{ product: p.id, qty: 10, unitCostFen: 1 }] });
    const r2 = await postReceipt(t.db, clerk, { idempotencyKey: key(), businessTime: at, lines: [{ product: p.id, qty: 10, unitCostFen: 1 }] });
    const s1 = await postReceipt(t.db, clerk, { kind: 'production_receipt', idempotencyKey: key(), businessTime: at, lines: [{ product: p.id, qty: 1 }] });
    const o1 = await postReceipt(t.db, clerk, { kind: 'opening', idempotencyKey: key(), businessTime: at, lines: [{ product: p.id, qty: 1 }] });
    const i1 = await postIssue(t.db, clerk, { idempotencyKey: key(), businessTime: at, lines: [{ product: p.id, qty: 1 }] });
    const l1 = await postIssue(t.db, clerk, { kind: 'internal_issue', idempotencyKey: key(), businessTime: at, lines: [{ product: p.id, qty: 1 }] });
    expect([r1, r2, s1, o1, i1, l1].map((r) => r.document.docNo)).toEqual([
      'RK20261126-0001',
      'RK20261126-0002',
      'SC20261126-0001',
      'QC20261126-0001',
      'CK20261126-0001',
      'LY20261126-0001',
    ]);
  });

  it('moves carry product, warehouse, batch, signed qty, unit cost, value, document, actor and times', async () => {
    const p = await product(t.db, { name: '扳手', purchasePriceFen: 500 });
    const u = { ...clerk, userId: null };
    const r = await postReceipt(t.db, u, { idempotencyKey: key(), lines: [{ product: '扳手', qty: 3 }] });
    expect(r.lines[0]).toMatchObject({ productId: p.id, qty: '3', unitCost: '500', valueFen: '1500', batchNo: '', warehouseName: '主仓库' });
    const [m] = await execRows<{ document_id: number; business_time: unknown; recorded_at: unknown; actor_id: unknown }>(t.db, sql`select * from stock_moves`);
    expect(m.document_id).toBe(r.document.id);
    expect(m.business_time).toBeTruthy();
    expect(m.recorded_at).toBeTruthy();
    expect(r.onHand).toMatchObject([{ productId: p.id, qty: '3', totalQty: '3' }]);
  });

  it('refuses negative stock with the available quantity in base and pack unit', async () => {
    const p = await product(t.db, { name: '螺丝', packUnit: '箱', packFactor: 24 });
    await receive(t.db, p.id, '1箱6个', 10);
    const e = await expectDomain(postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: '2箱' }] }), 'insufficient_stock');
    expect(e.message).toContain('现有 30 个（1 箱 6 个）');
    expect(e.message).toContain('48 个（2 箱）');
    expect(e.details!.available).toBe('30');
    // nothing was written
    expect((await moves(t.db)).length).toBe(1);
    await expectClean(t.db);
  });

  it('permissions: sales may issue but not receive; viewer may do neither', async () => {
    const p = await product(t.db);
    await expectDomain(postReceipt(t.db, sales, { idempotencyKey: key(), lines: [{ product: p.id, qty: 1 }] }), 'forbidden');
    await receive(t.db, p.id, 2, 1);
    await postIssue(t.db, sales, { idempotencyKey: key(), lines: [{ product: p.id, qty: 1 }] });
    await expectDomain(postIssue(t.db, viewer, { idempotencyKey: key(), lines: [{ product: p.id, qty: 1 }] }), 'forbidden');
  });

  it('idempotency: the same key returns the first result and writes nothing', async () => {
    const p = await product(t.db);
    const k = key();
    const a = await postReceipt(t.db, clerk, { idempotencyKey: k, lines: [{ product: p.id, qty: 5, unitCostFen: 3 }] });
    const b = await postReceipt(t.db, clerk, { idempotencyKey: k, lines: [{ product: p.id, qty: 5, unitCostFen: 3 }] });
    expect(a.replayed).toBe(false);
    expect(b.replayed).toBe(true);
    expect(b.document.docNo).toBe(a.document.docNo);
    expect(b.lines).toEqual(a.lines);
    expect((await moves(t.db)).length).toBe(1);
    // a key used for a receipt cannot be reused for an issue
    await expectDomain(postIssue(t.db, clerk, { idempotencyKey: k, lines: [{ product: p.id, qty: 1 }] }), 'conflict');
    // an issue that emptied the stock, delivered twice, replays instead of failing
    const k2 = key();
    const i1 = await postIssue(t.db, clerk, { idempotencyKey: k2, lines: [{ product: p.id, qty: 5 }] });
    const i2 = await postIssue(t.db, clerk, { idempotencyKey: k2, lines: [{ product: p.id, qty: 5 }] });
    expect(i2.replayed).toBe(true);
    expect(i2.document).toEqual(i1.document);
    expect(i2.lines).toEqual(i1.lines);
    expect(i2.onHand).toEqual(i1.onHand);
  });

  it('FIFO by receipt date across batches, explicit batch when named', async () => {
    const p = await product(t.db, { name: '药剂', batchTracked: true });
    await postReceipt(t.db, clerk, { idempotencyKey: key(), businessTime: new Date('2026-03-01T02:00:00Z'), lines: [{ product: p.id, qty: 5, unitCostFen: 10, batchNo: 'B2' }] });
    await postReceipt(t.db, clerk, { idempotencyKey: key(), businessTime: new Date('2026-01-01T02:00:00Z'), lines: [{ product: p.id, qty: 5, unitCostFen: 10, batchNo: 'B1' }] });
    await postReceipt(t.db, clerk, { idempotencyKey: key(), businessTime: new Date('2026-05-01T02:00:00Z'), lines: [{ product: p.id, qty: 5, unitCostFen: 10 }] });
    const i = await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 7 }] });
    expect(i.lines.map((l) => [l.batchNo, l.qty])).toEqual([
      ['B1', '-5'],
      ['B2', '-2'],
    ]);
    const j = await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 2, batchNo: '20260501' }] });
    expect(j.lines.map((l) => [l.batchNo, l.qty])).toEqual([['20260501', '-2']]);
    await expectDomain(postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 4, batchNo: 'B2' }] }), 'insufficient_stock');
    // A batch that does not exist is "没有批次" (issue 10), not 库存不足.
    const none = await expectDomain(postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 1, batchNo: 'NOPE' }] }), 'not_found');
    expect(none.message).toContain('没有批次「NOPE」');
    const np = await product(t.db, { name: '普通件' });
    await receive(t.db, np.id, 1, 1);
    await expectDomain(postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: np.id, qty: 1, batchNo: 'X' }] }), 'invalid_input');
    await expectClean(t.db);
  });

  it('moving average: receipts re-average, issues carry it, rounding residue leaves with the last unit', async () => {
    const p = await product(t.db);
    await receive(t.db, p.id, 3, 100); // 300
    await receive(t.db, p.id, 3, 101); // 303 → avg 100.5
    const i1 = await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 1 }] });
    expect(i1.lines[0].unitCost).toBe('100.5');
    expect(i1.lines[0].valueFen).toBe('-101'); // round-half-up(603 × 1 / 6) = 100.5 → 101
    const s = await getStock(t.db, clerk, { product: p.id });
    expect(s.totalValueFen).toBe('502');
    const i2 = await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 2 }] });
    expect(i2.lines[0].valueFen).toBe('-201'); // 502 × 2 / 5 = 200.8
    const i3 = await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 3 }] });
    expect(i3.lines[0].valueFen).toBe('-301'); // the whole remaining value
    const after = await getStock(t.db, clerk, { product: p.id });
    expect(after.totalQty).toBe('0');
    expect(after.totalValueFen).toBe('0');
    await expectClean(t.db);
  });

  it('receipt value: amountFen wins, then unitCostFen, then purchase price, then average', async () => {
    const p = await product(t.db, { purchasePriceFen: 7 });
    const r = await postReceipt(t.db, clerk, {
      idempotencyKey: key(),
      lines: [
        { product: p.id, qty: 3, amountFen: 100 },
        { product: p.id, qty: 3, unitCostFen: '3.335' },
        { product: p.id, qty: 2 },
      ],
    });
    expect(r.lines.map((l) => l.valueFen)).toEqual(['100', '10', '14']);
    expect(r.document.totalValueFen).toBe('124');
    const q = await product(t.db);
    await receive(t.db, q.id, 4, 25);
    const r2 = await postReceipt(t.db, clerk, { idempotencyKey: key(), lines: [{ product: q.id, qty: 2 }] });
    expect(r2.lines[0].valueFen).toBe('50');
  });

  it('transfer: one document, two legs, value moves at the average, total unchanged', async () => {
    const p = await product(t.db, { name: '胶带' });
    const w1 = await warehouse(t.db, '一号仓');
    const w2 = await warehouse(t.db, '二号仓');
    await receive(t.db, p.id, 3, 10, w1.id);
    await receive(t.db, p.id, 3, 11, w1.id); // 63 / 6
    const tr = await postTransfer(t.db, clerk, { from: '一号仓', to: '二号仓', idempotencyKey: key(), lines: [{ product: '胶带', qty: 4 }] });
    expect(tr.document.docNo).toMatch(/^DB/);
    expect(tr.lines.map((l) => [l.kind, l.warehouseName, l.qty, l.valueFen])).toEqual([
      ['transfer_out', '一号仓', '-4', '-42'],
      ['transfer_in', '二号仓', '4', '42'],
    ]);
    expect(tr.onHand.map((o) => [o.warehouseName, o.qty, o.totalQty])).toEqual([
      ['一号仓', '2', '6'],
      ['二号仓', '4', '6'],
    ]);
    const s = await getStock(t.db, clerk, { product: p.id });
    expect(s.totalValueFen).toBe('63');
    expect(s.perWarehouse.map((x) => [x.warehouseName, x.qty])).toEqual([
      ['一号仓', '2'],
      ['二号仓', '4'],
    ]);
    await expectDomain(postTransfer(t.db, clerk, { from: w1.id, to: w2.id, idempotencyKey: key(), lines: [{ product: p.id, qty: 3 }] }), 'insufficient_stock');
    await expectDomain(postTransfer(t.db, clerk, { from: w1.id, to: w1.id, idempotencyKey: key(), lines: [{ product: p.id, qty: 1 }] }), 'invalid_input');
    await expectDomain(postTransfer(t.db, sales, { from: w1.id, to: w2.id, idempotencyKey: key(), lines: [{ product: p.id, qty: 1 }] }), 'forbidden');
    await expectClean(t.db);
  });

  it('transfer of batch-tracked stock keeps the batches', async () => {
    const p = await product(t.db, { batchTracked: true });
    const w1 = await warehouse(t.db, '甲仓');
    const w2 = await warehouse(t.db, '乙仓');
    await postReceipt(t.db, clerk, { warehouse: w1.id, idempotencyKey: key(), businessTime: new Date('2026-01-01'), lines: [{ product: p.id, qty: 2, unitCostFen: 5, batchNo: 'A' }] });
    await postReceipt(t.db, clerk, { warehouse: w1.id, idempotencyKey: key(), businessTime: new Date('2026-02-01'), lines: [{ product: p.id, qty: 2, unitCostFen: 5, batchNo: 'B' }] });
    const tr = await postTransfer(t.db, clerk, { from: w1.id, to: w2.id, idempotencyKey: key(), lines: [{ product: p.id, qty: 3 }] });
    expect(tr.lines.map((l) => [l.kind, l.batchNo, l.qty])).toEqual([
      ['transfer_out', 'A', '-2'],
      ['transfer_in', 'A', '2'],
      ['transfer_out', 'B', '-1'],
      ['transfer_in', 'B', '1'],
    ]);
    await expectClean(t.db);
  });

  it('document view by number and stock summary; audit row per posting', async () => {
    const p = await product(t.db, { name: '手套' });
    const r = await receive(t.db, p.id, 10, 250);
    const v = await getDocument(t.db, viewer, r.document.docNo.toLowerCase());
    expect(v.document.docNo).toBe(r.document.docNo);
    expect(v.lines).toEqual(r.lines);
    await expectDomain(getDocument(t.db, viewer, 'RK19990101-0001'), 'not_found');
    const sum = await stockSummary(t.db, viewer);
    expect(sum.lines).toMatchObject([{ productId: p.id, qty: '10', valueFen: '2500', avgCost: '250' }]);
    expect(sum.totalValueFen).toBe('2500');
    const audit = await execRows<{ action: string; entity_id: string }>(t.db, sql`select action, entity_id from audit_log where entity = 'document'`);
    expect(audit).toEqual([{ action: 'post', entity_id: r.document.docNo }]);
  });

  it('validates input: unknown unit and missing key give Chinese messages', async () => {
    const p = await product(t.db, { name: '螺丝', packUnit: '箱', packFactor: 24 });
    const e = await expectDomain(postReceipt(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: '3盒' }] }), 'invalid_input');
    expect(e.message).toContain('盒');
    await expectDomain(postReceipt(t.db, clerk, { idempotencyKey: '', lines: [{ product: p.id, qty: 1 }] } as never), 'invalid_input');
    await expectDomain(postReceipt(t.db, clerk, { idempotencyKey: key(), lines: [] }), 'invalid_input');
  });
});

describeDb('the one-statement issue path', (t) => {
  it('agrees with the general path to the fen and to the 6th decimal of the average, also for large values', async () => {
    const { fastIssue } = await import('../../src/inventory/fastissue.js');
    // Fractional quantities test the arithmetic: these products allow 6 decimals (个 alone takes whole numbers).
    const a = await product(t.db, { name: '快路径', qtyDecimals: 6 });
    const b = await product(t.db, { name: '通用路径', qtyDecimals: 6 });
    for (const p of [a, b]) {
      await receive(t.db, p.id, '9999999.5', '123456.789');
      await receive(t.db, p.id, 7, '0.333');
    }
    for (const q of ['1', '3.333333', '12345', '0.000001']) {
      const fast = await fastIssue(t.db, clerk, { kind: 'sales_issue', product: a.id, warehouseId: undefined, qty: q, idempotencyKey: key(), businessTime: new Date(), remark: null });
      expect(fast).not.toBeNull();
      // by name → resolved outside the fast path: the general engine
      const slow = await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: '通用路径', qty: q }] });
      expect(fast!.lines[0].valueFen).toBe(slow.lines[0].valueFen);
      expect(fast!.lines[0].unitCost).toBe(slow.lines[0].unitCost);
      expect(fast!.onHand[0].totalQty).toBe(slow.onHand[0].totalQty);
    }
    const [sa, sb] = await Promise.all([getStock(t.db, clerk, { product: a.id }), getStock(t.db, clerk, { product: b.id })]);
    expect(sa.avgCost).toBe(sb.avgCost);
    expect(sa.totalValueFen).toBe(sb.totalValueFen);
    // the whole remainder takes the whole value
    const rest = await fastIssue(t.db, clerk, { kind: 'sales_issue', product: a.id, warehouseId: undefined, qty: sa.totalQty, idempotencyKey: key(), businessTime: new Date(), remark: null });
    expect(rest!.lines[0].valueFen).toBe('-' + sa.totalValueFen);
    await expectClean(t.db);
  });

  it('falls back (null) for batch-tracked or unknown products; refuses with the available qty', async () => {
    const { fastIssue } = await import('../../src/inventory/fastissue.js');
    const tracked = await product(t.db, { batchTracked: true });
    const base = { kind: 'sales_issue' as const, warehouseId: undefined, qty: '1', businessTime: new Date(), remark: null };
    await warehouse(t.db, '主仓库');
    expect(await fastIssue(t.db, clerk, { ...base, product: tracked.id, idempotencyKey: key() })).toBeNull();
    expect(await fastIssue(t.db, clerk, { ...base, product: 99999, idempotencyKey: key() })).toBeNull();
    const p = await product(t.db, { name: '少量', packUnit: '箱', packFactor: 10 });
    await expectDomain(fastIssue(t.db, clerk, { ...base, product: p.id, idempotencyKey: key() }), 'insufficient_stock');
    await receive(t.db, p.id, 12, 5);
    const e = await expectDomain(fastIssue(t.db, clerk, { ...base, qty: '13', product: p.id, idempotencyKey: key() }), 'insufficient_stock');
    expect(e.message).toContain('现有 12 个（1 箱 2 个）');
    await expectClean(t.db);
  });
});

describeDb('document numbers on the hot path', (t) => {
  it('refused, replayed and fallen-back issues leave no gap in the numbering', async () => {
    const p = await product(t.db);
    const tracked = await product(t.db, { batchTracked: true });
    await receive(t.db, p.id, 3, 10);
    await postReceipt(t.db, clerk, { idempotencyKey: key(), lines: [{ product: tracked.id, qty: 3, unitCostFen: 1, batchNo: 'X' }] });
    const at = new Date();
    const nos: string[] = [];
    const k = key();
    nos.push((await postIssue(t.db, clerk, { idempotencyKey: k, businessTime: at, lines: [{ product: p.id, qty: 1 }] })).document.docNo);
    await postIssue(t.db, clerk, { idempotencyKey: k, businessTime: at, lines: [{ product: p.id, qty: 1 }] }); // replay
    await expectDomain(postIssue(t.db, clerk, { idempotencyKey: key(), businessTime: at, lines: [{ product: p.id, qty: 5 }] }), 'insufficient_stock');
    nos.push((await postIssue(t.db, clerk, { idempotencyKey: key(), businessTime: at, lines: [{ product: tracked.id, qty: 1 }] })).document.docNo);
    nos.push((await postIssue(t.db, clerk, { idempotencyKey: key(), businessTime: at, lines: [{ product: p.id, qty: 2 }] })).document.docNo);
    expect(nos.map((n) => n.slice(-4))).toEqual(['0001', '0002', '0003']);
  });
});
