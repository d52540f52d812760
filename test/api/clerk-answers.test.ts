/**
 * Issue 10 over REST: the per-warehouse safety stock (PUT), the low-stock report, the product
 * ledger with running balance (GET /moves?order=time), document lists by product and person,
 * and an expired batch held for confirmation (needs_confirmation, fix 'confirm'; confirm: true posts).
 */
import { expect, it } from 'vitest';
import { describeDb } from '../helpers/db.js';
import { createProduct, createWarehouse, postReceipt } from '../../src/inventory/index.js';
import { ADMIN, T0, useApi } from './helpers.js';

describeDb('REST: the answers a clerk needs', (t) => {
  const api = useApi(t);

  async function setup() {
    const admin = await api.admin();
    const w = await createWarehouse(t.db, admin, { name: '主仓库', makeDefault: true });
    await createProduct(t.db, admin, { name: '螺丝', sku: 'A001', safetyStock: '100' });
    await createProduct(t.db, admin, { name: '牛奶', sku: 'M001', batchTracked: true });
    await postReceipt(t.db, admin, {
      warehouse: w.id,
      idempotencyKey: 'seed',
      businessTime: new Date(T0 - 3_600_000),
      lines: [
        { product: 'A001', qty: 30, unitCostFen: 10 },
        { product: 'M001', qty: 2, unitCostFen: 100, batchNo: 'OLD', expiresOn: '2026-11-01' },
        { product: 'M001', qty: 2, unitCostFen: 100, batchNo: 'NEW', expiresOn: '2027-11-01' },
      ],
    });
    return (await api.token('erp', ['inventory:write', 'inventory:read'])).secret!;
  }

  it('PUT a warehouse safety stock, GET the low-stock report, the ledger and the document lists', async () => {
    const token = await setup();
    const put = await api.call('PUT', '/api/v1/products/A001/safety-stocks/主仓库', { token, key: 'ss-1', body: { safetyStock: '40' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ sku: 'A001', warehouseName: '主仓库', safetyStock: '40', onHand: '30', low: true });
    const low = await api.call('GET', '/api/v1/low-stock', { token });
    expect(low.status).toBe(200);
    expect(low.body.rule).toContain('现有 ≤ 安全库存');
    expect(low.body.total.map((l: { sku: string }) => l.sku)).toEqual(['A001']);
    expect(low.body.perWarehouse.map((l: { sku: string; safetyStock: string }) => [l.sku, l.safetyStock])).toEqual([['A001', '40']]);
    expect(low.body.expiring.map((b: { batchNo: string; expired: boolean }) => [b.batchNo, b.expired])).toEqual([['OLD', true]]);

    // 3 is more than the good batch holds (NEW 2): the rest would come from the expired OLD — held.
    const held = await api.call('POST', '/api/v1/issues', { token, key: 'ck-1', body: { lines: [{ product: 'M001', qty: '3' }] } });
    expect(held.status).toBe(409);
    expect(held.body.code ?? held.body.type).toMatch(/needs_confirmation/);
    expect(held.body.detail).toContain('批次「OLD」已过期');
    const ok = await api.call('POST', '/api/v1/issues', { token, key: 'ck-2', body: { confirm: true, lines: [{ product: 'M001', qty: '3' }] } });
    expect(ok.status).toBe(201);
    expect(ok.body.lines.map((l: { batchNo: string; qty: string }) => [l.batchNo, l.qty])).toEqual([
      ['NEW', '-2'],
      ['OLD', '-1'],
    ]);

    const ledger = await api.call('GET', '/api/v1/moves?product=M001&order=time&limit=2', { token });
    expect(ledger.status).toBe(200);
    expect(ledger.body.opening).toEqual({ qty: '0', qtyText: '0 个' });
    expect(ledger.body.items.map((m: { balanceAfter: { qty: string } }) => m.balanceAfter.qty)).toEqual(['2', '4']);
    const next = await api.call('GET', `/api/v1/moves?product=M001&order=time&limit=2&cursor=${ledger.body.nextCursor}`, { token });
    expect(next.body.opening.qty).toBe('4');
    expect(next.body.items.map((m: { qty: string; balanceAfter: { qty: string } }) => [m.qty, m.balanceAfter.qty])).toEqual([
      ['-2', '2'],
      ['-1', '1'],
    ]);
    // Posting order (the default) carries no balances.
    expect((await api.call('GET', '/api/v1/moves?product=M001', { token })).body.opening).toBeUndefined();

    const byProduct = await api.call('GET', '/api/v1/documents?product=M001', { token });
    expect(byProduct.body.items.map((d: { kind: string; productsText: string }) => [d.kind, d.productsText])).toEqual([
      ['purchase_receipt', '螺丝、牛奶'],
      ['sales_issue', '牛奶'],
    ]);
    const byPerson = await api.call('GET', `/api/v1/documents?actor=${ADMIN}`, { token });
    expect(byPerson.body.items).toHaveLength(2);
    const nobody = await api.call('GET', '/api/v1/documents?actor=ou_nobody', { token });
    expect(nobody.status).toBe(404);
    expect(nobody.body.detail).toContain('没有找到用户「ou_nobody」');
  });
});
