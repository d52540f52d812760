/**
 * Issue 10 item 8: expiry-first picking. Without a named batch an issue (and a transfer) takes
 * the earliest-expiring batch first; batches without an expiry come after every dated one, in
 * FIFO order by first receipt (ledger.ts pickOrder). Taking an EXPIRED batch (picked or named)
 * is held for confirmation (needs_confirmation with details.fix kind 'confirm', the unusual-entry
 * rule); a batch that does not exist is "没有批次", not 库存不足. Through the use cases.
 */
import { expect, it } from 'vitest';
import { describeDb } from '../helpers/db.js';
import { DomainError } from '../../src/errors.js';
import { pickOrder, type BalanceRow } from '../../src/inventory/ledger.js';
import { Dec } from '../../src/shared/decimal.js';
import { postReceipt } from '../../src/inventory/index.js';
import { admin, clerk, expectClean, key, product, warehouse } from './helpers.js';
import { call, refused } from './use-cases-harness.js';

const row = (batchId: number, receivedAt: string, expiresOn: string | null): BalanceRow => ({
  productId: 1, warehouseId: 1, batchId, batchNo: `B${batchId}`, receivedAt: new Date(receivedAt), expiresOn, qty: new Dec(1),
});

it('pickOrder: earliest expiry first, undated after dated (FIFO among them), ties by receipt then id', () => {
  const rows = [
    row(1, '2026-01-01', null),
    row(2, '2026-03-01', '2027-01-01'),
    row(3, '2026-02-01', '2026-12-01'),
    row(4, '2025-12-01', null),
    row(5, '2026-01-15', '2026-12-01'),
    row(6, '2026-01-15', '2026-12-01'),
  ];
  expect([...rows].sort(pickOrder).map((r) => r.batchId)).toEqual([5, 6, 3, 2, 4, 1]);
});

describeDb('FEFO picking', (t) => {
  async function seed() {
    const w1 = await warehouse(t.db, '主仓库', true);
    const w2 = await warehouse(t.db, '二号仓');
    await product(t.db, { name: '试剂', sku: 'R001', batchTracked: true });
    // Received in this order: LATE (expires last), UNDATED, EARLY (expires first), UNDATED2.
    for (const [batchNo, expiresOn, at] of [
      ['LATE', '2027-06-30', '2026-10-01T02:00:00Z'],
      ['UNDATED', undefined, '2026-10-02T02:00:00Z'],
      ['EARLY', '2027-01-31', '2026-10-03T02:00:00Z'],
      ['UNDATED2', undefined, '2026-10-04T02:00:00Z'],
    ] as const) {
      await postReceipt(t.db, admin, { warehouse: w1.id, idempotencyKey: key(), businessTime: new Date(at), lines: [{ product: 'R001', qty: 5, unitCostFen: 100, batchNo, expiresOn }] });
    }
    return { w1, w2 };
  }
  const taken = (r: { lines: { batchNo: string; qty: string; kind: string }[] }, kind = 'sales_issue') => r.lines.filter((l) => l.kind === kind).map((l) => [l.batchNo, l.qty]);

  it('issues take the earliest expiry first, then undated batches FIFO', async () => {
    await seed();
    const a = await call(t.db, clerk, 'inventory.issue', { lines: [{ product: 'R001', qty: '7' }] });
    expect(taken(a)).toEqual([
      ['EARLY', '-5'],
      ['LATE', '-2'],
    ]);
    const b = await call(t.db, clerk, 'inventory.issue', { lines: [{ product: 'R001', qty: '6' }] });
    expect(taken(b)).toEqual([
      ['LATE', '-3'],
      ['UNDATED', '-3'],
    ]);
    const c = await call(t.db, clerk, 'inventory.issue', { lines: [{ product: 'R001', qty: '4' }] });
    expect(taken(c)).toEqual([
      ['UNDATED', '-2'],
      ['UNDATED2', '-2'],
    ]);
    await expectClean(t.db);
  });

  it('transfers pick the same way', async () => {
    const { w1, w2 } = await seed();
    const r = await call(t.db, clerk, 'inventory.transfer', { from: w1.id, to: w2.id, lines: [{ product: 'R001', qty: '6' }] });
    expect(taken(r, 'transfer_out')).toEqual([
      ['EARLY', '-5'],
      ['LATE', '-1'],
    ]);
    expect(taken(r, 'transfer_in')).toEqual([
      ['EARLY', '5'],
      ['LATE', '1'],
    ]);
    await expectClean(t.db);
  });

  it('an expired batch is picked last: good stock first, expired only for what good stock does not cover, and then only after a confirmation', async () => {
    const w = await warehouse(t.db, '主仓库', true);
    await product(t.db, { name: '牛奶', sku: 'M001', batchTracked: true });
    await postReceipt(t.db, admin, {
      warehouse: w.id,
      idempotencyKey: key(),
      lines: [
        { product: 'M001', qty: 3, unitCostFen: 100, batchNo: 'OLD', expiresOn: '2026-11-24' },
        { product: 'M001', qty: 3, unitCostFen: 100, batchNo: 'LASTDAY', expiresOn: '2026-11-25' },
        { product: 'M001', qty: 3, unitCostFen: 100, batchNo: 'FRESH', expiresOn: '2027-11-25' },
      ],
    });
    // NOW = 2026-11-25: OLD is expired, LASTDAY may still leave today. An issue without a batch
    // takes the good batches, earliest expiry first, and never asks.
    const first = await call(t.db, clerk, 'inventory.issue', { lines: [{ product: 'M001', qty: '4' }] });
    expect(taken(first)).toEqual([
      ['LASTDAY', '-3'],
      ['FRESH', '-1'],
    ]);
    // Named expired batch: asked; a back-dated issue is judged on its own business day (OLD was good on 11-20).
    expect(await refused(call(t.db, clerk, 'inventory.issue', { lines: [{ product: 'M001', qty: '1', batchNo: 'OLD' }] }), 'needs_confirmation')).toContain('批次「OLD」已过期');
    const back = await call(t.db, clerk, 'inventory.issue', { businessTime: '2026-11-20T10:00:00+08:00', lines: [{ product: 'M001', qty: '1', batchNo: 'OLD' }] });
    expect(taken(back)).toEqual([['OLD', '-1']]);
    // More than the good stock (2 FRESH): the rest would come from OLD — asked first, with the figures.
    const e = await call(t.db, clerk, 'inventory.issue', { lines: [{ product: 'M001', qty: '3' }] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DomainError);
    const err = e as DomainError;
    expect(err.code).toBe('needs_confirmation');
    expect(err.details?.fix).toEqual({ kind: 'confirm' });
    expect(err.message).toContain('批次「OLD」已过期（到期 2026-11-24），这次要从它发出 1 个');
    expect(err.message).toContain('还没有记账');
    const ok = await call(t.db, clerk, 'inventory.issue', { confirm: true, lines: [{ product: 'M001', qty: '3' }] });
    expect(taken(ok)).toEqual([
      ['FRESH', '-2'],
      ['OLD', '-1'],
    ]);
    await expectClean(t.db);
  });

  it('a batch that does not exist is "没有批次" naming the batches, not 库存不足; one elsewhere says where', async () => {
    const { w1, w2 } = await seed();
    await call(t.db, clerk, 'inventory.transfer', { from: w1.id, to: w2.id, lines: [{ product: 'R001', qty: '2', batchNo: 'LATE' }] });
    const msg = await refused(call(t.db, clerk, 'inventory.issue', { lines: [{ product: 'R001', qty: '1', batchNo: 'NOPE' }] }), 'not_found');
    expect(msg).toContain('没有批次「NOPE」（该商品的批次：');
    expect(msg).toContain('EARLY（主仓库 5，到期 2027-01-31）');
    expect(msg).toContain('LATE（主仓库 3、二号仓 2，到期 2027-06-30）');
    expect(msg).not.toContain('库存不足');
    const there = await refused(call(t.db, clerk, 'inventory.issue', { warehouse: w2.id, lines: [{ product: 'R001', qty: '1', batchNo: 'EARLY' }] }), 'not_found');
    expect(there).toBe('「二号仓」没有批次「EARLY」的库存；这个批次在：主仓库 5。请改写 @仓库，或先调拨。');
    // Too little of a batch that is there is still 库存不足.
    expect(await refused(call(t.db, clerk, 'inventory.issue', { lines: [{ product: 'R001', qty: '9', batchNo: 'EARLY' }] }), 'insufficient_stock')).toContain('库存不足');
  });
});
